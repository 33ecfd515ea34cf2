/*
 * plan_group.c - a task of several indicators:
 *
 *   [task ocop]
 *   title = Chương trình OCOP năm 2021
 *   kind = group
 *   indicators = ocop-san-pham, ocop-sao   ; tasks of this plan
 *   owner = phong-nn                        ; optional
 *
 * Each indicator is a task of its own, with its measure, kind, schedule
 * and targets; the group has none of these.  Its status for a unit is
 * taskgroup_status() of its indicators' statuses there (see taskgroup.h).
 */
#include <stdlib.h>
#include <string.h>

#include "planb.h"

int
planb_is_group(const struct btask *t)
{
	return t->f[T_KIND].val && strcmp(t->f[T_KIND].val, "group") == 0;
}

void
planb_check_group_task(struct build *b, struct btask *t,
                       struct plan_task *pt)
{
	static const int own[] = { T_TITLE, T_OWNER, T_KIND, T_INDICATORS };
	static const char *const names[T_NKEYS] = {
		[T_MEASURE] = "measure", [T_START] = "start",
		[T_DEADLINE] = "deadline", [T_PACING] = "pacing",
		[T_WARN] = "warn", [T_CRITICAL] = "critical",
		[T_STALE] = "stale_after", [T_HOLD] = "hold",
		[T_INTEGER] = "integer", [T_NEGATIVE] = "negative_adds",
		[T_NUM] = "numerator", [T_DEN] = "denominator",
		[T_EVERY] = "report_every", [T_DUE] = "report_due",
		[T_PARENT_TARGETS] = "parent_targets",
		[T_CRIT_AFTER] = "critical_after",
	};

	pt->kind = PLAN_KIND_GROUP;
	pt->owner = -1;
	pt->numerator = pt->denominator = -1;
	if (t->f[T_TITLE].val == NULL)
		planb_errf(b, t->line, "task '%s' has no title; add 'title = "
		           "...'", t->code);
	if (t->f[T_OWNER].val &&
	    (pt->owner = planb_map_get(&b->unit_map, t->f[T_OWNER].val)) < 0)
		planb_errf(b, t->f[T_OWNER].line, "owner '%s' of task '%s' is "
		           "not a unit of this plan", t->f[T_OWNER].val, t->code);
	for (int k = 0; k < T_NKEYS; k++) {
		int mine = 0;

		for (size_t j = 0; j < sizeof own / sizeof own[0]; j++)
			mine |= own[j] == k;
		if (!mine && t->f[k].val && names[k])
			planb_errf(b, t->f[k].line, "%s does not apply to a group; "
			           "task '%s' takes it from its indicators",
			           names[k], t->code);
	}
	if (t->n_ms > 0)
		planb_errf(b, t->ms[0].line, "milestone does not apply to a group "
		           "(task '%s')", t->code);
	/* no measure of its own: "" for the API */
	if (t->f[T_MEASURE].val == NULL &&
	    (t->f[T_MEASURE].val = strdup("")) == NULL)
		b->oom = 1;
}

static int
add_indicator(struct build *b, const struct btask *t, struct plan_task *pt,
              struct plan_task *tasks, const char *code)
{
	int k = planb_map_get(&b->task_map, code);
	int *n;

	if (k < 0) {
		planb_errf(b, t->f[T_INDICATORS].line, "indicator '%s' of task "
		           "'%s' is not a task of this plan", code, t->code);
		return 0;
	}
	if (tasks[k].kind == PLAN_KIND_GROUP) {
		planb_errf(b, t->f[T_INDICATORS].line, "indicator '%s' of task "
		           "'%s' is a group itself; list its indicators", code,
		           t->code);
		return 0;
	}
	if ((n = realloc(pt->indicators, (pt->n_indicators + 1) *
	                 sizeof *n)) == NULL)
		return -1;
	pt->indicators = n;
	n[pt->n_indicators++] = k;
	/* the group spans its indicators */
	if (pt->n_indicators == 1 || tasks[k].start < pt->start)
		pt->start = tasks[k].start;
	if (pt->n_indicators == 1 || tasks[k].deadline > pt->deadline)
		pt->deadline = tasks[k].deadline;
	return 0;
}

void
planb_check_groups(struct build *b, struct plan_task *tasks)
{
	for (size_t i = 0; i < b->n_tasks; i++) {
		const struct btask *t = &b->tasks[i];
		struct plan_task *pt = &tasks[i];
		char *list, *tok, *save;

		if (pt->kind != PLAN_KIND_GROUP)
			continue;
		if (t->f[T_INDICATORS].val == NULL) {
			planb_errf(b, t->line, "task '%s' is a group and has no "
			           "indicators; add 'indicators = TASK, TASK'",
			           t->code);
			continue;
		}
		if ((list = strdup(t->f[T_INDICATORS].val)) == NULL) {
			b->oom = 1;
			return;
		}
		for (tok = strtok_r(list, ", \t", &save); tok;
		     tok = strtok_r(NULL, ", \t", &save))
			if (add_indicator(b, t, pt, tasks, tok) != 0) {
				b->oom = 1;
				break;
			}
		free(list);
		if (pt->n_indicators == 0 && !b->oom)
			planb_errf(b, t->f[T_INDICATORS].line, "task '%s' lists no "
			           "indicators", t->code);
	}
	for (size_t i = 0; i < b->n_tasks; i++)
		if (tasks[i].kind != PLAN_KIND_GROUP &&
		    b->tasks[i].f[T_INDICATORS].val)
			planb_errf(b, b->tasks[i].f[T_INDICATORS].line, "indicators "
			           "is for a group; add 'kind = group' to task '%s'",
			           b->tasks[i].code);
}
