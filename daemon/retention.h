/*
 * retention.h - keeps the database from growing without bound: alert
 * events older than `alert_retention` are deleted, a slice of rows per
 * loop turn, and the WAL is checkpointed (PASSIVE: it never waits for a
 * reader or the writer) and kept to a bounded size on disk.
 *
 * Never deleted: the reports (they are the truth, voided ones included:
 * their (client, seq) is what makes a resend a duplicate rather than a new
 * report), and the latest event of every alert state still stored (an
 * active alert's snapshot is that event).
 */
#ifndef TIENDO_RETENTION_H
#define TIENDO_RETENTION_H

#include <stdint.h>

#include <event2/event.h>

#include "store.h"

struct retention_stats {
	uint64_t passes;         /* completed */
	uint64_t pruned;         /* alert events deleted since start */
	uint64_t checkpoints;    /* PASSIVE checkpoints run */
	double max_slice_ms;     /* longest slice, commit included */
	double max_slice_loop_ms; /* longest time one held the loop */
};

struct retention;

/* Runs a pass at start and then every `every` ms, pruning alert events
 * older than `keep` ms (0: keep forever; only the WAL is looked after).
 * NULL with a malloc'd *err. */
struct retention *retention_new(struct event_base *base, struct store *store,
                                int64_t keep, int64_t every, char **err);
void retention_free(struct retention *r);

/* For metrics: the tiendo_retention family. */
struct evbuffer;
void retention_metrics(void *arg, struct evbuffer *out);

#endif
