/*
 * store.h - the reports table in SQLite: the truth from which every tally is
 * derived.
 *
 * One writer (the daemon's loop).  WAL journal; synchronous=FULL unless the
 * operator says otherwise, so COMMIT returning means the batch is on disk and
 * may be acknowledged.  The schema carries its version in user_version and is
 * migrated forward at open.
 */
#ifndef TIENDO_STORE_H
#define TIENDO_STORE_H

#include <stdint.h>

#include "decimal.h"
#include "when.h"

struct store;

struct store_report {
	const char *client;
	uint64_t seq;
	const char *task;
	const char *unit;
	int kind;            /* REPORT_ADD or REPORT_SET (tally.h) */
	dec_t value;
	when_t observed_at;
	when_t received_at;
	const char *reporter; /* never NULL; "" when absent */
	const char *note;     /* never NULL */
};

enum store_sync { STORE_SYNC_NORMAL = 1, STORE_SYNC_FULL = 2 };

/* Opens (creating and migrating) the database at path.  NULL on failure with
 * a malloc'd message in *err. */
struct store *store_open(const char *path, enum store_sync sync, char **err);
void store_close(struct store *s);

/* The sqlite3 handle, for modules that keep their own tables in the same
 * database file (alertstore.c).  Same thread, same transactions. */
void *store_db(struct store *s);

/* The last error, for logging.  Valid until the next call. */
const char *store_errmsg(const struct store *s);

/* Write transaction around a batch: BEGIN IMMEDIATE ... COMMIT.  On any
 * failure the caller rolls back and acknowledges nothing.  0 or -1. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* Inserts unless (client, seq) is already stored: *is_new is 1 when the row
 * went in, 0 for a duplicate.  0 or -1. */
int store_insert(struct store *s, const struct store_report *r, int *is_new);

/* *found = 1 when (client, seq) is stored.  0 or -1. */
int store_exists(struct store *s, const char *client, uint64_t seq, int *found);

/* Calls fn for every report observed at or before `until` (INT64_MAX for
 * all), in storage order; optionally only those of one task and/or unit
 * (NULL = any).  Strings in *r live until fn returns.  Stops early and
 * returns fn's value when it is non-zero; -1 on a database error. */
typedef int (*store_scan_fn)(void *arg, const struct store_report *r);
int store_scan(struct store *s, const char *task, const char *unit,
               when_t until, store_scan_fn fn, void *arg);

/* Number of stored reports. -1 on error. */
int64_t store_count(struct store *s);

#endif
