/*
 * store_pg_many.c - one message's reports in two round trips on PostgreSQL
 * (store.h's exists_many and insert_many): which of them are stored, in
 * one SELECT ... = ANY(array); the new ones, in one INSERT ... SELECT FROM
 * unnest(arrays).  Every statement is a round trip to the server, and a
 * round trip per report is what kept ingest on PostgreSQL far below what
 * the server itself can take (issue 14).  The arrays travel as text
 * literals, one per column.
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

static int
pg_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
store_pg_exists_many(struct store *s, const char *client, const uint64_t *seqs,
                     size_t n, unsigned char *found)
{
	struct pg_buf a = { 0 };
	const char *v[2];
	PGresult *res;
	int64_t *got = NULL;
	int rc = -1, rows;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		pg_put_int(&a, (int64_t)seqs[i], i == 0);
	pg_put(&a, "}", 1);
	if (a.failed) {
		free(a.p);
		return store_pg_seterr(s, "exists: out of memory for %zu seqs",
		                       n);
	}
	v[0] = client;
	v[1] = a.p;
	/* Planned anew each time, not prepared: a prepared statement's
	 * generic plan, made while the table was nearly empty, scanned the
	 * whole table for ever after (5 to 10 ms a message at 200,000 rows,
	 * where the index answers in 0.2 ms). */
	res = store_pg_exec(s, "SELECT seq FROM reports"
	                    " WHERE client = $1 AND seq = ANY ($2::bigint[])",
	                    2, v, 0);
	free(a.p);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		store_pg_fail(s, "exists", res);
		goto out;
	}
	/* The stored ones, sorted, then each seq asked looked up in them:
	 * n log n for a message of up to LIMIT_BATCH_REPORTS. */
	rows = PQntuples(res);
	if (rows > 0 && (got = malloc((size_t)rows * sizeof *got)) == NULL) {
		store_pg_seterr(s, "exists: out of memory for %d rows", rows);
		goto out;
	}
	for (int i = 0; i < rows; i++)
		got[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	if (rows > 1)
		qsort(got, (size_t)rows, sizeof *got, pg_cmp_i64);
	for (size_t i = 0; i < n; i++) {
		int64_t q = (int64_t)seqs[i];

		found[i] = rows > 0 && bsearch(&q, got, (size_t)rows,
		                               sizeof *got, pg_cmp_i64) != NULL;
	}
	rc = 0;
out:
	free(got);
	PQclear(res);
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
	for (int c = 0; c < PG_COLS; c++) {
		pg_put(&col[c], "}", 1);
		if (col[c].failed) {
			store_pg_seterr(s, "insert: out of memory for %zu rows",
			                n);
			goto out;
		}
		v[c] = col[c].p;
	}
	if (store_pg_ready(s) < 0)
		goto out;
	res = PQexecPrepared(store_pg_conn(s), "insert_many", PG_COLS, v, NULL,
	                     NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		store_pg_fail(s, "insert", res);
		goto out;
	}
	/* ON CONFLICT DO NOTHING, then counted: a row that was stored
	 * already means the caller decided wrong, and nothing of the batch
	 * may be acknowledged. */
	if (strtoull(PQcmdTuples(res), NULL, 10) != n) {
		store_pg_seterr(s, "insert: %s of %zu new reports went in (some "
		                "were stored already)", PQcmdTuples(res), n);
		goto out;
	}
	rc = 0;
out:
	PQclear(res);
	for (int c = 0; c < PG_COLS; c++)
		free(col[c].p);
	return rc;
}
