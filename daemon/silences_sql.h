/*
 * silences_sql.h - the silences table: every silence ever made, with who
 * made it, when and why, and who ended it early.  A per-feature interface
 * of the store (store.h) with a room per database: silences_sqlite.c and
 * silences_pg.c, on the store's handle.  Each write is one statement, its
 * own (durable) transaction.
 */
#ifndef TIENDO_SILENCES_SQL_H
#define TIENDO_SILENCES_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "when.h"

struct silences_row {
	uint64_t id;
	const char *task, *unit;  /* NULL: any */
	when_t until;
	const char *reason, *by;
	when_t created;
	const char *expired_by;   /* NULL: not expired by hand */
	when_t expired_at;
};

typedef int (*silences_sql_fn)(void *arg, const struct silences_row *r);

struct silences_sql_ops {
	int (*insert)(struct store *s, const struct silences_row *r,
	              uint64_t *id, char *err, size_t errlen);
	int (*expire)(struct store *s, uint64_t id, const char *by, when_t at,
	              int *found, char *err, size_t errlen);
	int (*list)(struct store *s, int all, when_t now, silences_sql_fn fn,
	            void *arg, char *err, size_t errlen);
};

extern const struct silences_sql_ops silences_sql_sqlite, silences_sql_pg;

/* Stores r (its id is chosen: *id).  0 or -1. */
static inline int
silences_sql_insert(struct store *s, const struct silences_row *r,
                    uint64_t *id, char *err, size_t errlen)
{
	return s->ops->silences->insert(s, r, id, err, errlen);
}

/* Ends silence id at `at`, by `by`; *found is 0 when there is no such
 * silence still running.  0 or -1. */
static inline int
silences_sql_expire(struct store *s, uint64_t id, const char *by, when_t at,
                    int *found, char *err, size_t errlen)
{
	return s->ops->silences->expire(s, id, by, at, found, err, errlen);
}

/* fn for every silence running at `now` (all: every silence), by id.
 * fn's non-zero value stops the list and is returned; -1 on error. */
static inline int
silences_sql_list(struct store *s, int all, when_t now, silences_sql_fn fn,
                  void *arg, char *err, size_t errlen)
{
	return s->ops->silences->list(s, all, now, fn, arg, err, errlen);
}

#endif
