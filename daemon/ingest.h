/*
 * ingest.h - the ROUTER socket where communes deliver report batches.
 *
 * Group commit: every wake-up drains what has arrived (up to a bound),
 * validates it, writes it in one SQLite transaction, and only after COMMIT
 * returns sends the acks.  An ack therefore means "on disk".  The tallies
 * are updated inside the transaction (and put back if it fails), so that
 * the alert rules can store their events in it (ingest_hooks).
 */
#ifndef TIENDO_INGEST_H
#define TIENDO_INGEST_H

#include <stdint.h>

#include <event2/event.h>

#include "book.h"
#include "histogram.h"
#include "curve.h"

struct ingest;

struct ingest_stats {
	uint64_t messages;    /* ZeroMQ messages received */
	uint64_t batches_bad; /* answered BAD_BATCH */
	uint64_t batches_retry; /* answered RETRY */
	uint64_t reports;     /* reports received in readable batches */
	uint64_t accepted, duplicate, rejected;
	uint64_t rejected_by[16]; /* by Tiendo__Reject code */
	uint64_t commits;     /* transactions committed */
	uint64_t commit_failures;
	uint64_t acks_dropped; /* peer gone or at its high-water mark */
	uint64_t batches_ok;  /* answered STATUS_OK */
	uint64_t batches_bad_by[16]; /* by Tiendo__BatchError code */
	uint64_t log_suppressed; /* bad-input log lines rate-limited away */
	struct histogram commit_seconds; /* BEGIN to COMMIT of a drain */
	struct histogram ack_seconds;    /* message received to ack sent */
	uint64_t batches_unauthorised; /* revoked key or no identity */
	int storage_ok;       /* 0 after a failed commit, until one succeeds */
	char storage_error[256];
};

/* Binds `endpoint` ("tcp://127.0.0.1:7420"; port 0 or * picks a free one).
 * `book` is looked up through *book at each batch, so a reload may swap it.
 * With CURVE on (curve.h), a batch's client identity is the one the ZAP
 * handler bound to the connection's key, and each report must be for a
 * unit that identity may report for.  NULL with a malloc'd *err on failure. */
struct ingest *ingest_new(struct event_base *base, void *zctx,
                          const char *endpoint, struct book **book,
                          int64_t max_future, const struct curve *curve,
                          char **err);

/* Answers everything still queued with RETRY (server stopping), then closes
 * the socket, letting queued acks flush for up to a second.  A commit in
 * flight is waited for and answered first. */
void ingest_free(struct ingest *in);

/* With a commit in flight (a drain's, or an alert or retention slice's):
 * waits for it and gives its answer (acks, alert events published) now.  For what must not run between a
 * batch's tallies and its commit's answer (a reload swapping the book). */
void ingest_settle(struct ingest *in);

/*
 * Hooks for the alert rules, so that a batch's alert events are stored in
 * the batch's own transaction (one fsync, not two, between a report and
 * its alert).  stage() runs inside the transaction, after the batch's
 * tallies have been updated, with the targets it changed (a target may
 * appear more than once; the array lives until it returns); it must not
 * begin or commit.  done() follows: ok = 1 after COMMIT and the acks, ok = 0
 * after a failed transaction (the tallies have been put back).
 */
struct ingest_hooks {
	void (*stage)(void *arg, const int *targets, size_t n);
	void (*done)(void *arg, int ok);
};
void ingest_set_hooks(struct ingest *in, const struct ingest_hooks *h,
                      void *arg);

/* The endpoint actually bound ("tcp://127.0.0.1:40123"). */
const char *ingest_endpoint(const struct ingest *in);
/* The ROUTER itself, for its guard (preauth.h). */
void *ingest_socket(struct ingest *in);
/* Storage is known to fail (a full disk at start): /healthz says so and
 * a probe write finds out when it works again. */
void ingest_storage_failing(struct ingest *in, const char *why);
const struct ingest_stats *ingest_stats(const struct ingest *in);
/* 1 when the tallies are the store's fold: storage writing and no commit
 * of unknown outcome since (tallysnap_stop saves only then). */
int ingest_tallies_exact(const struct ingest *in);

/* A reload may change how far ahead observed_at may be. */
void ingest_set_max_future(struct ingest *in, int64_t max_future);

#endif
