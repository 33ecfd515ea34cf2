/*
 * push_follow.c - tiendo-push --follow.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "outbox.h"
#include "push.h"
#include "push_follow.h"
#include "push_print.h"
#include "push_send.h"

#define PUSH_FOLLOW_BACKOFF_MAX_MS 30000 /* --follow retries for ever */

static void
push_on_signal(int sig)
{
	push_send_stop = 1;
}

/*
 * --follow: an office PC that reports through the day.  Looks at the
 * outbox every interval, sends what is there, never gives up on the
 * daemon (backoff capped), and stops cleanly on SIGTERM or SIGINT: what
 * was in flight stays pending and is sent again next time (the daemon
 * answers "duplicate" if it had it).
 */
int
push_follow_run(struct push_sender *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = push_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0) {
		push_warn("sigaction: %s", strerror(errno));
		return EX_OSERR;
	}
	push_send_backoff_max = PUSH_FOLLOW_BACKOFF_MAX_MS;
	if (!s->o->quiet)
		push_warn("following %s: sending to %s as reports are queued",
		    "the outbox", s->o->connect);
	while (!push_send_stop) {
		int64_t pending = outbox_count(s->ob, OUTBOX_PENDING);
		size_t before = push_send_settled(s);

		if (pending < 0) {
			push_warn("outbox: %s", outbox_errmsg(s->ob));
			return EX_IOERR;
		}
		if (pending > 0) {
			s->give_up = 0;
			if (push_send_passes(s) != 0)
				return s->fatal ? s->fatal : EX_SOFTWARE;
			if (push_send_settled(s) != before && !s->o->quiet)
				push_print_so_far(&s->st, outbox_count(s->ob,
				    OUTBOX_PENDING), s->o->vi);
			fflush(stdout);
		}
		push_send_sleep_ms((int64_t)s->o->interval * 1000);
	}
	return EX_OK;
}
