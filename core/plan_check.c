/*
 * plan_check.c - the checks once the whole plan file is read: units and
 * their tree, tasks and their schedules, targets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "planb.h"

/* ---- checks once everything is read ---- */

/* Parses a plan date; a bare date means the end of that day when
 * end_of_day, i.e. the local midnight that starts the next day. */
static int
parse_date(const char *s, const char *tz, int end_of_day, when_t *out,
           const char **why)
{
	struct tm tm;
	char next[48];
	int date_only, y, m, d;
	time_t t;

	if (when_parse(s, tz, out, &date_only, why) != 0)
		return -1;
	if (!end_of_day || !date_only)
		return 0;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) {
		*why = "not a date";
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + 1;
	t = timegm(&tm); /* normalizes 32 January into 1 February */
	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year + 1900 > 9999) {
		*why = "out of range";
		return -1;
	}
	snprintf(next, sizeof(next), "%04d-%02d-%02d", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday);
	return when_parse(next, tz, out, NULL, why);
}

int
planb_parse_date(struct build *b, const char *s, const char *tz,
                 int end_of_day, when_t *out, const char **why)
{
	char *key;
	int k, rc;

	if (asprintf(&key, "%c%s", end_of_day ? 'E' : 'S', s) < 0) {
		b->oom = 1;
		return parse_date(s, tz, end_of_day, out, why);
	}
	if ((k = planb_map_get(&b->date_map, key)) >= 0) {
		free(key);
		*out = b->dates[k].at;
		return 0;
	}
	/* only what was read is kept: a mistake is said at each line */
	if ((rc = parse_date(s, tz, end_of_day, out, why)) != 0 ||
	    planb_grow(&b->dates, &b->cap_dates, b->n_dates,
	               sizeof(*b->dates)) != 0 ||
	    planb_map_put(&b->date_map, key, (int)b->n_dates) != 0) {
		if (rc == 0)
			b->oom = 1;
		free(key);
		return rc;
	}
	b->dates[b->n_dates].key = key;
	b->dates[b->n_dates++].at = *out;
	return 0;
}

/* Lag thresholds, in percentage points. */
static int
parse_points(const char *s, double *out)
{
	const char *why;
	dec_t v;

	if (dec_parse(s, &v, &why) != 0 || v <= 0 || v > 100 * DEC_SCALE)
		return -1;
	*out = (double)v / DEC_SCALE;
	return 0;
}

static void
check_required(struct build *b, const struct field *f, const char *key,
               const char *what, const char *code, int line)
{
	if (f->val == NULL)
		planb_errf(b, line, "%s '%s' has no %s; add '%s = ...'", what, code,
		     key, key);
	else if (f->val[0] == '\0')
		planb_errf(b, f->line, "%s of %s '%s' is empty", key, what, code);
}

/* Finds parent cycles; reports each once, at the parent line of its
 * earliest unit. */
static void
check_cycles(struct build *b, const int *parent)
{
	size_t n = b->n_units, i, k;
	int *state, *path;

	state = calloc(n ? n : 1, sizeof(*state)); /* 0 new, 1 on path, 2 done */
	path = calloc(n ? n : 1, sizeof(*path));
	if (state == NULL || path == NULL) {
		free(state);
		free(path);
		b->oom = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		size_t len = 0;
		int u = (int)i;

		while (u >= 0 && state[u] == 0) {
			state[u] = 1;
			path[len++] = u;
			u = parent[u];
		}
		if (u >= 0 && state[u] == 1) {
			/* path[start..len) is the cycle; list it from its
			 * earliest unit, following parents. */
			size_t start = 0, first, off = 0;
			char *list;

			while (path[start] != u)
				start++;
			first = start;
			for (k = start; k < len; k++)
				if (path[k] < path[first])
					first = k;
			if (len - start == 1) {
				planb_errf(b, b->units[u].f[U_PARENT].line,
				     "unit '%s' is its own parent",
				     b->units[u].code);
			} else if ((list = malloc((len - start + 1) *
			                          (PLAN_CODE_MAX + 4))) == NULL) {
				b->oom = 1;
			} else {
				for (k = 0; k <= len - start; k++) {
					size_t j = start + (first - start + k) %
					                       (len - start);

					off += (size_t)sprintf(list + off, "%s%s",
					                       k ? " -> " : "",
					                       b->units[path[j]].code);
				}
				planb_errf(b, b->units[path[first]].f[U_PARENT].line,
				     "units form a cycle of parents: %s", list);
				free(list);
			}
		}
		for (k = 0; k < len; k++)
			state[path[k]] = 2;
	}
	free(state);
	free(path);
}

void
planb_check_units(struct build *b, int *parent)
{
	size_t i;

	for (i = 0; i < b->n_units; i++) {
		struct bunit *u = &b->units[i];
		struct field *pf = &u->f[U_PARENT];

		check_required(b, &u->f[U_NAME], "name", "unit", u->code,
		               u->line);
		check_required(b, &u->f[U_KIND], "kind", "unit", u->code,
		               u->line);
		if (u->f[U_KIND].val && u->f[U_KIND].val[0] &&
		    !planb_kind_valid(u->f[U_KIND].val))
			planb_errf(b, u->f[U_KIND].line, "kind '%s' of unit '%s' must "
			     "be one lowercase word in plain letters, such as "
			     "commune, town or department", u->f[U_KIND].val,
			     u->code);
		parent[i] = -1;
		if (pf->val == NULL)
			continue;
		if ((parent[i] = planb_map_get(&b->unit_map, pf->val)) < 0)
			planb_errf(b, pf->line, "parent '%s' of unit '%s' is not a "
			     "unit of this plan (no [unit %s] section)",
			     pf->val, u->code, pf->val);
	}
	check_cycles(b, parent);
}

/* Parses each "DATE PERCENT" line; an unreadable one gets at = NO_TIME
 * or percent = -1 so that the order checks skip it. */
void
planb_add_milestone(struct build *b, struct field **ms, size_t *n,
                    size_t *cap, const char *value)
{
	if (planb_grow(ms, cap, *n, sizeof(**ms)) != 0 ||
	    ((*ms)[*n].val = strdup(value)) == NULL) {
		b->oom = 1;
		return;
	}
	(*ms)[(*n)++].line = b->lineno;
}

void
planb_parse_milestones(struct build *b, const struct field *ms, size_t n,
                       const char *whose, const char *tz,
                       struct plan_milestone *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int line = ms[i].line;
		char *v, *sp, *pct;
		const char *why;
		size_t pl;
		dec_t p;

		out[i].at = NO_TIME;
		out[i].percent = -1;
		if ((v = strdup(ms[i].val)) == NULL) {
			b->oom = 1;
			return;
		}
		sp = strrchr(v, ' ');
		if (sp == NULL)
			sp = strrchr(v, '\t');
		if (sp == NULL) {
			planb_errf(b, line, "milestone '%s' of %s must be a "
			     "date and a percent, as in '2021-03-15 30'", v,
			     whose);
			free(v);
			continue;
		}
		pct = sp + 1;
		while (sp > v && planb_is_blank(sp[-1]))
			sp--;
		*sp = '\0';
		pl = strlen(pct);
		if (pl > 0 && pct[pl - 1] == '%')
			pct[pl - 1] = '\0';
		if (planb_parse_date(b, v, tz, 1, &out[i].at, &why) != 0) {
			planb_errf(b, line, "milestone date '%s' of %s is not "
			     "a valid date (%s); write it as YYYY-MM-DD", v,
			     whose, why);
			out[i].at = NO_TIME;
		}
		if (dec_parse(pct, &p, &why) != 0)
			planb_errf(b, line, "milestone percent '%s' of %s is "
			     "not a number (%s)", pct, whose, why);
		else if (p <= 0 || p >= 100 * DEC_SCALE)
			planb_errf(b, line, "milestone percent '%s' of %s must "
			     "be between 0 and 100, both excluded", pct,
			     whose);
		else
			out[i].percent = (double)p / DEC_SCALE;
		free(v);
	}
}

/* Milestones lie strictly inside (start, deadline) and grow in both date
 * and percent; each is compared with the last one that was readable. */
void
planb_check_milestone_order(struct build *b, const struct field *ms,
                            const struct plan_milestone *m, size_t n,
                            const char *whose, when_t start,
                            const char *start_text, when_t deadline,
                            const char *deadline_text)
{
	const struct plan_milestone *prev = NULL;
	size_t k;

	for (k = 0; k < n; k++) {
		const char *text = ms[k].val;
		int line = ms[k].line;

		if (m[k].at == NO_TIME)
			continue;
		if ((start_text && m[k].at <= start) ||
		    (deadline_text && m[k].at >= deadline)) {
			planb_errf(b, line, "milestone '%s' of %s is not "
			     "between its start %s and deadline %s", text,
			     whose, start_text ? start_text : "?",
			     deadline_text ? deadline_text : "?");
			continue;
		}
		if (prev && m[k].at <= prev->at)
			planb_errf(b, line, "milestone '%s' of %s is not after "
			     "the one before it; list milestones in date order",
			     text, whose);
		else if (prev && m[k].percent >= 0 && prev->percent >= 0 &&
		         m[k].percent <= prev->percent)
			planb_errf(b, line, "milestone percent of %s must grow: "
			     "%g%% on this line is not more than %g%% before it",
			     whose, m[k].percent, prev->percent);
		prev = &m[k];
	}
}

void
planb_check_tasks(struct build *b, const char *tz, struct plan_task *out)
{
	size_t i;

	for (i = 0; i < b->n_tasks; i++) {
		struct btask *t = &b->tasks[i];
		struct plan_task *pt = &out[i];
		struct field *f = t->f;
		const char *why;
		char whose[PLAN_CODE_MAX + 16];
		int start_ok = 0, deadline_ok = 0, points_ok;

		if (planb_is_group(t)) {
			planb_check_group_task(b, t, pt);
			continue;
		}
		check_required(b, &f[T_TITLE], "title", "task", t->code,
		               t->line);
		check_required(b, &f[T_MEASURE], "measure", "task", t->code,
		               t->line);
		check_required(b, &f[T_START], "start", "task", t->code,
		               t->line);
		check_required(b, &f[T_DEADLINE], "deadline", "task", t->code,
		               t->line);
		pt->owner = -1;
		if (f[T_OWNER].val &&
		    (pt->owner = planb_map_get(&b->unit_map, f[T_OWNER].val)) < 0)
			planb_errf(b, f[T_OWNER].line, "owner '%s' of task '%s' is not "
			     "a unit of this plan (no [unit %s] section)",
			     f[T_OWNER].val, t->code, f[T_OWNER].val);
		if (f[T_START].val && f[T_START].val[0]) {
			if (planb_parse_date(b, f[T_START].val, tz, 0,
			                     &pt->start, &why) != 0)
				planb_errf(b, f[T_START].line, "start '%s' of task "
				     "'%s' is not a valid date (%s); write it "
				     "as YYYY-MM-DD", f[T_START].val, t->code,
				     why);
			else
				start_ok = 1;
		}
		if (f[T_DEADLINE].val && f[T_DEADLINE].val[0]) {
			if (planb_parse_date(b, f[T_DEADLINE].val, tz, 1,
			                     &pt->deadline, &why) != 0)
				planb_errf(b, f[T_DEADLINE].line, "deadline '%s' of "
				     "task '%s' is not a valid date (%s); write "
				     "it as YYYY-MM-DD", f[T_DEADLINE].val,
				     t->code, why);
			else
				deadline_ok = 1;
		}
		if (start_ok && deadline_ok && pt->deadline <= pt->start) {
			planb_errf(b, f[T_DEADLINE].line, "deadline %s of task '%s' "
			     "is not after its start %s", f[T_DEADLINE].val,
			     t->code, f[T_START].val);
			deadline_ok = 0;
		}

		/* Pacing, and milestones that must agree with it. */
		pt->pacing = t->n_ms ? PACING_MILESTONES : PACING_LINEAR;
		if (f[T_PACING].val) {
			if (strcmp(f[T_PACING].val, "linear") == 0)
				pt->pacing = PACING_LINEAR;
			else if (strcmp(f[T_PACING].val, "milestones") == 0)
				pt->pacing = PACING_MILESTONES;
			else
				planb_errf(b, f[T_PACING].line, "pacing '%s' of task "
				     "'%s' must be 'linear' or 'milestones'",
				     f[T_PACING].val, t->code);
		}
		if (pt->pacing == PACING_LINEAR && t->n_ms > 0 &&
		    f[T_PACING].val && strcmp(f[T_PACING].val, "linear") == 0)
			planb_errf(b, t->ms[0].line, "task '%s' has milestones but "
			     "pacing = linear (line %d); write 'pacing = "
			     "milestones' or remove the milestones", t->code,
			     f[T_PACING].line);
		if (pt->pacing == PACING_MILESTONES && t->n_ms == 0)
			planb_errf(b, f[T_PACING].line, "task '%s' has pacing = "
			     "milestones but no milestone lines; add some, as "
			     "in 'milestone = 2021-03-15 30'", t->code);
		if (t->n_ms > 0) {
			pt->milestones = calloc(t->n_ms, sizeof(*pt->milestones));
			if (pt->milestones == NULL) {
				b->oom = 1;
				return;
			}
			pt->n_milestones = t->n_ms;
			snprintf(whose, sizeof whose, "task '%s'", t->code);
			planb_parse_milestones(b, t->ms, t->n_ms, whose, tz,
			                       pt->milestones);
			planb_check_milestone_order(b, t->ms, pt->milestones,
			    t->n_ms, whose, pt->start,
			    start_ok ? f[T_START].val : NULL, pt->deadline,
			    deadline_ok ? f[T_DEADLINE].val : NULL);
		}

		pt->warn = DEFAULT_WARN;
		pt->critical = DEFAULT_CRITICAL;
		points_ok = 1;
		if (f[T_WARN].val && parse_points(f[T_WARN].val, &pt->warn)) {
			planb_errf(b, f[T_WARN].line, "warn '%s' of task '%s' must be "
			     "a number of percentage points above 0 and at "
			     "most 100, such as 10", f[T_WARN].val, t->code);
			points_ok = 0;
		}
		if (f[T_CRITICAL].val &&
		    parse_points(f[T_CRITICAL].val, &pt->critical)) {
			planb_errf(b, f[T_CRITICAL].line, "critical '%s' of task '%s' "
			     "must be a number of percentage points above 0 "
			     "and at most 100, such as 25", f[T_CRITICAL].val,
			     t->code);
			points_ok = 0;
		}
		if (points_ok && pt->critical < pt->warn)
			planb_errf(b, f[T_CRITICAL].val ? f[T_CRITICAL].line :
			                            f[T_WARN].line,
			     "critical (%g) of task '%s' is below warn (%g); "
			     "critical must be at least warn", pt->critical,
			     t->code, pt->warn);

		pt->stale_after = DEFAULT_STALE;
		if (f[T_STALE].val &&
		    when_parse_duration(f[T_STALE].val, &pt->stale_after,
		                        &why) != 0)
			planb_errf(b, f[T_STALE].line, "stale_after '%s' of task '%s' "
			     "is not a duration (%s); write it like 7d, 36h or "
			     "0 for never", f[T_STALE].val, t->code, why);
		planb_check_kind(b, t, pt);
	}
}

static int
target_cmp(const void *a, const void *b)
{
	const struct btarget *x = a, *y = b;

	if (x->task_i != y->task_i)
		return x->task_i < y->task_i ? -1 : 1;
	if (x->unit_i != y->unit_i)
		return x->unit_i < y->unit_i ? -1 : 1;
	/* A pair's first value, then its revisions by date. */
	if ((x->from_text != NULL) != (y->from_text != NULL))
		return x->from_text ? 1 : -1;
	if (x->from_text && x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

size_t
planb_targets_from(const struct build *b, int task, int unit)
{
	size_t lo = 0, hi = b->n_targets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct btarget *t = &b->targets[mid];

		if (t->task_i < task || (t->task_i == task && t->unit_i < unit))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
planb_find_target(const struct build *b, int task, int unit)
{
	size_t k = planb_targets_from(b, task, unit);

	if (k < b->n_targets && b->targets[k].task_i == task &&
	    b->targets[k].unit_i == unit)
		return (int)k;
	return -1;
}

/* Resolves targets; returns how many are complete and unique. */
size_t
planb_check_targets(struct build *b, const struct plan_task *tasks)
{
	size_t i, good = 0;
	int *sect_task;

	sect_task = calloc(b->n_sects ? b->n_sects : 1, sizeof(*sect_task));
	if (sect_task == NULL) {
		b->oom = 1;
		return 0;
	}
	for (i = 0; i < b->n_sects; i++) {
		const char *code = b->sects[i].task;

		if ((sect_task[i] = planb_map_get(&b->task_map, code)) < 0)
			planb_errf(b, b->sects[i].line, "targets for unknown task "
			     "'%s'; there is no [task %s] section", code, code);
	}
	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];

		t->task_i = sect_task[t->sect];
		if (t->task_i >= 0)
			b->tasks[t->task_i].n_targets++;
		t->unit_i = planb_map_get(&b->unit_map, t->unit);
		if (t->unit_i < 0)
			planb_errf(b, t->line, "target for unknown unit '%s' in "
			     "[targets %s]; there is no [unit %s] section",
			     t->unit, b->sects[t->sect].task, t->unit);
	}
	free(sect_task);
	if (b->n_targets > 0)
		qsort(b->targets, b->n_targets, sizeof(*b->targets),
		      target_cmp);
	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i], *p = i ? t - 1 : NULL;

		if (t->task_i < 0 || t->unit_i < 0)
			continue;
		if (p && (p->task_i != t->task_i || p->unit_i != t->unit_i))
			p = NULL;
		if (t->ok && planb_check_target_value(b, &tasks[t->task_i],
		                                      b->tasks[t->task_i].code,
		                                      t->unit, t->value,
		                                      t->line) != 0)
			t->ok = 0;
		if (t->from_text) {
			planb_check_revision(b, t, p);
			continue;
		}
		if (p) {
			planb_errf(b, t->line, "target for unit '%s' of task '%s' is "
			     "given twice; the first is on line %d (a revision "
			     "is written 'VALUE from DATE')", t->unit,
			     b->tasks[t->task_i].code, p->line);
			t->ok = 0;
			continue;
		}
		good += t->ok;
	}
	for (i = 0; i < b->n_tasks; i++)
		if (b->tasks[i].n_targets == 0 &&
		    tasks[i].kind != PLAN_KIND_GROUP)
			planb_errf(b, b->tasks[i].line, "task '%s' has no targets; "
			     "add a [targets %s] section with lines like "
			     "'unit-code = 100'", b->tasks[i].code,
			     b->tasks[i].code);
	return good;
}
