/*
 * scope.h - what an account may see, as bitmaps over the plan.
 *
 * The rule, one place for every resource: an account whose scope lists
 * units (each with everything below it: its subtree) sees a (task, unit)
 * pair, or the roll-up of a task at a unit, when
 *   - the unit is in its subtree (every task there), or
 *   - the task is owned by a unit of its subtree (the task in every unit
 *     that executes it, and its roll-ups up to the top of the tree).
 * So a department sees the tasks it owns across the communes, and nothing
 * else of those communes.  scope_pair() is that rule; the other checks
 * below are derived from it (is anything of a unit, of a task visible).
 *
 * NULL means the whole plan (no accounts on loopback, or scope "*"):
 * every check below says yes to NULL.
 */
#ifndef TIENDO_SCOPE_H
#define TIENDO_SCOPE_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct scope {
	const struct plan *plan; /* built for; borrowed */
	uint64_t generation;     /* of the book it was built for */
	unsigned char *units;    /* per unit: 1 when in the subtree */
	unsigned char *owned;    /* per task: 1 when owned in the subtree */
	unsigned char *seen;     /* per unit: 1 when some pair of it is visible */
	unsigned char *tasks;    /* per task: 1 when some pair of it is visible */
	size_t n_owned;          /* tasks owned in the subtree */
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

/* The rule (above): pair (t, u) is visible.  u = -1 stands for the top
 * of the tree (a task summed over the whole plan): visible when the
 * task is owned. */
static inline int
scope_pair(const struct scope *s, int t, int u)
{
	return s == NULL || (u >= 0 && s->units[u]) || (t >= 0 && s->owned[t]);
}

/* Some pair of unit u is visible (it may be listed, opened, named);
 * u = -1, the top of the tree, when the scope owns a task. */
static inline int
scope_unit(const struct scope *s, int u)
{
	return s == NULL || (u >= 0 ? s->seen[u] != 0 : s->n_owned > 0);
}

/* Some pair of task t is visible. */
static inline int
scope_task(const struct scope *s, int t)
{
	return s == NULL || (t >= 0 && s->tasks[t]);
}

/* The same by code, in the scope's plan; unknown codes are not
 * visible. */
int scope_unit_code(const struct scope *s, const char *code);
int scope_pair_code(const struct scope *s, const char *task,
                    const char *unit);

/* Some visible target lies under (task, unit): task -1 any task, unit
 * -1 any unit, else that unit and below (a silence's reach).  Unknown
 * codes (-2) reach nothing. */
int scope_reaches(const struct scope *s, int task, int unit);

/* scope_pair() as a filter callback (ranking, exports, alert queries):
 * arg is the scope. */
int scope_keep(void *arg, int task, int unit);

#endif
