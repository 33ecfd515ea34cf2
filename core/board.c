/*
 * board.c - every tally of a plan, and the roll-ups up the unit tree.
 *
 * Roll-ups are not cached: the HTTP handlers ask for them on demand, and
 * a scan of one task's targets (at most one per unit) is cheaper than
 * keeping sums up to date on every report for every ancestor.
 */
#include <assert.h>
#include <stdlib.h>

#include "board.h"

struct board *
board_new(const struct plan *plan)
{
	struct board *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	/* calloc(0) may return NULL; one spare element keeps NULL an error. */
	b->tallies = calloc(plan->n_targets ? plan->n_targets : 1,
	                    sizeof(*b->tallies));
	if (b->tallies == NULL) {
		free(b);
		return NULL;
	}
	b->plan = plan;
	return b;
}

void
board_free(struct board *b)
{
	if (b == NULL)
		return;
	free(b->tallies);
	free(b);
}

enum tally_result
board_apply(struct board *b, int target, const struct tally_report *r)
{
	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	return tally_apply(&b->tallies[target], r);
}

enum tally_result
board_refold(struct board *b, int target, const struct tally_report *r,
             size_t n)
{
	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	return tally_fold(&b->tallies[target], r, n);
}

void
board_view(const struct board *b, int target, when_t now,
           struct tally_view *out)
{
	struct plan_task own;

	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	/* the unit's own schedule, when its target line gives one */
	tally_view(&b->tallies[target],
	           plan_target_task(b->plan, (size_t)target, &own),
	           plan_target_value(b->plan, (size_t)target, now), now, out);
}

/* plan_unit_within() without depending on plan.c.  The walk is bounded by
 * the number of units so that a cycle in a hand-built plan cannot hang. */
static int
unit_within(const struct plan *p, int u, int ancestor)
{
	size_t steps;

	for (steps = 0; u >= 0 && steps <= p->n_units; steps++) {
		if (u == ancestor)
			return 1;
		u = p->units[u].parent;
	}
	return 0;
}

/* a + b, pinned to the int64 range instead of wrapping: a roll-up that large
 * is nonsense already, but it must not turn negative. */
static dec_t
sat_add(dec_t a, dec_t b)
{
	dec_t r;

	if (dec_add(a, b, &r) == -1)
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/*
 * unit < 0 stands for the whole plan: a plan may have several roots (the
 * communes' tree and the departments), and the district-wide figure for a
 * task spans all of them.
 */
int
board_rollup(const struct board *b, int task, int unit, when_t now,
             struct tally_view *out, size_t *n_units)
{
	const struct plan *p = b->plan;
	struct tally sum;
	dec_t target = 0;
	size_t i, n = 0;

	if (n_units != NULL)
		*n_units = 0;
	if (task < 0 || (size_t)task >= p->n_tasks || unit >= (int)p->n_units)
		return -1;
	tally_init(&sum);
	for (i = plan_task_first_target(p, task);
	     i < p->n_targets && p->targets[i].task == task; i++) {
		const struct plan_target *pt = &p->targets[i];
		const struct tally *t = &b->tallies[i];

		if (unit >= 0 && !unit_within(p, pt->unit, unit))
			continue;
		sum.actual = sat_add(sum.actual, t->actual);
		sum.base = sat_add(sum.base, t->base); /* rates: ratio of sums */
		target = sat_add(target, plan_target_value(p, i, now));
		if (t->last_report_at > sum.last_report_at)
			sum.last_report_at = t->last_report_at;
		n++;
	}
	if (n == 0)
		return -1;
	tally_view(&sum, &p->tasks[task], target, now, out);
	if (n_units != NULL)
		*n_units = n;
	return 0;
}
