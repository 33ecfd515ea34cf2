/*
 * store_list.c - see store_list.h.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "store_list.h"
#include "store_sqlite.h"

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

int
store_list(struct store *s, const struct store_list_filter *f,
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
