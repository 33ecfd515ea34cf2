/*
 * rollcount.c - status counts per unit, bottom-up in one pass per task
 * (O(targets x depth)), like rollup.c.
 */
#include <stdlib.h>
#include <string.h>

#include "rollcount.h"

struct rollcount *
rollcount_new(const struct plan *p)
{
	struct rollcount *rc = calloc(1, sizeof *rc);

	if (rc == NULL)
		return NULL;
	rc->plan = p;
	rc->n = calloc(p->n_units ? p->n_units : 1, sizeof *rc->n);
	if (rc->n == NULL) {
		free(rc);
		return NULL;
	}
	return rc;
}

void
rollcount_free(struct rollcount *rc)
{
	if (rc == NULL)
		return;
	free(rc->n);
	free(rc);
}

void
rollcount_task(struct rollcount *rc, const struct board *b, int task,
               when_t now)
{
	const struct plan *p = rc->plan;

	memset(rc->n, 0, p->n_units * sizeof *rc->n);
	for (size_t i = plan_task_first_target(p, task);
	     i < p->n_targets && p->targets[i].task == task; i++) {
		struct tally_view v;
		size_t steps = 0;

		board_view(b, (int)i, now, &v);
		for (int u = p->targets[i].unit; u >= 0 && steps <= p->n_units;
		     u = p->units[u].parent, steps++)
			rc->n[u][v.status]++;
	}
}

const uint32_t *
rollcount_of(const struct rollcount *rc, int u)
{
	return rc->n[u];
}

enum tally_status
rollcount_status(enum tally_status own, const uint32_t *counts,
                 double critical_share)
{
	uint64_t all = 0, bad = (uint64_t)counts[STATUS_CRITICAL] +
	                        counts[STATUS_OVERDUE];

	if (critical_share <= 0 || (own != STATUS_ON_TRACK && own != STATUS_DONE))
		return own;
	for (int s = 0; s < STATUS_N; s++)
		all += counts[s];
	/* bad / all >= share, in integers where they are exact. */
	return all > 0 && (double)bad >= critical_share * (double)all
	       ? STATUS_LAGGING : own;
}
