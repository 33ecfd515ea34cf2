/*
 * plan_revise.c - revised targets (điều chỉnh chỉ tiêu):
 *
 *   [targets trong-cay]
 *   hoang-dan = 12000                 ; the target first given
 *   hoang-dan = 6000 from 2021-06-01  ; revised, in force from that day
 *
 * A revision takes effect from its date (a bare date is the local midnight
 * that starts it): a view of an earlier instant keeps the target it had,
 * so a reload that adds a revision never rewrites the past.  The plan keeps
 * every revision, in date order, for the history.
 */
#include <stdlib.h>
#include <string.h>

#include "planb.h"

char *
planb_split_from(char *value)
{
	char *p;

	/* " from " after the number; the number itself has no spaces */
	for (p = strstr(value, " from "); p; p = strstr(p + 1, " from ")) {
		char *date = p + 6, *end = p;

		while (*date == ' ' || *date == '\t')
			date++;
		while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		return date;
	}
	return NULL;
}

void
planb_check_revisions(struct build *b, const char *tz)
{
	for (size_t i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];
		const char *why;

		if (t->from_text == NULL)
			continue;
		if (planb_parse_date(b, t->from_text, tz, 0, &t->from,
		                     &why) != 0) {
			planb_errf(b, t->line, "revision date '%s' for unit '%s' "
			           "is not a valid date (%s); write 'VALUE from "
			           "YYYY-MM-DD'", t->from_text, t->unit, why);
			t->ok = 0;
		}
	}
}

void
planb_check_revision(struct build *b, struct btarget *t,
                     const struct btarget *p)
{
	const char *task = b->tasks[t->task_i].code;

	if (p == NULL) {
		planb_errf(b, t->line, "revision of the target for unit '%s' of "
		           "task '%s' has no first value; add a line '%s = "
		           "VALUE' without 'from'", t->unit, task, t->unit);
		t->ok = 0;
	} else if (p->from_text && p->from == t->from) {
		planb_errf(b, t->line, "target for unit '%s' of task '%s' is "
		           "revised twice from %s; the first is on line %d",
		           t->unit, task, t->from_text, p->line);
		t->ok = 0;
	}
}

int
planb_assemble_revisions(struct build *b, size_t i, struct plan_target *pt)
{
	const struct btarget *base = &b->targets[i];
	size_t n = 1, k;

	while (i + n < b->n_targets && b->targets[i + n].from_text &&
	       b->targets[i + n].task_i == base->task_i &&
	       b->targets[i + n].unit_i == base->unit_i)
		n++;
	if (n == 1)
		return 0;
	if ((pt->revs = calloc(n, sizeof *pt->revs)) == NULL)
		return -1;
	pt->revs[0].from = INT64_MIN;
	pt->revs[0].value = base->value;
	pt->revs[0].line = base->line;
	for (k = 1; k < n; k++) {
		pt->revs[k].from = b->targets[i + k].from;
		pt->revs[k].value = b->targets[i + k].value;
		pt->revs[k].line = b->targets[i + k].line;
	}
	pt->n_revs = n;
	pt->value = pt->revs[n - 1].value;
	return 0;
}
