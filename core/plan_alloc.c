/*
 * plan_alloc.c - a parent's own total, and its children's targets:
 *
 *   [task thu-ngan-sach]
 *   parent_targets = allocation  ; or separate (the default)
 *   [targets thu-ngan-sach]
 *   tam-duong = 12000            ; the district's total...
 *   hop-hoa = 7000               ; ...allocated to its communes
 *   hoang-dan = 5000
 *
 * separate: the parent's own target is work of its own, and a roll-up adds
 * it to those below (as plans always did).  allocation: the parent's total
 * is shared out below it; the targets nearest below each such parent must
 * sum to it exactly, and the total is then not a target of its own (no
 * reports, not counted again): the parent's roll-up is the total.
 */
#include <stdlib.h>
#include <string.h>

#include "planb.h"

static int
check_mode(struct build *b, const struct btask *t, struct plan_task *pt)
{
	const struct field *f = &t->f[T_PARENT_TARGETS];

	if (f->val == NULL || strcmp(f->val, "separate") == 0)
		return 0;
	if (strcmp(f->val, "allocation") == 0)
		return pt->allocate = 1;
	planb_errf(b, f->line, "parent_targets '%s' of task '%s' must be "
	           "allocation or separate", f->val, t->code);
	return 0;
}

/* The nearest unit above u that has a target (at[] >= 0), or -1.  Bounded
 * so that a cycle (already reported) cannot hang it. */
static int
nearest_above(const int *parent, const int *at, size_t n_units, int u)
{
	size_t steps = 0;

	for (u = parent[u]; u >= 0 && steps++ <= n_units; u = parent[u])
		if (at[u] >= 0)
			return u;
	return -1;
}

static size_t
check_task(struct build *b, int task, const int *parent, int *at, dec_t *sum)
{
	size_t i, n = 0;
	char have[DEC_BUFSZ], want[DEC_BUFSZ];

	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];

		if (t->task_i == task && t->unit_i >= 0 && !t->from_text && t->ok)
			at[t->unit_i] = (int)i;
	}
	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];
		int a;

		if (t->task_i != task || t->unit_i < 0 || t->from_text || !t->ok)
			continue;
		if ((a = nearest_above(parent, at, b->n_units, t->unit_i)) < 0)
			continue;
		b->targets[at[a]].allocated = 1;
		if (dec_add(sum[a], t->value, &sum[a]) < 0)
			sum[a] = INT64_MAX;
	}
	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];

		if (t->task_i != task || t->unit_i < 0 || t->from_text || !t->ok)
			continue;
		if (t->allocated) {
			n++;
			if (sum[t->unit_i] != t->value)
				planb_errf(b, t->line, "target %s of unit '%s' is "
				           "shared out below it (parent_targets = "
				           "allocation), but the targets below it "
				           "sum to %s", dec_format(t->value, want,
				           sizeof want), t->unit, dec_format(
				           sum[t->unit_i], have, sizeof have));
		}
		at[t->unit_i] = -1;
		sum[t->unit_i] = 0;
	}
	return n;
}

size_t
planb_check_allocations(struct build *b, struct plan_task *tasks,
                        const int *parent)
{
	int *at = NULL;
	dec_t *sum = NULL;
	size_t n = 0;

	for (size_t k = 0; k < b->n_tasks; k++) {
		if (!check_mode(b, &b->tasks[k], &tasks[k]))
			continue;
		if (at == NULL) {
			at = malloc((b->n_units + 1) * sizeof *at);
			sum = calloc(b->n_units + 1, sizeof *sum);
			if (at == NULL || sum == NULL) {
				b->oom = 1;
				break;
			}
			memset(at, 0xff, (b->n_units + 1) * sizeof *at);
		}
		n += check_task(b, (int)k, parent, at, sum);
	}
	free(at);
	free(sum);
	return n;
}
