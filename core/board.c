/*
 * board.c - every tally of a plan, and the roll-ups up the unit tree.
 *
 * Roll-ups are not cached: the HTTP handlers ask for them on demand, and
 * a scan of one task's targets (at most one per unit) is cheaper than
 * keeping sums up to date on every report for every ancestor.
 */
#include <assert.h>
#include <stdlib.h>
#include <stdint.h>

#include "board.h"
#include "indicator.h"

struct board *
board_new(const struct plan *plan)
{
	struct board *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	/* calloc(0) may return NULL; one spare element keeps NULL an error. */
	b->tallies = calloc(plan->n_targets ? plan->n_targets : 1,
	                    sizeof(*b->tallies));
	b->task_abs = calloc(plan->n_tasks ? plan->n_tasks : 1,
	                     sizeof(*b->task_abs));
	if (b->tallies == NULL || b->task_abs == NULL) {
		free(b->tallies);
		free(b->task_abs);
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
	free(b->task_abs);
	free(b);
}

static uint64_t
board_abs(dec_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* TALLY_OK when `target` may hold t without its task's sum of |actual|
 * passing INT64_MAX. */
static enum tally_result
board_fits(const struct board *b, int target, const struct tally *t)
{
	int task = b->plan->targets[target].task;
	/* task_abs <= INT64_MAX and each term <= 2^63: no uint64 wrap. */
	uint64_t rest = b->task_abs[task] - board_abs(b->tallies[target].actual);

	return rest + board_abs(t->actual) > (uint64_t)INT64_MAX
	               ? TALLY_OVERFLOW : TALLY_OK;
}

enum tally_result
board_try(const struct board *b, int target, const struct tally_report *r,
          struct tally *out)
{
	enum tally_result rc;

	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	*out = b->tallies[target];
	if ((rc = tally_apply(out, r)) != TALLY_OK)
		return rc;
	return board_fits(b, target, out);
}

enum tally_result
board_try_fold(const struct board *b, int target, const struct tally_report *r,
               size_t n, struct tally *out)
{
	enum tally_result rc;

	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	if ((rc = tally_fold(out, r, n)) != TALLY_OK)
		return rc;
	return board_fits(b, target, out);
}

void
board_set(struct board *b, int target, const struct tally *t)
{
	int task;

	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	task = b->plan->targets[target].task;
	b->task_abs[task] -= board_abs(b->tallies[target].actual);
	b->task_abs[task] += board_abs(t->actual);
	b->tallies[target] = *t;
}

enum tally_result
board_apply(struct board *b, int target, const struct tally_report *r)
{
	struct tally t;
	enum tally_result rc = board_try(b, target, r, &t);

	if (rc == TALLY_OK)
		board_set(b, target, &t);
	return rc;
}

enum tally_result
board_refold(struct board *b, int target, const struct tally_report *r,
             size_t n)
{
	struct tally t;
	enum tally_result rc = board_try_fold(b, target, r, n, &t);

	if (rc == TALLY_OK)
		board_set(b, target, &t);
	return rc;
}

void
board_view(const struct board *b, int target, when_t now,
           struct tally_view *out)
{
	struct plan_task own;
	const struct plan_task *task;
	struct tally t;

	assert(target >= 0 && (size_t)target < b->plan->n_targets);
	/* the unit's own schedule, when its target line gives one */
	task = plan_target_task(b->plan, (size_t)target, &own);
	t = b->tallies[target];
	t.actual = indicator_value(task, t.actual);
	tally_view(&t, task, plan_target_value(b->plan, (size_t)target, now),
	           now, out);
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
	struct indicator_acc acc = { 0 };
	dec_t target = 0, value;
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

		if (unit >= 0 && !plan_unit_within(p, pt->unit, unit))
			continue;
		sum.actual = sat_add(sum.actual,
		                     indicator_value(&p->tasks[task], t->actual));
		sum.base = sat_add(sum.base, t->base); /* rates: ratio of sums */
		value = plan_target_value(p, i, now);
		target = sat_add(target, value);
		indicator_acc_add(&acc, &p->tasks[task], value, t->base,
		                  tally_has_value(t));
		if (t->last_report_at > sum.last_report_at)
			sum.last_report_at = t->last_report_at;
		n++;
	}
	if (n == 0)
		return -1;
	indicator_rollup(&p->tasks[task], n, &acc, &sum.actual, &target);
	tally_view(&sum, &p->tasks[task], target, now, out);
	if (n_units != NULL)
		*n_units = n;
	return 0;
}
