/*
 * store_views_pg.c - the views' reads, PostgreSQL room (store_views.h):
 * the same queries as store_views_sqlite.c's, parameters bound.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "store_pg.h"
#include "store_views.h"

/* The error of res (or of the connection) in err, one line.  -1. */

static int64_t
vp_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* "{1,2,3}": seqs as an array literal (a uint64 seq is stored as its
 * int64 bits).  malloc'd; NULL when out of memory. */
static char *
vp_array(const uint64_t *seqs, size_t n)
{
	size_t cap = n * 21 + 3, len = 0;
	char *a = malloc(cap);

	if (a == NULL)
		return NULL;
	a[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(a + len, cap - len, "%s%" PRId64,
		                        i ? "," : "", (int64_t)seqs[i]);
	snprintf(a + len, cap - len, "}");
	return a;
}

/* One query for the page, in the order asked (the primary key serves each
 * seq); the body comes back binary, as it was stored. */
static int
vp_alertrows(struct store *s, const uint64_t *seqs, size_t n,
             alertstore_body_fn fn, void *arg, char *err, size_t errlen)
{
	char *a;
	const char *v[1];
	PGresult *res;
	int ret = 0;

	if (n == 0)
		return 0;
	if ((a = vp_array(seqs, n)) == NULL) {
		snprintf(err, errlen, "alert events: out of memory");
		return -1;
	}
	v[0] = a;
	res = store_pg_exec(s, "SELECT e.body FROM unnest($1::bigint[]) WITH"
	              " ORDINALITY AS q(seq, i) JOIN alert_events e"
	              " ON e.seq = q.seq ORDER BY q.i", 1, v, 1);
	free(a);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = store_pg_error(s, "alert events", res, err, errlen);
	for (int i = 0; ret == 0 && i < PQntuples(res); i++)
		ret = fn(arg, PQgetvalue(res, i, 0),
		         (size_t)PQgetlength(res, i, 0));
	PQclear(res);
	return ret;
}

static void
vp_list_row(const PGresult *res, int i, struct store_list_row *row)
{
	row->id = vp_int(res, i, 0);
	row->r.client = PQgetvalue(res, i, 1);
	row->r.seq = (uint64_t)vp_int(res, i, 2);
	row->r.task = PQgetvalue(res, i, 3);
	row->r.unit = PQgetvalue(res, i, 4);
	row->r.kind = (int)vp_int(res, i, 5);
	row->r.value = vp_int(res, i, 6);
	row->r.observed_at = vp_int(res, i, 7);
	row->r.received_at = vp_int(res, i, 8);
	row->r.reporter = PQgetvalue(res, i, 9);
	row->r.note = PQgetvalue(res, i, 10);
	row->r.voids_seq = (uint64_t)vp_int(res, i, 11);  /* "" when NULL: 0 */
	row->r.void_reason = PQgetisnull(res, i, 12) ? NULL
	                     : PQgetvalue(res, i, 12);
	row->voided_by = (uint64_t)vp_int(res, i, 13);
	row->voided_at = vp_int(res, i, 14);
}

static int
vp_list(struct store *s, const struct store_list_filter *f, store_list_fn fn,
        void *arg, char *err, size_t n)
{
	char sql[512], after[24], before[24], lim[24], p[4][8];
	const char *v[5];
	PGresult *res;
	int k = 0, ret = 0;

	snprintf(after, sizeof after, "%" PRId64, f->after_id);
	snprintf(before, sizeof before, "%" PRId64, f->before_id);
	snprintf(lim, sizeof lim, "%" PRId64, f->limit);
	v[k++] = after;
	if (f->before_id > 0)
		v[k++] = before;
	snprintf(p[0], sizeof p[0], "$%d", k + 1);
	if (f->task)
		v[k++] = f->task;
	snprintf(p[1], sizeof p[1], "$%d", k + 1);
	if (f->unit)
		v[k++] = f->unit;
	snprintf(p[2], sizeof p[2], "$%d", k + 1);
	v[k++] = lim;
	/* reports_pair (task, unit) serves a pair; the id is the order. */
	snprintf(sql, sizeof sql,
	         "SELECT id, client, seq, task, unit, kind, value, observed_at,"
	         " received_at, reporter, note, voids_seq, void_reason,"
	         " voided_by, voided_at FROM reports WHERE id > $1%s%s%s%s%s"
	         " ORDER BY id%s LIMIT %s", f->before_id > 0 ? " AND id < $2" : "",
	         f->task ? " AND task = " : "", f->task ? p[0] : "",
	         f->unit ? " AND unit = " : "", f->unit ? p[1] : "",
	         f->newest ? " DESC" : "", p[2]);
	res = store_pg_exec(s, sql, k, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = store_pg_error(s, "list", res, err, n);
	for (int i = 0; ret == 0 && i < PQntuples(res); i++) {
		struct store_list_row row;

		vp_list_row(res, i, &row);
		ret = fn(arg, &row);
	}
	PQclear(res);
	return ret;
}

/* One task's reports for the burn-up charts, in one result: a chart's
 * history is held in memory once here, as the chart itself holds it. */
static int
vp_series(struct store *s, const char *task, when_t until,
          store_series_fn fn, void *arg)
{
	char u[24], err[512];
	const char *v[2] = { task, u };
	PGresult *res;
	int ret = 0;

	snprintf(u, sizeof u, "%" PRId64, (int64_t)until);
	/* reports_pair (task, unit) serves the WHERE. */
	res = store_pg_exec(s, "SELECT unit, client, seq, kind, value, observed_at,"
	              " coalesce(voided_at, 0) FROM reports WHERE task = $1"
	              " AND observed_at <= $2 AND voids_seq IS NULL", 2, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		store_pg_error(s, "series", res, err, sizeof err);
		log_err("store: series of %s: %s", task, err);
		PQclear(res);
		return -1;
	}
	for (int i = 0; ret == 0 && i < PQntuples(res); i++) {
		struct store_series_row r = {
			.unit = PQgetvalue(res, i, 0),
			.r = {
				.client_hash = tally_client_hash(
					PQgetvalue(res, i, 1)),
				.seq = (uint64_t)vp_int(res, i, 2),
				.kind = (enum report_kind)vp_int(res, i, 3),
				.value = vp_int(res, i, 4),
				.observed_at = vp_int(res, i, 5),
			},
			.voided_at = vp_int(res, i, 6),
		};
		ret = fn(arg, &r);
	}
	PQclear(res);
	return ret;
}

const struct store_views_ops store_views_pg = {
	.alertrows = vp_alertrows,
	.list = vp_list,
	.series = vp_series,
};
