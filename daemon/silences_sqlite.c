/*
 * silences_sqlite.c - silences, SQLite room (silences_sql.h).  Each write
 * is one statement, its own (durable) transaction.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "silences_sql.h"
#include "store_sqlite.h"

static int
ss_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "silences: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

static void
ss_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int
ssl_insert(struct store *s, const struct silences_row *r,
           uint64_t *id, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO silences (task, unit, until_at,"
	        " reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	        -1, &st, NULL) != SQLITE_OK)
		return ss_fail(db, "insert", err, errlen);
	ss_text(st, 1, r->task);
	ss_text(st, 2, r->unit);
	sqlite3_bind_int64(st, 3, r->until);
	ss_text(st, 4, r->reason);
	ss_text(st, 5, r->by);
	sqlite3_bind_int64(st, 6, r->created);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ss_fail(db, "insert", err, errlen);
	*id = (uint64_t)sqlite3_last_insert_rowid(db);
	return 0;
}

static int
ssl_expire(struct store *s, uint64_t id, const char *by, when_t at,
           int *found, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "UPDATE silences SET expired_by = ?,"
	        " expired_at = ?, until_at = ? WHERE id = ? AND until_at > ?",
	        -1, &st, NULL) != SQLITE_OK)
		return ss_fail(db, "expire", err, errlen);
	ss_text(st, 1, by);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)id);
	sqlite3_bind_int64(st, 5, at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ss_fail(db, "expire", err, errlen);
	*found = sqlite3_changes(db) > 0;
	return 0;
}

static const char *
ss_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int
ssl_list(struct store *s, int all, when_t now, silences_sql_fn fn,
         void *arg, char *err, size_t errlen)
{
	sqlite3 *db = store_sqlite_db(s);
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, task, unit, until_at, reason,"
	        " created_by, created_at, expired_by, expired_at FROM silences"
	        " WHERE ? OR until_at > ? ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return ss_fail(db, "list", err, errlen);
	sqlite3_bind_int(st, 1, all != 0);
	sqlite3_bind_int64(st, 2, now);
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct silences_row r = {
			.id = (uint64_t)sqlite3_column_int64(st, 0),
			.task = ss_col(st, 1), .unit = ss_col(st, 2),
			.until = sqlite3_column_int64(st, 3),
			.reason = ss_col(st, 4), .by = ss_col(st, 5),
			.created = sqlite3_column_int64(st, 6),
			.expired_by = ss_col(st, 7),
			.expired_at = sqlite3_column_int64(st, 8),
		};
		ret = fn(arg, &r);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = ss_fail(db, "list", err, errlen);
	sqlite3_finalize(st);
	return ret;
}

const struct silences_sql_ops silences_sql_sqlite = {
	.insert = ssl_insert,
	.expire = ssl_expire,
	.list = ssl_list,
};
