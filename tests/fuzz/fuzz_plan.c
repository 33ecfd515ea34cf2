/*
 * fuzz_plan - the plan parser (an INI file a clerk edits, and that
 * tiendo-ctl check reads from anywhere): any bytes give a plan or errors,
 * never a crash, a leak or undefined behaviour; and a plan it accepts is
 * consistent enough for the lookups the daemon makes.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "plan.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan_errors errs = { NULL, 0 };
	struct plan *p = plan_parse((const char *)data, size, "fuzz", &errs);

	if (p != NULL) {
		if (errs.n != 0)
			abort();
		for (size_t i = 0; i < p->n_units; i++)
			if (plan_unit_find(p, p->units[i].code) != (int)i)
				abort();
		for (size_t i = 0; i < p->n_targets; i++)
			if (plan_target_find(p, p->targets[i].task,
			                     p->targets[i].unit) != (int)i)
				abort();
		/* A unit's own schedule: its target points back at it, and
		 * its pace is one pacing_expected can walk. */
		for (size_t i = 0; i < p->n_schedules; i++) {
			const struct plan_schedule *s = &p->schedules[i];
			struct plan_task buf;
			const struct plan_task *t;

			if (s->target < 0 || (size_t)s->target >= p->n_targets ||
			    p->targets[s->target].schedule != (int)i + 1 ||
			    s->n_milestones == 0)
				abort();
			t = plan_target_task(p, (size_t)s->target, &buf);
			for (size_t k = 0; k < t->n_milestones; k++)
				if (t->milestones[k].at <= t->start ||
				    t->milestones[k].at >= t->deadline ||
				    !(t->milestones[k].percent > 0) ||
				    !(t->milestones[k].percent < 100) ||
				    (k > 0 && (t->milestones[k].at <=
				               t->milestones[k - 1].at ||
				               t->milestones[k].percent <=
				               t->milestones[k - 1].percent)))
					abort();
		}
		plan_free(p);
	} else if (errs.n == 0) {
		abort(); /* refused without saying why */
	}
	plan_errors_clear(&errs);
	return 0;
}
