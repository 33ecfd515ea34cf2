/*
 * retention_pg.c - retention, PostgreSQL room (retention_sql.h).  The same
 * bounded slices as SQLite's, in the caller's transaction; the index on
 * alert_state (last_seq) comes with the store's migrations (store_pg.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

#include "retention_sql.h"
#include "store_pg.h"

static int
rp_prepare(struct store *s, char *err, size_t errlen)
{
	(void)s;
	(void)err;
	(void)errlen;
	return 0; /* the index is migration 2 of store_pg.c; no WAL of ours */
}

static int
rp_slice(struct store *s, uint64_t *cursor, size_t n, when_t cutoff,
         size_t *deleted, int *more, char *err, size_t errlen)
{
	PGconn *conn = store_pg_conn(s);
	char c[24], lim[24], last[24], cut[24];
	const char *wv[2] = { c, lim }, *dv[3] = { c, last, cut };
	PGresult *res;
	when_t newest;

	*deleted = 0;
	*more = 0;
	snprintf(c, sizeof c, "%" PRId64, (int64_t)*cursor);
	snprintf(lim, sizeof lim, "%zu", n);
	snprintf(cut, sizeof cut, "%" PRId64, (int64_t)cutoff);
	/* The window: the next n events, its last seq and its newest time. */
	res = PQexecParams(conn, "SELECT max(seq), max(at), count(*) FROM"
	                   " (SELECT seq, at FROM alert_events WHERE seq > $1"
	                   "  ORDER BY seq LIMIT $2) w", 2, NULL, wv, NULL,
	                   NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		store_pg_error(s, "retention: window", res, err, errlen);
		PQclear(res);
		return -1;
	}
	if (strtoll(PQgetvalue(res, 0, 2), NULL, 10) == 0) {
		PQclear(res);
		return 0; /* nothing after the cursor */
	}
	snprintf(last, sizeof last, "%s", PQgetvalue(res, 0, 0));
	newest = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	res = PQexecParams(conn, "DELETE FROM alert_events e WHERE seq > $1"
	                   " AND seq <= $2 AND at < $3 AND NOT EXISTS (SELECT 1"
	                   " FROM alert_state s WHERE s.last_seq = e.seq)",
	                   3, NULL, dv, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		store_pg_error(s, "retention: delete", res, err, errlen);
		PQclear(res);
		return -1;
	}
	*deleted = (size_t)strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	*cursor = (uint64_t)strtoll(last, NULL, 10);
	*more = newest < cutoff;
	return 0;
}

/* The server checkpoints its own WAL (checkpoint_timeout, max_wal_size):
 * nothing to do from here. */
static int
rp_checkpoint(struct store *s, char *err, size_t errlen)
{
	(void)s;
	(void)err;
	(void)errlen;
	return 0;
}

const struct retention_sql_ops retention_sql_pg = {
	.prepare = rp_prepare,
	.slice = rp_slice,
	.checkpoint = rp_checkpoint,
};
