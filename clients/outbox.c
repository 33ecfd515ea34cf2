/*
 * outbox.c - the client's SQLite queue; see outbox.h.
 *
 * Durability matters more than speed here (a commune clerk's reports must
 * survive a power cut right after "queued"), so synchronous=FULL; WAL keeps
 * the per-acknowledgement transactions cheap.  Two tiendo-push processes
 * may share one outbox (a cron job and a clerk): writers take BEGIN
 * IMMEDIATE and wait on each other through busy_timeout, and if both send
 * the same pending report the daemon calls the second one a duplicate.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "outbox.h"

#define OUTBOX_VERSION 2
#define OUTBOX_APP_ID 0x7464786f /* "tdxo": tells our files from others */
#define OUTBOX_BUSY_MS 10000

struct outbox {
	sqlite3 *db;
	char *client;
	int in_tx;
	int history; /* outbox_read_items reads delivered rows */
	int untrimmed; /* delivered since the history was last trimmed */
	int cramped; /* no room for the -shm file: exclusive mode */
	sqlite3_stmt *get_seq, *set_seq, *insert, *pending, *list, *done,
	    *reject, *count, *clear, *keep, *total, *trim;
	char err[512];
};

static const char outbox_schema[] =
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value NOT NULL);"
	"CREATE TABLE report ("
	"  seq INTEGER PRIMARY KEY,"
	"  unit TEXT NOT NULL,"
	"  task TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  value TEXT NOT NULL,"
	"  observed_at INTEGER NOT NULL,"
	"  reporter TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  queued_at INTEGER NOT NULL,"
	"  state INTEGER NOT NULL DEFAULT 0,"
	"  code TEXT,"
	"  reason TEXT);"
	"CREATE INDEX report_state ON report (state, seq);";

/* Version 1 -> 2: corrections, and a history of what was delivered. */
static const char outbox_v2[] =
	"ALTER TABLE report ADD COLUMN voids_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE report ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE delivered ("
	"  seq INTEGER PRIMARY KEY,"
	"  unit TEXT NOT NULL,"
	"  task TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  value TEXT NOT NULL,"
	"  observed_at INTEGER NOT NULL,"
	"  reporter TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  queued_at INTEGER NOT NULL,"
	"  voids_seq INTEGER NOT NULL,"
	"  void_reason TEXT NOT NULL,"
	"  fate INTEGER NOT NULL,"
	"  done_at INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta (key, value) VALUES ('delivered', 0);"
	"PRAGMA user_version = 2;";

static const char outbox_cols[] =
	"seq, unit, task, kind, value, observed_at, reporter, note, queued_at,"
	" state, code, reason, voids_seq, void_reason";

static int64_t
outbox_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
outbox_fail(struct outbox *ob, const char *what)
{
	snprintf(ob->err, sizeof(ob->err), "%.120s: %s", what,
	    sqlite3_errmsg(ob->db));
	return -1;
}

static void
outbox_set_err(struct outbox *ob, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ob->err, sizeof(ob->err), fmt, ap);
	va_end(ap);
}

const char *
outbox_errmsg(const struct outbox *ob)
{
	return ob->err;
}

const char *
outbox_client(const struct outbox *ob)
{
	return ob->client;
}

static int
outbox_exec(struct outbox *ob, const char *sql)
{
	if (sqlite3_exec(ob->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return outbox_fail(ob, sql);
	return 0;
}

/*
 * A full disk: a WAL file needs its -shm index created before anything can
 * be read, and there is no room for it.  In exclusive locking mode SQLite
 * keeps that index in memory instead, so what is queued can still be read
 * and sent (one process at a time); marking it delivered may then fail, and
 * the daemon calls the next sending of it a duplicate.
 */
static int
outbox_cramped(struct outbox *ob, const char *path)
{
	/* The failed attempt leaves the connection unable to retry: anew. */
	sqlite3_close(ob->db);
	if (sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(ob->db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL,
	                 NULL) != SQLITE_OK ||
	    sqlite3_exec(ob->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	                 NULL) != SQLITE_OK)
		return outbox_fail(ob, "PRAGMA journal_mode = WAL (disk full)");
	sqlite3_busy_timeout(ob->db, OUTBOX_BUSY_MS);
	ob->cramped = 1;
	return 0;
}

/*
 * Turning a new file into WAL takes an exclusive lock, and SQLite does not
 * wait for that one through the busy handler: two clients creating the same
 * outbox at once (a --follow sender and a clerk's push) would see "database
 * is locked".  So wait here, as long as the busy timeout.
 */
static int
outbox_wal(struct outbox *ob)
{
	for (int waited = 0;; waited += 10) {
		int rc = sqlite3_exec(ob->db, "PRAGMA journal_mode = WAL", NULL,
		                      NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL) {
			outbox_fail(ob, "PRAGMA journal_mode = WAL");
			return 1;
		}
		if ((rc & 0xff) != SQLITE_BUSY || waited >= OUTBOX_BUSY_MS)
			return outbox_fail(ob, "PRAGMA journal_mode = WAL");
		sqlite3_sleep(10);
	}
}

/* One integer from a query with no parameters; -1 on error. */
static int
outbox_int(struct outbox *ob, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return outbox_fail(ob, sql);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*out = 0;
	else
		outbox_fail(ob, sql);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Makes the schema in a fresh file, or checks the one that is there. */
static int
outbox_setup(struct outbox *ob)
{
	int64_t version, app, tables;
	sqlite3_stmt *st = NULL;
	const unsigned char *owner;
	char sql[128];
	int rc;

	if (outbox_exec(ob, "BEGIN IMMEDIATE") != 0)
		return -1;
	if (outbox_int(ob, "PRAGMA user_version", &version) != 0 ||
	    outbox_int(ob, "PRAGMA application_id", &app) != 0 ||
	    outbox_int(ob, "SELECT count(*) FROM sqlite_master", &tables) != 0)
		goto fail;

	if (version == 0 && app == 0 && tables == 0) {
		if (ob->client == NULL) {
			outbox_set_err(ob, "a new outbox needs a client "
			    "identity");
			goto fail;
		}
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;",
		    OUTBOX_APP_ID);
		if (outbox_exec(ob, outbox_schema) != 0 ||
		    outbox_exec(ob, sql) != 0 || outbox_exec(ob, outbox_v2) != 0)
			goto fail;
		if (sqlite3_prepare_v2(ob->db, "INSERT INTO meta (key, value) "
		    "VALUES ('client', ?1), ('next_seq', ?2)", -1, &st,
		    NULL) != SQLITE_OK) {
			outbox_fail(ob, "prepare");
			goto fail;
		}
		sqlite3_bind_text(st, 1, ob->client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, outbox_now_us());
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			outbox_fail(ob, "initialising");
			goto fail;
		}
		return outbox_exec(ob, "COMMIT");
	}

	if (app != OUTBOX_APP_ID) {
		outbox_set_err(ob, "not a tiendo outbox");
		goto fail;
	}
	if (version == 1 && outbox_exec(ob, outbox_v2) != 0)
		goto fail;
	if (version == 1)
		version = 2;
	if (version != OUTBOX_VERSION) {
		outbox_set_err(ob, "outbox format %" PRId64 " is not %d (made "
		    "by another version of tiendo)", version, OUTBOX_VERSION);
		goto fail;
	}
	if (sqlite3_prepare_v2(ob->db, "SELECT value FROM meta "
	    "WHERE key = 'client'", -1, &st, NULL) != SQLITE_OK) {
		outbox_fail(ob, "prepare");
		goto fail;
	}
	rc = sqlite3_step(st);
	owner = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	if (owner == NULL) {
		outbox_set_err(ob, "outbox has no client identity");
	} else if (ob->client == NULL) {
		if ((ob->client = strdup((const char *)owner)) == NULL) {
			outbox_set_err(ob, "out of memory");
			owner = NULL;
		}
	} else if (strcmp((const char *)owner, ob->client) != 0) {
		outbox_set_err(ob, "outbox belongs to client \"%s\", not "
		    "\"%s\"", owner, ob->client);
		owner = NULL;
	}
	sqlite3_finalize(st);
	if (owner == NULL)
		goto fail;
	return outbox_exec(ob, "COMMIT");
fail:
	sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int outbox_trim(struct outbox *ob);

static int
outbox_prepare(struct outbox *ob, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v2(ob->db, sql, -1, st, NULL) != SQLITE_OK)
		return outbox_fail(ob, sql);
	return 0;
}

static int
outbox_prepare_all(struct outbox *ob)
{
	char pending[512], list[256];

	snprintf(pending, sizeof(pending), "SELECT %s FROM report WHERE "
	    "state = 0 AND seq > ?1 AND (voids_seq = 0 OR voids_seq NOT IN "
	    "(SELECT seq FROM report WHERE state = 0)) ORDER BY seq LIMIT ?2",
	    outbox_cols);
	snprintf(list, sizeof(list), "SELECT %s FROM report ORDER BY seq",
	    outbox_cols);
	if (outbox_prepare(ob, &ob->get_seq,
	        "SELECT value FROM meta WHERE key = 'next_seq'") != 0 ||
	    outbox_prepare(ob, &ob->set_seq,
	        "UPDATE meta SET value = ?1 WHERE key = 'next_seq'") != 0 ||
	    outbox_prepare(ob, &ob->insert, "INSERT INTO report (seq, unit, "
	        "task, kind, value, observed_at, reporter, note, queued_at, "
	        "voids_seq, void_reason) "
	        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") != 0 ||
	    outbox_prepare(ob, &ob->keep, "INSERT OR REPLACE INTO delivered "
	        "SELECT seq, unit, task, kind, value, observed_at, reporter, "
	        "note, queued_at, voids_seq, void_reason, ?2, ?3 FROM report "
	        "WHERE seq = ?1") != 0 ||
	    outbox_prepare(ob, &ob->total, "UPDATE meta SET value = value + ?1 "
	        "WHERE key = 'delivered'") != 0 ||
	    outbox_prepare(ob, &ob->trim, "DELETE FROM delivered WHERE seq <= "
	        "(SELECT seq FROM delivered ORDER BY seq DESC LIMIT 1 "
	        "OFFSET ?1)") != 0 ||
	    outbox_prepare(ob, &ob->pending, pending) != 0 ||
	    outbox_prepare(ob, &ob->list, list) != 0 ||
	    outbox_prepare(ob, &ob->done,
	        "DELETE FROM report WHERE seq = ?1") != 0 ||
	    outbox_prepare(ob, &ob->reject, "UPDATE report SET state = 1, "
	        "code = ?2, reason = ?3 WHERE seq = ?1") != 0 ||
	    outbox_prepare(ob, &ob->count,
	        "SELECT count(*) FROM report WHERE state = ?1") != 0 ||
	    outbox_prepare(ob, &ob->clear,
	        "DELETE FROM report WHERE state = 1") != 0)
		return -1;
	return 0;
}

struct outbox *
outbox_open(const char *path, const char *client, int create, char **err)
{
	struct outbox *ob;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	int rc;

	*err = NULL;
	if ((ob = calloc(1, sizeof(*ob))) == NULL ||
	    (client != NULL && (ob->client = strdup(client)) == NULL)) {
		free(ob);
		*err = strdup("out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &ob->db, flags, NULL) != SQLITE_OK) {
		if (ob->db == NULL)
			outbox_set_err(ob, "out of memory");
		else
			outbox_fail(ob, path);
		goto fail;
	}
	sqlite3_busy_timeout(ob->db, OUTBOX_BUSY_MS);
	if ((rc = outbox_wal(ob)) > 0)
		rc = outbox_cramped(ob, path);
	if (rc != 0 ||
	    outbox_exec(ob, "PRAGMA synchronous = FULL") != 0 ||
	    outbox_setup(ob) != 0 || outbox_prepare_all(ob) != 0 ||
	    (outbox_trim(ob) != 0 && !ob->cramped))
		goto fail;
	return ob;
fail:
	*err = strdup(ob->err);
	outbox_close(ob);
	return NULL;
}

void
outbox_close(struct outbox *ob)
{
	if (ob == NULL)
		return;
	if (ob->in_tx)
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(ob->get_seq);
	sqlite3_finalize(ob->set_seq);
	sqlite3_finalize(ob->insert);
	sqlite3_finalize(ob->pending);
	sqlite3_finalize(ob->list);
	sqlite3_finalize(ob->done);
	sqlite3_finalize(ob->reject);
	sqlite3_finalize(ob->count);
	sqlite3_finalize(ob->clear);
	sqlite3_finalize(ob->keep);
	sqlite3_finalize(ob->total);
	sqlite3_finalize(ob->trim);
	sqlite3_close(ob->db);
	free(ob->client);
	free(ob);
}

int
outbox_is_cramped(const struct outbox *ob)
{
	return ob->cramped;
}

int
outbox_begin(struct outbox *ob)
{
	if (ob->in_tx) {
		outbox_set_err(ob, "transaction already open");
		return -1;
	}
	if (outbox_exec(ob, "BEGIN IMMEDIATE") != 0)
		return -1;
	ob->in_tx = 1;
	return 0;
}

int
outbox_commit(struct outbox *ob)
{
	if (!ob->in_tx) {
		outbox_set_err(ob, "no transaction open");
		return -1;
	}
	if (outbox_exec(ob, "COMMIT") != 0)
		return -1; /* still open: the caller rolls back */
	ob->in_tx = 0;
	return 0;
}

void
outbox_rollback(struct outbox *ob)
{
	if (!ob->in_tx)
		return;
	sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	ob->in_tx = 0;
}

/* Runs a statement that returns no rows, then resets it. */
static int
outbox_step_done(struct outbox *ob, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		outbox_fail(ob, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
outbox_add_locked(struct outbox *ob, const struct outbox_item *it,
                  uint64_t *seqp)
{
	sqlite3_stmt *st = ob->get_seq;
	int64_t next, now = outbox_now_us();
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			outbox_set_err(ob, "outbox has no seq counter");
		else
			outbox_fail(ob, "reading seq");
		sqlite3_reset(st);
		return -1;
	}
	next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (next < now)
		next = now;
	if (next <= 0 || next == INT64_MAX) {
		outbox_set_err(ob, "seq counter out of range");
		return -1;
	}

	sqlite3_bind_int64(ob->set_seq, 1, next + 1);
	if (outbox_step_done(ob, ob->set_seq, "saving seq") != 0)
		return -1;

	st = ob->insert;
	sqlite3_bind_int64(st, 1, next);
	sqlite3_bind_text(st, 2, it->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, it->task, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, it->kind);
	sqlite3_bind_text(st, 5, it->value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, it->observed_at);
	sqlite3_bind_text(st, 7, it->reporter ? it->reporter : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 8, it->note ? it->note : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, now / 1000);
	sqlite3_bind_int64(st, 10, (int64_t)it->voids_seq);
	sqlite3_bind_text(st, 11, it->void_reason ? it->void_reason : "", -1,
	    SQLITE_STATIC);
	if (outbox_step_done(ob, st, "queueing report") != 0)
		return -1;
	if (seqp != NULL)
		*seqp = (uint64_t)next;
	return 0;
}

int
outbox_add(struct outbox *ob, const struct outbox_item *it, uint64_t *seq)
{
	int own = !ob->in_tx;

	if (it->unit == NULL || it->task == NULL || it->value == NULL) {
		outbox_set_err(ob, "report lacks unit, task or value");
		return -1;
	}
	if (own && outbox_begin(ob) != 0)
		return -1;
	if (outbox_add_locked(ob, it, seq) != 0) {
		if (own)
			outbox_rollback(ob);
		return -1;
	}
	if (own && outbox_commit(ob) != 0) {
		outbox_rollback(ob);
		return -1;
	}
	return 0;
}

static char *
outbox_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return strdup(s ? (const char *)s : "");
}

/* Reads every row of st (already bound) into a new array. */
static int
outbox_read_items(struct outbox *ob, sqlite3_stmt *st,
                  struct outbox_item **items, size_t *n)
{
	struct outbox_item *v = NULL, *it;
	size_t len = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct outbox_item *nv = realloc(v, ncap * sizeof(*v));

			if (nv == NULL)
				goto nomem;
			v = nv;
			cap = ncap;
		}
		it = &v[len++];
		memset(it, 0, sizeof(*it));
		it->seq = (uint64_t)sqlite3_column_int64(st, 0);
		it->kind = sqlite3_column_int(st, 3);
		it->observed_at = sqlite3_column_int64(st, 5);
		it->queued_at = sqlite3_column_int64(st, 8);
		it->state = sqlite3_column_int(st, 9) ? OUTBOX_REJECTED :
		    OUTBOX_PENDING;
		it->unit = outbox_col_dup(st, 1);
		it->task = outbox_col_dup(st, 2);
		it->value = outbox_col_dup(st, 4);
		it->reporter = outbox_col_dup(st, 6);
		it->note = outbox_col_dup(st, 7);
		it->voids_seq = (uint64_t)sqlite3_column_int64(st, 12);
		it->void_reason = outbox_col_dup(st, 13);
		if (it->void_reason == NULL)
			goto nomem;
		if (ob->history) {
			it->fate = sqlite3_column_int(st, 10);
			it->done_at = sqlite3_column_int64(st, 11);
			it->state = OUTBOX_PENDING;
		} else if (it->state == OUTBOX_REJECTED) {
			it->code = outbox_col_dup(st, 10);
			it->reason = outbox_col_dup(st, 11);
			if (it->code == NULL || it->reason == NULL)
				goto nomem;
		}
		if (it->unit == NULL || it->task == NULL || it->value == NULL ||
		    it->reporter == NULL || it->note == NULL)
			goto nomem;
	}
	if (rc != SQLITE_DONE) {
		outbox_fail(ob, "reading reports");
		goto fail;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	*items = v;
	*n = len;
	return 0;
nomem:
	outbox_set_err(ob, "out of memory");
fail:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	outbox_items_free(v, len);
	return -1;
}

int
outbox_pending(struct outbox *ob, uint64_t after, size_t max,
               struct outbox_item **items, size_t *n)
{
	*items = NULL;
	*n = 0;
	sqlite3_bind_int64(ob->pending, 1,
	    after > INT64_MAX ? INT64_MAX : (int64_t)after);
	sqlite3_bind_int64(ob->pending, 2,
	    max > INT64_MAX ? INT64_MAX : (int64_t)max);
	return outbox_read_items(ob, ob->pending, items, n);
}

int
outbox_list(struct outbox *ob, struct outbox_item **items, size_t *n)
{
	*items = NULL;
	*n = 0;
	return outbox_read_items(ob, ob->list, items, n);
}

void
outbox_items_free(struct outbox_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].unit);
		free(items[i].task);
		free(items[i].value);
		free(items[i].reporter);
		free(items[i].note);
		free(items[i].code);
		free(items[i].reason);
		free(items[i].void_reason);
	}
	free(items);
}

int
outbox_done(struct outbox *ob, uint64_t seq)
{
	sqlite3_bind_int64(ob->done, 1, (int64_t)seq);
	return outbox_step_done(ob, ob->done, "removing report");
}

int
outbox_reject(struct outbox *ob, uint64_t seq, const char *code,
              const char *reason)
{
	sqlite3_bind_int64(ob->reject, 1, (int64_t)seq);
	sqlite3_bind_text(ob->reject, 2, code ? code : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(ob->reject, 3, reason ? reason : "", -1,
	    SQLITE_STATIC);
	return outbox_step_done(ob, ob->reject, "marking report rejected");
}

int
outbox_clear_rejected(struct outbox *ob, int64_t *n)
{
	if (outbox_step_done(ob, ob->clear, "clearing rejected") != 0)
		return -1;
	if (n != NULL)
		*n = sqlite3_changes(ob->db);
	return 0;
}

int64_t
outbox_count(struct outbox *ob, enum outbox_state state)
{
	int64_t n = -1;
	int rc;

	sqlite3_bind_int(ob->count, 1, state);
	rc = sqlite3_step(ob->count);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(ob->count, 0);
	else
		outbox_fail(ob, "counting reports");
	sqlite3_reset(ob->count);
	sqlite3_clear_bindings(ob->count);
	return n;
}

uint64_t
outbox_next_seq(struct outbox *ob)
{
	int64_t v = 0;
	int rc = sqlite3_step(ob->get_seq);

	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(ob->get_seq, 0);
	else
		outbox_fail(ob, "reading seq");
	sqlite3_reset(ob->get_seq);
	return v > 0 ? (uint64_t)v : 0;
}

static int
outbox_trim(struct outbox *ob)
{
	ob->untrimmed = 0;
	sqlite3_bind_int64(ob->trim, 1, OUTBOX_HISTORY);
	return outbox_step_done(ob, ob->trim, "trimming history");
}

int
outbox_deliver(struct outbox *ob, uint64_t seq, int fate)
{
	int own = !ob->in_tx;

	if (own && outbox_begin(ob) != 0)
		return -1;
	sqlite3_bind_int64(ob->keep, 1, (int64_t)seq);
	sqlite3_bind_int(ob->keep, 2, fate);
	sqlite3_bind_int64(ob->keep, 3, outbox_now_us() / 1000);
	if (outbox_step_done(ob, ob->keep, "keeping history") != 0)
		goto fail;
	if (sqlite3_changes(ob->db) > 0) {
		sqlite3_bind_int64(ob->total, 1, 1);
		if (outbox_step_done(ob, ob->total, "counting") != 0)
			goto fail;
		/* Trim now and then, not at every report (and at open). */
		if (++ob->untrimmed == 64 && outbox_trim(ob) != 0)
			goto fail;
	}
	if (outbox_done(ob, seq) != 0)
		goto fail;
	if (own && outbox_commit(ob) != 0)
		goto fail;
	return 0;
fail:
	if (own)
		outbox_rollback(ob);
	return -1;
}

int
outbox_history(struct outbox *ob, size_t max, struct outbox_item **items,
               size_t *n)
{
	char sql[512];
	sqlite3_stmt *st;
	int rc;

	*items = NULL;
	*n = 0;
	/* The same columns as a report row, fate and done_at in place of
	 * code and reason. */
	snprintf(sql, sizeof(sql), "SELECT seq, unit, task, kind, value, "
	    "observed_at, reporter, note, queued_at, 0, fate, done_at, "
	    "voids_seq, void_reason FROM delivered ORDER BY seq DESC LIMIT ?1");
	if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
		return outbox_fail(ob, "history");
	sqlite3_bind_int64(st, 1, max > INT64_MAX ? INT64_MAX : (int64_t)max);
	ob->history = 1;
	rc = outbox_read_items(ob, st, items, n);
	ob->history = 0;
	sqlite3_finalize(st);
	return rc;
}

int64_t
outbox_delivered_total(struct outbox *ob)
{
	int64_t n;

	if (outbox_int(ob, "SELECT value FROM meta WHERE key = 'delivered'",
	        &n) != 0)
		return -1;
	return n;
}

int
outbox_find(struct outbox *ob, uint64_t seq, enum outbox_where *where,
            struct outbox_item **it)
{
	static const char *const sql[2] = {
		"SELECT seq, unit, task, kind, value, observed_at, reporter, "
		"note, queued_at, state, code, reason, voids_seq, void_reason "
		"FROM report WHERE seq = ?1",
		"SELECT seq, unit, task, kind, value, observed_at, reporter, "
		"note, queued_at, 0, fate, done_at, voids_seq, void_reason "
		"FROM delivered WHERE seq = ?1",
	};
	size_t n = 0;

	*where = OUTBOX_NOWHERE;
	*it = NULL;
	for (int k = 0; k < 2 && n == 0; k++) {
		sqlite3_stmt *st;
		int rc;

		if (sqlite3_prepare_v2(ob->db, sql[k], -1, &st, NULL) !=
		    SQLITE_OK)
			return outbox_fail(ob, "find");
		sqlite3_bind_int64(st, 1, (int64_t)seq);
		ob->history = k == 1;
		rc = outbox_read_items(ob, st, it, &n);
		ob->history = 0;
		sqlite3_finalize(st);
		if (rc != 0)
			return -1;
		if (n > 0)
			*where = k == 1 ? OUTBOX_IS_DELIVERED :
			    (*it)->state == OUTBOX_REJECTED ?
			    OUTBOX_IS_REJECTED : OUTBOX_IS_PENDING;
		else {
			free(*it);
			*it = NULL;
		}
	}
	return 0;
}
