/*
 * scope.h - what an account may see: the units of its scope ("*" or unit
 * codes, each with everything below it) as a bitmap over the plan, and
 * the tasks that have a target among them.
 *
 * NULL means the whole plan (no accounts on loopback, or scope "*"):
 * every check below says yes to NULL.
 */
#ifndef TIENDO_SCOPE_H
#define TIENDO_SCOPE_H

#include <stdint.h>

#include "plan.h"

struct scope {
	const struct plan *plan; /* built for; borrowed */
	uint64_t generation;     /* of the book it was built for */
	unsigned char *units;    /* per unit: 1 when visible */
	unsigned char *tasks;    /* per task: 1 when it has a visible target */
	int root;                /* the single top unit of the scope, or -1 */
	char *spec;              /* as in the accounts file */
};

/* Builds the scope `spec` over plan p; codes not in the plan are
 * ignored (a plan may drop a unit).  NULL for "*" with *all = 1, or on
 * out of memory with *all = 0. */
struct scope *scope_new(const struct plan *p, uint64_t generation,
                        const char *spec, int *all);
struct scope *scope_copy(const struct scope *s, const struct plan *p);
void scope_free(struct scope *s);

static inline int
scope_unit(const struct scope *s, int u)
{
	return s == NULL || (u >= 0 && s->units[u]);
}

static inline int
scope_task(const struct scope *s, int t)
{
	return s == NULL || (t >= 0 && s->tasks[t]);
}

/* By code, in the scope's plan; unknown codes are not visible. */
int scope_unit_code(const struct scope *s, const char *code);

#endif
