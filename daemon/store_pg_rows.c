/*
 * store_pg_rows.c - a group commit's rows as PostgreSQL array literals, one
 * per column, for a single INSERT ... SELECT FROM unnest(...) (store_pg.c's
 * insert_many): one round trip for a whole drain.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

static void
pg_put(struct store_pg_buf *b, const char *s, size_t n)
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

/* One element of a text[] literal: quoted, with " and \ escaped. */
static void
pg_put_text(struct store_pg_buf *b, const char *s, int first)
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

static void
pg_put_int(struct store_pg_buf *b, int64_t v, int first)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%s%" PRId64, first ? "{" : ",", v);

	pg_put(b, num, (size_t)n);
}

int
store_pg_columns(struct store_pg_buf *col, const struct store_report *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int first = i == 0;

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
	for (int c = 0; c < STORE_PG_COLS; c++) {
		pg_put(&col[c], "}", 1);
		if (col[c].failed)
			return -1;
	}
	return 0;
}

