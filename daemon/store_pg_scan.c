/*
 * store_pg_scan.c - store.h's scan on PostgreSQL: the reports a fold
 * reads, streamed by COPY (SELECT ...) TO STDOUT.
 *
 * A standby that takes over rebuilds its tallies from every stored report
 * before it answers (issue 14: within 5 s at a million), and so does every
 * start.  A cursor FETCHed in pages made the server and the daemon take
 * turns, each idle while the other worked, and sent every column; COPY
 * streams while the daemon folds, and only the columns a fold reads go.
 * COPY takes no parameters, hence the literals below, quoted by libpq.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"

/* The columns read, in this order; a row is these fields, tab-separated.
 * voids_seq is 0 but for the corrections a tail (store_scan_tail) reads. */
#define PG_SCAN_COLS "client, seq, task, unit, kind, value, observed_at," \
                     " coalesce(voids_seq, 0)"
#define PG_SCAN_NCOLS 8

/* Undoes COPY's text escapes in place (\\, \t, \n, \r, \b, \f, \v: what
 * the server writes).  Field f ends at its tab or the line's end. */
static char *
pg_unescape(char *f)
{
	char *r = f, *w = f;
	static const char from[] = "tnrbfv", to[] = "\t\n\r\b\f\v";

	for (; *r; r++) {
		const char *k;

		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r;
			continue;
		}
		r++;
		k = strchr(from, *r);
		*w++ = k ? to[k - from] : *r;
	}
	*w = '\0';
	return f;
}

/* Splits one row (without its newline) into its fields and calls fn.
 * fn's value, or -1 (the store's error set) when the row is not the shape
 * asked for. */
static int
pg_scan_line(struct store *s, char *line, store_scan_fn fn, void *arg)
{
	char *f[PG_SCAN_NCOLS];
	int n = 0;

	for (char *p = line; n < PG_SCAN_NCOLS; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (p == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n != PG_SCAN_NCOLS)
		return store_pg_seterr(s, "scan: a row with %d of the %d columns "
		                       "asked for", n, PG_SCAN_NCOLS);
	struct store_report r = {
		.client = pg_unescape(f[0]),
		.seq = (uint64_t)strtoll(f[1], NULL, 10),
		.task = pg_unescape(f[2]),
		.unit = pg_unescape(f[3]),
		.kind = atoi(f[4]),
		.value = strtoll(f[5], NULL, 10),
		.observed_at = strtoll(f[6], NULL, 10),
		.voids_seq = (uint64_t)strtoll(f[7], NULL, 10),
		.reporter = "",
		.note = "",
	};
	return fn(arg, &r);
}

/* The query, with task and unit as quoted literals.  NULL: out of memory
 * or an encoding libpq refuses (the reason in the store's error). */
static char *
pg_scan_sql(struct store *s, PGconn *c, const char *task, const char *unit,
            when_t until)
{
	char *t = task ? PQescapeLiteral(c, task, strlen(task)) : NULL;
	char *u = unit ? PQescapeLiteral(c, unit, strlen(unit)) : NULL;
	char *sql = NULL;

	if ((task && t == NULL) || (unit && u == NULL))
		store_pg_fail(s, "scan", NULL);
	else if (asprintf(&sql, "COPY (SELECT " PG_SCAN_COLS " FROM reports"
	                  " WHERE observed_at <= %" PRId64 " AND voids_seq IS"
	                  " NULL AND (voided_at IS NULL OR voided_at > %" PRId64
	                  ")%s%s%s%s ORDER BY id) TO STDOUT", (int64_t)until,
	                  (int64_t)until, t ? " AND task = " : "", t ? t : "",
	                  u ? " AND unit = " : "", u ? u : "") < 0) {
		sql = NULL;
		store_pg_seterr(s, "scan: out of memory");
	}
	PQfreemem(t);
	PQfreemem(u);
	return sql;
}

/* Reads the COPY's rows to its end, calling fn until it says stop (the
 * rest is read and dropped: the session must come out of COPY).  fn's
 * value, 0, or -1 on an error. */
static int
pg_scan_read(struct store *s, PGconn *c, store_scan_fn fn, void *arg)
{
	char *line;
	int len, ret = 0;
	PGresult *res;

	while ((len = PQgetCopyData(c, &line, 0)) > 0) {
		if (ret == 0) {
			if (line[len - 1] == '\n')
				line[len - 1] = '\0';
			ret = pg_scan_line(s, line, fn, arg);
		}
		PQfreemem(line);
	}
	/* -2: the COPY failed; its result says why, and must be read. */
	if (len == -2 && ret == 0)
		ret = store_pg_fail(s, "scan", NULL);
	res = PQgetResult(c);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0)
		ret = store_pg_fail(s, "scan", res);
	PQclear(res);
	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
	return ret;
}

/* Runs sql, checking it is a command; 0 or -1. */
static int
pg_scan_exec(struct store *s, PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0
	       : store_pg_fail(s, "scan", res);

	PQclear(res);
	return rc;
}

/* Runs the COPY sql (freed here) of PG_SCAN_COLS rows.  Inside the
 * caller's transaction when there is one (a recount sees the batch's own
 * rows), else in a read-only one of its own. */
static int
pg_scan_copy(struct store *s, PGconn *c, char *sql, store_scan_fn fn,
             void *arg)
{
	int own = PQtransactionStatus(c) == PQTRANS_IDLE, ret;
	PGresult *res;

	if (own && pg_scan_exec(s, c, "BEGIN READ ONLY") < 0) {
		free(sql);
		return -1;
	}
	res = PQexec(c, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		ret = store_pg_fail(s, "scan", res);
		PQclear(res);
	} else {
		PQclear(res);
		ret = pg_scan_read(s, c, fn, arg);
	}
	if (own && ret == -1)
		PQclear(PQexec(c, "ROLLBACK"));   /* the first error stands */
	else if (own && pg_scan_exec(s, c, "COMMIT") < 0)
		ret = -1;
	return ret;
}

int
store_pg_scan(struct store *s, const char *task, const char *unit,
              when_t until, store_scan_fn fn, void *arg)
{
	PGconn *c;
	char *sql;

	if (store_pg_ready(s) < 0)
		return -1;
	c = store_pg_conn(s);
	if ((sql = pg_scan_sql(s, c, task, unit, until)) == NULL)
		return -1;
	return pg_scan_copy(s, c, sql, fn, arg);
}

int
store_pg_scan_tail(struct store *s, int64_t after, store_scan_fn fn,
                   void *arg)
{
	char *sql;

	if (store_pg_ready(s) < 0)
		return -1;
	if (asprintf(&sql, "COPY (SELECT " PG_SCAN_COLS " FROM reports"
	             " WHERE id > %" PRId64 " AND (voids_seq IS NOT NULL"
	             " OR voided_at IS NULL) ORDER BY id) TO STDOUT",
	             after) < 0)
		return store_pg_seterr(s, "scan: out of memory");
	return pg_scan_copy(s, store_pg_conn(s), sql, fn, arg);
}
