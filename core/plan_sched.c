/*
 * plan_sched.c - a unit's own deadline, on its target line:
 *
 *   [targets ntm-nang-cao]
 *   hoang-dan = 1 by 2021-09-30   ; this commune by the end of September
 *   an-hoa = 1                    ; the others by the task's deadline
 *
 * The unit's view, status and alerts follow its deadline (pacing runs from
 * the task's start to it, through the milestones before it); roll-ups
 * follow the task's.  A bare date is the end of that day.
 */
#include <string.h>

#include "planb.h"

char *
planb_split_by(char *value)
{
	char *p = strstr(value, " by "), *date, *end;

	if (p == NULL)
		return NULL;
	date = p + 4;
	while (*date == ' ' || *date == '\t')
		date++;
	for (end = p; end > value && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	return date;
}

void
planb_check_schedules(struct build *b, const char *tz,
                      const struct plan_task *tasks)
{
	for (size_t i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];
		const char *why;

		if (t->by_text == NULL || t->task_i < 0)
			continue;
		if (t->from_text) {
			planb_errf(b, t->line, "a revision cannot move the "
			           "deadline of unit '%s'; put 'by DATE' on its "
			           "first line", t->unit);
			continue;
		}
		if (planb_parse_date(t->by_text, tz, 1, &t->by, &why) != 0) {
			planb_errf(b, t->line, "deadline '%s' of unit '%s' is not a "
			           "valid date (%s); write 'VALUE by YYYY-MM-DD'",
			           t->by_text, t->unit, why);
			continue;
		}
		if (t->by <= tasks[t->task_i].start)
			planb_errf(b, t->line, "deadline %s of unit '%s' is not "
			           "after the start of task '%s'", t->by_text,
			           t->unit, b->tasks[t->task_i].code);
	}
}
