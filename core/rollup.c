/*
 * rollup.c - all roll-ups of a task, bottom-up in one pass.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicator.h"
#include "rollup.h"

struct rollup *
rollup_new(const struct plan *p)
{
	struct rollup *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->plan = p;
	r->cells = calloc(p->n_units ? p->n_units : 1, sizeof *r->cells);
	if (r->cells == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
rollup_free(struct rollup *r)
{
	if (r == NULL)
		return;
	free(r->cells);
	free(r);
}

/* Sums pinned to the int64 range: a roll-up that large is nonsense, but
 * it must not wrap negative. */
static dec_t
rollup_add(dec_t a, dec_t b)
{
	dec_t r;

	if (dec_add(a, b, &r) < 0)
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void
rollup_task(struct rollup *r, const struct board *b, int task, when_t at)
{
	const struct plan *p = r->plan;

	memset(r->cells, 0, p->n_units * sizeof *r->cells);
	for (size_t i = plan_task_first_target(p, task);
	     i < p->n_targets && p->targets[i].task == task; i++) {
		const struct tally *t = &b->tallies[i];
		dec_t value = plan_target_value(p, i, at);
		size_t steps = 0;

		/* The walk is bounded so that a malformed tree cannot hang it;
		 * plan_load refuses cycles. */
		for (int u = p->targets[i].unit; u >= 0 && steps <= p->n_units;
		     u = p->units[u].parent, steps++) {
			struct rollup_cell *c = &r->cells[u];
			c->sum.actual = rollup_add(c->sum.actual,
			                           indicator_value(&p->tasks[task],
			                                           t->actual));
			c->sum.base = rollup_add(c->sum.base, t->base);
			c->sum.n_reports += t->n_reports;
			if (t->last_report_at > c->sum.last_report_at)
				c->sum.last_report_at = t->last_report_at;
			c->target = rollup_add(c->target, value);
			indicator_acc_add(&c->acc, &p->tasks[task], value,
			                  t->base, tally_has_value(t));
			c->n++;
		}
	}
}

uint32_t
rollup_view(const struct rollup *r, int task, int u, when_t now,
            struct tally_view *out)
{
	const struct rollup_cell *c = &r->cells[u];
	const struct plan_task *t = &r->plan->tasks[task];
	struct tally sum = c->sum;
	dec_t target = c->target;

	if (c->n == 0)
		return 0;
	indicator_rollup(t, c->n, &c->acc, &sum.actual, &target);
	tally_view(&sum, t, target, now, out);
	return c->n;
}
