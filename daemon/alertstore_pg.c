/*
 * alertstore_pg.c - alert tables, PostgreSQL room (alertstore.h): the same
 * rows as alertstore_sqlite.c's, on the store's session so that a batch's
 * alert events are in the batch's transaction.  The packed Alert travels
 * as binary (bytea), both ways.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "alertstore.h"
#include "store_pg.h"

struct alertstore_pg {
	struct alertstore base; /* first: the interface's handle */
	struct store *store;
	char err[512];
};

#define APG(base) ((struct alertstore_pg *)(base))

static PGconn *
apg_conn(struct alertstore_pg *as)
{
	return store_pg_conn(as->store);
}

static int
apg_fail(struct alertstore_pg *as, const char *what, const PGresult *res)
{
	return store_pg_error(as->store, what, res, as->err, sizeof as->err);
}

static const char *
apg_errmsg(const struct alertstore *base)
{
	return ((const struct alertstore_pg *)base)->err;
}

static void
apg_free(struct alertstore *base)
{
	free(base);
}

/* Runs a statement that returns no rows.  0 or -1. */
static int
apg_command(struct alertstore_pg *as, const char *what, const char *sql,
            int n, const char *const *v, const int *len, const int *fmt)
{
	PGresult *res = PQexecParams(apg_conn(as), sql, n, NULL, v, len, fmt, 0);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = apg_fail(as, what, res);
	PQclear(res);
	return rc;
}

static int
apg_last_seq(struct alertstore *base, uint64_t *seq)
{
	struct alertstore_pg *as = APG(base);
	PGresult *res = PQexec(apg_conn(as),
	                       "SELECT coalesce(max(seq), 0) FROM alert_events");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = apg_fail(as, "last seq", res);
	else
		*seq = (uint64_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

static int
apg_states(struct alertstore *base, alertstore_state_fn fn, void *arg)
{
	struct alertstore_pg *as = APG(base);
	PGresult *res = PQexec(apg_conn(as), "SELECT task, unit, rollup, rule,"
	        " sev, pend_sev, pending_since, since, announced, id, last_seq"
	        " FROM alert_state");
	int ret = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		apg_fail(as, "states", res);
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < PQntuples(res) && ret == 0; i++) {
		struct alertstore_state s = {
			.task = PQgetvalue(res, i, 0),
			.unit = PQgetvalue(res, i, 1),
			.rollup = atoi(PQgetvalue(res, i, 2)),
			.rule = PQgetvalue(res, i, 3),
			.st = {
				.sev = (uint8_t)atoi(PQgetvalue(res, i, 4)),
				.pend_sev = (uint8_t)atoi(PQgetvalue(res, i, 5)),
				.pending_since = strtoll(PQgetvalue(res, i, 6), NULL, 10),
				.since = strtoll(PQgetvalue(res, i, 7), NULL, 10),
				.announced = strtoll(PQgetvalue(res, i, 8), NULL, 10),
				.id = (uint64_t)strtoll(PQgetvalue(res, i, 9), NULL, 10),
				.last_seq = (uint64_t)strtoll(PQgetvalue(res, i, 10), NULL, 10),
			},
		};
		ret = fn(arg, &s);
	}
	PQclear(res);
	return ret;
}

static int
apg_savepoint(struct alertstore *base)
{
	return apg_command(APG(base), "savepoint", "SAVEPOINT alerts", 0, NULL,
	                   NULL, NULL);
}

static int
apg_release(struct alertstore *base)
{
	return apg_command(APG(base), "release", "RELEASE alerts", 0, NULL,
	                   NULL, NULL);
}

static void
apg_rollback_to(struct alertstore *base)
{
	/* Harmless when there is no such savepoint (it never began). */
	PQclear(PQexec(apg_conn(APG(base)), "ROLLBACK TO alerts"));
	PQclear(PQexec(apg_conn(APG(base)), "RELEASE alerts"));
}

static int
apg_put_event(struct alertstore *base, const Tiendo__Alert *a,
              const void *body, size_t len)
{
	char seq[24], id[24], rollup[16], at[24];
	const char *v[16] = {
		seq, id,
		rules_transition_name((enum rules_transition)a->transition),
		rules_rule_name((enum rules_rule)(a->rule - 1)),
		rules_sev_name((enum rules_sev)a->severity),
		a->task, a->unit, rollup, a->owner, a->actual, a->target,
		a->expected, a->lag, at, a->message, body,
	};
	int lens[16] = { [15] = (int)len };
	int fmts[16] = { [15] = 1 };

	snprintf(seq, sizeof seq, "%" PRId64, (int64_t)a->seq);
	snprintf(id, sizeof id, "%" PRId64, (int64_t)a->id);
	snprintf(rollup, sizeof rollup, "%d", (int)a->rollup);
	snprintf(at, sizeof at, "%" PRId64, (int64_t)a->at);
	return apg_command(APG(base), "insert alert event",
	        "INSERT INTO alert_events (seq, id, transition, rule, severity,"
	        " task, unit, rollup, owner, actual, target, expected, lag, at,"
	        " message, body) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,"
	        "$13,$14,$15,$16)", 16, v, lens, fmts);
}

static int
apg_put_state(struct alertstore *base, const struct alertstore_state *s)
{
	char rollup[16], sev[8], pend[8], ps[24], since[24], ann[24], id[24],
	     last[24];
	const char *v[11] = { s->task, s->unit, rollup, s->rule, sev, pend, ps,
	                      since, ann, id, last };

	snprintf(rollup, sizeof rollup, "%d", s->rollup);
	if (s->st.sev == SEV_NONE && s->st.pend_sev == SEV_NONE)
		return apg_command(APG(base), "delete alert state",
		        "DELETE FROM alert_state WHERE task = $1 AND unit = $2"
		        " AND rollup = $3 AND rule = $4", 4, v, NULL, NULL);
	snprintf(sev, sizeof sev, "%d", s->st.sev);
	snprintf(pend, sizeof pend, "%d", s->st.pend_sev);
	snprintf(ps, sizeof ps, "%" PRId64, (int64_t)s->st.pending_since);
	snprintf(since, sizeof since, "%" PRId64, (int64_t)s->st.since);
	snprintf(ann, sizeof ann, "%" PRId64, (int64_t)s->st.announced);
	snprintf(id, sizeof id, "%" PRId64, (int64_t)s->st.id);
	snprintf(last, sizeof last, "%" PRId64, (int64_t)s->st.last_seq);
	return apg_command(APG(base), "write alert state",
	        "INSERT INTO alert_state (task, unit, rollup, rule, sev,"
	        " pend_sev, pending_since, since, announced, id, last_seq)"
	        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"
	        " ON CONFLICT (task, unit, rollup, rule) DO UPDATE SET"
	        " sev = excluded.sev, pend_sev = excluded.pend_sev,"
	        " pending_since = excluded.pending_since,"
	        " since = excluded.since, announced = excluded.announced,"
	        " id = excluded.id, last_seq = excluded.last_seq",
	        11, v, NULL, NULL);
}

/* Runs a query whose one column is the packed Alert, in binary. */
static int
apg_bodies(struct alertstore_pg *as, const char *sql, int n,
           const char *const *v, alertstore_body_fn fn, void *arg)
{
	PGresult *res = PQexecParams(apg_conn(as), sql, n, NULL, v, NULL, NULL, 1);
	int ret = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		apg_fail(as, "read alerts", res);
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < PQntuples(res) && ret == 0; i++)
		ret = fn(arg, PQgetvalue(res, i, 0),
		         (size_t)PQgetlength(res, i, 0));
	PQclear(res);
	return ret;
}

static int
apg_active(struct alertstore *base, alertstore_body_fn fn, void *arg)
{
	return apg_bodies(APG(base), "SELECT e.body FROM alert_state s"
	        " JOIN alert_events e ON e.seq = s.last_seq"
	        " WHERE s.sev > 0 AND s.rule <> 'done' ORDER BY e.seq",
	        0, NULL, fn, arg);
}

static int
apg_history(struct alertstore *base, const struct alertstore_filter *f,
            alertstore_body_fn fn, void *arg)
{
	char sql[512], since[24], limit[24];
	const char *v[5] = { since };
	int i = 1;
	char t[8] = "", u[8] = "", s[8] = "";

	snprintf(since, sizeof since, "%" PRId64, (int64_t)f->since);
	if (f->task) {
		snprintf(t, sizeof t, "$%d", i + 1);
		v[i++] = f->task;
	}
	if (f->unit) {
		snprintf(u, sizeof u, "$%d", i + 1);
		v[i++] = f->unit;
	}
	if (f->severity) {
		snprintf(s, sizeof s, "$%d", i + 1);
		v[i++] = f->severity;
	}
	snprintf(limit, sizeof limit, "%" PRId64, f->limit > 0 ? f->limit
	                                                      : INT64_MAX);
	v[i++] = limit;
	snprintf(sql, sizeof sql, "SELECT body FROM alert_events WHERE seq > $1"
	         "%s%s%s%s%s%s ORDER BY seq LIMIT $%d",
	         f->task ? " AND task = " : "", t,
	         f->unit ? " AND unit = " : "", u,
	         f->severity ? " AND severity = " : "", s, i);
	return apg_bodies(APG(base), sql, i, v, fn, arg);
}

static const struct alertstore_ops apg_ops = {
	.free = apg_free,
	.errmsg = apg_errmsg,
	.last_seq = apg_last_seq,
	.states = apg_states,
	.savepoint = apg_savepoint,
	.release = apg_release,
	.rollback_to = apg_rollback_to,
	.put_event = apg_put_event,
	.put_state = apg_put_state,
	.active = apg_active,
	.history = apg_history,
};

struct alertstore *
alertstore_pg_new(struct store *store, char **err)
{
	struct alertstore_pg *as = calloc(1, sizeof *as);

	if (as == NULL) {
		*err = strdup("out of memory");
		return NULL;
	}
	as->base.ops = &apg_ops;
	as->store = store;
	return &as->base;
}
