/*
 * ingest.h - the ROUTER socket where communes deliver report batches.
 *
 * Group commit: every wake-up drains what has arrived (up to a bound),
 * validates it, writes it in one SQLite transaction, and only after COMMIT
 * returns sends the acks; then the tallies are updated.  An ack therefore
 * means "on disk".
 */
#ifndef TIENDO_INGEST_H
#define TIENDO_INGEST_H

#include <stdint.h>

#include <event2/event.h>

#include "book.h"
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
 * the socket, letting queued acks flush for up to a second. */
void ingest_free(struct ingest *in);

/* The endpoint actually bound ("tcp://127.0.0.1:40123"). */
const char *ingest_endpoint(const struct ingest *in);
const struct ingest_stats *ingest_stats(const struct ingest *in);

#endif
