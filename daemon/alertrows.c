/*
 * alertrows.c - stored alert events by seq (the primary key: one lookup
 * each, so a page costs its own size whatever the history holds).
 */
#include <stdio.h>

#include <sqlite3.h>

#include "alertrows.h"
#include "store_sqlite.h"

int
alertrows_by_seq(struct store *s, const uint64_t *seqs, size_t n,
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
