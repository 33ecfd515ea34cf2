/*
 * alertstore.h - alert events and alert states in the daemon's SQLite file
 * (tables made by store.c's migration 2), through the same handle and the
 * same transactions as the reports.
 */
#ifndef TIENDO_ALERTSTORE_H
#define TIENDO_ALERTSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "store.h"
#include "tiendo.pb-c.h"

struct alertstore;

struct alertstore_state {
	const char *task, *unit;
	int rollup;
	const char *rule;
	struct rules_state st;
};

struct alertstore_filter {
	uint64_t since;       /* events with seq > since */
	const char *task;     /* NULL: any */
	const char *unit;
	const char *severity;
	int64_t limit;
};

/* NULL with a malloc'd *err on failure. */
struct alertstore *alertstore_new(struct store *store, char **err);
void alertstore_free(struct alertstore *as);
const char *alertstore_errmsg(const struct alertstore *as);

/* Largest seq stored, 0 when none.  0 or -1. */
int alertstore_last_seq(struct alertstore *as, uint64_t *seq);

typedef int (*alertstore_state_fn)(void *arg, const struct alertstore_state *s);
int alertstore_states(struct alertstore *as, alertstore_state_fn fn, void *arg);

/* A savepoint inside the caller's transaction, so that the alerts of a
 * batch can fail without failing the batch.  0 or -1. */
int alertstore_savepoint(struct alertstore *as);
int alertstore_release(struct alertstore *as);
void alertstore_rollback_to(struct alertstore *as);

/* Inside a transaction (store_begin): one event, packed in body. */
int alertstore_put_event(struct alertstore *as, const Tiendo__Alert *a,
                         const void *body, size_t len);
/* Writes a state, or deletes its row when it is neither firing nor
 * pending. */
int alertstore_put_state(struct alertstore *as, const struct alertstore_state *s);

/* Packed Alerts: the latest event of every active alert (not the latched
 * done notices), in seq order; or the history matching f, in seq order.
 * Stops and returns fn's value when non-zero; -1 on a database error. */
typedef int (*alertstore_body_fn)(void *arg, const void *body, size_t len);
int alertstore_active(struct alertstore *as, alertstore_body_fn fn, void *arg);
int alertstore_history(struct alertstore *as, const struct alertstore_filter *f,
                       alertstore_body_fn fn, void *arg);

#endif
