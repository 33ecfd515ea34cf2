/*
 * store.h - the store: the truth from which every tally is derived, behind
 * one interface with a room per database.
 *
 *   sqlite:PATH           (store_sqlite.c, alertstore_sqlite.c; the default)
 *   postgresql://...      (store_pg.c, alertstore_pg.c; a libpq conninfo)
 *
 * The promises are the same in every room: one writer (the daemon's loop);
 * store_commit returning 0 means the batch is durable and may be
 * acknowledged; (client, seq) is unique by constraint, so a resend is a
 * duplicate; corrections and alert events go in the batch's transaction;
 * a storage error fails the call (the caller answers RETRY) and a later
 * call works again once the database does; the schema carries its version
 * and is migrated forward at open.
 *
 * Adding an operation: declare its pointer in struct store_ops (below), its
 * dispatcher beside the others (a short static inline), and fill it in
 * every room's ops table (store_sqlite.c, store_pg.c).  A NULL pointer
 * would crash, so every room implements every operation, if only to set
 * "not supported on <room>" as its error and return -1.  Tables of one feature (alerts, silences...) get
 * their own interface in their own header, created through an op here the
 * way alertstore_new is (alerts_new), or, when they need no state of their
 * own, as a table of operations that each room's ops points to (silences,
 * retention, views), with one file per room.  A schema
 * change is a new migration at the end of each room's list.
 */
#ifndef TIENDO_STORE_H
#define TIENDO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "decimal.h"
#include "when.h"

struct store;
struct alertstore;
struct silences_sql_ops;   /* silences_sql.h */
struct retention_sql_ops;  /* retention_sql.h */
struct store_views_ops;    /* store_views.h */
struct event;
struct event_base;

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

/* A stored row's place and name: the tally snapshot's mark (tallysnap.h). */
struct store_key {
	int64_t id;           /* 0: no row */
	uint64_t seq;
	char client[128];
};

/* What a correction needs to know of the report it voids. */
struct store_target {
	char task[128], unit[128];
	uint64_t voids_seq;   /* non-zero: it is itself a correction */
	uint64_t voided_by;   /* non-zero: already voided by that seq */
};

enum store_sync { STORE_SYNC_NORMAL = 1, STORE_SYNC_FULL = 2 };

/* Opens (creating and migrating) the store named by spec: "sqlite:PATH",
 * a bare PATH (SQLite), or "postgresql://..." / "postgres://..." (libpq
 * conninfo URI).  NULL on failure with a malloc'd message in *err. */
struct store *store_open(const char *spec, enum store_sync sync, char **err);

/* 1 when spec names a PostgreSQL store. */
int store_spec_is_pg(const char *spec);

/* The rooms' entry points (store_open picks one). */
struct store *store_pg_open(const char *conninfo, enum store_sync sync,
                            char **err);
struct store *store_sqlite_open(const char *path, enum store_sync sync,
                                char **err);

typedef int (*store_scan_fn)(void *arg, const struct store_report *r);

/* The answer of a commit started by store_commit_start: rc 0 durable, -1
 * failed (store_errmsg says why; the transaction is gone). */
typedef void (*store_commit_fn)(void *arg, int rc);

/* A savepoint inside the batch's transaction (store_savepoint below). */
enum store_mark { STORE_MARK_SET, STORE_MARK_RELEASE, STORE_MARK_UNDO };

/*
 * The operations of a room.  Every call but close is on an open store; the
 * meaning of each is documented on its dispatcher below.
 */
struct store_ops {
	const char *name;                 /* "sqlite", "postgresql" */
	void (*close)(struct store *s);
	const char *(*errmsg)(const struct store *s);
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	int (*commit_start)(struct store *s, struct event_base *base,
	                    store_commit_fn fn, void *arg);
	void (*commit_settle)(struct store *s);
	void (*rollback)(struct store *s);
	int (*insert)(struct store *s, const struct store_report *r, int *is_new);
	int (*insert_many)(struct store *s, const struct store_report *rows,
	                   size_t n);
	int (*mark)(struct store *s, enum store_mark m);
	int (*exists)(struct store *s, const char *client, uint64_t seq,
	              int *found);
	int (*exists_many)(struct store *s, const char *const *clients,
	                   const uint64_t *seqs, size_t n, unsigned char *found);
	int (*target)(struct store *s, const char *client, uint64_t seq,
	              struct store_target *t, int *found);
	int (*void_report)(struct store *s, const char *client, uint64_t seq,
	                   uint64_t by, when_t at);
	int (*probe)(struct store *s, when_t now);
	int (*commit_uncertain)(struct store *s);
	int (*set_max_pages)(struct store *s, int64_t n);
	int (*scan)(struct store *s, const char *task, const char *unit,
	            when_t until, store_scan_fn fn, void *arg);
	int (*scan_tail)(struct store *s, int64_t after, store_scan_fn fn,
	                 void *arg);
	int (*row_key)(struct store *s, int64_t id, struct store_key *k);
	int64_t (*count)(struct store *s);
	struct alertstore *(*alerts_new)(struct store *s, char **err);
	/* Per-feature interfaces, one file per room (silences_sqlite.c,
	 * silences_pg.c...), on the store's handle. */
	const struct silences_sql_ops *silences;
	const struct retention_sql_ops *retention;
	const struct store_views_ops *views;
};

/* Loop events woken when the commit in flight is answered (a drain, an
 * alert slice and a retention slice: the others that commit). */
#define STORE_WAITERS 4

/* Every room's handle begins with this. */
struct store {
	const struct store_ops *ops;
	/* 1 from store_commit_start until its fn has run. */
	int pending;
	struct event *waiters[STORE_WAITERS];
	size_t n_waiters;
};

static inline void
store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

/* Which room: "sqlite" or "postgresql". */
static inline const char *
store_kind(const struct store *s)
{
	return s->ops->name;
}

/* The last error, for logging.  Valid until the next call. */
static inline const char *
store_errmsg(const struct store *s)
{
	return s->ops->errmsg(s);
}

/* Write transaction around a batch.  On any failure the caller rolls back
 * and acknowledges nothing.  store_commit returns 0 only once the batch is
 * durable.  0 or -1. */
static inline int store_begin(struct store *s) { return s->ops->begin(s); }
static inline int store_commit(struct store *s) { return s->ops->commit(s); }
static inline void store_rollback(struct store *s) { s->ops->rollback(s); }

/*
 * The same COMMIT off the loop: it starts and returns at once, and fn runs
 * later on base's loop with the answer, so that HTTP, the timers and
 * publishing do not wait for the fsync or the server's WAL flush.  While
 * it is in flight the store is busy: every other call on it (the store's,
 * the alert store's, the feature tables') first waits for the COMMIT to
 * finish, synchronously, and then runs outside the transaction.  One
 * commit in flight at a time.  -1 when it could not start (the error in
 * store_errmsg; fn will not run; the caller rolls back as after a failed
 * store_commit).  0 once started.
 */
static inline int
store_commit_start(struct store *s, struct event_base *base,
                   store_commit_fn fn, void *arg)
{
	int rc = s->ops->commit_start(s, base, fn, arg);

	s->pending = rc == 0;
	return rc;
}

/* 1 while a commit started by store_commit_start is not yet answered.
 * Whoever else commits on the loop (ingest's drain, an alert slice, a
 * retention slice) checks this before store_begin, and rather than wait
 * at the busy gate (the loop stopped for the fsync) nor fail to start a
 * second commit, asks to be woken (store_commit_wait) and returns. */
static inline int
store_commit_pending(const struct store *s)
{
	return s->pending;
}

/* ev (a timer of the caller's) is added with a zero timeout once the
 * commit in flight has been answered, after its fn; with no room for it
 * (STORE_WAITERS), added with a timeout of a millisecond instead.  -1 when
 * it could not be added (out of memory): nothing will wake it. */
int store_commit_wait(struct store *s, struct event *ev);
/* 1 when something waits for the commit in flight: whoever commits in a
 * loop (ingest's drains) lets it go first rather than start again at once
 * and starve it. */
static inline int
store_commit_contended(const struct store *s)
{
	return s->n_waiters > 0;
}
/* ev is freed: it is woken no more. */
void store_commit_unwait(struct store *s, struct event *ev);
/* For the rooms: the answer is about to be given (before fn), and was
 * given (after fn: the waiters woken). */
void store_commit_answering(struct store *s);
void store_commit_answered(struct store *s);

/* With a commit in flight or its answer not yet given: waits for it and
 * runs its fn now, before returning (a stop, a reload).  Else nothing. */
static inline void
store_commit_settle(struct store *s)
{
	s->ops->commit_settle(s);
}

/* Inserts unless (client, seq) is already stored: *is_new is 1 when the row
 * went in, 0 for a duplicate.  0 or -1. */
static inline int
store_insert(struct store *s, const struct store_report *r, int *is_new)
{
	return s->ops->insert(s, r, is_new);
}

/* Inserts n rows that the caller knows are not stored (store_exists_many,
 * inside the same transaction: the daemon is the only writer), in one
 * statement where the room can (PostgreSQL: one round trip instead of n).
 * Fails (-1) unless exactly n rows went in: a row already stored is a
 * wrong decision by the caller, and its batch must not be acknowledged.
 * 0 or -1. */
static inline int
store_insert_many(struct store *s, const struct store_report *rows, size_t n)
{
	return s->ops->insert_many(s, rows, n);
}

/* Inside a transaction: a mark to undo one report's writes to (a report
 * that turns out not to be countable), released or undone.  0 or -1. */
static inline int
store_savepoint(struct store *s)
{
	return s->ops->mark(s, STORE_MARK_SET);
}
static inline int
store_release(struct store *s)
{
	return s->ops->mark(s, STORE_MARK_RELEASE);
}
static inline int
store_undo_savepoint(struct store *s)
{
	return s->ops->mark(s, STORE_MARK_UNDO) == 0 ? store_release(s) : -1;
}

/* *found = 1 when (client, seq) is stored.  0 or -1. */
static inline int
store_exists(struct store *s, const char *client, uint64_t seq, int *found)
{
	return s->ops->exists(s, client, seq, found);
}

/* found[i] = 1 when (clients[i], seqs[i]) is stored, else 0, for i < n,
 * in one query where the room can.  0 or -1. */
static inline int
store_exists_many(struct store *s, const char *const *clients,
                  const uint64_t *seqs, size_t n, unsigned char *found)
{
	return s->ops->exists_many(s, clients, seqs, n, found);
}

/* Looks up (client, seq) for a correction: *found = 1 and *t filled when
 * it is stored.  0 or -1. */
static inline int
store_target(struct store *s, const char *client, uint64_t seq,
             struct store_target *t, int *found)
{
	return s->ops->target(s, client, seq, t, found);
}

/* Marks (client, seq) voided by correction `by`, effective at `at` (the
 * correction's observed_at).  Inside the caller's transaction.  0 or -1. */
static inline int
store_void(struct store *s, const char *client, uint64_t seq, uint64_t by,
           when_t at)
{
	return s->ops->void_report(s, client, seq, by, at);
}

/* A small write transaction, to learn whether storage works again after a
 * failure with nobody sending.  0 or -1. */
static inline int
store_probe(struct store *s, when_t now)
{
	return s->ops->probe(s, now);
}

/* 1 when a commit failed in a way that leaves its outcome unknown (the
 * connection to a server was lost while it committed): what the caller
 * keeps beside the store must be read again from it.  Reading clears it. */
static inline int
store_commit_uncertain(struct store *s)
{
	return s->ops->commit_uncertain(s);
}

/* Caps the database at n pages (SQLite's PRAGMA max_page_count): a way for
 * tests to fill the "disk".  0 leaves it alone.  0 or -1. */
static inline int
store_set_max_pages(struct store *s, int64_t n)
{
	return s->ops->set_max_pages(s, n);
}

/* Calls fn for every report observed at or before `until` (INT64_MAX for
 * all), in storage order, leaving out corrections and the reports a
 * correction observed at or before `until` voids; optionally only those of
 * one task and/or unit (NULL = any).  Only what a fold reads is filled in:
 * client, seq, task, unit, kind, value, observed_at (received_at is 0,
 * reporter and note ""; store_list has them).  Strings in *r live until fn
 * returns.
 * Stops early and returns fn's value when it is non-zero; -1 on a database
 * error. */
static inline int
store_scan(struct store *s, const char *task, const char *unit, when_t until,
           store_scan_fn fn, void *arg)
{
	return s->ops->scan(s, task, unit, until, fn, arg);
}

/* Calls fn, as store_scan does, for every row stored after row id `after`
 * (in storage order, rows are never inserted behind the last one), with
 * the same columns: the reports not voided, and the corrections (voids_seq
 * set; their task and unit are the voided report's, whose pair must be
 * refolded).  What a start from a tally snapshot reads. */
static inline int
store_scan_tail(struct store *s, int64_t after, store_scan_fn fn, void *arg)
{
	return s->ops->scan_tail(s, after, fn, arg);
}

/* The row with the largest id <= id (INT64_MAX: the last row) into *k;
 * *k all zero when there is none.  0, or -1 on a database error. */
static inline int
store_row_key(struct store *s, int64_t id, struct store_key *k)
{
	return s->ops->row_key(s, id, k);
}

/* Number of stored reports. -1 on error. */
static inline int64_t
store_count(struct store *s)
{
	return s->ops->count(s);
}

#endif
