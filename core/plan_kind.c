/*
 * plan_kind.c - what a task's number means, as the plan says it:
 *
 *   kind = quantity        ; grows toward the target on a pace (default)
 *   kind = level           ; a level to hold all along: hold = at_least
 *                          ; (default) or at_most the target
 *   kind = milestone       ; yes/no by the deadline: target 1 per unit
 *   kind = ceiling         ; lower is better: must not exceed the target,
 *                          ; which may be 0
 *   kind = rate            ; numerator / denominator, in percent, of two
 *   numerator = TASK       ; quantity tasks that the units report; a
 *   denominator = TASK     ; roll-up is the ratio of the sums.  With
 *                          ; hold = at_least/at_most it is held like a
 *                          ; level, else paced like a quantity
 *   integer = yes          ; whole numbers only (recruits, communes)
 *   negative_adds = no     ; refuse an ADD below zero
 *
 * The checks run once the whole file is read, so that they can name the
 * line of each key.
 */
#include <string.h>

#include "indicator.h"
#include "planb.h"

/* yes/no; -1 when neither. */
static int
parse_bool(const char *s)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0)
		return 0;
	return -1;
}

static void
check_flag(struct build *b, const struct btask *t, int key, const char *name,
           int *out)
{
	const struct field *f = &t->f[key];
	int v;

	if (f->val == NULL)
		return;
	if ((v = parse_bool(f->val)) < 0) {
		planb_errf(b, f->line, "%s '%s' of task '%s' must be yes or no",
		           name, f->val, t->code);
		return;
	}
	*out = v;
}

static void
check_hold(struct build *b, const struct btask *t, struct plan_task *pt)
{
	const struct field *f = &t->f[T_HOLD];

	if (f->val == NULL)
		return;
	if (pt->kind != PLAN_KIND_LEVEL && pt->kind != PLAN_KIND_RATE) {
		planb_errf(b, f->line, "hold is for a level or a rate to hold; "
		           "task '%s' "
		           "is a %s; add 'kind = level' or remove hold",
		           t->code, indicator_kind_name(pt->kind));
		return;
	}
	pt->held = 1;
	if (strcmp(f->val, "at_least") == 0)
		pt->hold_below = 0;
	else if (strcmp(f->val, "at_most") == 0)
		pt->hold_below = 1;
	else
		planb_errf(b, f->line, "hold '%s' of task '%s' must be at_least "
		           "or at_most", f->val, t->code);
}

static void
check_critical_after(struct build *b, const struct btask *t,
                     struct plan_task *pt)
{
	const struct field *f = &t->f[T_CRIT_AFTER];
	const char *why;

	if (f->val == NULL)
		return;
	if (!pt->held)
		planb_errf(b, f->line, "critical_after is for what is held (a "
		           "level, or a rate with hold); task '%s' is a %s",
		           t->code, indicator_kind_name(pt->kind));
	else if (when_parse_duration(f->val, &pt->critical_after, &why) != 0)
		planb_errf(b, f->line, "critical_after '%s' of task '%s' is not a "
		           "duration (%s); write it like 30d or 2w", f->val,
		           t->code, why);
}

void
planb_check_kind(struct build *b, const struct btask *t, struct plan_task *pt)
{
	const struct field *f = &t->f[T_KIND];

	pt->kind = PLAN_KIND_QUANTITY;
	if (f->val != NULL && indicator_kind_parse(f->val, &pt->kind) != 0)
		planb_errf(b, f->line, "kind '%s' of task '%s' must be quantity, "
		           "level, milestone, ceiling or rate", f->val, t->code);
	if (pt->kind == PLAN_KIND_LEVEL)
		pt->held = 1;
	pt->numerator = pt->denominator = -1;
	if (pt->kind == PLAN_KIND_MILESTONE) {
		pt->integer = 1;
		pt->no_negative_adds = 1;
		if (t->f[T_STALE].val == NULL)
			pt->stale_after = 0; /* nothing to report before it */
	}
	if (pt->kind != PLAN_KIND_QUANTITY && pt->kind != PLAN_KIND_RATE &&
	    t->n_ms > 0)
		planb_errf(b, t->ms[0].line, "task '%s' is a %s: milestone "
		           "lines pace a quantity or a rate only; remove them",
		           t->code, indicator_kind_name(pt->kind));
	if (pt->kind != PLAN_KIND_QUANTITY && pt->kind != PLAN_KIND_RATE &&
	    t->f[T_PACING].val != NULL)
		planb_errf(b, t->f[T_PACING].line, "task '%s' is a %s: pacing "
		           "is for a quantity or a rate only; remove it", t->code,
		           indicator_kind_name(pt->kind));
	check_hold(b, t, pt);
	check_critical_after(b, t, pt);
	check_flag(b, t, T_INTEGER, "integer", &pt->integer);
	if (t->f[T_NEGATIVE].val != NULL) {
		int allowed = !pt->no_negative_adds;

		check_flag(b, t, T_NEGATIVE, "negative_adds", &allowed);
		pt->no_negative_adds = !allowed;
	}
	if (pt->kind == PLAN_KIND_MILESTONE && !pt->integer)
		planb_errf(b, t->f[T_INTEGER].line, "task '%s' is a milestone, "
		           "which is yes (1) or no (0): it cannot be "
		           "'integer = no'", t->code);
}

int
planb_check_target_value(struct build *b, const struct plan_task *pt,
                         const char *task, const char *unit, dec_t v,
                         int line)
{
	char buf[DEC_BUFSZ];
	int zero_ok = pt->kind == PLAN_KIND_CEILING ||
	              (pt->kind == PLAN_KIND_LEVEL && pt->hold_below);

	dec_format(v, buf, sizeof buf);
	if (pt->kind == PLAN_KIND_MILESTONE && v != DEC_SCALE) {
		planb_errf(b, line, "target '%s' for unit '%s' of task '%s' "
		           "must be 1: a milestone is reached (1) or not (0)",
		           buf, unit, task);
		return -1;
	}
	if (v < 0 || (v == 0 && !zero_ok)) {
		planb_errf(b, line, "target '%s' for unit '%s' must be greater "
		           "than zero%s", buf, unit, pt->kind ==
		           PLAN_KIND_QUANTITY ? "; for a limit not to exceed, "
		           "write 'kind = ceiling' in the task" : "");
		return -1;
	}
	if (pt->integer && v % DEC_SCALE != 0) {
		planb_errf(b, line, "target '%s' for unit '%s' of task '%s' must "
		           "be a whole number: the task says 'integer = yes'",
		           buf, unit, task);
		return -1;
	}
	return 0;
}

/* Resolves a rate's numerator or denominator; -1 when unusable. */
static int
rate_part(struct build *b, const struct btask *t, const struct plan_task *tasks,
          int key, const char *name)
{
	const struct field *f = &t->f[key];
	int i;

	if (f->val == NULL) {
		planb_errf(b, t->line, "task '%s' is a rate and has no %s; add "
		           "'%s = TASK', the quantity task that counts it",
		           t->code, name, name);
		return -1;
	}
	if ((i = planb_map_get(&b->task_map, f->val)) < 0) {
		planb_errf(b, f->line, "%s '%s' of task '%s' is not a task of "
		           "this plan (no [task %s] section)", name, f->val,
		           t->code, f->val);
		return -1;
	}
	if (tasks[i].kind != PLAN_KIND_QUANTITY) {
		planb_errf(b, f->line, "%s '%s' of task '%s' is a %s; a rate is "
		           "the ratio of two quantity tasks", name, f->val,
		           t->code, indicator_kind_name(tasks[i].kind));
		return -1;
	}
	return i;
}

static void
rate_targets(struct build *b, int r, const struct plan_task *pt)
{
	const char *code = b->tasks[r].code;
	size_t k;

	for (k = planb_targets_from(b, r, -1); k < b->n_targets; k++) {
		const struct btarget *t = &b->targets[k];

		if (t->task_i != r)
			break;
		if (!t->ok || t->unit_i < 0)
			continue;
		if (planb_find_target(b, pt->numerator, t->unit_i) < 0)
			planb_errf(b, t->line, "unit '%s' has a target for rate "
			           "'%s' but none in [targets %s], its numerator",
			           t->unit, code, b->tasks[pt->numerator].code);
		if (planb_find_target(b, pt->denominator, t->unit_i) < 0)
			planb_errf(b, t->line, "unit '%s' has a target for rate "
			           "'%s' but none in [targets %s], its "
			           "denominator", t->unit, code,
			           b->tasks[pt->denominator].code);
	}
}

void
planb_check_rates(struct build *b, struct plan_task *tasks)
{
	for (size_t i = 0; i < b->n_tasks; i++) {
		const struct btask *t = &b->tasks[i];
		struct plan_task *pt = &tasks[i];

		if (pt->kind != PLAN_KIND_RATE) {
			if (t->f[T_NUM].val || t->f[T_DEN].val)
				planb_errf(b, t->f[t->f[T_NUM].val ? T_NUM
				                                   : T_DEN].line,
				           "numerator and denominator are for a "
				           "rate; task '%s' is a %s; add 'kind = "
				           "rate' or remove them", t->code,
				           indicator_kind_name(pt->kind));
			continue;
		}
		pt->numerator = rate_part(b, t, tasks, T_NUM, "numerator");
		pt->denominator = rate_part(b, t, tasks, T_DEN, "denominator");
		if (pt->numerator >= 0 && pt->numerator == pt->denominator) {
			planb_errf(b, t->f[T_DEN].line, "task '%s' divides '%s' by "
			           "itself; the denominator counts the whole, the "
			           "numerator the part", t->code,
			           t->f[T_NUM].val);
			pt->numerator = pt->denominator = -1;
		}
		if (pt->numerator >= 0 && pt->denominator >= 0) {
			rate_targets(b, (int)i, pt);
			tasks[pt->numerator].read_by_rate = 1;
			tasks[pt->denominator].read_by_rate = 1;
		}
	}
}
