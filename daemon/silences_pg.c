/*
 * silences_pg.c - silences, PostgreSQL room (silences_sql.h).  The table
 * comes with the store's migrations (store_pg.c); each write is one
 * statement, its own transaction, as on SQLite.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "silences_sql.h"
#include "store_pg.h"

static int
sp_insert(struct store *s, const struct silences_row *r, uint64_t *id,
          char *err, size_t errlen)
{
	char until[24], created[24];
	const char *v[6] = { r->task, r->unit, until, r->reason, r->by, created };
	PGresult *res;
	int rc = 0;

	snprintf(until, sizeof until, "%" PRId64, (int64_t)r->until);
	snprintf(created, sizeof created, "%" PRId64, (int64_t)r->created);
	res = store_pg_exec(s, "INSERT INTO silences (task, unit, until_at, reason,"
	              " created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
	              " RETURNING id", 6, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = store_pg_error(s, "silences: insert", res, err, errlen);
	else
		*id = (uint64_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return rc;
}

static int
sp_expire(struct store *s, uint64_t id, const char *by, when_t at, int *found,
          char *err, size_t errlen)
{
	char a[24], i[24];
	const char *v[3] = { by, a, i };
	PGresult *res;
	int rc = 0;

	snprintf(a, sizeof a, "%" PRId64, (int64_t)at);
	snprintf(i, sizeof i, "%" PRId64, (int64_t)id);
	res = store_pg_exec(s, "UPDATE silences SET expired_by = $1, expired_at = $2,"
	              " until_at = $2 WHERE id = $3 AND until_at > $2", 3, v, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = store_pg_error(s, "silences: expire", res, err, errlen);
	else
		*found = atoi(PQcmdTuples(res)) > 0;
	PQclear(res);
	return rc;
}

static const char *
sp_col(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int64_t
sp_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int
sp_list(struct store *s, int all, when_t now, silences_sql_fn fn, void *arg,
        char *err, size_t errlen)
{
	char n[24];
	const char *v[2] = { all ? "t" : "f", n };
	PGresult *res;
	int ret = 0;

	snprintf(n, sizeof n, "%" PRId64, (int64_t)now);
	res = store_pg_exec(s, "SELECT id, task, unit, until_at, reason, created_by,"
	              " created_at, expired_by, coalesce(expired_at, 0)"
	              " FROM silences WHERE $1::boolean OR until_at > $2"
	              " ORDER BY id", 2, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ret = store_pg_error(s, "silences: list", res, err, errlen);
		PQclear(res);
		return ret;
	}
	for (int i = 0; i < PQntuples(res) && ret == 0; i++) {
		struct silences_row r = {
			.id = (uint64_t)sp_int(res, i, 0),
			.task = sp_col(res, i, 1), .unit = sp_col(res, i, 2),
			.until = sp_int(res, i, 3),
			.reason = sp_col(res, i, 4), .by = sp_col(res, i, 5),
			.created = sp_int(res, i, 6),
			.expired_by = sp_col(res, i, 7),
			.expired_at = sp_int(res, i, 8),
		};
		ret = fn(arg, &r);
	}
	PQclear(res);
	return ret;
}

const struct silences_sql_ops silences_sql_pg = {
	.insert = sp_insert,
	.expire = sp_expire,
	.list = sp_list,
};
