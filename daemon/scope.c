/*
 * scope.c - an account's view of the plan (scope.h).
 */
#include <stdlib.h>
#include <string.h>

#include "scope.h"

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
	s->tasks = calloc(p->n_tasks + 1, 1);
	s->spec = strdup(spec);
	copy = strdup(spec);
	if (!s->units || !s->tasks || !s->spec || !copy) {
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
				s->units[u] = 1;
	}
	free(copy);
	if (n_roots != 1)
		s->root = -1;
	for (size_t k = 0; k < p->n_targets; k++)
		if (s->units[p->targets[k].unit])
			s->tasks[p->targets[k].task] = 1;
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
	free(s->tasks);
	free(s->spec);
	free(s);
}

int
scope_unit_code(const struct scope *s, const char *code)
{
	return s == NULL || scope_unit(s, plan_unit_find(s->plan, code));
}
