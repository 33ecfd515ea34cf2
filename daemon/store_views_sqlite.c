/*
 * store_views_sqlite.c - the views' reads, SQLite room (store_views.h).
 */
#include <stdio.h>

#include <sqlite3.h>

#include "log.h"
#include "store_sqlite.h"
#include "store_views.h"

/* Alert events by seq (the primary key: one lookup each, so a page costs
 * its own size whatever the history holds). */
static int
sv_alertrows(struct store *s, const uint64_t *seqs, size_t n,
             alertstore_body_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *st;
	int ret = 0, rc = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, "SELECT body FROM alert_events WHERE seq = ?",
	                       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "alert events: %s", sqlite3_errmsg(db));
		return -1;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)seqs[i]);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			ret = fn(arg, sqlite3_column_blob(st, 0),
			         (size_t)sqlite3_column_bytes(st, 0));
			rc = SQLITE_DONE;
		} else if (rc != SQLITE_DONE) {
			break;
		}
		sqlite3_reset(st);
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		snprintf(err, errlen, "alert events: %s", sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? s : "";
}

static void
store_list_row(sqlite3_stmt *st, struct store_list_row *row)
{
	row->id = sqlite3_column_int64(st, 0);
	row->r.client = col_text(st, 1);
	row->r.seq = (uint64_t)sqlite3_column_int64(st, 2);
	row->r.task = col_text(st, 3);
	row->r.unit = col_text(st, 4);
	row->r.kind = sqlite3_column_int(st, 5);
	row->r.value = sqlite3_column_int64(st, 6);
	row->r.observed_at = sqlite3_column_int64(st, 7);
	row->r.received_at = sqlite3_column_int64(st, 8);
	row->r.reporter = col_text(st, 9);
	row->r.note = col_text(st, 10);
	row->r.voids_seq = (uint64_t)sqlite3_column_int64(st, 11);
	row->r.void_reason = sqlite3_column_type(st, 12) == SQLITE_NULL
	                     ? NULL : col_text(st, 12);
	row->voided_by = (uint64_t)sqlite3_column_int64(st, 13);
	row->voided_at = sqlite3_column_int64(st, 14);
}

static int
sv_list(struct store *s, const struct store_list_filter *f,
        store_list_fn fn, void *arg, char *err, size_t n)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *st;
	char sql[512];
	int rc, ret = 0, i = 1;

	/* reports_pair (task, unit) serves a pair; the id is the order. */
	snprintf(sql, sizeof sql,
	         "SELECT id, client, seq, task, unit, kind, value, observed_at,"
	         " received_at, reporter, note, voids_seq, void_reason,"
	         " voided_by, voided_at FROM reports WHERE id > ?%s%s%s"
	         " ORDER BY id%s LIMIT ?", f->before_id > 0 ? " AND id < ?" : "",
	         f->task ? " AND task = ?" : "", f->unit ? " AND unit = ?" : "",
	         f->newest ? " DESC" : "");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, n, "list: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_int64(st, i++, f->after_id);
	if (f->before_id > 0)
		sqlite3_bind_int64(st, i++, f->before_id);
	if (f->task)
		sqlite3_bind_text(st, i++, f->task, -1, SQLITE_STATIC);
	if (f->unit)
		sqlite3_bind_text(st, i++, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, i++, f->limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_list_row row;

		store_list_row(st, &row);
		if ((ret = fn(arg, &row)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		snprintf(err, n, "list: %s", sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

/* One task's reports for the burn-up charts. */
static int
sv_series(struct store *s, const char *task, when_t until,
          store_series_fn fn, void *arg)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *st;
	int rc, ret = 0;

	/* reports_pair (task, unit) serves the WHERE. */
	if (sqlite3_prepare_v2(db,
	        "SELECT unit, client, seq, kind, value, observed_at,"
	        " coalesce(voided_at, 0) FROM reports"
	        " WHERE task = ?1 AND observed_at <= ?2 AND voids_seq IS NULL",
	        -1, &st, NULL) != SQLITE_OK) {
		log_err("store: series of %s: %s", task, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, task, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_series_row r = {
			.unit = (const char *)sqlite3_column_text(st, 0),
			.r = {
				.client_hash = tally_client_hash(
					(const char *)sqlite3_column_text(st, 1)),
				.seq = (uint64_t)sqlite3_column_int64(st, 2),
				.kind = (enum report_kind)sqlite3_column_int(st, 3),
				.value = sqlite3_column_int64(st, 4),
				.observed_at = sqlite3_column_int64(st, 5),
			},
			.voided_at = sqlite3_column_int64(st, 6),
		};
		if ((ret = fn(arg, &r)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		log_err("store: series of %s: %s", task, sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}

const struct store_views_ops store_views_sqlite = {
	.alertrows = sv_alertrows,
	.list = sv_list,
	.series = sv_series,
};
