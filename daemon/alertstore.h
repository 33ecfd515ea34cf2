/*
 * alertstore.h - alert events and alert states, in the store's database
 * (tables made by each room's migrations), in the same transactions as the
 * reports.  An interface like store.h's: one room per database
 * (alertstore_sqlite.c, alertstore_pg.c), made by the store (alerts_new).
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

typedef int (*alertstore_state_fn)(void *arg, const struct alertstore_state *s);
typedef int (*alertstore_body_fn)(void *arg, const void *body, size_t len);

struct alertstore_ops {
	void (*free)(struct alertstore *as);
	const char *(*errmsg)(const struct alertstore *as);
	int (*last_seq)(struct alertstore *as, uint64_t *seq);
	int (*states)(struct alertstore *as, alertstore_state_fn fn, void *arg);
	int (*savepoint)(struct alertstore *as);
	int (*release)(struct alertstore *as);
	void (*rollback_to)(struct alertstore *as);
	int (*put_event)(struct alertstore *as, const Tiendo__Alert *a,
	                 const void *body, size_t len);
	int (*put_state)(struct alertstore *as, const struct alertstore_state *s);
	int (*active)(struct alertstore *as, alertstore_body_fn fn, void *arg);
	int (*history)(struct alertstore *as, const struct alertstore_filter *f,
	               alertstore_body_fn fn, void *arg);
};

/* Every room's handle begins with this. */
struct alertstore {
	const struct alertstore_ops *ops;
};

/* NULL with a malloc'd *err on failure. */
static inline struct alertstore *
alertstore_new(struct store *store, char **err)
{
	return store->ops->alerts_new(store, err);
}

static inline void
alertstore_free(struct alertstore *as)
{
	if (as)
		as->ops->free(as);
}

static inline const char *
alertstore_errmsg(const struct alertstore *as)
{
	return as->ops->errmsg(as);
}

/* Largest seq stored, 0 when none.  0 or -1. */
static inline int
alertstore_last_seq(struct alertstore *as, uint64_t *seq)
{
	return as->ops->last_seq(as, seq);
}

static inline int
alertstore_states(struct alertstore *as, alertstore_state_fn fn, void *arg)
{
	return as->ops->states(as, fn, arg);
}

/* A savepoint inside the caller's transaction, so that the alerts of a
 * batch can fail without failing the batch.  0 or -1. */
static inline int alertstore_savepoint(struct alertstore *as)
{ return as->ops->savepoint(as); }
static inline int alertstore_release(struct alertstore *as)
{ return as->ops->release(as); }
static inline void alertstore_rollback_to(struct alertstore *as)
{ as->ops->rollback_to(as); }

/* Inside a transaction (store_begin): one event, packed in body. */
static inline int
alertstore_put_event(struct alertstore *as, const Tiendo__Alert *a,
                     const void *body, size_t len)
{
	return as->ops->put_event(as, a, body, len);
}

/* Writes a state, or deletes its row when it is neither firing nor
 * pending. */
static inline int
alertstore_put_state(struct alertstore *as, const struct alertstore_state *s)
{
	return as->ops->put_state(as, s);
}

/* Packed Alerts: the latest event of every active alert (not the latched
 * done notices), in seq order; or the history matching f, in seq order.
 * Stops and returns fn's value when non-zero; -1 on a database error. */
static inline int
alertstore_active(struct alertstore *as, alertstore_body_fn fn, void *arg)
{
	return as->ops->active(as, fn, arg);
}

static inline int
alertstore_history(struct alertstore *as, const struct alertstore_filter *f,
                   alertstore_body_fn fn, void *arg)
{
	return as->ops->history(as, f, fn, arg);
}

#endif
