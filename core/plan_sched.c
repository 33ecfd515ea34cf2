/*
 * plan_sched.c - a unit's own schedule for one task.
 *
 * Its own deadline, on its target line:
 *
 *   [targets ntm-nang-cao]
 *   hoang-dan = 1 by 2021-09-30   ; this commune by the end of September
 *   an-hoa = 1                    ; the others by the task's deadline
 *
 * The unit's view, status and alerts follow its deadline (pacing runs from
 * the task's start to it, through the milestones before it); roll-ups
 * follow the task's.  A bare date is the end of that day.
 *
 * Its own milestones, in a section of their own (a target line could not
 * hold many within libinih's 199 bytes, and a clerk reads a section as the
 * task's own milestones are written):
 *
 *   [schedule trong-cay kim-long]  ; Kim Long's pace for this task
 *   deadline = 2021-03-31          ; optional: its own deadline
 *   milestone = 2021-02-28 40      ; replace the task's milestones
 *   milestone = 2021-03-15 70      ; for this unit
 *
 * The task must be paced by milestones (a linear task or a kind with no
 * pace has none to replace), the unit must have a target in it, and the
 * milestones obey the task's rules inside (task start, unit's deadline).
 * A schedule holds for every revision of the unit's target ("VALUE from
 * DATE"): the pace is a share of whatever target is in force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indicator.h"
#include "planb.h"

static const char *const sched_keys[] = {"deadline", NULL};

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

/* ---- reading [schedule TASK UNIT] ---- */

void
planb_open_schedule(struct build *b, const char *codes, size_t n, int line)
{
	size_t tl = 0, us, ul;
	const char *what;
	struct bsched *s;
	char *task = NULL, *unit = NULL, *key = NULL;
	int prev;

	b->sec = SEC_SKIP;
	while (tl < n && !planb_is_blank(codes[tl]))
		tl++;
	for (us = tl; us < n && planb_is_blank(codes[us]); us++)
		;
	for (ul = 0; us + ul < n && !planb_is_blank(codes[us + ul]); ul++)
		;
	if (tl == 0 || ul == 0 || us + ul != n) {
		planb_errf(b, line, "[schedule%s%.*s] needs a task and a unit, "
		           "as in [schedule trong-cay hoang-dan]", n ? " " : "",
		           (int)n, codes);
		return;
	}
	if ((task = strndup(codes, tl)) == NULL ||
	    (unit = strndup(codes + us, ul)) == NULL ||
	    asprintf(&key, "%s %s", task, unit) < 0) {
		key = NULL;
		b->oom = 1;
		goto fail;
	}
	if ((what = planb_code_problem(task)) != NULL) {
		planb_errf(b, line, "task code '%s' in [schedule %s] %s", task,
		           key, what);
		goto fail;
	}
	if ((what = planb_code_problem(unit)) != NULL) {
		planb_errf(b, line, "unit code '%s' in [schedule %s] %s", unit,
		           key, what);
		goto fail;
	}
	if ((prev = planb_map_get(&b->sched_map, key)) >= 0) {
		planb_errf(b, line, "schedule of unit '%s' for task '%s' is given "
		           "twice; the first [schedule %s] is on line %d", unit,
		           task, key, b->scheds[prev].line);
		goto fail;
	}
	if (planb_grow(&b->scheds, &b->cap_scheds, b->n_scheds,
	               sizeof(*b->scheds)) != 0 ||
	    planb_map_put(&b->sched_map, key, (int)b->n_scheds) != 0) {
		b->oom = 1;
		goto fail;
	}
	s = &b->scheds[b->n_scheds];
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->task = task;
	s->unit = unit;
	s->line = line;
	b->cur = (int)b->n_scheds++;
	b->sec = SEC_SCHEDULE;
	return;
fail:
	free(task);
	free(unit);
	free(key);
}

void
planb_schedule_key(struct build *b, const char *key, const char *value)
{
	struct bsched *s = &b->scheds[b->cur];

	if (strcmp(key, "milestone") != 0) {
		planb_set_field(b, sched_keys, s->f, key, value,
		                "deadline or milestone");
		return;
	}
	planb_add_milestone(b, &s->ms, &s->n_ms, &s->cap_ms, value);
}

/* ---- checks ---- */

/* "VALUE by DATE" on target lines. */
static void
check_by(struct build *b, const char *tz, const struct plan_task *tasks)
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
		if (planb_parse_date(b, t->by_text, tz, 1, &t->by, &why) != 0) {
			planb_errf(b, t->line, "deadline '%s' of unit '%s' is not a "
			           "valid date (%s); write 'VALUE by YYYY-MM-DD'",
			           t->by_text, t->unit, why);
			continue;
		}
		if (t->by <= tasks[t->task_i].start) {
			planb_errf(b, t->line, "deadline %s of unit '%s' is not "
			           "after the start of task '%s'", t->by_text,
			           t->unit, b->tasks[t->task_i].code);
			continue;
		}
		t->by_ok = 1;
	}
}

/* Whether task pt has milestones a unit may replace; else an error at
 * the schedule's line.  1 if it has. */
static int
check_paced(struct build *b, const struct bsched *s,
            const struct plan_task *pt)
{
	if (pt->kind == PLAN_KIND_GROUP) {
		planb_errf(b, s->line, "task '%s' is a group: it has no pace of "
		           "its own; give the schedule to one of its "
		           "indicators", s->task);
		return 0;
	}
	if ((pt->kind != PLAN_KIND_QUANTITY && pt->kind != PLAN_KIND_RATE) ||
	    pt->held) {
		planb_errf(b, s->line, "task '%s' is a %s%s: nothing is paced "
		           "before its deadline, so unit '%s' cannot have "
		           "milestones of its own (its own deadline is "
		           "'VALUE by DATE' on its target line)", s->task,
		           indicator_kind_name(pt->kind),
		           pt->kind == PLAN_KIND_RATE ? " held by 'hold'" : "",
		           s->unit);
		return 0;
	}
	if (pt->pacing != PACING_MILESTONES) {
		planb_errf(b, s->line, "task '%s' is not paced by milestones, so "
		           "unit '%s' has none to replace; write 'pacing = "
		           "milestones' and the task's milestones in [task %s] "
		           "first", s->task, s->unit, s->task);
		return 0;
	}
	return 1;
}

/* One [schedule] section, against its task and the unit's target. */
static void
check_schedule(struct build *b, size_t si, const char *tz,
               const struct plan_task *tasks)
{
	struct bsched *s = &b->scheds[si];
	const struct field *dl = &s->f[S_DEADLINE];
	size_t errs_before = b->n_errs;
	const struct plan_task *pt;
	const struct btask *bt;
	struct btarget *t;
	const char *why, *deadline_text;
	char whose[2 * PLAN_CODE_MAX + 32];
	when_t deadline;
	int ti, ui, k;

	if ((ti = planb_map_get(&b->task_map, s->task)) < 0) {
		planb_errf(b, s->line, "schedule for unknown task '%s'; there is "
		           "no [task %s] section", s->task, s->task);
		return;
	}
	if ((ui = planb_map_get(&b->unit_map, s->unit)) < 0) {
		planb_errf(b, s->line, "schedule for unknown unit '%s'; there is "
		           "no [unit %s] section", s->unit, s->unit);
		return;
	}
	pt = &tasks[ti];
	bt = &b->tasks[ti];
	if (!check_paced(b, s, pt))
		return;
	if ((k = planb_find_target(b, ti, ui)) < 0) {
		planb_errf(b, s->line, "unit '%s' has no target in task '%s'; a "
		           "schedule is for a unit listed in [targets %s]",
		           s->unit, s->task, s->task);
		return;
	}
	t = &b->targets[k];
	if (t->from_text != NULL || !t->ok)
		return; /* no first value, or a bad one: said already */
	if (t->allocated) {
		planb_errf(b, s->line, "the target of unit '%s' in task '%s' is "
		           "a total shared out below it (parent_targets = "
		           "allocation), not work of its own; give schedules to "
		           "the units below it", s->unit, s->task);
		return;
	}
	if (s->n_ms == 0) {
		planb_errf(b, s->line, "schedule of unit '%s' for task '%s' has no "
		           "milestone lines; add some, as in 'milestone = "
		           "2021-03-15 30' (a deadline alone is 'VALUE by DATE' "
		           "on the unit's target line)", s->unit, s->task);
		return;
	}

	/* The unit's deadline: the schedule's, its target line's, or the
	 * task's; NULL text when it could not be read. */
	deadline = pt->deadline;
	deadline_text = bt->f[T_DEADLINE].val;
	if (t->by_text) {
		deadline = t->by;
		deadline_text = t->by_ok ? t->by_text : NULL;
	}
	if (dl->val != NULL && t->by_text != NULL) {
		planb_errf(b, dl->line, "unit '%s' of task '%s' has its own "
		           "deadline on its target line already (line %d, 'by "
		           "%s'); keep one of the two", s->unit, s->task,
		           t->line, t->by_text);
		deadline_text = NULL;
	} else if (dl->val != NULL) {
		if (planb_parse_date(b, dl->val, tz, 1, &s->deadline,
		                     &why) != 0) {
			planb_errf(b, dl->line, "deadline '%s' of unit '%s' in "
			           "task '%s' is not a valid date (%s); write it "
			           "as YYYY-MM-DD", dl->val, s->unit, s->task,
			           why);
			deadline_text = NULL;
		} else if (s->deadline <= pt->start) {
			planb_errf(b, dl->line, "deadline %s of unit '%s' is not "
			           "after the start of task '%s'", dl->val,
			           s->unit, s->task);
			deadline_text = NULL;
		} else {
			deadline = s->deadline;
			deadline_text = dl->val;
		}
	}

	if ((s->parsed = calloc(s->n_ms, sizeof(*s->parsed))) == NULL) {
		b->oom = 1;
		return;
	}
	snprintf(whose, sizeof whose, "unit '%s' in task '%s'", s->unit,
	         s->task);
	planb_parse_milestones(b, s->ms, s->n_ms, whose, tz, s->parsed);
	planb_check_milestone_order(b, s->ms, s->parsed, s->n_ms, whose,
	                            pt->start, bt->f[T_START].val, deadline,
	                            deadline_text);
	if (b->n_errs == errs_before)
		t->sched = (int)si;
}

void
planb_check_schedules(struct build *b, const char *tz,
                      const struct plan_task *tasks)
{
	check_by(b, tz, tasks);
	for (size_t i = 0; i < b->n_scheds; i++)
		check_schedule(b, i, tz, tasks);
}

/* ---- into the plan ---- */

void
planb_assemble_schedule(struct build *b, size_t i, struct plan *p, size_t k)
{
	const struct btarget *bt = &b->targets[i];
	struct plan_target *t = &p->targets[k];
	struct bsched *s;
	struct plan_schedule *ps;

	t->deadline = bt->by_text ? bt->by : 0;
	if (bt->sched < 0)
		return;
	s = &b->scheds[bt->sched];
	if (s->f[S_DEADLINE].val != NULL)
		t->deadline = s->deadline;
	ps = &p->schedules[p->n_schedules++];
	ps->milestones = s->parsed;
	s->parsed = NULL; /* p's now */
	ps->n_milestones = s->n_ms;
	ps->target = (int)k;
	ps->line = s->line;
	t->schedule = (int)p->n_schedules;
}
