/*
 * store_pg.c - the PostgreSQL room of the store (store.h), through libpq.
 *
 * The same promises as SQLite: COMMIT answered "COMMIT" by the server means
 * durable as far as the server's synchronous_commit says (on, PostgreSQL's
 * default, unless the operator changed it; `synchronous = normal` turns it
 * off for our session only); (client, seq) unique by constraint; a batch is
 * one transaction holding its reports, corrections and alert events.
 *
 * A lost connection fails the call in progress (the batch is answered
 * RETRY) and the next begin or probe reconnects, re-prepares and, when the
 * store was opened for an active daemon, takes the advisory lock again:
 * if another tiendod holds it by then, this one must not ack any more and
 * says so (store_pg_lost).  The schema version is in tiendo_schema, and the
 * migrations run under a transaction-scoped advisory lock so that two
 * daemons starting together do not both migrate.
 *
 * Calls are synchronous, a round trip on the daemon's loop, but for the
 * ingest's rows and COMMIT: the rows' COPY is sent whole and its answer
 * (the server inserting them, most of a group commit's time) left pending
 * (store_pg_copy_sent); the COMMIT (store_commit_start) follows that
 * answer, sent with PQsendQuery, and each answer is
 * read when PQsocket() is readable, so the loop does not wait for the
 * server's WAL flush.  Meanwhile any other call first waits for that
 * answer (pg_idle).  Keep the database near (same machine or LAN).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "alertstore.h"
#include "store.h"
#include "retention_sql.h"
#include "seqmark.h"
#include "silences_sql.h"
#include "store_pg.h"
#include "store_views.h"

/* Seconds a (re)connection may take before the batch is answered RETRY. */
#define PG_CONNECT_TIMEOUT "5"
/* pg_advisory_lock keys: the active daemon's, and the migrations'. */
#define PG_LOCK_ACTIVE "7420001"
#define PG_LOCK_MIGRATE "7420002"

struct store_pg {
	struct store base;   /* first: the interface's handle */
	PGconn *conn;
	enum store_sync sync;
	int in_tx;
	int want_lock;       /* the active daemon: hold PG_LOCK_ACTIVE */
	int lost;            /* the lock went to another daemon */
	int uncertain;       /* a COMMIT's answer was lost with the connection */
	struct seqmark *marks; /* what this session knows of each client */
	char err[512];
	/* A COPY whose answer is not read yet (store_pg_copy_sent). */
	int copying;
	size_t copy_n;       /* the rows it must have put in */
	int copy_failed;     /* it did not: s->err says why, until rollback */
	/* A COMMIT in flight (store_commit_start), maybe behind that COPY. */
	int flight;          /* sent or due, its answer not read */
	int got;             /* its first result read, rc set */
	int rc;
	struct event *ev_sock; /* PQsocket() readable, while in flight */
	struct event *ev_done; /* an answer read by the gate, to give */
	store_commit_fn fn;  /* whom to answer; set until answered */
	void *fn_arg;
};

static struct store_pg *pg_idle(struct store_pg *s);
static void pg_rollback(struct store *base);

/* The handle of a store opened here, from the interface's: through the
 * busy gate, so that nothing is sent while a COMMIT's answer is due. */
#define PG(base) pg_idle((struct store_pg *)(base))

/* Each entry moves the schema from version i to i+1.  Never edit one that
 * has shipped: add a new one.  The same tables as SQLite's, in
 * PostgreSQL's types; a uint64 seq is stored as its int64 bits. */
static const char *const pg_migrations[] = {
	/* 0 -> 1: reports, corrections, alerts, probe: SQLite's 1 to 3. */
	"CREATE TABLE reports ("
	"  id bigserial PRIMARY KEY,"
	"  client text NOT NULL,"
	"  seq bigint NOT NULL,"
	"  task text NOT NULL,"
	"  unit text NOT NULL,"
	"  kind smallint NOT NULL CHECK (kind IN (1, 2)),"
	"  value bigint NOT NULL,"
	"  observed_at bigint NOT NULL,"
	"  received_at bigint NOT NULL,"
	"  reporter text NOT NULL DEFAULT '',"
	"  note text NOT NULL DEFAULT '',"
	"  voids_seq bigint,"
	"  void_reason text,"
	"  voided_by bigint,"
	"  voided_at bigint,"
	"  UNIQUE (client, seq)"
	");"
	"CREATE INDEX reports_pair ON reports (task, unit);"
	"CREATE TABLE alert_events ("
	"  seq bigint PRIMARY KEY,"
	"  id bigint NOT NULL,"
	"  transition text NOT NULL,"
	"  rule text NOT NULL,"
	"  severity text NOT NULL,"
	"  task text NOT NULL,"
	"  unit text NOT NULL,"
	"  rollup integer NOT NULL,"
	"  owner text NOT NULL,"
	"  actual text NOT NULL,"
	"  target text NOT NULL,"
	"  expected text NOT NULL,"
	"  lag text NOT NULL,"
	"  at bigint NOT NULL,"
	"  message text NOT NULL,"
	"  body bytea NOT NULL"
	");"
	"CREATE INDEX alert_events_subject ON alert_events (task, unit);"
	"CREATE TABLE alert_state ("
	"  task text NOT NULL,"
	"  unit text NOT NULL,"
	"  rollup integer NOT NULL,"
	"  rule text NOT NULL,"
	"  sev integer NOT NULL,"
	"  pend_sev integer NOT NULL,"
	"  pending_since bigint NOT NULL,"
	"  since bigint NOT NULL,"
	"  announced bigint NOT NULL,"
	"  id bigint NOT NULL,"
	"  last_seq bigint NOT NULL,"
	"  PRIMARY KEY (task, unit, rollup, rule)"
	");"
	"CREATE TABLE probe (id integer PRIMARY KEY CHECK (id = 1),"
	"  at bigint NOT NULL);",
	/* 1 -> 2: silences (silences_pg.c) and retention's way from an
	 * alert state to its latest event (retention_pg.c); migration 4 of
	 * store_sqlite.c. */
	"CREATE TABLE silences ("
	"  id bigserial PRIMARY KEY,"
	"  task text,"
	"  unit text,"
	"  until_at bigint NOT NULL,"
	"  reason text NOT NULL,"
	"  created_by text NOT NULL,"
	"  created_at bigint NOT NULL,"
	"  expired_by text,"
	"  expired_at bigint);"
	"CREATE INDEX alert_state_last ON alert_state (last_seq);",
};
#define PG_VERSION ((int)(sizeof pg_migrations / sizeof pg_migrations[0]))

/* Prepared on every (re)connection. */
static const struct {
	const char *name, *sql;
} pg_statements[] = {
	{ "insert",
	  "INSERT INTO reports (client, seq, task, unit, kind, value,"
	  " observed_at, received_at, reporter, note, voids_seq, void_reason)"
	  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
	  " ON CONFLICT (client, seq) DO NOTHING" },
	{ "exists", "SELECT 1 FROM reports WHERE client = $1 AND seq = $2" },
	{ "target", "SELECT task, unit, coalesce(voids_seq, 0),"
	  " coalesce(voided_by, 0) FROM reports WHERE client = $1 AND seq = $2" },
	{ "void", "UPDATE reports SET voided_by = $1, voided_at = $2"
	  " WHERE client = $3 AND seq = $4 AND voided_by IS NULL" },
};

static const struct store_ops pg_ops;

const char *
store_pg_errmsg(struct store *base)
{
	return PG(base)->err;
}

static const char *
pg_errmsg(const struct store *base)
{
	return ((const struct store_pg *)base)->err;
}

/* Records the error of a failed call: the server's message, one line. */
static int pg_ensure(struct store_pg *s);

static int
pg_fail(struct store_pg *s, const char *what, const PGresult *res)
{
	return store_pg_error(&s->base, what, res, s->err, sizeof s->err);
}

int
store_pg_error(struct store *base, const char *what, const PGresult *res,
               char *err, size_t n)
{
	/* No gate (PG): the gate itself reports through here. */
	struct store_pg *s = (struct store_pg *)base;
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	char last[sizeof s->err];
	size_t len;

	/* err may be s->err itself: its old text is copied out first. */
	snprintf(last, sizeof last, "%s", s->err);
	if (msg == NULL || *msg == '\0')
		msg = s->conn ? PQerrorMessage(s->conn) : NULL;
	if (msg == NULL || *msg == '\0')
		/* No result: the call never ran, for the reason the store
		 * gave (a reconnection that failed, the lock lost). */
		msg = res == NULL && last[0] ? last : "PostgreSQL error";
	snprintf(err, n, "%s: %s", what, msg);
	len = strlen(err);
	while (len > 0 && (err[len - 1] == '\n' || err[len - 1] == ' '))
		err[--len] = '\0';
	for (char *p = err; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return -1;
}

int
store_pg_fail(struct store *base, const char *what, const PGresult *res)
{
	return pg_fail(PG(base), what, res);
}

int
store_pg_seterr(struct store *base, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(PG(base)->err, sizeof PG(base)->err, fmt, ap);
	va_end(ap);
	return -1;
}

PGresult *
store_pg_exec(struct store *base, const char *sql, int n,
              const char *const *v, int format)
{
	if (pg_ensure(PG(base)) < 0)
		return NULL;
	return PQexecParams(PG(base)->conn, sql, n, NULL, v, NULL, NULL, format);
}

/* Runs sql and checks its status; the result is cleared.  0 or -1. */
static int
pg_exec(struct store_pg *s, const char *sql)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_fail(s, sql, res);
	PQclear(res);
	return rc;
}

/* 1 when the one-value query answered "t". -1 on failure. */
static int
pg_bool(struct store_pg *s, const char *sql)
{
	PGresult *res = PQexec(s->conn, sql);
	int rc;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = pg_fail(s, sql, res);
	else
		rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return rc;
}

static int
pg_migrate(struct store_pg *s)
{
	PGresult *res;
	int version = 0;
	char sql[96];

	if (pg_exec(s, "BEGIN") < 0)
		return -1;
	if (pg_exec(s, "SELECT pg_advisory_xact_lock(" PG_LOCK_MIGRATE ")") < 0 ||
	    pg_exec(s, "CREATE TABLE IF NOT EXISTS tiendo_schema"
	               " (version integer NOT NULL)") < 0)
		goto fail;
	res = PQexec(s->conn, "SELECT coalesce(max(version), 0) FROM tiendo_schema");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(s, "schema version", res);
		PQclear(res);
		goto fail;
	}
	version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (version > PG_VERSION) {
		snprintf(s->err, sizeof s->err, "database schema version %d is "
		         "newer than this tiendod (%d): upgrade tiendod", version,
		         PG_VERSION);
		goto fail;
	}
	for (; version < PG_VERSION; version++)
		if (pg_exec(s, pg_migrations[version]) < 0)
			goto fail;
	snprintf(sql, sizeof sql, "DELETE FROM tiendo_schema;"
	         " INSERT INTO tiendo_schema VALUES (%d)", PG_VERSION);
	if (pg_exec(s, sql) < 0 || pg_exec(s, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	PQclear(PQexec(s->conn, "ROLLBACK"));
	return -1;
}

/* What every new session needs: settings, statements, the lock. */
static int
pg_session(struct store_pg *s)
{
	PGresult *res;
	int held;

	/* Another daemon may have written while this session was not ours. */
	seqmark_clear(s->marks);
	if (s->sync == STORE_SYNC_NORMAL &&
	    pg_exec(s, "SET synchronous_commit = off") < 0)
		return -1;
	for (size_t i = 0; i < sizeof pg_statements / sizeof pg_statements[0]; i++) {
		res = PQprepare(s->conn, pg_statements[i].name,
		                pg_statements[i].sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			pg_fail(s, pg_statements[i].name, res);
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	if (!s->want_lock)
		return 0;
	held = pg_bool(s, "SELECT pg_try_advisory_lock(" PG_LOCK_ACTIVE ")");
	if (held < 0)
		return -1;
	if (!held) {
		/* Another tiendod took over while we were cut off: acking
		 * now could hand out alert seqs it hands out too. */
		s->lost = 1;
		snprintf(s->err, sizeof s->err, "another tiendod is active on "
		         "this database (it took the lock while we were cut "
		         "off); not writing");
		return -1;
	}
	return 0;
}

/* Reconnects after a lost connection.  0 or -1. */
static int
pg_ensure(struct store_pg *s)
{
	if (s->lost)
		return -1;
	if (PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	if (s->in_tx) {
		/* A new session would run the rest of the batch outside the
		 * transaction that held its first rows. */
		snprintf(s->err, sizeof s->err, "connection to the server lost "
		         "in a transaction");
		return -1;
	}
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return pg_fail(s, "reconnect", NULL);
	return pg_session(s);
}

static PGconn *
pg_connect(const char *conninfo)
{
	/* Keepalives: over TCP, a silent partition is noticed in about
	 * 10 + 3 * 3 s rather than the kernel's two hours.  The conninfo
	 * may override any of these. */
	const char *const keys[] = { "connect_timeout", "application_name",
	                             "keepalives_idle", "keepalives_interval",
	                             "keepalives_count", "dbname", NULL };
	const char *const vals[] = { PG_CONNECT_TIMEOUT, "tiendod", "10", "3",
	                             "3", conninfo, NULL };

	return PQconnectdbParams(keys, vals, 1);
}

struct store *
store_pg_open(const char *conninfo, enum store_sync sync, char **err)
{
	struct store_pg *s = calloc(1, sizeof *s);

	if (s == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	s->base.ops = &pg_ops;
	s->sync = sync;
	s->marks = seqmark_new();
	s->conn = pg_connect(conninfo);
	if (s->marks == NULL || s->conn == NULL) {
		snprintf(s->err, sizeof s->err, "libpq: out of memory");
		goto fail;
	}
	if (PQstatus(s->conn) != CONNECTION_OK) {
		pg_fail(s, "connect", NULL);
		goto fail;
	}
	/* Our own messages, not the server's locale: they go to our log. */
	PQsetErrorVerbosity(s->conn, PQERRORS_DEFAULT);
	if (pg_exec(s, "SET client_min_messages = warning") < 0 ||
	    pg_migrate(s) < 0 || pg_session(s) < 0)
		goto fail;
	return &s->base;
fail:
	*err = strdup(s->err[0] ? s->err : "cannot open the PostgreSQL store");
	store_close(&s->base);
	return NULL;
}

int
store_pg_lock(struct store *base, int wait)
{
	struct store_pg *s = PG(base);
	int held;

	if (pg_ensure(s) < 0)
		return -1;
	held = pg_bool(s, wait ? "SELECT pg_advisory_lock(" PG_LOCK_ACTIVE
	                         ") IS NOT NULL"
	                       : "SELECT pg_try_advisory_lock(" PG_LOCK_ACTIVE ")");
	if (held == 1) {
		/* A standby's marks are from before the active one's writes. */
		seqmark_clear(s->marks);
		s->want_lock = 1;
	}
	return held;
}

int
store_pg_lost(struct store *base)
{
	return PG(base)->lost;
}

int
store_pg_ready(struct store *base)
{
	return pg_ensure(PG(base));
}

void *
store_pg_conn(struct store *base)
{
	return PG(base)->conn;
}

struct seqmark *
store_pg_marks(struct store *base)
{
	return PG(base)->marks;
}

static void
pg_close(struct store *base)
{
	struct store_pg *s = PG(base);

	/* The gate read any answer in flight; nobody is left to give it to. */
	if (s->ev_done)
		event_free(s->ev_done);
	PQfinish(s->conn);
	seqmark_destroy(s->marks);
	free(s);
}

static int
pg_begin(struct store *base)
{
	struct store_pg *s = PG(base);

	s->copy_failed = 0;
	if (pg_ensure(s) < 0 || pg_exec(s, "BEGIN") < 0)
		return -1;
	s->in_tx = 1;
	return 0;
}

/* What the server answered to COMMIT.  0 or -1. */
static int
pg_commit_answer(struct store_pg *s, PGresult *res)
{
	/* A transaction that failed earlier "commits" as ROLLBACK. */
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		/* The server may have committed before the connection went. */
		s->uncertain |= PQstatus(s->conn) != CONNECTION_OK;
		return pg_fail(s, "commit", res);
	}
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		snprintf(s->err, sizeof s->err, "commit: the server rolled "
		         "the transaction back");
		return -1;
	}
	return 0;
}

/* A transaction that cannot commit: what it did wrong, kept in s->err.
 * COMMIT outside a transaction answers "COMMIT" too: the one we began must
 * still be there, on this session, and sound. */
static int
pg_tx_unsound(struct store_pg *s)
{
	if (s->copy_failed)
		return -1;
	if (!s->in_tx || PQtransactionStatus(s->conn) != PQTRANS_INTRANS) {
		s->in_tx = 0;
		snprintf(s->err, sizeof s->err, "commit: the transaction was "
		         "lost (connection reset or statement failed)");
		return -1;
	}
	return 0;
}

static int
pg_commit(struct store *base)
{
	struct store_pg *s = PG(base);
	PGresult *res;
	int rc = 0;

	if (pg_tx_unsound(s) < 0) {
		pg_rollback(base);
		return -1;
	}
	res = PQexec(s->conn, "COMMIT");
	rc = pg_commit_answer(s, res);
	PQclear(res);
	s->in_tx = 0;
	return rc;
}

/* Reads the answer of the pending COPY; wait = 1 blocks until it is
 * whole.  1 once it is (copy_failed set when the rows did not all go in),
 * 0 when more must come first. */
static int
pg_copy_read(struct store_pg *s, int wait)
{
	PGresult *res;

	if (!wait)
		PQconsumeInput(s->conn);
	if (!wait && PQisBusy(s->conn) && PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	res = PQgetResult(s->conn);
	s->copying = 0;
	/* A row stored already fails the COPY (the unique constraint): the
	 * caller decided wrong, and nothing of the batch may be
	 * acknowledged.  Counted all the same. */
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		s->copy_failed = 1;
		pg_fail(s, "insert", res);
	} else if (strtoull(PQcmdTuples(res), NULL, 10) != s->copy_n) {
		s->copy_failed = 1;
		snprintf(s->err, sizeof s->err, "insert: %s of %zu new reports "
		         "went in", PQcmdTuples(res), s->copy_n);
	}
	PQclear(res);
	while ((res = PQgetResult(s->conn)) != NULL)
		PQclear(res);
	return 1;
}

void
store_pg_copy_sent(struct store *base, size_t n)
{
	struct store_pg *s = (struct store_pg *)base;

	s->copying = 1;
	s->copy_n = n;
}

/* Sends the COMMIT of a flight whose COPY has answered; 0 or -1 (rc set:
 * the flight is over). */
static int
pg_commit_send(struct store_pg *s)
{
	/* COMMIT of a failed transaction answers ROLLBACK: the rows' error
	 * is the one to tell, and there is nothing to send. */
	if (pg_tx_unsound(s) < 0) {
		if (PQstatus(s->conn) == CONNECTION_OK)
			PQclear(PQexec(s->conn, "ROLLBACK"));
		s->in_tx = 0;
		s->got = 1;
		s->rc = -1;
		return -1;
	}
	s->in_tx = 0;
	/* Blocking mode: the few bytes of COMMIT are written whole here. */
	if (!PQsendQuery(s->conn, "COMMIT")) {
		/* Whether any of it reached the server is unknown when the
		 * connection went meanwhile. */
		s->uncertain |= PQstatus(s->conn) != CONNECTION_OK;
		s->got = 1;
		s->rc = pg_fail(s, "commit", NULL);
		return -1;
	}
	return 0;
}

/* Reads the answers of the flight (the COPY's, then the COMMIT's); wait =
 * 1 blocks until they are whole.  1 once they are (s->rc set, the
 * connection the loop's again), 0 when more must come first. */
static int
pg_commit_read(struct store_pg *s, int wait)
{
	PGresult *res;

	if (s->copying) {
		if (!pg_copy_read(s, wait))
			return 0;
		if (pg_commit_send(s) < 0)
			goto done;
	}
	/* A failed read leaves the connection bad: PQgetResult says why. */
	if (!wait)
		PQconsumeInput(s->conn);
	for (;;) {
		if (!wait && PQisBusy(s->conn) &&
		    PQstatus(s->conn) == CONNECTION_OK)
			return 0;
		if ((res = PQgetResult(s->conn)) == NULL)
			break;
		if (!s->got) {
			s->got = 1;
			s->rc = pg_commit_answer(s, res);
		}
		PQclear(res);
	}
	if (!s->got) {
		/* No answer at all: lost with the connection, after it went. */
		s->uncertain = 1;
		s->rc = pg_fail(s, "commit", NULL);
	}
done:
	s->copy_failed = 0;
	s->flight = 0;
	if (s->ev_sock)
		event_free(s->ev_sock);
	s->ev_sock = NULL;
	return 1;
}

static void
pg_answer(struct store_pg *s)
{
	store_commit_fn fn = s->fn;

	/* No event is left on a loop that may be freed before the store. */
	if (s->ev_done)
		event_free(s->ev_done);
	s->ev_done = NULL;
	s->fn = NULL;
	store_commit_answering(&s->base);
	if (fn)
		fn(s->fn_arg, s->rc);
	store_commit_answered(&s->base);
}

static void
pg_on_sock(evutil_socket_t fd, short what, void *arg)
{
	struct store_pg *s = arg;

	if (s->flight && pg_commit_read(s, 0))
		pg_answer(s);
}

/* The gate read the answer: it is given on the loop's next turn. */
static void
pg_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct store_pg *s = arg;

	if (!s->flight)
		pg_answer(s);
}

/* The busy gate: with a COMMIT in flight, waits for its answer, which is
 * then given to whom asked from the loop (ev_done), not from inside this
 * caller's call. */
static struct store_pg *
pg_idle(struct store_pg *s)
{
	if (s == NULL)
		return s;
	/* A COPY's answer alone, in the batch's transaction: read now, a
	 * failure kept for the commit (the statements between fail too). */
	if (s->copying && !s->flight)
		pg_copy_read(s, 1);
	if (!s->flight)
		return s;
	pg_commit_read(s, 1);
	event_active(s->ev_done, EV_TIMEOUT, 0);
	return s;
}

static int
pg_commit_start(struct store *base, struct event_base *evb,
                store_commit_fn fn, void *arg)
{
	struct store_pg *s = PG(base);

	if (s->fn != NULL) {
		snprintf(s->err, sizeof s->err, "commit: another commit is "
		         "still in flight");
		return -1;
	}
	/* As pg_commit: the transaction we began, on this session, sound
	 * (or its COPY's answer still to come). */
	if (!s->copying && pg_tx_unsound(s) < 0)
		return -1;
	/* Made now, so that the gate cannot fail to schedule the answer. */
	if ((s->ev_done = event_new(evb, -1, 0, pg_on_done, s)) == NULL) {
		snprintf(s->err, sizeof s->err, "commit: out of memory");
		return -1;
	}
	s->ev_sock = event_new(evb, PQsocket(s->conn), EV_READ | EV_PERSIST,
	                       pg_on_sock, s);
	if (s->ev_sock == NULL || event_add(s->ev_sock, NULL) < 0) {
		snprintf(s->err, sizeof s->err, "commit: cannot watch the "
		         "server's socket");
		goto fail;
	}
	/* Behind a COPY, the COMMIT goes once its answer is read. */
	if (!s->copying && pg_commit_send(s) < 0)
		goto fail;
	s->flight = 1;
	s->got = 0;
	s->fn = fn;
	s->fn_arg = arg;
	return 0;
fail:
	if (s->ev_sock)
		event_free(s->ev_sock);
	s->ev_sock = NULL;
	event_free(s->ev_done);
	s->ev_done = NULL;
	return -1;
}

static void
pg_commit_settle(struct store *base)
{
	struct store_pg *s = (struct store_pg *)base;

	if (s->fn == NULL)
		return;
	if (s->flight)
		pg_commit_read(s, 1);
	pg_answer(s);
}

static void
pg_rollback(struct store *base)
{
	struct store_pg *s = PG(base);

	/* Fails harmlessly with no transaction or no connection. */
	if (PQstatus(s->conn) == CONNECTION_OK)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	s->in_tx = 0;
	s->copy_failed = 0;
}

/* Runs a prepared statement with text parameters (NULL = SQL NULL). */
static PGresult *
pg_run(struct store_pg *s, const char *name, int n, const char *const *v)
{
	return PQexecPrepared(s->conn, name, n, v, NULL, NULL, 0);
}

static int
pg_insert(struct store *base, const struct store_report *r, int *is_new)
{
	struct store_pg *s = PG(base);
	char seq[24], kind[8], value[24], obs[24], rcv[24], vseq[24];
	const char *v[12];
	PGresult *res;
	int rc = 0;

	snprintf(seq, sizeof seq, "%" PRId64, (int64_t)r->seq);
	snprintf(kind, sizeof kind, "%d", r->kind);
	snprintf(value, sizeof value, "%" PRId64, (int64_t)r->value);
	snprintf(obs, sizeof obs, "%" PRId64, (int64_t)r->observed_at);
	snprintf(rcv, sizeof rcv, "%" PRId64, (int64_t)r->received_at);
	snprintf(vseq, sizeof vseq, "%" PRId64, (int64_t)r->voids_seq);
	v[0] = r->client; v[1] = seq; v[2] = r->task; v[3] = r->unit;
	v[4] = kind; v[5] = value; v[6] = obs; v[7] = rcv;
	v[8] = r->reporter; v[9] = r->note;
	v[10] = r->voids_seq ? vseq : NULL;
	v[11] = r->voids_seq ? (r->void_reason ? r->void_reason : "") : NULL;
	res = pg_run(s, "insert", 12, v);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(s, "insert", res);
	else {
		*is_new = strcmp(PQcmdTuples(res), "1") == 0;
		seqmark_raise(s->marks, r->client, (int64_t)r->seq);
	}
	PQclear(res);
	return rc;
}

/* Rare (a report that might not be counted): plain statements. */
static int
pg_mark(struct store *base, enum store_mark m)
{
	static const char *const sql[] = {
		[STORE_MARK_SET] = "SAVEPOINT one_report",
		[STORE_MARK_RELEASE] = "RELEASE SAVEPOINT one_report",
		[STORE_MARK_UNDO] = "ROLLBACK TO SAVEPOINT one_report",
	};

	return pg_exec(PG(base), sql[m]);
}

static int
pg_exists(struct store *base, const char *client, uint64_t seq, int *found)
{
	struct store_pg *s = PG(base);
	char q[24];
	const char *v[2] = { client, q };
	PGresult *res;
	int rc = 0;

	snprintf(q, sizeof q, "%" PRId64, (int64_t)seq);
	res = pg_run(s, "exists", 2, v);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_fail(s, "exists", res);
	else
		*found = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

static int
pg_target(struct store *base, const char *client, uint64_t seq,
          struct store_target *t, int *found)
{
	struct store_pg *s = PG(base);
	char q[24];
	const char *v[2] = { client, q };
	PGresult *res;

	snprintf(q, sizeof q, "%" PRId64, (int64_t)seq);
	res = pg_run(s, "target", 2, v);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(s, "target", res);
		PQclear(res);
		return -1;
	}
	*found = PQntuples(res) > 0;
	if (*found) {
		snprintf(t->task, sizeof t->task, "%s", PQgetvalue(res, 0, 0));
		snprintf(t->unit, sizeof t->unit, "%s", PQgetvalue(res, 0, 1));
		t->voids_seq = (uint64_t)strtoll(PQgetvalue(res, 0, 2), NULL, 10);
		t->voided_by = (uint64_t)strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	}
	PQclear(res);
	return 0;
}

static int
pg_void(struct store *base, const char *client, uint64_t seq, uint64_t by,
        when_t at)
{
	struct store_pg *s = PG(base);
	char b[24], a[24], q[24];
	const char *v[4] = { b, a, client, q };
	PGresult *res;
	int rc = 0;

	snprintf(b, sizeof b, "%" PRId64, (int64_t)by);
	snprintf(a, sizeof a, "%" PRId64, (int64_t)at);
	snprintf(q, sizeof q, "%" PRId64, (int64_t)seq);
	res = pg_run(s, "void", 4, v);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_fail(s, "void", res);
	else if (strcmp(PQcmdTuples(res), "1") != 0) {
		snprintf(s->err, sizeof s->err, "void: seq %llu not voidable",
		         (unsigned long long)seq);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static int
pg_probe(struct store *base, when_t now)
{
	struct store_pg *s = PG(base);
	char sql[128];

	snprintf(sql, sizeof sql, "INSERT INTO probe (id, at) VALUES (1, %lld)"
	         " ON CONFLICT (id) DO UPDATE SET at = excluded.at",
	         (long long)now);
	if (pg_begin(base) < 0)
		return -1;
	if (pg_exec(s, sql) < 0 || pg_commit(base) < 0) {
		pg_rollback(base);
		return -1;
	}
	return 0;
}

static int
pg_commit_uncertain(struct store *base)
{
	int u = PG(base)->uncertain;

	PG(base)->uncertain = 0;
	return u;
}

static int
pg_set_max_pages(struct store *base, int64_t n)
{
	if (n <= 0)
		return 0;
	snprintf(PG(base)->err, sizeof PG(base)->err, "max_page_count is "
	         "SQLite's; PostgreSQL's disk is the server's");
	return -1;
}

static int
pg_row_key(struct store *base, int64_t id, struct store_key *k)
{
	char v0[24];
	const char *v[1] = { v0 };
	PGresult *res;
	int rc = 0;

	memset(k, 0, sizeof *k);
	snprintf(v0, sizeof v0, "%" PRId64, id);
	res = store_pg_exec(base, "SELECT id, client, seq FROM reports"
	                    " WHERE id <= $1 ORDER BY id DESC LIMIT 1", 1, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = store_pg_fail(base, "row key", res);
	} else if (PQntuples(res) == 1) {
		k->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		snprintf(k->client, sizeof k->client, "%s",
		         PQgetvalue(res, 0, 1));
		k->seq = (uint64_t)strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	}
	PQclear(res);
	return rc;
}

static int64_t
pg_count(struct store *base)
{
	struct store_pg *s = PG(base);
	PGresult *res;
	int64_t n = -1;

	if (pg_ensure(s) < 0)
		return -1;
	res = PQexec(s->conn, "SELECT count(*) FROM reports");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		pg_fail(s, "count", res);
	PQclear(res);
	return n;
}

static struct alertstore *
pg_alerts_new(struct store *base, char **err)
{
	return alertstore_pg_new(base, err);
}

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.errmsg = pg_errmsg,
	.begin = pg_begin,
	.commit = pg_commit,
	.commit_start = pg_commit_start,
	.commit_settle = pg_commit_settle,
	.rollback = pg_rollback,
	.insert = pg_insert,
	.insert_many = store_pg_insert_many,
	.mark = pg_mark,
	.exists = pg_exists,
	.exists_many = store_pg_exists_many,
	.target = pg_target,
	.void_report = pg_void,
	.probe = pg_probe,
	.commit_uncertain = pg_commit_uncertain,
	.set_max_pages = pg_set_max_pages,
	.scan = store_pg_scan,
	.scan_tail = store_pg_scan_tail,
	.row_key = pg_row_key,
	.count = pg_count,
	.alerts_new = pg_alerts_new,
	.silences = &silences_sql_pg,
	.retention = &retention_sql_pg,
	.views = &store_views_pg,
};
