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
	uint64_t voids_seq;   /* non-zero: a correction row (never counted) */
	const char *void_reason; /* of a correction; NULL otherwise */
};

/* What a correction needs to know of the report it voids. */
struct store_target {
	char task[128], unit[128];
	uint64_t voids_seq;   /* non-zero: it is itself a correction */
	uint64_t voided_by;   /* non-zero: already voided by that seq */
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
/* Inside a transaction: a mark to undo one report's writes to (a report
 * that turns out not to be countable), released or undone. */
int store_savepoint(struct store *s);
int store_release(struct store *s);
int store_undo_savepoint(struct store *s);

int store_insert(struct store *s, const struct store_report *r, int *is_new);

/* *found = 1 when (client, seq) is stored.  0 or -1. */
int store_exists(struct store *s, const char *client, uint64_t seq, int *found);

/* Looks up (client, seq) for a correction: *found = 1 and *t filled when
 * it is stored.  0 or -1. */
int store_target(struct store *s, const char *client, uint64_t seq,
                 struct store_target *t, int *found);

/* Marks (client, seq) voided by correction `by`, effective at `at` (the
 * correction's observed_at).  Inside the caller's transaction.  0 or -1. */
int store_void(struct store *s, const char *client, uint64_t seq,
               uint64_t by, when_t at);

/* A small write transaction, to learn whether storage works again after a
 * failure with nobody sending.  0 or -1. */
int store_probe(struct store *s, when_t now);

/* Caps the database at n pages (PRAGMA max_page_count): a way for tests to
 * fill the "disk".  0 leaves it alone.  0 or -1. */
int store_set_max_pages(struct store *s, int64_t n);

/* Calls fn for every report observed at or before `until` (INT64_MAX for
 * all), in storage order, leaving out corrections and the reports a
 * correction observed at or before `until` voids; optionally only those of one task and/or unit
 * (NULL = any).  Strings in *r live until fn returns.  Stops early and
 * returns fn's value when it is non-zero; -1 on a database error. */
typedef int (*store_scan_fn)(void *arg, const struct store_report *r);
int store_scan(struct store *s, const char *task, const char *unit,
               when_t until, store_scan_fn fn, void *arg);

/* Number of stored reports. -1 on error. */
int64_t store_count(struct store *s);

#endif
