/*
 * store_sqlite.c - the SQLite room of the store (store.h): reports in one
 * file, beside the alert tables (alertstore_sqlite.c).
 *
 * Why these settings: WAL lets HTTP readers and backups run beside the one
 * writer; synchronous=FULL makes COMMIT wait for the WAL fsync, which is what
 * lets an ack mean "on disk".  Statements on the ingest path are prepared
 * once.  Everything else (scans) is rare enough to prepare per call.
 *
 * The ingest's COMMIT (store_commit_start) runs on a thread of its own, so
 * that the fsync, and the WAL checkpoint SQLite runs inside a COMMIT now
 * and then, do not hold the daemon's loop; the thread says it is done
 * through an eventfd the loop watches.  Meanwhile the loop does not touch
 * the connection: every operation here, the alert store's and the feature
 * tables' (through store_sqlite_db) first waits for the thread to finish
 * (sq_idle), and the thread touches it only between the loop's ask and its
 * answer, both under mu.  So the two never use it at once, which is all
 * SQLite's multi-thread mode asks: the connection is opened without its
 * own mutex (SQLITE_OPEN_NOMUTEX), which serialized mode would take and
 * release at every call of the ingest's hot path for nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <sys/statvfs.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "alertstore.h"
#include "store.h"
#include "retention_sql.h"
#include "silences_sql.h"
#include "seqmark.h"
#include "store_sqlite.h"
#include "store_views.h"

/* How long a writer waits for a lock held by someone else (a backup, an
 * operator's sqlite3 shell) before the batch is answered RETRY. */
#define STORE_BUSY_MS 5000

struct store_sqlite {
	struct store base;   /* first: the interface's handle */
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *exists;
	sqlite3_stmt *last;  /* a client's highest seq, for its mark */
	sqlite3_stmt *begin, *commit, *rollback;
	/* The highest seq stored per client (seqmark.h).  Never cleared: the
	 * database is locked to this process. */
	struct seqmark *marks;
	char err[512];
	/* The commit thread (store_commit_start), made at the open. */
	int thread_on;       /* mu, cv, efd and ev are set up */
	int threaded;        /* and the thread runs */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum { SQ_IDLE, SQ_ASKED, SQ_DONE } phase; /* under mu */
	int quit;            /* under mu: the thread ends */
	int rc;              /* under mu: the answer, once SQ_DONE */
	int efd;             /* eventfd: the thread wrote SQ_DONE */
	struct event *ev;
	store_commit_fn fn;  /* the loop's: whom to answer */
	void *fn_arg;
};

/* Each entry moves the schema from version i to i+1.  Never edit one that
 * has shipped: add a new one. */
static const char *const store_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE reports ("
	"  id INTEGER PRIMARY KEY,"
	"  client TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"        /* uint64 stored as its int64 bits */
	"  task TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
	"  value INTEGER NOT NULL,"      /* thousandths */
	"  observed_at INTEGER NOT NULL," /* ms since the epoch, UTC */
	"  received_at INTEGER NOT NULL,"
	"  reporter TEXT NOT NULL DEFAULT '',"
	"  note TEXT NOT NULL DEFAULT '',"
	"  UNIQUE (client, seq)"
	");"
	/* Recounting one pair must not scan a year of reports. */
	"CREATE INDEX reports_pair ON reports (task, unit);",
	/* 1 -> 2: alerts (daemon/alertstore.c).  Every event, with the numbers
	 * at that moment and the Alert exactly as published; and the state of
	 * every (task, unit, rollup, rule) that is firing or pending. */
	"CREATE TABLE alert_events ("
	"  seq INTEGER PRIMARY KEY,"
	"  id INTEGER NOT NULL,"
	"  transition TEXT NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  task TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  rollup INTEGER NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  actual TEXT NOT NULL,"
	"  target TEXT NOT NULL,"
	"  expected TEXT NOT NULL,"
	"  lag TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  message TEXT NOT NULL,"
	"  body BLOB NOT NULL"              /* the packed tiendo.Alert */
	");"
	"CREATE INDEX alert_events_subject ON alert_events (task, unit);"
	"CREATE TABLE alert_state ("
	"  task TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  rollup INTEGER NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  sev INTEGER NOT NULL,"
	"  pend_sev INTEGER NOT NULL,"
	"  pending_since INTEGER NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  announced INTEGER NOT NULL,"
	"  id INTEGER NOT NULL,"
	"  last_seq INTEGER NOT NULL,"
	"  PRIMARY KEY (task, unit, rollup, rule)"
	");",
	/* 2 -> 3: corrections.  A correction is a row of its own (so that
	 * (client, seq) stays unique across both kinds) that is never
	 * counted; the row it voids keeps its values, marked by whom and as
	 * of when, for the audit trail. */
	"ALTER TABLE reports ADD COLUMN voids_seq INTEGER;"
	"ALTER TABLE reports ADD COLUMN void_reason TEXT;"
	"ALTER TABLE reports ADD COLUMN voided_by INTEGER;"
	"ALTER TABLE reports ADD COLUMN voided_at INTEGER;"
	/* Written by store_probe only. */
	"CREATE TABLE probe (id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  at INTEGER NOT NULL);",
	/* 3 -> 4: silences (silences_sqlite.c) and retention's way from an
	 * alert state to its last event (retention_sqlite.c), as migration 2
	 * of store_pg.c.  Until this migration they were made IF NOT EXISTS
	 * at every start, so most databases of version 3 have them already:
	 * IF NOT EXISTS here too, and word for word the text they were made
	 * with, so that an upgraded database and a new one have one schema
	 * (sqlite_master keeps the text, without the IF NOT EXISTS). */
	"CREATE TABLE IF NOT EXISTS silences ("
	"  id INTEGER PRIMARY KEY,"
	"  task TEXT,"                 /* NULL: every task */
	"  unit TEXT,"                 /* NULL: every unit */
	"  until_at INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expired_by TEXT,"
	"  expired_at INTEGER);"
	"CREATE INDEX IF NOT EXISTS alert_state_last"
	" ON alert_state (last_seq);",
};
#define STORE_VERSION ((int)(sizeof store_migrations / sizeof store_migrations[0]))

static int
store_fail(struct store_sqlite *s, const char *what)
{
	snprintf(s->err, sizeof s->err, "%s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

/* The busy gate: returns once no COMMIT runs on the commit thread, the
 * connection the loop's again (its answer may still be on its way to the
 * loop: sq_on_done). */
static struct store_sqlite *
sq_idle(struct store_sqlite *s)
{
	if (s == NULL || !s->thread_on)
		return s;
	pthread_mutex_lock(&s->mu);
	while (s->phase == SQ_ASKED)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return s;
}

/* The handle of a store opened here, from the interface's: through the
 * gate, so that no operation touches the connection while it commits. */
#define SQ(base) sq_idle((struct store_sqlite *)(base))

void *
store_sqlite_db(struct store *base)
{
	return SQ(base)->db;
}

static const char *
sq_errmsg(const struct store *base)
{
	return ((const struct store_sqlite *)base)->err;
}

static int
store_exec(struct store_sqlite *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->err, sizeof s->err, "%.80s: %s", sql,
		         msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
store_user_version(struct store_sqlite *s, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "user_version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_fail(s, "user_version");
}

static int
store_migrate(struct store_sqlite *s)
{
	char sql[64];
	int version;

	if (store_exec(s, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (store_user_version(s, &version) < 0)
		goto fail;
	if (version > STORE_VERSION) {
		snprintf(s->err, sizeof s->err,
		         "database schema version %d is newer than this tiendod "
		         "(%d): upgrade tiendod", version, STORE_VERSION);
		goto fail;
	}
	for (; version < STORE_VERSION; version++)
		if (store_exec(s, store_migrations[version]) < 0)
			goto fail;
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_VERSION);
	if (store_exec(s, sql) < 0 || store_exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int
store_prepare(struct store_sqlite *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "prepare");
	return 0;
}

static const struct store_ops sq_ops;
static void sq_close(struct store *base);

static int sq_thread_start(struct store_sqlite *s);

struct store *
store_sqlite_open(const char *path, enum store_sync sync, char **err)
{
	struct store_sqlite *s = calloc(1, sizeof *s);

	if (s == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	s->base.ops = &sq_ops;
	s->efd = -1;
	s->marks = seqmark_new();
	if (s->marks == NULL) {
		snprintf(s->err, sizeof s->err, "out of memory");
		goto fail;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	                    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		store_fail(s, path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, STORE_BUSY_MS) != SQLITE_OK ||
	    store_exec(s, "PRAGMA journal_mode = WAL") < 0 ||
	    store_exec(s, sync == STORE_SYNC_FULL ? "PRAGMA synchronous = FULL"
	                                          : "PRAGMA synchronous = NORMAL") < 0 ||
	    store_migrate(s) < 0)
		goto fail;
	if (store_prepare(s,
	        "INSERT INTO reports (client, seq, task, unit, kind, value,"
	        " observed_at, received_at, reporter, note, voids_seq,"
	        " void_reason)"
	        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	        " ON CONFLICT (client, seq) DO NOTHING", &s->insert) < 0 ||
	    store_prepare(s, "SELECT 1 FROM reports WHERE client = ? AND seq = ?",
	                  &s->exists) < 0 ||
	    store_prepare(s, "SELECT seq FROM reports WHERE client = ?"
	                  " ORDER BY seq DESC LIMIT 1", &s->last) < 0 ||
	    store_prepare(s, "BEGIN IMMEDIATE", &s->begin) < 0 ||
	    store_prepare(s, "COMMIT", &s->commit) < 0 ||
	    store_prepare(s, "ROLLBACK", &s->rollback) < 0)
		goto fail;
	/* The commit thread and its eventfd now, not at the first commit:
	 * that may come while hostile peers hold every descriptor the
	 * budget leaves (fdbudget.h), and then could never start. */
	if (sq_thread_start(s) < 0)
		goto fail;
	return &s->base;
fail:
	/* A copy put back by root (a restore) stays root's: systemd's
	 * StateDirectory= does not give it to the service's user when the
	 * directory is already that user's. */
	if (access(path, W_OK) < 0 && errno == EACCES) {
		size_t len = strlen(s->err);

		snprintf(s->err + len, sizeof s->err - len, " (the file is not "
		         "writable by uid %u: give it to the owner of its "
		         "directory, e.g. chown --reference=DIR FILE)",
		         (unsigned)geteuid());
	}
	*err = strdup(s->err[0] ? s->err : "cannot open database");
	sq_close(&s->base);
	return NULL;
}

static void sq_thread_end(struct store_sqlite *s);

static void
sq_close(struct store *base)
{
	struct store_sqlite *s = SQ(base);
	if (s == NULL)
		return;
	sq_thread_end(s);
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->exists);
	sqlite3_finalize(s->last);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	sqlite3_close(s->db);
	seqmark_destroy(s->marks);
	free(s);
}

static int
store_step_done(struct store_sqlite *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, what);
}

/* The COMMIT, unless the database file was deleted, renamed or replaced
 * under the daemon (a restore while it runs): in WAL mode SQLite goes on
 * writing to the file it has open, unlinked, and an ack would mean "in a
 * file no start will read".  Such a commit fails (RETRY, storage
 * degraded) until a restart opens the file at the path. */
static int
sq_commit_step(struct store_sqlite *s)
{
	int moved = 0;

	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED,
	                         &moved) == SQLITE_OK && moved) {
		snprintf(s->err, sizeof s->err, "%s: the database file was "
		         "deleted or replaced while tiendod ran (a restore "
		         "must stop the daemon first): nothing more is "
		         "written; restart tiendod",
		         sqlite3_db_filename(s->db, "main"));
		return -1;
	}
	return store_step_done(s, s->commit, "commit");
}

static int
sq_begin(struct store *base)
{
	struct store_sqlite *s = SQ(base);
	return store_step_done(s, s->begin, "begin");
}

static int
sq_commit(struct store *base)
{
	struct store_sqlite *s = SQ(base);
	return sq_commit_step(s);
}

static void
sq_rollback(struct store *base)
{
	struct store_sqlite *s = SQ(base);
	/* Fails harmlessly when SQLite already rolled back (e.g. SQLITE_FULL). */
	sqlite3_step(s->rollback);
	sqlite3_reset(s->rollback);
}

/* The commit thread: one COMMIT per ask.  A COMMIT that fails is rolled
 * back here, before the loop gets the connection back, so that no caller
 * behind the gate finds the failed batch's transaction still open. */
static void *
sq_committer(void *arg)
{
	struct store_sqlite *s = arg;
	uint64_t one = 1;
	int rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->phase != SQ_ASKED && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->phase != SQ_ASKED)
			break;
		pthread_mutex_unlock(&s->mu);
		rc = sq_commit_step(s);
		if (rc < 0) {
			sqlite3_step(s->rollback);
			sqlite3_reset(s->rollback);
		}
		pthread_mutex_lock(&s->mu);
		s->rc = rc;
		s->phase = SQ_DONE;
		pthread_cond_broadcast(&s->cv);
		/* Cannot fail but on a counter at its maximum: the loop reads
		 * it to zero at every answer. */
		if (write(s->efd, &one, sizeof one) < 0)
			continue;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Takes the thread's answer when there is one: 1 and *rc, else 0. */
static int
sq_take(struct store_sqlite *s, int wait, int *rc)
{
	int got = 0;

	pthread_mutex_lock(&s->mu);
	while (wait && s->phase == SQ_ASKED)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->phase == SQ_DONE) {
		s->phase = SQ_IDLE;
		*rc = s->rc;
		got = 1;
	}
	pthread_mutex_unlock(&s->mu);
	return got;
}

/* Gives the answer to whom asked, on the loop. */
static void
sq_answer(struct store_sqlite *s, int rc)
{
	store_commit_fn fn = s->fn;

	/* The loop's event is the commit's: none is left on a loop that
	 * may be freed before the store is closed. */
	if (s->ev)
		event_free(s->ev);
	s->ev = NULL;
	s->fn = NULL;
	store_commit_answering(&s->base);
	if (fn)
		fn(s->fn_arg, rc);
	store_commit_answered(&s->base);
}

static void
sq_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct store_sqlite *s = arg;
	uint64_t n;
	int rc;

	/* Already answered by sq_settle when the counter is all there is. */
	if (read(s->efd, &n, sizeof n) < 0 && errno != EAGAIN)
		return;
	if (sq_take(s, 0, &rc))
		sq_answer(s, rc);
}

static int
sq_thread_start(struct store_sqlite *s)
{
	sigset_t all, old;
	int rc;

	if ((s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(s->err, sizeof s->err, "commit: eventfd: %s",
		         strerror(errno));
		return -1;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->thread_on = 1;
	/* A SQLite built without threads cannot be handed over: its COMMIT
	 * runs on the loop (sq_commit_start), answered the same way. */
	if (!sqlite3_threadsafe())
		return 0;
	/* Signals are the loop's (libevent's handlers): none here. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, sq_committer, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(s->err, sizeof s->err, "commit: cannot start the "
		         "commit thread: %s", strerror(rc));
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		s->thread_on = 0;
		goto fail;
	}
	s->threaded = 1;
	return 0;
fail:
	close(s->efd);
	s->efd = -1;
	return -1;
}

/* At close: the COMMIT in flight finishes (its answer is dropped: whoever
 * asked settled it first, or is gone). */
static void
sq_thread_end(struct store_sqlite *s)
{
	if (!s->thread_on)
		return;
	pthread_mutex_lock(&s->mu);
	while (s->phase == SQ_ASKED)
		pthread_cond_wait(&s->cv, &s->mu);
	s->quit = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->threaded)
		pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	/* Only when a commit was never answered (settle first). */
	if (s->ev)
		event_free(s->ev);
	close(s->efd);
	s->thread_on = 0;
}

static int
sq_commit_start(struct store *base, struct event_base *evb,
                store_commit_fn fn, void *arg)
{
	struct store_sqlite *s = SQ(base);

	if (s->fn != NULL) {
		snprintf(s->err, sizeof s->err, "commit: another commit is "
		         "still in flight");
		return -1;
	}
	s->ev = event_new(evb, s->efd, EV_READ | EV_PERSIST, sq_on_done, s);
	if (s->ev == NULL || event_add(s->ev, NULL) < 0) {
		snprintf(s->err, sizeof s->err, "commit: cannot watch the "
		         "commit thread's eventfd");
		if (s->ev)
			event_free(s->ev);
		s->ev = NULL;
		return -1;
	}
	if (!s->threaded) {
		uint64_t one = 1;
		int rc = sq_commit(base);

		if (rc < 0)
			sq_rollback(base);
		s->fn = fn;
		s->fn_arg = arg;
		pthread_mutex_lock(&s->mu);
		s->rc = rc;
		s->phase = SQ_DONE;
		pthread_mutex_unlock(&s->mu);
		if (write(s->efd, &one, sizeof one) < 0)
			event_active(s->ev, EV_READ, 0);
		return 0;
	}
	s->fn = fn;
	s->fn_arg = arg;
	pthread_mutex_lock(&s->mu);
	s->phase = SQ_ASKED;
	pthread_mutex_unlock(&s->mu);
	/* After the unlock: a thread woken under it would only block on mu
	 * and need a second wake-up (a futex call each, at every commit). */
	pthread_cond_broadcast(&s->cv);
	return 0;
}

static void
sq_commit_settle(struct store *base)
{
	struct store_sqlite *s = (struct store_sqlite *)base;
	int rc;

	if (s->fn == NULL)
		return;
	if (sq_take(s, 1, &rc))
		sq_answer(s, rc);
}

/* Rare (a report that might not be counted), so not prepared. */
static int
sq_mark(struct store *base, enum store_mark m)
{
	static const char *const sql[] = {
		[STORE_MARK_SET] = "SAVEPOINT one_report",
		[STORE_MARK_RELEASE] = "RELEASE one_report",
		[STORE_MARK_UNDO] = "ROLLBACK TO one_report",
	};

	return store_exec(SQ(base), sql[m]);
}

static int
sq_insert(struct store *base, const struct store_report *r, int *is_new)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st = s->insert;
	int rc;

	sqlite3_bind_text(st, 1, r->client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)r->seq);
	sqlite3_bind_text(st, 3, r->task, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, r->kind);
	sqlite3_bind_int64(st, 6, r->value);
	sqlite3_bind_int64(st, 7, r->observed_at);
	sqlite3_bind_int64(st, 8, r->received_at);
	sqlite3_bind_text(st, 9, r->reporter, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, r->note, -1, SQLITE_STATIC);
	if (r->voids_seq) {
		sqlite3_bind_int64(st, 11, (sqlite3_int64)r->voids_seq);
		sqlite3_bind_text(st, 12, r->void_reason ? r->void_reason : "",
		                  -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 11);
		sqlite3_bind_null(st, 12);
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "insert");
	*is_new = sqlite3_changes(s->db) > 0;
	seqmark_raise(s->marks, r->client, (int64_t)r->seq);
	return 0;
}

static int
sq_exists(struct store *base, const char *client, uint64_t seq, int *found)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st = s->exists;
	int rc;

	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "exists");
	*found = rc == SQLITE_ROW;
	return 0;
}

/* Row by row: a statement on a local file costs no round trip, so SQLite
 * gains nothing from one statement for many. */
static int
sq_insert_many(struct store *base, const struct store_report *rows, size_t n)
{
	struct store_sqlite *s = SQ(base);
	int is_new;

	for (size_t i = 0; i < n; i++) {
		if (sq_insert(base, &rows[i], &is_new) < 0)
			return -1;
		if (!is_new) {
			snprintf(s->err, sizeof s->err, "insert: report %llu of "
			         "client \"%s\" is stored already (a batch must "
			         "insert only new reports)",
			         (unsigned long long)rows[i].seq, rows[i].client);
			return -1;
		}
	}
	return 0;
}

/* Learns a client's mark from the store.  0, or -1 (a storage error). */
static int
sq_learn_mark(struct store_sqlite *s, const char *client)
{
	sqlite3_stmt *st = s->last;
	int64_t max = SEQMARK_NONE;
	int rc;

	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		max = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "exists");
	/* Out of memory leaves the client unknown: asked about, as before. */
	(void)seqmark_set(s->marks, client, max);
	return 0;
}

/* Each report above its client's mark is new without a lookup: in the
 * steady state of clients counting up, every one of them. */
static int
sq_exists_many(struct store *base, const char *const *clients,
               const uint64_t *seqs, size_t n, unsigned char *found)
{
	struct store_sqlite *s = SQ(base);
	int64_t max;
	int f;

	for (size_t i = 0; i < n; i++) {
		if ((i == 0 || clients[i] != clients[i - 1]) &&
		    !seqmark_get(s->marks, clients[i], &max) &&
		    sq_learn_mark(s, clients[i]) < 0)
			return -1;
		found[i] = 0;
		if (seqmark_above(s->marks, clients[i], (int64_t)seqs[i]))
			continue;
		if (sq_exists(base, clients[i], seqs[i], &f) < 0)
			return -1;
		found[i] = (unsigned char)f;
	}
	return 0;
}

/* The columns a fold reads (store_scan): the same for a scan and a tail,
 * voids_seq 0 but for a tail's corrections. */
#define SQ_FOLD_COLS "client, seq, task, unit, kind, value, observed_at," \
                     " coalesce(voids_seq, 0)"

/* Steps st (SQ_FOLD_COLS) calling fn for each row, and finalizes it.
 * fn's value, 0, or -1 on a database error. */
static int
sq_scan_rows(struct store_sqlite *s, sqlite3_stmt *st, store_scan_fn fn,
             void *arg)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_report r = {
			.client = (const char *)sqlite3_column_text(st, 0),
			.seq = (uint64_t)sqlite3_column_int64(st, 1),
			.task = (const char *)sqlite3_column_text(st, 2),
			.unit = (const char *)sqlite3_column_text(st, 3),
			.kind = sqlite3_column_int(st, 4),
			.value = sqlite3_column_int64(st, 5),
			.observed_at = sqlite3_column_int64(st, 6),
			.voids_seq = (uint64_t)sqlite3_column_int64(st, 7),
			.reporter = "",
			.note = "",
		};
		if ((ret = fn(arg, &r)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = store_fail(s, "scan");
	sqlite3_finalize(st);
	return ret;
}

static int
sq_scan(struct store *base, const char *task, const char *unit, when_t until,
        store_scan_fn fn, void *arg)
{
	struct store_sqlite *s = SQ(base);
	char sql[400];
	sqlite3_stmt *st;
	int i = 1;

	snprintf(sql, sizeof sql,
	         "SELECT " SQ_FOLD_COLS
	         " FROM reports WHERE observed_at <= ?1 AND voids_seq IS NULL"
	         " AND (voided_at IS NULL OR voided_at > ?1)%s%s ORDER BY id",
	         task ? " AND task = ?" : "", unit ? " AND unit = ?" : "");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "scan");
	sqlite3_bind_int64(st, i++, until);
	if (task)
		sqlite3_bind_text(st, i++, task, -1, SQLITE_STATIC);
	if (unit)
		sqlite3_bind_text(st, i++, unit, -1, SQLITE_STATIC);
	return sq_scan_rows(s, st, fn, arg);
}

static int
sq_scan_tail(struct store *base, int64_t after, store_scan_fn fn, void *arg)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "SELECT " SQ_FOLD_COLS " FROM reports"
	                       " WHERE id > ?"
	                       " AND (voids_seq IS NOT NULL OR voided_at IS NULL)"
	                       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "scan");
	sqlite3_bind_int64(st, 1, after);
	return sq_scan_rows(s, st, fn, arg);
}

static int
sq_row_key(struct store *base, int64_t id, struct store_key *k)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st;
	int rc;

	memset(k, 0, sizeof *k);
	if (sqlite3_prepare_v2(s->db, "SELECT id, client, seq FROM reports"
	                       " WHERE id <= ? ORDER BY id DESC LIMIT 1", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "row key");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		k->id = sqlite3_column_int64(st, 0);
		snprintf(k->client, sizeof k->client, "%s",
		         (const char *)sqlite3_column_text(st, 1));
		k->seq = (uint64_t)sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_fail(s, "row key");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int64_t
sq_count(struct store *base)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM reports", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "count");
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		store_fail(s, "count");
	sqlite3_finalize(st);
	return n;
}

static int
sq_target(struct store *base, const char *client, uint64_t seq,
             struct store_target *t, int *found)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT task, unit, voids_seq, voided_by"
	                       " FROM reports WHERE client = ? AND seq = ?", -1,
	                       &st, NULL) != SQLITE_OK)
		return store_fail(s, "target");
	sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found) {
		snprintf(t->task, sizeof t->task, "%s",
		         (const char *)sqlite3_column_text(st, 0));
		snprintf(t->unit, sizeof t->unit, "%s",
		         (const char *)sqlite3_column_text(st, 1));
		t->voids_seq = (uint64_t)sqlite3_column_int64(st, 2);
		t->voided_by = (uint64_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, "target");
	return 0;
}

static int
sq_void(struct store *base, const char *client, uint64_t seq, uint64_t by,
           when_t at)
{
	struct store_sqlite *s = SQ(base);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE reports SET voided_by = ?,"
	                       " voided_at = ? WHERE client = ? AND seq = ?"
	                       " AND voided_by IS NULL", -1, &st,
	                       NULL) != SQLITE_OK)
		return store_fail(s, "void");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)by);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_text(st, 3, client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, "void");
	if (sqlite3_changes(s->db) != 1) {
		snprintf(s->err, sizeof s->err, "void: seq %llu not voidable",
		         (unsigned long long)seq);
		return -1;
	}
	return 0;
}

static int
sq_probe(struct store *base, when_t now)
{
	struct store_sqlite *s = SQ(base);
	const char *path = sqlite3_db_filename(s->db, "main");
	struct statvfs fs;
	char sql[128];
	int rc = -1;

	/* A file system with no block left counts as full even where SQLite
	 * could still write into the slack of its WAL: an acked report must
	 * not depend on that slack (tiendod(8), "Full disk"). */
	if (path && path[0] && statvfs(path, &fs) == 0 && fs.f_bavail == 0) {
		snprintf(s->err, sizeof s->err, "%s: %s", path, strerror(ENOSPC));
		return -1;
	}

	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO probe (id, at)"
	         " VALUES (1, %lld)", (long long)now);
	/* A probe must not hold the loop for the busy timeout every second
	 * while someone else holds the lock. */
	sqlite3_busy_timeout(s->db, 0);
	if (sq_begin(base) == 0) {
		rc = store_exec(s, sql) == 0 && sq_commit(base) == 0 ? 0 : -1;
		if (rc < 0)
			sq_rollback(base);
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	return rc;
}

static int
sq_set_max_pages(struct store *base, int64_t n)
{
	struct store_sqlite *s = SQ(base);
	char sql[64];

	if (n <= 0)
		return 0;
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)n);
	return store_exec(s, sql);
}

/* A failed COMMIT of SQLite's is a rollback: never in doubt. */
static int
sq_commit_uncertain(struct store *base)
{
	return 0;
}

static struct alertstore *
sq_alerts_new(struct store *base, char **err)
{
	return alertstore_sqlite_new(base, err);
}

static const struct store_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.errmsg = sq_errmsg,
	.begin = sq_begin,
	.commit = sq_commit,
	.commit_start = sq_commit_start,
	.commit_settle = sq_commit_settle,
	.rollback = sq_rollback,
	.insert = sq_insert,
	.insert_many = sq_insert_many,
	.mark = sq_mark,
	.exists = sq_exists,
	.exists_many = sq_exists_many,
	.target = sq_target,
	.void_report = sq_void,
	.probe = sq_probe,
	.commit_uncertain = sq_commit_uncertain,
	.set_max_pages = sq_set_max_pages,
	.scan = sq_scan,
	.scan_tail = sq_scan_tail,
	.row_key = sq_row_key,
	.count = sq_count,
	.alerts_new = sq_alerts_new,
	.silences = &silences_sql_sqlite,
	.retention = &retention_sql_sqlite,
	.views = &store_views_sqlite,
};

const char *
store_sqlite_version(void)
{
	return sqlite3_libversion();
}
