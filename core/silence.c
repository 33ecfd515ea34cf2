/*
 * silence.c - matching events against silences (a unit covers the units
 * below it: plan_unit_within).
 */
#include "silence.h"

uint64_t
silence_covering(const struct plan *p, const struct silence *s, size_t n,
                 int task, int unit, when_t now)
{
	for (size_t i = 0; i < n; i++) {
		if (now >= s[i].until)
			continue;
		if (s[i].task >= 0 && s[i].task != task)
			continue;
		if (s[i].unit >= 0 && !plan_unit_within(p, unit, s[i].unit))
			continue;
		return s[i].id;
	}
	return 0;
}

int
silence_check(const struct silence *s, when_t now, const char **why)
{
	if (s->task < 0 && s->unit < 0) {
		*why = "a silence names a task, a unit or both (silencing "
		       "everything is turning alerts off)";
		return -1;
	}
	if (s->until <= now) {
		*why = "until is not in the future";
		return -1;
	}
	return 0;
}
