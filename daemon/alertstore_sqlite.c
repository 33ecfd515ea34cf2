/*
 * alertstore_sqlite.c - alert tables, SQLite room (alertstore.h).  The Alert is stored packed exactly as it
 * was published, so a snapshot or the history replays the very bytes a
 * live subscriber saw; the columns beside it are there to filter on and
 * for an operator with sqlite3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "alertstore.h"
#include "store_sqlite.h"

struct alertstore_sqlite {
	struct alertstore base; /* first: the interface's handle */
	struct store *store;
	sqlite3 *db;
	sqlite3_stmt *ins_event, *put_state, *del_state;
	char err[512];
};

static int
as_fail(struct alertstore_sqlite *as, const char *what)
{
	snprintf(as->err, sizeof as->err, "%s: %s", what, sqlite3_errmsg(as->db));
	return -1;
}

/* Through the store's busy gate (store_sqlite_db): no statement while the
 * commit thread commits on the connection. */
static struct alertstore_sqlite *
as_idle(struct alertstore_sqlite *as)
{
	if (as && as->store)
		store_sqlite_db(as->store);
	return as;
}
#define AS(base) as_idle((struct alertstore_sqlite *)(base))

static const char *
asq_errmsg(const struct alertstore *base)
{
	return ((const struct alertstore_sqlite *)base)->err;
}

static int
as_prepare(struct alertstore_sqlite *as, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v3(as->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	                       NULL) != SQLITE_OK)
		return as_fail(as, "prepare");
	return 0;
}

static const struct alertstore_ops asq_ops;
static void asq_free(struct alertstore *base);

struct alertstore *
alertstore_sqlite_new(struct store *store, char **err)
{
	struct alertstore_sqlite *as = calloc(1, sizeof *as);

	if (as == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	as->base.ops = &asq_ops;
	as->store = store;
	as->db = store_sqlite_db(store);
	if (as_prepare(as,
	        "INSERT INTO alert_events (seq, id, transition, rule, severity,"
	        " task, unit, rollup, owner, actual, target, expected, lag, at,"
	        " message, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	        &as->ins_event) < 0 ||
	    as_prepare(as,
	        "INSERT OR REPLACE INTO alert_state (task, unit, rollup, rule, sev,"
	        " pend_sev, pending_since, since, announced, id, last_seq)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?)", &as->put_state) < 0 ||
	    as_prepare(as,
	        "DELETE FROM alert_state WHERE task = ? AND unit = ? AND"
	        " rollup = ? AND rule = ?", &as->del_state) < 0) {
		*err = strdup(as->err);
		asq_free(&as->base);
		return NULL;
	}
	return &as->base;
}

static void
asq_free(struct alertstore *base)
{
	struct alertstore_sqlite *as = AS(base);
	if (as == NULL)
		return;
	sqlite3_finalize(as->ins_event);
	sqlite3_finalize(as->put_state);
	sqlite3_finalize(as->del_state);
	free(as);
}

static int
asq_last_seq(struct alertstore *base, uint64_t *seq)
{
	struct alertstore_sqlite *as = AS(base);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(as->db, "SELECT coalesce(max(seq), 0) FROM"
	                       " alert_events", -1, &st, NULL) != SQLITE_OK)
		return as_fail(as, "last seq");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : as_fail(as, "last seq");
}

static int
asq_states(struct alertstore *base, alertstore_state_fn fn, void *arg)
{
	struct alertstore_sqlite *as = AS(base);
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(as->db, "SELECT task, unit, rollup, rule, sev,"
	        " pend_sev, pending_since, since, announced, id, last_seq"
	        " FROM alert_state", -1, &st, NULL) != SQLITE_OK)
		return as_fail(as, "states");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct alertstore_state s = {
			.task = (const char *)sqlite3_column_text(st, 0),
			.unit = (const char *)sqlite3_column_text(st, 1),
			.rollup = sqlite3_column_int(st, 2),
			.rule = (const char *)sqlite3_column_text(st, 3),
			.st = {
				.sev = (uint8_t)sqlite3_column_int(st, 4),
				.pend_sev = (uint8_t)sqlite3_column_int(st, 5),
				.pending_since = sqlite3_column_int64(st, 6),
				.since = sqlite3_column_int64(st, 7),
				.announced = sqlite3_column_int64(st, 8),
				.id = (uint64_t)sqlite3_column_int64(st, 9),
				.last_seq = (uint64_t)sqlite3_column_int64(st, 10),
			},
		};
		if ((ret = fn(arg, &s)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = as_fail(as, "states");
	sqlite3_finalize(st);
	return ret;
}

static int
as_step(struct alertstore_sqlite *as, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : as_fail(as, what);
}

static int
as_exec(struct alertstore_sqlite *as, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(as->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(as->err, sizeof as->err, "%s: %s", sql,
		         msg ? msg : sqlite3_errmsg(as->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
asq_savepoint(struct alertstore *base)
{
	struct alertstore_sqlite *as = AS(base);
	return as_exec(as, "SAVEPOINT alerts");
}

static int
asq_release(struct alertstore *base)
{
	struct alertstore_sqlite *as = AS(base);
	return as_exec(as, "RELEASE alerts");
}

static void
asq_rollback_to(struct alertstore *base)
{
	struct alertstore_sqlite *as = AS(base);
	/* Harmless when there is no such savepoint (it never began). */
	sqlite3_exec(as->db, "ROLLBACK TO alerts", NULL, NULL, NULL);
	sqlite3_exec(as->db, "RELEASE alerts", NULL, NULL, NULL);
}

static int
asq_put_event(struct alertstore *base, const Tiendo__Alert *a,
                     const void *body, size_t len)
{
	struct alertstore_sqlite *as = AS(base);
	sqlite3_stmt *st = as->ins_event;

	/* The proto's numbers are the engine's (rules' one less). */
	sqlite3_bind_int64(st, 1, (sqlite3_int64)a->seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)a->id);
	sqlite3_bind_text(st, 3, rules_transition_name((enum rules_transition)a->transition), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rules_rule_name((enum rules_rule)(a->rule - 1)), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, rules_sev_name((enum rules_sev)a->severity), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->task, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, a->rollup);
	sqlite3_bind_text(st, 9, a->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, a->actual, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, a->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, a->expected, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, a->lag, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, a->at);
	sqlite3_bind_text(st, 15, a->message, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 16, body, (int)len, SQLITE_STATIC);
	return as_step(as, st, "insert alert event");
}

static int
asq_put_state(struct alertstore *base, const struct alertstore_state *s)
{
	struct alertstore_sqlite *as = AS(base);
	sqlite3_stmt *st;

	if (s->st.sev == SEV_NONE && s->st.pend_sev == SEV_NONE) {
		st = as->del_state;
		sqlite3_bind_text(st, 1, s->task, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->unit, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, s->rollup);
		sqlite3_bind_text(st, 4, s->rule, -1, SQLITE_STATIC);
		return as_step(as, st, "delete alert state");
	}
	st = as->put_state;
	sqlite3_bind_text(st, 1, s->task, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, s->rollup);
	sqlite3_bind_text(st, 4, s->rule, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, s->st.sev);
	sqlite3_bind_int(st, 6, s->st.pend_sev);
	sqlite3_bind_int64(st, 7, s->st.pending_since);
	sqlite3_bind_int64(st, 8, s->st.since);
	sqlite3_bind_int64(st, 9, s->st.announced);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)s->st.id);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)s->st.last_seq);
	return as_step(as, st, "write alert state");
}

static int
as_bodies(struct alertstore_sqlite *as, sqlite3_stmt *st, alertstore_body_fn fn,
          void *arg)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(arg, sqlite3_column_blob(st, 0),
		              (size_t)sqlite3_column_bytes(st, 0))) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE)
		ret = as_fail(as, "read alerts");
	sqlite3_finalize(st);
	return ret;
}

static int
asq_active(struct alertstore *base, alertstore_body_fn fn, void *arg)
{
	struct alertstore_sqlite *as = AS(base);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(as->db, "SELECT e.body FROM alert_state s"
	        " JOIN alert_events e ON e.seq = s.last_seq"
	        " WHERE s.sev > 0 AND s.rule <> 'done' ORDER BY e.seq",
	        -1, &st, NULL) != SQLITE_OK)
		return as_fail(as, "active alerts");
	return as_bodies(as, st, fn, arg);
}

static int
asq_history(struct alertstore *base, const struct alertstore_filter *f,
                   alertstore_body_fn fn, void *arg)
{
	struct alertstore_sqlite *as = AS(base);
	char sql[512];
	sqlite3_stmt *st;
	int i = 1;

	snprintf(sql, sizeof sql, "SELECT body FROM alert_events WHERE seq > ?"
	         "%s%s%s ORDER BY seq LIMIT ?",
	         f->task ? " AND task = ?" : "", f->unit ? " AND unit = ?" : "",
	         f->severity ? " AND severity = ?" : "");
	if (sqlite3_prepare_v2(as->db, sql, -1, &st, NULL) != SQLITE_OK)
		return as_fail(as, "history");
	sqlite3_bind_int64(st, i++, (sqlite3_int64)f->since);
	if (f->task)
		sqlite3_bind_text(st, i++, f->task, -1, SQLITE_STATIC);
	if (f->unit)
		sqlite3_bind_text(st, i++, f->unit, -1, SQLITE_STATIC);
	if (f->severity)
		sqlite3_bind_text(st, i++, f->severity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, f->limit > 0 ? f->limit : -1);
	return as_bodies(as, st, fn, arg);
}

static const struct alertstore_ops asq_ops = {
	.free = asq_free,
	.errmsg = asq_errmsg,
	.last_seq = asq_last_seq,
	.states = asq_states,
	.savepoint = asq_savepoint,
	.release = asq_release,
	.rollback_to = asq_rollback_to,
	.put_event = asq_put_event,
	.put_state = asq_put_state,
	.active = asq_active,
	.history = asq_history,
};
