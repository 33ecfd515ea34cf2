/*
 * push_send.c - tiendo-push's sender: what the outbox holds, to tiendod.
 *
 * A report is written to the outbox (SQLite) before anything is sent, and
 * leaves it only when the daemon acknowledges it, so a dropped link or a
 * daemon restart loses nothing: the next run sends it again with the same
 * seq, and the daemon counts it once.  Sending is the zguide's Lazy Pirate
 * over a DEALER socket, with a few batches in flight: when a reply does not
 * come in time the socket is closed and opened afresh (a DEALER would
 * otherwise keep queueing into a dead connection) and the unacknowledged
 * batches are sent again, a bounded number of times, with backoff.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <zmq.h>

#include "keys.h"
#include "outbox.h"
#include "push.h"
#include "push_new.h"
#include "push_print.h"
#include "push_send.h"
#include "wire.h"

#define PUSH_BACKOFF_MS 250        /* first pause before a resend */
#define PUSH_BACKOFF_MAX_MS 8000

/* --follow stops on SIGTERM or SIGINT, between two steps. */
volatile sig_atomic_t push_send_stop;
int64_t push_send_backoff_max = PUSH_BACKOFF_MAX_MS;

static int64_t
push_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
push_send_sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !push_send_stop)
		;
}

/* Exponential, with jitter so that communes cut off together do not all
 * come back in the same millisecond. */
static int64_t
push_backoff(int attempt)
{
	int64_t ms = PUSH_BACKOFF_MS;

	while (--attempt > 0 && ms < push_send_backoff_max)
		ms *= 2;
	if (ms > push_send_backoff_max)
		ms = push_send_backoff_max;
	return ms / 2 + (int64_t)(random() % (ms + 1));
}

static void
push_flight_free(struct push_flight *f)
{
	outbox_items_free(f->items, f->n);
	free(f->msg);
	memset(f, 0, sizeof(*f));
}

/* Keeps the others in the order they were sent, so that a resend after a
 * reconnect goes out in seq order too. */
static void
push_flight_drop(struct push_sender *s, size_t i)
{
	push_flight_free(&s->fl[i]);
	memmove(&s->fl[i], &s->fl[i + 1], (s->nfl - i - 1) * sizeof(s->fl[0]));
	memset(&s->fl[s->nfl - 1], 0, sizeof(s->fl[0]));
	s->nfl--;
}

/* The endpoint in use: item s->server (mod their number) of the list. */
static void
push_endpoint(const struct push_sender *s, char *buf, size_t n)
{
	const char *p = s->o->connect;
	size_t count = 1, k, len;

	for (const char *q = p; *q; q++)
		count += *q == ',';
	for (k = s->server % count; k > 0; k--)
		p = strchr(p, ',') + 1;
	len = strcspn(p, ",");
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), p);
}

/* Opens the DEALER.  EX_OK, or the exit status that fits, the same at the
 * first connect and at every reconnect: EX_USAGE when the endpoint or the
 * keys are what is wrong. */
static int
push_sock_open(struct push_sender *s)
{
	char ep[512];
	int linger = 0, ex = EX_SOFTWARE;
	int64_t maxmsg = 4 * WIRE_MAX_MSG; /* acks carry reasons: be lenient */
	char *err = NULL;

	if ((s->sock = zmq_socket(s->ctx, ZMQ_DEALER)) == NULL) {
		push_warn("zmq_socket: %s", zmq_strerror(zmq_errno()));
		return EX_OSERR;
	}
	if (zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_setsockopt(s->sock, ZMQ_MAXMSGSIZE, &maxmsg,
	        sizeof(maxmsg)) != 0) {
		push_warn("zmq_setsockopt: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	ex = EX_USAGE;
	if (keys_client_setup(s->sock, s->o->key, s->o->server_key,
	    s->o->client, &err) != 0) {
		push_warn("%s", err ? err : "out of memory");
		free(err);
		goto fail;
	}
	push_endpoint(s, ep, sizeof ep);
	if (zmq_connect(s->sock, ep) != 0) {
		push_warn("%s: %s", ep, zmq_strerror(zmq_errno()));
		goto fail;
	}
	return EX_OK;
fail:
	zmq_close(s->sock);
	s->sock = NULL;
	return ex;
}

static void
push_sock_close(struct push_sender *s)
{
	if (s->sock != NULL)
		zmq_close(s->sock);
	s->sock = NULL;
}

int
push_send_check(struct push_sender *s)
{
	size_t count = 1;
	int ex = EX_OK;

	for (const char *q = s->o->connect; *q; q++)
		count += *q == ',';
	for (s->server = 0; s->server < count && ex == EX_OK; s->server++) {
		ex = push_sock_open(s);
		push_sock_close(s);
	}
	s->server = 0;
	return ex;
}

static int
push_send(struct push_sender *s, struct push_flight *f)
{
	/* A DEALER queues while unconnected; EAGAIN only at its HWM, which
	 * our window keeps far away. */
	while (zmq_send(s->sock, f->msg, f->len, 0) < 0) {
		if (zmq_errno() == EINTR)
			continue;
		push_warn("send: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	f->deadline = push_mono_ms() + (int64_t)s->o->timeout * 1000;
	f->resend_at = 0;
	return 0;
}

/* Takes the next batch from the outbox and sends it.  0 or -1. */
static int
push_fill(struct push_sender *s)
{
	struct push_flight *f = &s->fl[s->nfl];
	struct outbox_item *items;
	struct wire_report *wr;
	size_t n, used;

	if (outbox_pending(s->ob, s->cursor, (size_t)s->o->batch, &items,
	        &n) != 0) {
		push_warn("outbox: %s", outbox_errmsg(s->ob));
		s->fatal = EX_IOERR;
		return -1;
	}
	if (n == 0) {
		free(items);
		s->exhausted = 1;
		return 0;
	}
	if (s->sock == NULL && (s->fatal = push_sock_open(s)) != EX_OK) {
		outbox_items_free(items, n);
		return -1;
	}
	if ((wr = calloc(n, sizeof(*wr))) == NULL) {
		outbox_items_free(items, n);
		push_warn("out of memory");
		s->fatal = EX_OSERR;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		wr[i].seq = items[i].seq;
		wr[i].unit = items[i].unit;
		wr[i].task = items[i].task;
		wr[i].value = items[i].value;
		wr[i].kind = items[i].kind == OUTBOX_SET ? TIENDO__KIND__KIND_SET :
		    TIENDO__KIND__KIND_ADD;
		wr[i].observed_at = items[i].observed_at;
		wr[i].reporter = items[i].reporter;
		wr[i].note = items[i].note;
		wr[i].voids_seq = items[i].voids_seq;
		wr[i].void_reason = items[i].void_reason;
	}
	memset(f, 0, sizeof(*f));
	f->batch_id = ++s->next_batch;
	if (wire_batch_encode(outbox_client(s->ob), f->batch_id, wr, n,
	        WIRE_MAX_MSG, &f->msg, &f->len, &used) != 0) {
		push_warn("cannot encode a batch (report seq %" PRIu64 ")",
		    items[0].seq);
		free(wr);
		outbox_items_free(items, n);
		s->fatal = EX_SOFTWARE;
		return -1;
	}
	free(wr);
	/* what did not fit in one message goes in the next batch */
	for (size_t i = used; i < n; i++)
		push_new_item_clear(&items[i]);
	f->items = items;
	f->n = used;
	s->cursor = items[used - 1].seq;
	s->nfl++;
	if (push_send(s, f) != 0) {
		s->fatal = EX_SOFTWARE;
		return -1;
	}
	return 0;
}

static void push_print_fates(struct push_sender *s, struct push_flight *f,
                             const Tiendo__Ack *ack);

/* Applies an OK ack to the outbox, then prints the fates. */
static int
push_apply_ok(struct push_sender *s, struct push_flight *f,
              const Tiendo__Ack *ack)
{
	char code[64];

	if (ack->n_reports != f->n) {
		push_warn("reply to batch %" PRIu64 " names %zu reports, not "
		    "%zu: left pending", f->batch_id, ack->n_reports, f->n);
		return 0;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (ack->reports[i]->seq != f->items[i].seq) {
			push_warn("reply to batch %" PRIu64 " is out of order "
			    "(seq %" PRIu64 " for %" PRIu64 "): left pending",
			    f->batch_id, ack->reports[i]->seq,
			    f->items[i].seq);
			return 0;
		}
	}
	if (outbox_begin(s->ob) != 0)
		goto fail;
	for (size_t i = 0; i < f->n; i++) {
		const Tiendo__ReportAck *ra = ack->reports[i];
		int rc;

		switch (ra->fate) {
		case TIENDO__FATE__FATE_ACCEPTED:
		case TIENDO__FATE__FATE_DUPLICATE:
			rc = outbox_deliver(s->ob, ra->seq,
			    ra->fate == TIENDO__FATE__FATE_ACCEPTED ? 1 : 2);
			break;
		case TIENDO__FATE__FATE_REJECTED:
			rc = outbox_reject(s->ob, ra->seq,
			    wire_reject_name(ra->code, code, sizeof(code)),
			    ra->reason);
			break;
		default:
			rc = 0; /* no fate: stays pending, sent next time */
			break;
		}
		if (rc != 0)
			goto fail;
	}
	if (outbox_commit(s->ob) != 0)
		goto fail;
	push_print_fates(s, f, ack);
	return 0;
fail:
	push_warn("outbox: %s", outbox_errmsg(s->ob));
	outbox_rollback(s->ob);
	/* A full disk: the daemon has them all the same.  Say so, and stop:
	 * they stay pending here and are answered duplicate next time. */
	if (outbox_is_cramped(s->ob)) {
		push_print_fates(s, f, ack);
		push_warn("outbox: no room to record these deliveries: they stay "
		    "queued and will be answered duplicate when sent again");
	}
	s->fatal = EX_IOERR;
	return -1;
}

/* Prints the fates of an applied ack and counts them. */
static void
push_print_fates(struct push_sender *s, struct push_flight *f,
                 const Tiendo__Ack *ack)
{
	char code[64];

	for (size_t i = 0; i < f->n; i++) {
		const Tiendo__ReportAck *ra = ack->reports[i];
		const struct outbox_item *it = &f->items[i];

		switch (ra->fate) {
		case TIENDO__FATE__FATE_ACCEPTED:
			s->st.accepted++;
			if (!s->o->quiet)
				push_print_fate(stdout, it, s->o->vi,
				    PUSH_ACCEPTED);
			break;
		case TIENDO__FATE__FATE_DUPLICATE:
			s->st.duplicate++;
			if (!s->o->quiet)
				push_print_fate(stdout, it, s->o->vi,
				    PUSH_DUPLICATE);
			break;
		case TIENDO__FATE__FATE_REJECTED:
			s->st.rejected++;
			push_print_rejected(stdout, it, s->o->vi,
			    wire_reject_name(ra->code, code, sizeof(code)),
			    ra->reason);
			break;
		default:
			if (!s->o->quiet)
				push_print_fate(stdout, it, s->o->vi,
				    PUSH_NO_FATE);
			break;
		}
	}
}

static int
push_apply_bad_batch(struct push_sender *s, struct push_flight *f,
                     const Tiendo__Ack *ack)
{
	char code[64], reason[600];

	wire_batch_error_name(ack->error, code, sizeof(code));
	snprintf(reason, sizeof(reason), "batch refused: %s",
	    ack->reason && *ack->reason ? ack->reason : code);
	if (outbox_begin(s->ob) != 0)
		goto fail;
	for (size_t i = 0; i < f->n; i++)
		if (outbox_reject(s->ob, f->items[i].seq, code, reason) != 0)
			goto fail;
	if (outbox_commit(s->ob) != 0)
		goto fail;
	for (size_t i = 0; i < f->n; i++) {
		push_print_rejected(stdout, &f->items[i], s->o->vi, code,
		    reason);
		s->st.rejected++;
	}
	return 0;
fail:
	push_warn("outbox: %s", outbox_errmsg(s->ob));
	outbox_rollback(s->ob);
	s->fatal = EX_IOERR;
	return -1;
}

/* One reply frame.  -1 only when the outbox failed. */
static int
push_reply(struct push_sender *s, const void *data, size_t len)
{
	Tiendo__Ack *ack = wire_ack_decode(data, len);
	struct push_flight *f = NULL;
	size_t i;
	int rc = 0;

	if (ack == NULL) {
		push_warn("ignoring a reply that is not an Ack (%zu bytes)",
		    len);
		return 0;
	}
	for (i = 0; i < s->nfl; i++) {
		if (s->fl[i].batch_id == ack->batch_id) {
			f = &s->fl[i];
			break;
		}
	}
	if (f == NULL || f->resend_at > 0) {
		/* a late answer to a batch already settled or re-queued */
		wire_ack_free(ack);
		return 0;
	}
	switch (ack->status) {
	case TIENDO__STATUS__STATUS_OK:
		rc = push_apply_ok(s, f, ack);
		push_flight_drop(s, i);
		break;
	case TIENDO__STATUS__STATUS_BAD_BATCH:
		rc = push_apply_bad_batch(s, f, ack);
		push_flight_drop(s, i);
		break;
	case TIENDO__STATUS__STATUS_RETRY:
		f->tries++;
		if (f->tries > s->o->retries && !s->o->follow) {
			push_warn("server still asks to retry (%s): giving up "
			    "for now", ack->reason);
			push_flight_drop(s, i);
			s->give_up = 1;
		} else {
			if (!s->o->quiet)
				push_warn("server asks to retry (%s)",
				    ack->reason);
			f->resend_at = push_mono_ms() + push_backoff(f->tries);
		}
		break;
	default:
		push_warn("reply to batch %" PRIu64 " has status %d: left "
		    "pending", f->batch_id, (int)ack->status);
		push_flight_drop(s, i);
		break;
	}
	wire_ack_free(ack);
	return rc;
}

/* Reads every reply waiting on the socket. */
static int
push_drain(struct push_sender *s)
{
	for (;;) {
		zmq_msg_t msg;
		int more = 0;
		size_t sz = sizeof(more);

		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, s->sock, ZMQ_DONTWAIT) < 0) {
			int e = zmq_errno();

			zmq_msg_close(&msg);
			if (e == EAGAIN)
				return 0;
			if (e == EINTR)
				continue;
			push_warn("receive: %s", zmq_strerror(e));
			return -1;
		}
		if (zmq_getsockopt(s->sock, ZMQ_RCVMORE, &more, &sz) == 0 &&
		    more) {
			/* a reply is one frame: drop the rest of this one */
			push_warn("ignoring a reply of several frames");
			zmq_msg_close(&msg);
			do {
				zmq_msg_init(&msg);
				if (zmq_msg_recv(&msg, s->sock, 0) < 0) {
					zmq_msg_close(&msg);
					return -1;
				}
				more = zmq_msg_more(&msg);
				zmq_msg_close(&msg);
			} while (more);
			continue;
		}
		if (push_reply(s, zmq_msg_data(&msg), zmq_msg_size(&msg)) != 0) {
			zmq_msg_close(&msg);
			return -1;
		}
		zmq_msg_close(&msg);
	}
}

/*
 * Sends everything pending.  Returns 0, or -1 when the outbox failed
 * (s->fatal says the exit status); giving up on an unreachable daemon is
 * not a failure here: the reports stay pending.
 */
static int
push_run(struct push_sender *s)
{
	int fails = 0; /* timeouts in a row */

	for (;;) {
		int64_t now, wait = -1;
		zmq_pollitem_t pi;
		int rc, late;

		if (push_send_stop)
			return 0;
		while (!s->give_up && !s->exhausted && s->nfl < PUSH_WINDOW)
			if (push_fill(s) != 0)
				return -1;
		if (s->nfl == 0)
			return 0;

		now = push_mono_ms();
		for (size_t i = 0; i < s->nfl; i++) {
			struct push_flight *f = &s->fl[i];
			int64_t due;

			if (f->resend_at > 0 && f->resend_at <= now) {
				s->st.resent += f->n;
				if (push_send(s, f) != 0) {
					s->fatal = EX_SOFTWARE;
					return -1;
				}
			}
			due = (f->resend_at > 0 ? f->resend_at : f->deadline) -
			    now;
			if (due < 0)
				due = 0;
			if (wait < 0 || due < wait)
				wait = due;
		}

		pi.socket = s->sock;
		pi.fd = -1;
		pi.events = ZMQ_POLLIN;
		pi.revents = 0;
		rc = zmq_poll(&pi, 1, (long)wait);
		if (rc < 0) {
			if (zmq_errno() == EINTR)
				continue;
			push_warn("poll: %s", zmq_strerror(zmq_errno()));
			s->fatal = EX_SOFTWARE;
			return -1;
		}
		if (rc > 0) {
			fails = 0;
			if (s->link_down && !s->o->quiet)
				push_warn("%s answers again", s->o->connect);
			s->link_down = 0;
			if (push_drain(s) != 0) {
				if (s->fatal == 0)
					s->fatal = EX_SOFTWARE;
				return -1;
			}
			continue;
		}

		now = push_mono_ms();
		late = 0;
		for (size_t i = 0; i < s->nfl; i++)
			if (s->fl[i].resend_at == 0 && s->fl[i].deadline <= now)
				late = 1;
		if (!late)
			continue;
		/* Lazy Pirate: the connection is presumed dead. */
		fails++;
		if (fails > s->o->retries && s->o->follow) {
			if (!s->link_down)
				push_warn("no reply from %s; %" PRId64 " report%s "
				    "pending; retrying until it answers",
				    s->o->connect, outbox_count(s->ob,
				    OUTBOX_PENDING), "(s)");
			s->link_down = 1;
		} else if (fails > s->o->retries) {
			push_warn("no reply from %s after %d tr%s; reports stay "
			    "in the outbox", s->o->connect, fails,
			    fails == 1 ? "y" : "ies");
			while (s->nfl > 0)
				push_flight_drop(s, s->nfl - 1);
			s->give_up = 1;
			return 0;
		}
		if (!s->o->quiet && !s->link_down)
			push_warn("no reply from %s in %d s, reconnecting "
			    "(%d/%d)", s->o->connect, s->o->timeout, fails,
			    s->o->retries);
		push_sock_close(s);
		push_send_sleep_ms(push_backoff(fails));
		/* With a list, the one that did not answer may be dead and
		 * its standby active: resends are safe, (client, seq) is
		 * unique in the store. */
		s->server++;
		if ((s->fatal = push_sock_open(s)) != EX_OK)
			return -1;
		for (size_t i = 0; i < s->nfl; i++) {
			s->st.resent += s->fl[i].n;
			if (push_send(s, &s->fl[i]) != 0) {
				s->fatal = EX_SOFTWARE;
				return -1;
			}
		}
	}
}

/* Reports settled (acknowledged one way or the other) so far. */
size_t
push_send_settled(const struct push_sender *s)
{
	return s->st.accepted + s->st.duplicate + s->st.rejected;
}

/*
 * Passes over the outbox until nothing more can go: a correction held back
 * until its report was delivered goes in a later pass of the same run.
 * 0, or -1 when the outbox failed.
 */
int
push_send_passes(struct push_sender *s)
{
	for (;;) {
		size_t before = push_send_settled(s);
		int64_t pending;

		s->cursor = 0;
		s->exhausted = 0;
		if (push_run(s) != 0)
			return -1;
		while (s->nfl > 0)
			push_flight_drop(s, s->nfl - 1);
		if (s->give_up || push_send_stop || push_send_settled(s) == before)
			return 0;
		if ((pending = outbox_count(s->ob, OUTBOX_PENDING)) < 0) {
			push_warn("outbox: %s", outbox_errmsg(s->ob));
			s->fatal = EX_IOERR;
			return -1;
		}
		if (pending == 0)
			return 0;
	}
}

void
push_send_close(struct push_sender *s)
{
	while (s->nfl > 0)
		push_flight_drop(s, s->nfl - 1);
	push_sock_close(s);
}
