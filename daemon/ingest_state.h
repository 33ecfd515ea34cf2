/*
 * ingest_state.h - what ingest.c and its rooms share: the socket's state,
 * and the messages and reports of the drain in hand.
 */
#ifndef TIENDO_INGEST_STATE_H
#define TIENDO_INGEST_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "authkeys.h"
#include "count.h"
#include "curve.h"
#include "ingest.h"
#include "nulcheck.h"
#include "ratelimit.h"
#include "tally.h"
#include "validate.h"

struct ingest_msg {
	unsigned char rid[256];
	size_t rid_len;
	int delim;                 /* came from a REQ: echo the empty frame */
	Tiendo__Batch *batch;      /* NULL when unreadable */
	Tiendo__Status status;
	Tiendo__BatchError error;
	char reason[REASON_MAX];
	size_t first, n;           /* its items */
	double t_recv;             /* monotonic, for the ack latency */
	char peer[64];             /* Peer-Address, for the log */
	const char *client;        /* the identity used: user_id or Batch.client */
	char user_id[LIMIT_CLIENT + 1]; /* from the ZAP handler; "" when plain */
	char user_key[41];         /* the key it was let in with (Z85) */
	const struct authkey *auth; /* with CURVE: what user_id may do */
};

struct ingest_item {
	Tiendo__Fate fate;
	Tiendo__Reject code;
	int is_new;
	struct valid_report v;
};

/* An item's (client, seq) and its position in the drain, to sort. */
struct ingest_key {
	uint64_t seq;
	const char *client;
	size_t pos;
};

struct ingest {
	struct event_base *base;
	void *sock;
	struct event *ev_fd;   /* ZMQ_FD readable */
	struct event *ev_more; /* a drain hit its bound: continue soon */
	struct event *ev_probe; /* storage failed: try a small write now and then */
	struct book **book;
	int64_t max_future;
	const struct curve *curve;
	char endpoint[256];
	int stopping;
	/* The drain whose COMMIT is in flight (ingest_on_committed). */
	int committing;
	int drain_more;        /* it stopped at its bound: more waits */
	when_t drain_now;      /* its clock, for the acks */
	double commit_t0;      /* when its transaction began */
	struct ingest_stats stats;
	struct ratelimit *badlog;

	/* Scratch, kept between drains. */
	struct ingest_msg *msgs;
	struct ingest_item *items;
	char (*reasons)[REASON_MAX]; /* per item; touched only on rejects */
	size_t n_msgs, n_items;
	Tiendo__ReportAck *acks;
	Tiendo__ReportAck **ack_ptrs;
	uint8_t *out;
	size_t out_cap;
	struct ingest_hooks hooks;
	void *hook_arg;
	int *touched;        /* per item: targets a batch changed, for hooks */
	struct tally *saved; /* their tallies before, to undo a failed commit */
	int recount;         /* a commit of unknown outcome: recount (above) */
	size_t n_applied;
	struct nulcheck_hit *nul_hits; /* per report of the batch in hand */

	/* Per item of the drain being written (ingest_store.c). */
	const char **clients;      /* the (client, seq) pairs asked about */
	uint64_t *seqs;
	unsigned char *asked;      /* the store's answer, per pair asked */
	unsigned char *found;      /* per item: stored before the drain */
	long *prev;                /* the last earlier item of its pair, or -1 */
	struct ingest_key *order;
	struct store_report *rows; /* accepted, not yet inserted */
	size_t n_rows;
};

/* The transaction's log of changed tallies, over the scratch arrays. */
static inline struct count_log
ingest_log(struct ingest *in)
{
	return (struct count_log){ in->saved, in->touched, in->n_applied };
}

/* Writes the drain's valid reports in the open transaction, deciding each
 * one's fate (ingest_store.c).  0, or -1 on a store error (the caller
 * rolls back and answers RETRY). */
int ingest_store_all(struct ingest *in, when_t now);

/* Sets m's status, error and reason (printf-style). */
void ingest_msg_fail(struct ingest_msg *m, Tiendo__Status status,
                     Tiendo__BatchError error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
