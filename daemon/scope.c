/*
 * scope.c - an account's view of the plan (scope.h).
 */
#include <stdlib.h>
#include <string.h>

#include "scope.h"

/* seen[] for unit u and every unit above it: a roll-up of an owned task
 * there sums visible pairs only.  Bounded by the number of units, so
 * that a cycle in a hand-built plan cannot hang. */
static void
scope_see_up(struct scope *s, int u)
{
	for (size_t steps = 0; u >= 0 && steps <= s->plan->n_units; steps++) {
		if (s->seen[u])
			return;  /* and so is everything above it */
		s->seen[u] = 1;
		u = s->plan->units[u].parent;
	}
}

struct scope *
scope_new(const struct plan *p, uint64_t generation, const char *spec,
          int *all)
{
	struct scope *s;
	char *copy, *tok, *save = NULL;
	int n_roots = 0;

	*all = strcmp(spec, "*") == 0;
	if (*all || (s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	s->plan = p;
	s->generation = generation;
	s->root = -1;
	s->units = calloc(p->n_units + 1, 1);
	s->seen = calloc(p->n_units + 1, 1);
	s->tasks = calloc(p->n_tasks + 1, 1);
	s->owned = calloc(p->n_tasks + 1, 1);
	s->spec = strdup(spec);
	copy = strdup(spec);
	if (!s->units || !s->seen || !s->tasks || !s->owned || !s->spec ||
	    !copy) {
		free(copy);
		scope_free(s);
		return NULL;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int r = plan_unit_find(p, tok);
		if (r < 0)
			continue;
		n_roots++;
		s->root = r;
		for (size_t u = 0; u < p->n_units; u++)
			if (plan_unit_within(p, (int)u, r))
				s->units[u] = s->seen[u] = 1;
	}
	free(copy);
	if (n_roots != 1)
		s->root = -1;
	for (size_t t = 0; t < p->n_tasks; t++)
		if (p->tasks[t].owner >= 0 && s->units[p->tasks[t].owner]) {
			s->owned[t] = s->tasks[t] = 1;
			s->n_owned++;
		}
	for (size_t k = 0; k < p->n_targets; k++) {
		int t = p->targets[k].task, u = p->targets[k].unit;
		if (s->units[u])
			s->tasks[t] = 1;
		else if (s->owned[t])
			scope_see_up(s, u);
	}
	return s;
}

struct scope *
scope_copy(const struct scope *s, const struct plan *p)
{
	int all;

	return s ? scope_new(p, s->generation, s->spec, &all) : NULL;
}

void
scope_free(struct scope *s)
{
	if (s == NULL)
		return;
	free(s->units);
	free(s->seen);
	free(s->tasks);
	free(s->owned);
	free(s->spec);
	free(s);
}

int
scope_unit_code(const struct scope *s, const char *code)
{
	int u;

	if (s == NULL)
		return 1;
	u = code ? plan_unit_find(s->plan, code) : -1;
	return u >= 0 && scope_unit(s, u);
}

int
scope_pair_code(const struct scope *s, const char *task, const char *unit)
{
	int t, u;

	if (s == NULL)
		return 1;
	t = task ? plan_task_find(s->plan, task) : -1;
	u = unit ? plan_unit_find(s->plan, unit) : -1;
	/* An unknown code is nothing this account may see. */
	return t >= 0 && u >= 0 && scope_pair(s, t, u);
}

int
scope_reaches(const struct scope *s, int task, int unit)
{
	const struct plan *p;

	if (s == NULL)
		return 1;
	p = s->plan;
	if (task < -1 || unit < -1)
		return 0;
	for (size_t k = 0; k < p->n_targets; k++) {
		int t = p->targets[k].task, u = p->targets[k].unit;
		if ((task < 0 || t == task) &&
		    (unit < 0 || plan_unit_within(p, u, unit)) &&
		    scope_pair(s, t, u))
			return 1;
	}
	return 0;
}

int
scope_keep(void *arg, int task, int unit)
{
	return scope_pair(arg, task, unit);
}
