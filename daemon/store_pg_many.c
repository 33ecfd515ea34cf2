/*
 * store_pg_many.c - a group commit's reports in few round trips on
 * PostgreSQL (store.h's exists_many and insert_many).  Every statement is
 * a round trip to the server, and a round trip per report is what kept
 * ingest on PostgreSQL far below what the server itself can take (issue
 * 14).  Which reports are stored: only those at or below their client's
 * seq mark (seqmark.h) are asked about, in one SELECT over unnest(arrays),
 * the marks of clients not met yet in one more; in the steady state of
 * clients counting up, neither is sent.  The new rows go in by one COPY,
 * the server's fastest way in, the very one the bench's ceiling uses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "seqmark.h"
#include "store_pg.h"

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

/* Sorts client names, for the distinct ones. */
static int
pg_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Learns the marks of the clients among the n that have none yet: one
 * query, each client's max(seq) by the unique index (client, seq). */
static int
pg_learn_marks(struct store *s, struct seqmark *marks,
               const char *const *clients, size_t n)
{
	const char **want = malloc(n * sizeof *want);
	struct pg_buf col = { 0 };
	const char *v[1];
	size_t k = 0, u = 0;
	int64_t max;
	PGresult *res = NULL;
	int rc = -1;

	if (want == NULL)
		return store_pg_seterr(s, "exists: out of memory for %zu "
		                       "clients", n);
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || clients[i] != clients[i - 1]) &&
		    !seqmark_get(marks, clients[i], &max))
			want[k++] = clients[i];
	if (k == 0) {
		free(want);
		return 0;
	}
	qsort(want, k, sizeof *want, pg_cmp_str);
	for (size_t i = 0; i < k; i++)
		if (i == 0 || strcmp(want[i], want[i - 1]) != 0)
			pg_put_text(&col, want[i], u++ == 0);
	if (pg_end(&col, 1, v) < 0) {
		store_pg_seterr(s, "exists: out of memory for %zu clients", k);
		goto out;
	}
	res = store_pg_exec(s, "SELECT c.client, (SELECT max(r.seq) FROM"
	                    " reports r WHERE r.client = c.client)"
	                    " FROM unnest($1::text[]) AS c(client)", 1, v, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		store_pg_fail(s, "exists", res);
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		max = PQgetisnull(res, i, 1) ? SEQMARK_NONE
		    : strtoll(PQgetvalue(res, i, 1), NULL, 10);
		if (seqmark_set(marks, PQgetvalue(res, i, 0), max) < 0)
			break;       /* unknown still: asked about, as before */
	}
	rc = 0;
out:
	PQclear(res);
	free(col.p);
	free(want);
	return rc;
}

int
store_pg_exists_many(struct store *s, const char *const *clients,
                     const uint64_t *seqs, size_t n, unsigned char *found)
{
	struct seqmark *marks = store_pg_marks(s);
	struct pg_buf col[2] = { { 0 } };
	const char *v[2];
	size_t *at = NULL, k = 0;
	PGresult *res = NULL;
	int rc = -1;

	if (n == 0)
		return 0;
	if (store_pg_ready(s) < 0 || pg_learn_marks(s, marks, clients, n) < 0)
		return -1;
	at = malloc(n * sizeof *at);
	if (at == NULL)
		return store_pg_seterr(s, "exists: out of memory for %zu seqs",
		                       n);
	for (size_t i = 0; i < n; i++) {
		found[i] = 0;
		if (seqmark_above(marks, clients[i], (int64_t)seqs[i]))
			continue;
		pg_put_text(&col[0], clients[i], k == 0);
		pg_put_int(&col[1], (int64_t)seqs[i], k == 0);
		at[k++] = i;
	}
	if (k == 0) {
		rc = 0;
		goto out;
	}
	if (pg_end(col, 2, v) < 0) {
		store_pg_seterr(s, "exists: out of memory for %zu seqs", k);
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
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		long long pos = strtoll(PQgetvalue(res, i, 0), NULL, 10);

		if (pos < 1 || (unsigned long long)pos > k) {
			store_pg_seterr(s, "exists: the server answered position "
			                "%lld of %zu", pos, k);
			goto out;
		}
		found[at[pos - 1]] = 1;
	}
	rc = 0;
out:
	PQclear(res);
	for (int c = 0; c < 2; c++)
		free(col[c].p);
	free(at);
	return rc;
}

/* A text field in COPY's text format: backslash, tab, newline and return
 * escaped, so that no value can end its field or row early. */
static void
pg_copy_text(struct pg_buf *b, const char *s, const char *end)
{
	for (const char *q = s; *q; q++) {
		size_t run = strcspn(q, "\\\t\n\r");

		pg_put(b, q, run);
		q += run;
		if (*q == '\0')
			break;
		pg_put(b, *q == '\\' ? "\\\\" : *q == '\t' ? "\\t"
		          : *q == '\n' ? "\\n" : "\\r", 2);
	}
	pg_put(b, end, 1);
}

static void
pg_copy_int(struct pg_buf *b, int64_t v, const char *end)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%" PRId64 "%s", v, end);

	pg_put(b, num, (size_t)n);
}

/* One row, as COPY reports (client, seq, task, unit, kind, value,
 * observed_at, received_at, reporter, note) reads it. */
static void
pg_copy_row(struct pg_buf *b, const struct store_report *r)
{
	pg_copy_text(b, r->client, "\t");
	pg_copy_int(b, (int64_t)r->seq, "\t");
	pg_copy_text(b, r->task, "\t");
	pg_copy_text(b, r->unit, "\t");
	pg_copy_int(b, r->kind, "\t");
	pg_copy_int(b, r->value, "\t");
	pg_copy_int(b, r->observed_at, "\t");
	pg_copy_int(b, r->received_at, "\t");
	pg_copy_text(b, r->reporter, "\t");
	pg_copy_text(b, r->note, "\n");
}

/* Sends the rows in b by COPY inside the open transaction; n of them must
 * go in.  The answer (the server inserting them) is not waited for here:
 * store_pg_copy_sent.  0 or -1. */
static int
pg_copy(struct store *s, const struct pg_buf *b, size_t n)
{
	PGconn *c = store_pg_conn(s);
	PGresult *res = PQexec(c, "COPY reports (client, seq, task, unit,"
	                       " kind, value, observed_at, received_at,"
	                       " reporter, note) FROM STDIN");

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		store_pg_fail(s, "insert", res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	/* A COPY that cannot be sent whole is ended with an error, so that
	 * the session leaves COPY mode (the transaction is then failed). */
	if (PQputCopyData(c, b->p, (int)b->len) != 1) {
		store_pg_fail(s, "insert", NULL);
		(void)PQputCopyEnd(c, "tiendod: send failed");
	} else if (PQputCopyEnd(c, NULL) != 1) {
		store_pg_fail(s, "insert", NULL);
	} else {
		store_pg_copy_sent(s, n);
		return 0;
	}
	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
	return -1;
}

int
store_pg_insert_many(struct store *s, const struct store_report *r, size_t n)
{
	struct seqmark *marks = store_pg_marks(s);
	struct pg_buf b = { 0 };
	int rc = -1;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].voids_seq != 0) {
			store_pg_seterr(s, "insert: report %llu is a correction; "
			                "corrections go one by one",
			                (unsigned long long)r[i].seq);
			goto out;
		}
		pg_copy_row(&b, &r[i]);
	}
	if (b.failed) {
		store_pg_seterr(s, "insert: out of memory for %zu rows", n);
		goto out;
	}
	if (store_pg_ready(s) < 0 || pg_copy(s, &b, n) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		seqmark_raise(marks, r[i].client, (int64_t)r[i].seq);
	rc = 0;
out:
	free(b.p);
	return rc;
}
