/*
 * store_recent.c - the latest reports (store_recent.h).
 */
#include <sqlite3.h>
#include <stdio.h>

#include "log.h"
#include "store_recent.h"

int
store_recent(struct store *s, const char *unit, const char *task, int limit,
             store_scan_fn fn, void *arg)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	char sql[512];
	int rc, ret = 0, i = 1;

	snprintf(sql, sizeof sql,
	         "SELECT client, seq, task, unit, kind, value, observed_at,"
	         " received_at, reporter, note, coalesce(voids_seq, 0),"
	         " voided_by IS NOT NULL FROM reports WHERE 1%s%s"
	         " ORDER BY observed_at DESC, id DESC LIMIT ?",
	         unit ? " AND unit = ?" : "", task ? " AND task = ?" : "");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_err("store: recent reports: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (unit)
		sqlite3_bind_text(st, i++, unit, -1, SQLITE_STATIC);
	if (task)
		sqlite3_bind_text(st, i++, task, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, i, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_report r = {
			.client = (const char *)sqlite3_column_text(st, 0),
			.seq = (uint64_t)sqlite3_column_int64(st, 1),
			.task = (const char *)sqlite3_column_text(st, 2),
			.unit = (const char *)sqlite3_column_text(st, 3),
			.kind = sqlite3_column_int(st, 4),
			.value = sqlite3_column_int64(st, 5),
			.observed_at = sqlite3_column_int64(st, 6),
			.received_at = sqlite3_column_int64(st, 7),
			.reporter = (const char *)sqlite3_column_text(st, 8),
			.note = (const char *)sqlite3_column_text(st, 9),
			.voids_seq = (uint64_t)sqlite3_column_int64(st, 10),
			.void_reason = sqlite3_column_int(st, 11) ? "voided" : NULL,
		};
		if ((ret = fn(arg, &r)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		log_err("store: recent reports: %s", sqlite3_errmsg(db));
		ret = -1;
	}
	sqlite3_finalize(st);
	return ret;
}
