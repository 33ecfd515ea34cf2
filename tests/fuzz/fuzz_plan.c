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
		plan_free(p);
	} else if (errs.n == 0) {
		abort(); /* refused without saying why */
	}
	plan_errors_clear(&errs);
	return 0;
}
