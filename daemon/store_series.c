/*
 * store_series.c - one task's reports for the burn-up charts.
 */
#include <sqlite3.h>

#include "log.h"
#include "store_sqlite.h"
#include "store_series.h"

int
store_series_scan(struct store *s, const char *task, when_t until,
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
