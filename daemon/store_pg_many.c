/*
 * store_pg_many.c - a group commit's reports in two round trips on
 * PostgreSQL (store.h's exists_many and insert_many): which of them are
 * stored, in one SELECT over unnest(arrays); the new ones, in one INSERT
 * ... SELECT FROM unnest(arrays).  Every statement is a round trip to the
 * server, and a round trip per report is what kept ingest on PostgreSQL
 * far below what the server itself can take (issue 14).  The arrays travel
 * as text literals, one per column.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_pg.h"

/* The columns of a row as insert_many sends them (corrections, the only
 * rows with voids_seq, go one by one through store_insert). */
#define PG_COLS 10

/* A growing string: an array literal being written. */
struct pg_buf {
	char *p;
	size_t len, cap;
	int failed;          /* out of memory: the literal is not whole */
};

static void
pg_put(struct pg_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* One element of a text[] literal, quoted with " and \ escaped: braces,
 * commas, spaces and the word NULL then stand for themselves. */
static void
pg_put_text(struct pg_buf *b, const char *s, int first)
{
	pg_put(b, first ? "{\"" : ",\"", 2);
	for (const char *q = s; *q; q++) {
		size_t run = strcspn(q, "\"\\");

		pg_put(b, q, run);
		q += run;
		if (*q == '\0')
			break;
		pg_put(b, "\\", 1);
		pg_put(b, q, 1);
	}
	pg_put(b, "\"", 1);
}

/* A uint64 seq goes as its int64 bits, as every seq is stored. */
static void
pg_put_int(struct pg_buf *b, int64_t v, int first)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%s%" PRId64, first ? "{" : ",", v);

	pg_put(b, num, (size_t)n);
}

/* Closes the n array literals and points v[c] at each: -1 when one is not
 * whole (out of memory). */
static int
pg_end(struct pg_buf *col, int n, const char **v)
{
	for (int c = 0; c < n; c++) {
		pg_put(&col[c], "}", 1);
		if (col[c].failed)
			return -1;
		v[c] = col[c].p;
	}
	return 0;
}

int
store_pg_exists_many(struct store *s, const char *const *clients,
                     const uint64_t *seqs, size_t n, unsigned char *found)
{
	struct pg_buf col[2] = { { 0 } };
	const char *v[2];
	PGresult *res;
	int rc = -1;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		pg_put_text(&col[0], clients[i], i == 0);
		pg_put_int(&col[1], (int64_t)seqs[i], i == 0);
		found[i] = 0;
	}
	if (pg_end(col, 2, v) < 0) {
		store_pg_seterr(s, "exists: out of memory for %zu seqs", n);
		goto out;
	}
	/* The positions of the stored ones.  One index probe per pair, by
	 * construction: the LIMIT keeps the planner from turning it into a
	 * join that reads the whole table.  Planned anew each time, not
	 * prepared: a generic plan made while the table was nearly empty
	 * went on scanning it whole once it was not. */
	res = store_pg_exec(s, "SELECT q.i FROM unnest($1::text[],"
	                    " $2::bigint[]) WITH ORDINALITY AS q(client, seq, i),"
	                    " LATERAL (SELECT 1 FROM reports r"
	                    " WHERE r.client = q.client AND r.seq = q.seq"
	                    " LIMIT 1) AS stored", 2, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		store_pg_fail(s, "exists", res);
		PQclear(res);
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		long long at = strtoll(PQgetvalue(res, i, 0), NULL, 10);

		if (at < 1 || (unsigned long long)at > n) {
			store_pg_seterr(s, "exists: the server answered position "
			                "%lld of %zu", at, n);
			PQclear(res);
			goto out;
		}
		found[at - 1] = 1;
	}
	PQclear(res);
	rc = 0;
out:
	for (int c = 0; c < 2; c++)
		free(col[c].p);
	return rc;
}

int
store_pg_insert_many(struct store *s, const struct store_report *r, size_t n)
{
	struct pg_buf col[PG_COLS] = { { 0 } };
	const char *v[PG_COLS];
	PGresult *res = NULL;
	int rc = -1;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int first = i == 0;

		if (r[i].voids_seq != 0) {
			store_pg_seterr(s, "insert: report %llu is a correction; "
			                "corrections go one by one",
			                (unsigned long long)r[i].seq);
			goto out;
		}
		pg_put_text(&col[0], r[i].client, first);
		pg_put_int(&col[1], (int64_t)r[i].seq, first);
		pg_put_text(&col[2], r[i].task, first);
		pg_put_text(&col[3], r[i].unit, first);
		pg_put_int(&col[4], r[i].kind, first);
		pg_put_int(&col[5], r[i].value, first);
		pg_put_int(&col[6], r[i].observed_at, first);
		pg_put_int(&col[7], r[i].received_at, first);
		pg_put_text(&col[8], r[i].reporter, first);
		pg_put_text(&col[9], r[i].note, first);
	}
	if (pg_end(col, PG_COLS, v) < 0) {
		store_pg_seterr(s, "insert: out of memory for %zu rows", n);
		goto out;
	}
	if (store_pg_ready(s) < 0)
		goto out;
	res = PQexecPrepared(store_pg_conn(s), "insert_many", PG_COLS, v, NULL,
	                     NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		store_pg_fail(s, "insert", res);
		goto out;
	}
	/* A row stored already fails the statement (the unique constraint)
	 * before this: the caller decided wrong, and nothing of the batch
	 * may be acknowledged.  Counted all the same. */
	if (strtoull(PQcmdTuples(res), NULL, 10) != n) {
		store_pg_seterr(s, "insert: %s of %zu new reports went in",
		                PQcmdTuples(res), n);
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	for (int c = 0; c < PG_COLS; c++)
		free(col[c].p);
	return rc;
}
