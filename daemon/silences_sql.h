/*
 * silences_sql.h - the silences table: every silence ever made, with who
 * made it, when and why, and who ended it early.  SQLite through the
 * store's handle; one small function per statement, for a second engine
 * to port.
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

/* Creates the table when it is missing.  0 or -1. */
int silences_sql_prepare(struct store *s, char *err, size_t errlen);

/* Stores r (its id is chosen: *id).  0 or -1. */
int silences_sql_insert(struct store *s, const struct silences_row *r,
                        uint64_t *id, char *err, size_t errlen);

/* Ends silence id at `at`, by `by`; *found is 0 when there is no such
 * silence still running.  0 or -1. */
int silences_sql_expire(struct store *s, uint64_t id, const char *by,
                        when_t at, int *found, char *err, size_t errlen);

/* fn for every silence running at `now` (all: every silence), by id. */
typedef int (*silences_sql_fn)(void *arg, const struct silences_row *r);
int silences_sql_list(struct store *s, int all, when_t now,
                      silences_sql_fn fn, void *arg, char *err, size_t errlen);

#endif
