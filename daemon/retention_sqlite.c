/*
 * retention_sqlite.c - retention, SQLite room (retention_sql.h).
 */
#include <stdio.h>

#include <sqlite3.h>

#include "retention_sql.h"
#include "store_sqlite.h"

/* The WAL is truncated to this after a checkpoint resets it. */
#define RETENTION_WAL_LIMIT (64LL * 1024 * 1024)

static int
rs_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static int
rsl_prepare(struct store *s, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	char sql[128];

	snprintf(sql, sizeof sql, "PRAGMA journal_size_limit = %lld",
	         RETENTION_WAL_LIMIT);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return rs_fail(db, "retention: journal_size_limit", err, errlen);
	return 0;
}

static int
rsl_slice(struct store *s, uint64_t *cursor, size_t n, when_t cutoff,
          size_t *deleted, int *more, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *win = NULL, *del = NULL;
	uint64_t last = *cursor;
	when_t newest = 0;
	int rc, ret = -1;

	*deleted = 0;
	*more = 0;
	/* The window: the next n events, its last seq and its newest time. */
	if (sqlite3_prepare_v2(db, "SELECT max(seq), max(at), count(*) FROM"
	        " (SELECT seq, at FROM alert_events WHERE seq > ?"
	        "  ORDER BY seq LIMIT ?)", -1, &win, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM alert_events WHERE seq > ?"
	        " AND seq <= ? AND at < ? AND NOT EXISTS (SELECT 1 FROM"
	        " alert_state s WHERE s.last_seq = alert_events.seq)",
	        -1, &del, NULL) != SQLITE_OK) {
		rs_fail(db, "retention: prepare", err, errlen);
		goto out;
	}
	sqlite3_bind_int64(win, 1, (sqlite3_int64)*cursor);
	sqlite3_bind_int64(win, 2, (sqlite3_int64)n);
	if ((rc = sqlite3_step(win)) != SQLITE_ROW) {
		rs_fail(db, "retention: window", err, errlen);
		goto out;
	}
	if (sqlite3_column_int64(win, 2) == 0) {
		ret = 0; /* nothing after the cursor */
		goto out;
	}
	last = (uint64_t)sqlite3_column_int64(win, 0);
	newest = sqlite3_column_int64(win, 1);
	sqlite3_bind_int64(del, 1, (sqlite3_int64)*cursor);
	sqlite3_bind_int64(del, 2, (sqlite3_int64)last);
	sqlite3_bind_int64(del, 3, cutoff);
	if (sqlite3_step(del) != SQLITE_DONE) {
		rs_fail(db, "retention: delete", err, errlen);
		goto out;
	}
	*deleted = (size_t)sqlite3_changes(db);
	*cursor = last;
	*more = newest < cutoff;
	ret = 0;
out:
	sqlite3_finalize(win);
	sqlite3_finalize(del);
	return ret;
}

static int
rsl_checkpoint(struct store *s, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	                                   NULL, NULL);

	/* BUSY: a reader or the writer holds what it needs: next time. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return rs_fail(db, "retention: checkpoint", err, errlen);
	return 0;
}

const struct retention_sql_ops retention_sql_sqlite = {
	.prepare = rsl_prepare,
	.slice = rsl_slice,
	.checkpoint = rsl_checkpoint,
};
