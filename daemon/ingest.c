/*
 * ingest.c - ROUTER socket, drain, validate, group commit, ack, tally.
 *
 * The ZMQ_FD descriptor is edge-triggered: it signals a change of state, not
 * "a message is waiting".  So each wake-up drains until EAGAIN, and after
 * sending the acks (a send can consume the edge) ZMQ_EVENTS is asked again.
 * A drain stops after DRAIN_MESSAGES messages or DRAIN_REPORTS reports and
 * reschedules itself, so HTTP and timers get their turn under load.
 *
 * The drain's COMMIT runs off the loop (store_commit_start): the drain ends
 * at it, and its answer (ingest_on_committed) sends the acks, publishes,
 * and schedules the next drain.  No drain starts while a commit is in
 * flight; the answer asks ZMQ_EVENTS again for what came meanwhile.
 *
 * Frames: [routing id][Batch] from a DEALER, or [routing id][""][Batch] from
 * a REQ; the reply mirrors the shape it came in.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "count.h"
#include "ingest.h"
#include "ingest_parse.h"
#include "ingest_state.h"
#include "log.h"
#include "nulcheck.h"
#include "ratelimit.h"

#define DRAIN_MESSAGES 1000
#define DRAIN_REPORTS 20000
/* libzmq drops the connection of a peer that sends more than this; between
 * LIMIT_MESSAGE_BYTES and this, the peer gets a precise BATCH_TOO_LARGE.
 * libzmq applies it to handshake commands too, so it is also what one
 * unauthenticated peer can make us hold: kept just above the batch limit. */
#define HARD_MESSAGE_BYTES (LIMIT_MESSAGE_BYTES + LIMIT_MESSAGE_BYTES / 4)
/* Bad input is logged, but one broken client gets at most this many lines
 * a minute; the rest are counted (tiendo_log_suppressed_total). */
#define BAD_LOG_BURST 5
#define BAD_LOG_WINDOW_MS 60000
/* Messages queued per peer each way: a client has a few batches in flight
 * (tiendo-push 4, the bench 8); past this libzmq stops reading that peer,
 * so one peer holds at most INGEST_HWM * HARD_MESSAGE_BYTES of our memory. */
#define INGEST_HWM 100
/* The acks' queue per peer, above INGEST_HWM because libzmq's count of it
 * is late: the connection's I/O thread says how many acks it has taken
 * off the queue only every half queue (libzmq's low-water mark, (hwm+1)/2),
 * so the queue looks fuller than it is by up to that many acks already
 * gone.  With a mark of 100 a burst of 51 acks after earlier traffic was
 * dropped (a peer with 90 batches in flight lost 39 acks after a stall,
 * tests/integration/test_peer_queue.sh).  At 256 the count is late by at
 * most 128, so a peer with up to 100 batches unacknowledged (128 + 100 <
 * 256) never loses an ack to the queue. */
#define INGEST_ACK_HWM 256

static void ingest_drain(struct ingest *in);
static void ingest_on_committed(void *arg, int rc);

/* Storage works again.  If a commit's outcome was unknown meanwhile (the
 * server may have stored a batch we answered RETRY), the tallies are read
 * again from the store, as at a start. */
static void
ingest_storage_back(struct ingest *in)
{
	struct book *book = *in->book;
	struct board *board;

	in->stats.storage_ok = 1;
	log_notice("storage: writing again");
	if (!in->recount)
		return;
	if ((board = book_board_at(book, INT64_MAX)) == NULL) {
		log_err("storage: cannot recount the tallies after a commit "
		        "of unknown outcome; will try again");
		return;
	}
	board_free(book->board);
	book->board = board;
	in->recount = 0;
	log_notice("storage: a commit's outcome was unknown: tallies "
	           "recounted from the store");
}

/* A timer with no fd: evtimer_add fails only out of memory, and then the
 * drain or the probe waits for the next message. */
static void
ingest_later(struct event *ev, const struct timeval *tv)
{
	if (evtimer_add(ev, tv) < 0)
		log_err("ingest: cannot schedule a timer (out of memory)");
}

#define PROBE_MS 1000
/* At SIGTERM, queued batches are answered RETRY for this long at most. */
#define STOP_ANSWER_MS 1000

/* With nobody sending, no commit would ever tell that the disk has room
 * again; a probe write does, so /healthz recovers by itself. */
static void
ingest_on_probe(evutil_socket_t fd, short what, void *arg)
{
	struct ingest *in = arg;
	struct timeval tv = { PROBE_MS / 1000, (PROBE_MS % 1000) * 1000 };

	if (in->stats.storage_ok)
		return;
	/* The commit in flight will tell (or, another's, would only hold
	 * the probe at the busy gate). */
	if (store_commit_pending((*in->book)->store)) {
		ingest_later(in->ev_probe, &tv);
		return;
	}
	if (store_probe((*in->book)->store, when_now()) == 0) {
		ingest_storage_back(in);
		return;
	}
	ingest_later(in->ev_probe, &tv);
}

void
ingest_storage_failing(struct ingest *in, const char *why)
{
	struct timeval tv = { PROBE_MS / 1000, (PROBE_MS % 1000) * 1000 };

	snprintf(in->stats.storage_error, sizeof in->stats.storage_error, "%s",
	         why);
	in->stats.storage_ok = 0;
	if (!evtimer_pending(in->ev_probe, NULL))
		ingest_later(in->ev_probe, &tv);
}

static void
ingest_on_fd(evutil_socket_t fd, short what, void *arg)
{
	ingest_drain(arg);
}

static void
ingest_on_more(evutil_socket_t fd, short what, void *arg)
{
	ingest_drain(arg);
}

void
ingest_msg_fail(struct ingest_msg *m, Tiendo__Status status,
                Tiendo__BatchError error, const char *fmt, ...)
{
	va_list ap;

	m->status = status;
	m->error = error;
	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof m->reason, fmt, ap);
	va_end(ap);
}

/* Receives one whole message into in->msgs.  0, or -1 when none waits. */
static int
ingest_recv(struct ingest *in, when_t now)
{
	struct ingest_msg *m = &in->msgs[in->n_msgs];
	zmq_msg_t part[3];
	size_t nparts = 0, extra = 0;
	int more;

	zmq_msg_init(&part[0]);
	if (zmq_msg_recv(&part[0], in->sock, ZMQ_DONTWAIT) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_err("ingest: receive: %s", zmq_strerror(errno));
		zmq_msg_close(&part[0]);
		return -1;
	}
	nparts = 1;
	more = zmq_msg_more(&part[0]);
	/* The rest of a multipart message is already here: libzmq delivers
	 * messages whole. */
	while (more) {
		zmq_msg_t *p = nparts < 3 ? &part[nparts] : &(zmq_msg_t){0};
		zmq_msg_init(p);
		if (zmq_msg_recv(p, in->sock, 0) < 0) {
			zmq_msg_close(p);
			break;
		}
		more = zmq_msg_more(p);
		if (nparts < 3)
			nparts++;
		else {
			extra++;
			zmq_msg_close(p);
		}
	}
	in->n_msgs++;
	in->stats.messages++;
	m->rid_len = zmq_msg_size(&part[0]);
	if (m->rid_len > sizeof m->rid)
		m->rid_len = sizeof m->rid;
	memcpy(m->rid, zmq_msg_data(&part[0]), m->rid_len);
	m->batch = NULL;
	/* The slot is reused: nothing of an earlier reply may leak into this
	 * one (Ack.error is set only with RETRY or BAD_BATCH). */
	m->status = TIENDO__STATUS__STATUS_UNSPECIFIED;
	m->error = TIENDO__BATCH_ERROR__BATCH_NONE;
	m->delim = 0;
	m->first = m->n = 0;
	m->reason[0] = '\0';
	m->t_recv = histogram_clock();
	m->client = "";
	m->auth = NULL;
	m->user_id[0] = '\0';
	{
		const char *peer = zmq_msg_gets(&part[0], "Peer-Address");
		const char *uid = curve_user_id(in->curve, &part[nparts - 1]);
		const char *key = curve_user_key(in->curve, &part[nparts - 1]);

		snprintf(m->peer, sizeof m->peer, "%s", peer ? peer : "?");
		if (uid && validate_client(uid))
			snprintf(m->user_id, sizeof m->user_id, "%s", uid);
		snprintf(m->user_key, sizeof m->user_key, "%s", key ? key : "");
	}

	if (nparts == 2 && extra == 0) {
		ingest_parse(in, m, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]),
		             now);
	} else if (nparts == 3 && extra == 0 && zmq_msg_size(&part[1]) == 0) {
		m->delim = 1;
		ingest_parse(in, m, zmq_msg_data(&part[2]), zmq_msg_size(&part[2]),
		             now);
	} else {
		/* A REQ's delimiter is echoed here too, or REQ would drop the
		 * reply and its user would see only a timeout. */
		m->delim = nparts >= 2 && zmq_msg_size(&part[1]) == 0;
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
		                TIENDO__BATCH_ERROR__BATCH_FRAMES,
		                "message has %zu frames; send exactly one (the Batch), "
		                "or an empty delimiter and the Batch", nparts - 1 + extra);
	}
	for (size_t i = 0; i < nparts; i++)
		zmq_msg_close(&part[i]);
	return 0;
}

/* After a failed commit: the tallies as they were, newest first. */
static void
ingest_unapply(struct ingest *in)
{
	int staged = in->n_applied > 0;
	struct count_log log = ingest_log(in);

	/* book_put, newest first: each rate follows its parts back. */
	count_undo(*in->book, &log);
	in->n_applied = 0;
	if (staged && in->hooks.done)
		in->hooks.done(in->hook_arg, 0);
}

static void ingest_commit_failed(struct ingest *in);

/* Writes every valid item in one transaction and starts its COMMIT: 1,
 * answered by ingest_on_committed; or -1 after a rollback. */
static int
ingest_commit(struct ingest *in, when_t now)
{
	struct store *store = (*in->book)->store;
	double t0 = histogram_clock();

	in->n_applied = 0;
	/* While storage fails, the probe decides (a full file system too,
	 * store_probe): nothing is written until it passes. */
	if (!in->stats.storage_ok && store_probe(store, now) < 0)
		goto fail;
	if (store_begin(store) < 0)
		goto fail;
	if (ingest_store_all(in, now) < 0)
		goto fail;
	/* The tallies moved inside the transaction so that the alert rules
	 * see them and store their events in it; undone if it fails. */
	if (in->hooks.stage && in->n_applied > 0)
		in->hooks.stage(in->hook_arg, in->touched, in->n_applied);
	if (store_commit_start(store, in->base, ingest_on_committed, in) < 0)
		goto fail;
	in->commit_t0 = t0;
	return 1;
fail:
	ingest_commit_failed(in);
	return -1;
}

/* The commit failed: rolled back, the tallies undone, every batch that was
 * to be stored answered RETRY. */
static void
ingest_commit_failed(struct ingest *in)
{
	struct store *store = (*in->book)->store;

	/* Logged once per failed drain; the clients are told to retry. */
	snprintf(in->stats.storage_error, sizeof in->stats.storage_error, "%s",
	         store_errmsg(store));
	store_rollback(store);
	ingest_unapply(in);
	in->recount |= store_commit_uncertain(store);
	in->stats.commit_failures++;
	if (in->stats.storage_ok)
		log_err("storage: %s; answering RETRY until it clears",
		        in->stats.storage_error);
	in->stats.storage_ok = 0;
	if (!evtimer_pending(in->ev_probe, NULL)) {
		struct timeval tv = { PROBE_MS / 1000, (PROBE_MS % 1000) * 1000 };
		ingest_later(in->ev_probe, &tv);
	}
	for (size_t i = 0; i < in->n_msgs; i++) {
		struct ingest_msg *m = &in->msgs[i];
		if (m->status == TIENDO__STATUS__STATUS_OK) {
			ingest_msg_fail(m, TIENDO__STATUS__STATUS_RETRY,
			                TIENDO__BATCH_ERROR__BATCH_STORAGE,
			                "server storage error; nothing was stored, "
			                "send again later");
			for (size_t k = m->first; k < m->first + m->n; k++)
				in->items[k].is_new = 0;
		}
	}
}

static int
ingest_send(struct ingest *in, const struct ingest_msg *m, const void *body,
            size_t len)
{
	if (zmq_send(in->sock, m->rid, m->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -1;
	if (m->delim && zmq_send(in->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -1;
	return zmq_send(in->sock, body, len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

/* One line per bad input, at most BAD_LOG_BURST a minute per client (or
 * per peer address when the batch did not say who sent it). */
static void
ingest_log_bad(struct ingest *in, const struct ingest_msg *m,
               const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
ingest_log_bad(struct ingest *in, const struct ingest_msg *m,
               const char *fmt, ...)
{
	/* The authenticated identity, else the claimed one if it is well
	 * formed, else the address: a key for the rate limit either way. */
	const char *who = m->user_id[0] ? m->user_id
	                : m->batch && m->batch->client && *m->batch->client &&
	                  validate_client(m->batch->client)
	                  ? m->batch->client : m->peer;
	char line[1024];
	uint64_t dropped;
	va_list ap;

	if (!ratelimit_allow(in->badlog, who, when_now(), &dropped)) {
		in->stats.log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (dropped)
		log_info("ingest: from %s: %s (%llu similar lines suppressed "
		         "in the last minute)", who, line,
		         (unsigned long long)dropped);
	else
		log_info("ingest: from %s: %s", who, line);
}

static void
ingest_ack(struct ingest *in, struct ingest_msg *m, when_t now)
{
	Tiendo__Ack ack = TIENDO__ACK__INIT;
	size_t len;

	ack.version = PROTOCOL_VERSION;
	ack.batch_id = m->batch ? m->batch->batch_id : 0;
	ack.status = m->status;
	ack.error = m->error;
	ack.reason = m->reason;
	ack.server_time = now;
	ack.client = m->batch && m->status != TIENDO__STATUS__STATUS_BAD_BATCH
	                 ? (char *)m->client : "";
	if (m->status == TIENDO__STATUS__STATUS_OK) {
		for (size_t i = 0; i < m->n; i++) {
			struct ingest_item *it = &in->items[m->first + i];
			Tiendo__ReportAck *ra = &in->acks[i];

			tiendo__report_ack__init(ra);
			ra->seq = m->batch->reports[i]->seq;
			ra->fate = it->fate;
			if (it->fate == TIENDO__FATE__FATE_REJECTED) {
				ra->code = it->code;
				ra->reason = in->reasons[m->first + i];
				ingest_log_bad(in, m, "report seq %llu rejected: %s",
				               (unsigned long long)ra->seq, ra->reason);
				in->stats.rejected++;
				in->stats.rejected_by[it->code & 15]++;
			} else if (it->fate == TIENDO__FATE__FATE_ACCEPTED) {
				in->stats.accepted++;
			} else {
				in->stats.duplicate++;
			}
			in->ack_ptrs[i] = ra;
		}
		ack.n_reports = m->n;
		ack.reports = in->ack_ptrs;
		in->stats.batches_ok++;
	} else if (m->status == TIENDO__STATUS__STATUS_RETRY) {
		in->stats.batches_retry++;
	} else {
		in->stats.batches_bad++;
		in->stats.batches_bad_by[m->error & 15]++;
		ingest_log_bad(in, m, "bad batch: %s", m->reason);
	}
	len = tiendo__ack__get_packed_size(&ack);
	if (len > in->out_cap) {
		uint8_t *out = realloc(in->out, len);
		if (out == NULL) {
			log_err("ingest: out of memory for an ack");
			return;
		}
		in->out = out;
		in->out_cap = len;
	}
	tiendo__ack__pack(&ack, in->out);
	/* A peer that went away, or is at its high-water mark, loses this ack;
	 * it resends and is answered "duplicate": nothing is lost. */
	if (ingest_send(in, m, in->out, len) < 0) {
		in->stats.acks_dropped++;
		log_debug("ingest: ack dropped: %s", zmq_strerror(errno));
	} else {
		histogram_observe(&in->stats.ack_seconds,
		                  histogram_clock() - m->t_recv);
	}
}

/* The end of a drain, once its commit is answered (committed = 1 when it
 * succeeded, or when there was nothing to commit): acks, the done hook,
 * the batches freed.  1 when more input waits. */
static int
ingest_answer(struct ingest *in, int committed)
{
	int more = in->drain_more;
	uint32_t events = 0;
	size_t len = sizeof events;

	/* Asking ZMQ_EVENTS makes libzmq read the notes its I/O threads left
	 * meanwhile (the commit took a while), among them how many acks each
	 * peer has taken: without it zmq_send reads them at most once a
	 * millisecond, and a burst of acks is measured against a stale queue. */
	if (in->n_msgs > 0 &&
	    zmq_getsockopt(in->sock, ZMQ_EVENTS, &events, &len) < 0)
		log_debug("ingest: ZMQ_EVENTS before the acks: %s",
		          zmq_strerror(errno));
	len = sizeof events;
	for (size_t i = 0; i < in->n_msgs; i++)
		ingest_ack(in, &in->msgs[i], in->drain_now);
	if (committed && in->n_applied > 0 && in->hooks.done)
		in->hooks.done(in->hook_arg, 1);
	in->n_applied = 0;
	for (size_t i = 0; i < in->n_msgs; i++)
		tiendo__batch__free_unpacked(in->msgs[i].batch, NULL);
	in->n_msgs = in->n_items = 0;

	/* Sending may have swallowed the edge that announced new input. */
	if (!more && zmq_getsockopt(in->sock, ZMQ_EVENTS, &events, &len) == 0 &&
	    (events & ZMQ_POLLIN))
		more = 1;
	return more;
}

/* One bounded drain: receive, commit, ack.  1 when more input waits; 0
 * also while its commit is in flight (ingest_on_committed goes on). */
static int
ingest_drain_once(struct ingest *in)
{
	when_t now = when_now();
	int more = 0, committed = 1;

	in->n_msgs = in->n_items = 0;
	for (;;) {
		if (in->n_msgs == DRAIN_MESSAGES || in->n_items >= DRAIN_REPORTS) {
			more = 1;
			break;
		}
		if (ingest_recv(in, now) < 0)
			break;
	}
	in->drain_now = now;
	in->drain_more = more;
	if (in->n_items > 0) {
		if (ingest_commit(in, now) > 0) {
			in->committing = 1;
			return 0;
		}
		committed = 0;
	}
	return ingest_answer(in, committed);
}

/* The answer of the drain's commit, on the loop. */
static void
ingest_on_committed(void *arg, int rc)
{
	static const struct timeval zero = { 0, 0 };
	static const struct timeval yield = { 0, 1000 };
	struct ingest *in = arg;

	in->committing = 0;
	if (rc == 0) {
		histogram_observe(&in->stats.commit_seconds,
		                  histogram_clock() - in->commit_t0);
		in->stats.commits++;
		if (!in->stats.storage_ok || in->recount)
			ingest_storage_back(in);
	} else {
		ingest_commit_failed(in);
	}
	/* At a stop, ingest_free drains on by itself.  An alert or
	 * retention slice waiting for this commit (woken with a zero timer
	 * once we return) goes first: our next drain comes a millisecond
	 * later, finds its commit in flight and waits for it in turn. */
	if (ingest_answer(in, rc == 0) && !in->stopping)
		ingest_later(in->ev_more,
		            store_commit_contended((*in->book)->store) ? &yield
		                                                       : &zero);
}

void
ingest_settle(struct ingest *in)
{
	/* Ours, or an alert or retention slice's: either would hold the
	 * next drain at the busy gate and fail its commit.  Nothing when
	 * none is in flight. */
	if (in != NULL)
		store_commit_settle((*in->book)->store);
}

static void
ingest_drain(struct ingest *in)
{
	/* Later, as a timer, not event_active(): libevent runs active events
	 * back to back without polling, so under a deep queue neither a
	 * SIGTERM nor an HTTP request would get a turn until it is empty. */
	static const struct timeval now = { 0, 0 };

	/* Its answer drains on (ZMQ_FD is edge-triggered: it asks again). */
	if (in->committing)
		return;
	/* An alert or retention slice's commit: its answer wakes ev_more
	 * (a store_begin now would stop the loop at the busy gate). */
	if (store_commit_pending((*in->book)->store)) {
		if (store_commit_wait((*in->book)->store, in->ev_more) < 0)
			log_err("ingest: cannot wait for the commit in flight "
			        "(out of memory); the drain waits for the next "
			        "message");
		return;
	}
	if (ingest_drain_once(in))
		ingest_later(in->ev_more, &now);
}

static int
ingest_sockopt(void *sock, int opt, const void *val, size_t len, char **err)
{
	if (zmq_setsockopt(sock, opt, val, len) == 0)
		return 0;
	if (asprintf(err, "ingest: setsockopt %d: %s", opt, zmq_strerror(errno)) < 0)
		*err = NULL;
	return -1;
}

struct ingest *
ingest_new(struct event_base *base, void *zctx, const char *endpoint,
           struct book **book, int64_t max_future, const struct curve *curve,
           char **err)
{
	struct ingest *in = calloc(1, sizeof *in);
	size_t items = DRAIN_REPORTS + LIMIT_BATCH_REPORTS, len;
	int one = 1, linger = 1000, ack_hwm = INGEST_ACK_HWM;
	int64_t maxmsg = HARD_MESSAGE_BYTES;
	int fd;

	*err = NULL;
	if (in == NULL)
		goto nomem;
	in->base = base;
	in->book = book;
	in->max_future = max_future;
	in->curve = curve;
	in->stats.storage_ok = 1;
	in->badlog = ratelimit_new(BAD_LOG_BURST, BAD_LOG_WINDOW_MS);
	in->msgs = calloc(DRAIN_MESSAGES, sizeof *in->msgs);
	in->items = calloc(items, sizeof *in->items);
	in->reasons = malloc(items * sizeof *in->reasons);
	in->touched = malloc(items * sizeof *in->touched);
	in->saved = malloc(items * sizeof *in->saved);
	in->acks = calloc(LIMIT_BATCH_REPORTS, sizeof *in->acks);
	in->ack_ptrs = calloc(LIMIT_BATCH_REPORTS, sizeof *in->ack_ptrs);
	in->nul_hits = calloc(LIMIT_BATCH_REPORTS, sizeof *in->nul_hits);
	in->clients = calloc(items, sizeof *in->clients);
	in->seqs = calloc(items, sizeof *in->seqs);
	in->asked = calloc(items, sizeof *in->asked);
	in->found = calloc(items, sizeof *in->found);
	in->prev = calloc(items, sizeof *in->prev);
	in->order = calloc(items, sizeof *in->order);
	in->rows = calloc(items, sizeof *in->rows);
	if (!in->badlog || !in->msgs || !in->items || !in->reasons ||
	    !in->acks || !in->ack_ptrs || !in->touched || !in->saved ||
	    !in->nul_hits || !in->clients || !in->seqs || !in->asked ||
	    !in->found || !in->prev || !in->order || !in->rows)
		goto nomem;
	if ((in->sock = zmq_socket(zctx, ZMQ_ROUTER)) == NULL) {
		if (asprintf(err, "ingest: socket: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	if (ingest_sockopt(in->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one, err) < 0 ||
	    ingest_sockopt(in->sock, ZMQ_LINGER, &linger, sizeof linger, err) < 0 ||
	    curve_server_setup(curve, in->sock, maxmsg, INGEST_HWM, err) < 0 ||
	    ingest_sockopt(in->sock, ZMQ_SNDHWM, &ack_hwm, sizeof ack_hwm, err) < 0)
		goto fail;
	if (zmq_bind(in->sock, endpoint) < 0) {
		if (asprintf(err, "ingest: cannot bind %s: %s", endpoint,
		             zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	len = sizeof in->endpoint;
	if (zmq_getsockopt(in->sock, ZMQ_LAST_ENDPOINT, in->endpoint, &len) < 0)
		snprintf(in->endpoint, sizeof in->endpoint, "%s", endpoint);
	curve_check_bind(curve, "ingest", in->endpoint);
	len = sizeof fd;
	if (zmq_getsockopt(in->sock, ZMQ_FD, &fd, &len) < 0) {
		if (asprintf(err, "ingest: ZMQ_FD: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	/* Edge-triggered, as libzmq means it: ZMQ_FD stays readable until the
	 * socket is read, and while a commit is in flight the drain does not
	 * read it (its answer asks ZMQ_EVENTS), so a level-triggered watch
	 * woke the loop at every turn and it spun through every fsync. */
	in->ev_fd = event_new(base, fd, EV_READ | EV_PERSIST | EV_ET,
	                      ingest_on_fd, in);
	in->ev_more = event_new(base, -1, 0, ingest_on_more, in);
	in->ev_probe = evtimer_new(base, ingest_on_probe, in);
	if (in->ev_fd == NULL || in->ev_more == NULL || in->ev_probe == NULL ||
	    event_add(in->ev_fd, NULL) < 0)
		goto nomem;
	/* Input may predate the first edge we watch for. */
	event_active(in->ev_more, 0, 0);
	return in;
nomem:
	if (*err == NULL && asprintf(err, "ingest: out of memory") < 0)
		*err = NULL;
fail:
	ingest_free(in);
	return NULL;
}

int
ingest_tallies_exact(const struct ingest *in)
{
	return in->stats.storage_ok && !in->recount && !in->committing;
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->sock && in->ev_fd) {
		/* Tell whoever is queued to come back, rather than let them
		 * wait for a timeout: RETRY, nothing stored, for at most
		 * STOP_ANSWER_MS (clients may keep sending for ever). */
		double end = histogram_clock() + STOP_ANSWER_MS / 1000.0;

		in->stopping = 1;
		/* A commit in flight is answered first: its acks go out. */
		ingest_settle(in);
		while (ingest_drain_once(in) && histogram_clock() < end)
			ingest_settle(in);
		ingest_settle(in);
	}
	if (in->ev_fd)
		event_free(in->ev_fd);
	if (in->ev_more) {
		store_commit_unwait((*in->book)->store, in->ev_more);
		event_free(in->ev_more);
	}
	if (in->ev_probe)
		event_free(in->ev_probe);
	if (in->sock)
		zmq_close(in->sock);
	free(in->msgs);
	free(in->items);
	free(in->reasons);
	free(in->touched);
	free(in->saved);
	free(in->acks);
	free(in->ack_ptrs);
	free(in->nul_hits);
	free(in->clients);
	free(in->seqs);
	free(in->asked);
	free(in->found);
	free(in->prev);
	free(in->order);
	free(in->rows);
	free(in->out);
	ratelimit_free(in->badlog);
	free(in);
}

void
ingest_set_hooks(struct ingest *in, const struct ingest_hooks *h, void *arg)
{
	in->hooks = *h;
	in->hook_arg = arg;
}

const char *
ingest_endpoint(const struct ingest *in)
{
	return in->endpoint;
}

void *
ingest_socket(struct ingest *in)
{
	return in->sock;
}

const struct ingest_stats *
ingest_stats(const struct ingest *in)
{
	return &in->stats;
}

void
ingest_set_max_future(struct ingest *in, int64_t max_future)
{
	in->max_future = max_future;
}
