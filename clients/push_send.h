/*
 * push_send.h - tiendo-push's sender: the DEALER, a window of batches in
 * flight, the acks applied to the outbox, Lazy Pirate retries over the
 * --connect list.
 */
#ifndef TIENDO_PUSH_SEND_H
#define TIENDO_PUSH_SEND_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "push.h"

#define PUSH_WINDOW 4              /* batches in flight at once */

struct push_flight {
	uint64_t batch_id;
	struct outbox_item *items; /* owned; n of them */
	size_t n;
	void *msg;                 /* encoded Batch */
	size_t len;
	int64_t deadline;          /* monotonic ms by which a reply is due */
	int64_t resend_at;         /* > 0: waiting to resend after RETRY */
	int tries;                 /* RETRY replies so far */
};

struct push_sender {
	const struct push_opts *o;
	struct outbox *ob;
	void *ctx, *sock;
	struct push_flight fl[PUSH_WINDOW];
	size_t nfl;
	uint64_t next_batch;
	uint64_t cursor;    /* highest seq taken from the outbox */
	int exhausted;      /* nothing more pending in the outbox */
	int give_up;        /* stop taking new batches */
	int link_down;      /* --follow: told the user the daemon is away */
	int fatal;          /* exit status when the outbox failed, else 0 */
	size_t server;      /* which of the --connect list (A,B,...) */
	struct push_stats st;
};

/* Set (by a signal) to stop between two steps. */
extern volatile sig_atomic_t push_send_stop;
/* The longest pause before a resend. */
extern int64_t push_send_backoff_max;

/* Sleeps ms, or less when push_send_stop is set. */
void push_send_sleep_ms(int64_t ms);
/* Reports settled (acknowledged one way or the other) so far. */
size_t push_send_settled(const struct push_sender *s);
/* Passes over the outbox until nothing more can go.  0, or -1 when the
 * outbox failed (s->fatal says the exit status). */
int push_send_passes(struct push_sender *s);
/* Opens and closes the socket for each endpoint of the --connect list,
 * keys and all: EX_OK, or the exit status a connect would give (EX_USAGE
 * for a bad endpoint or key).  Run before anything is queued. */
int push_send_check(struct push_sender *s);
/* Forgets what is in flight (it stays pending) and closes the socket. */
void push_send_close(struct push_sender *s);

#endif
