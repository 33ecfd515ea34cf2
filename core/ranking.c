/*
 * ranking.c - the emulation table (ranking.h).
 */
#include <stdlib.h>
#include <string.h>

#include "ranking.h"

static int
ranking_cmp(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;
	const struct ranking_row *x = a, *y = b;
	const struct plan_unit *ux = &p->units[x->unit];
	const struct plan_unit *uy = &p->units[y->unit];
	int c = strcmp(ux->kind, uy->kind);

	if (c != 0)
		return c;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(ux->code, uy->code);
}

/* For what must stay at or under its target (a ceiling, a level or a
 * rate held at_most: lower is better), 1 within it and target / actual
 * above it (0 above a target of 0), never the share of the ceiling used
 * up, which would put a commune without a forest fire last. */
double
ranking_ratio(const struct plan_task *t, const struct tally_view *v)
{
	int below = t->kind == PLAN_KIND_CEILING ||
	            ((t->kind == PLAN_KIND_LEVEL ||
	              (t->kind == PLAN_KIND_RATE && t->held)) && t->hold_below);

	if (!below)
		return v->percent / v->expected;
	if (v->actual <= v->target)
		return 1.0;
	return v->target > 0 ? (double)v->target / (double)v->actual : 0.0;
}

int
ranking_compute(const struct board *b, when_t now,
                int (*keep)(void *arg, int task, int unit), void *arg,
                struct ranking_row *rows, size_t *ranked)
{
	const struct plan *p = b->plan;
	size_t n = 0;
	double *sum = calloc(p->n_units + 1, sizeof *sum);
	struct ranking_row *acc = calloc(p->n_units + 1, sizeof *acc);

	if (sum == NULL || acc == NULL) {
		free(sum);
		free(acc);
		return -1;
	}
	for (size_t k = 0; k < p->n_targets; k++) {
		int u = p->targets[k].unit;
		struct tally_view v;
		double r;

		if (keep && !keep(arg, p->targets[k].task, u))
			continue;
		board_view(b, (int)k, now, &v);
		if (v.expected <= 0)
			continue;
		r = ranking_ratio(&p->tasks[p->targets[k].task], &v);
		sum[u] += r > RANKING_CAP ? RANKING_CAP : r < 0 ? 0 : r;
		acc[u].tasks++;
		acc[u].done += v.status == STATUS_DONE;
		acc[u].behind += v.status == STATUS_LAGGING ||
		                 v.status == STATUS_CRITICAL ||
		                 v.status == STATUS_OVERDUE ||
		                 v.status == STATUS_SILENT ||
		                 v.status == STATUS_MISSING;
	}
	for (size_t u = 0; u < p->n_units; u++) {
		if (acc[u].tasks == 0)
			continue;
		rows[n] = acc[u];
		rows[n].unit = (int)u;
		/* Rounded to 0.1 so that equal-looking scores rank equal. */
		rows[n].score = (double)(long long)(sum[u] / (double)acc[u].tasks *
		                                     1000 + 0.5) / 10;
		n++;
	}
	qsort_r(rows, n, sizeof *rows, ranking_cmp, (void *)p);
	for (size_t i = 0, first = 0; i < n; i++) {
		if (i == 0 || strcmp(p->units[rows[i].unit].kind,
		                     p->units[rows[i - 1].unit].kind) != 0)
			first = i;
		rows[i].rank = i > first && rows[i].score == rows[i - 1].score
		               ? rows[i - 1].rank : (int)(i - first) + 1;
	}
	free(sum);
	free(acc);
	*ranked = n;
	return 0;
}
