/*
 * rankview.c - the ranking an account may see (rankview.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rankview.h"

static int
rv_owned(void *arg, int task, int unit)
{
	const struct scope *s = arg;

	(void)unit;
	return s->owned[task];
}

static int
rv_cmp(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;
	const struct ranking_row *x = a, *y = b;
	int c = strcmp(p->units[x->unit].kind, p->units[y->unit].kind);

	if (c != 0)
		return c;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(p->units[x->unit].code, p->units[y->unit].code);
}

struct ranking_row *
rankview(const struct board *b, when_t now, const struct scope *s, size_t *n)
{
	const struct plan *p = b->plan;
	struct ranking_row *rows = calloc(2 * p->n_units + 1, sizeof *rows);
	struct ranking_row *more;
	size_t all, kept = 0, n_more;

	*n = 0;
	if (rows == NULL)
		return NULL;
	if (ranking_compute(b, now, NULL, NULL, rows, &all) < 0) {
		free(rows);
		return NULL;
	}
	if (s == NULL) {
		*n = all;
		return rows;
	}
	for (size_t i = 0; i < all; i++)
		if (s->units[rows[i].unit])
			rows[kept++] = rows[i];
	if (s->n_owned > 0) {
		more = rows + p->n_units;
		if (ranking_compute(b, now, rv_owned, (void *)s, more,
		                    &n_more) < 0) {
			free(rows);
			return NULL;
		}
		for (size_t i = 0; i < n_more; i++)
			if (!s->units[more[i].unit])
				rows[kept++] = more[i];
		qsort_r(rows, kept, sizeof *rows, rv_cmp, (void *)p);
	}
	*n = kept;
	return rows;
}
