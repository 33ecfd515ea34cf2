/*
 * retention_sql.h - the SQL of retention.c: a per-feature interface of
 * the store (store.h), one room per database (retention_sqlite.c,
 * retention_pg.c), on the store's handle.
 */
#ifndef TIENDO_RETENTION_SQL_H
#define TIENDO_RETENTION_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "when.h"

struct retention_sql_ops {
	int (*prepare)(struct store *s, char *err, size_t errlen);
	int (*slice)(struct store *s, uint64_t *cursor, size_t n,
	             when_t cutoff, size_t *deleted, int *more,
	             char *err, size_t errlen);
	int (*checkpoint)(struct store *s, char *err, size_t errlen);
};

extern const struct retention_sql_ops retention_sql_sqlite, retention_sql_pg;

/* Once: what the slices need beyond the schema (whose migrations bring the
 * index that finds an alert state by its latest event): SQLite's WAL size
 * limit on disk.  0 or -1. */
static inline int
retention_sql_prepare(struct store *s, char *err, size_t errlen)
{
	return s->ops->retention->prepare(s, err, errlen);
}

/* Inside a transaction: deletes, among the `n` alert events after seq
 * *cursor, those older than `cutoff` that are no state's latest event.
 * Moves *cursor to the last event looked at; *deleted gets how many went;
 * *more is 0 once the window was empty or reached an event at or after
 * the cutoff (events are in time order: the pass is over).  0 or -1. */
static inline int
retention_sql_slice(struct store *s, uint64_t *cursor, size_t n,
                    when_t cutoff, size_t *deleted, int *more,
                    char *err, size_t errlen)
{
	return s->ops->retention->slice(s, cursor, n, cutoff, deleted, more,
	                                err, errlen);
}

/* After a pass: SQLite's PASSIVE WAL checkpoint; nothing on PostgreSQL,
 * whose server checkpoints its own WAL.  0 or -1. */
static inline int
retention_sql_checkpoint(struct store *s, char *err, size_t errlen)
{
	return s->ops->retention->checkpoint(s, err, errlen);
}

#endif
