/*
 * rate.c - rate tallies from their parts (see rate.h).
 */
#include <stdint.h>

#include "rate.h"

static void
derive_one(const struct plan *p, struct tally *tallies, size_t k)
{
	const struct plan_target *pt = &p->targets[k];
	const struct plan_task *r = &p->tasks[pt->task];
	int n = plan_target_find(p, r->numerator, pt->unit);
	int d = plan_target_find(p, r->denominator, pt->unit);
	struct tally *t = &tallies[k];
	uint64_t reports = 0;

	tally_init(t);
	if (n >= 0) {
		t->actual = tallies[n].actual;
		t->last_report_at = tallies[n].last_report_at;
		reports += tallies[n].n_reports;
	}
	if (d >= 0) {
		t->base = tallies[d].actual;
		if (tallies[d].last_report_at > t->last_report_at)
			t->last_report_at = tallies[d].last_report_at;
		reports += tallies[d].n_reports;
	}
	t->n_reports = reports > UINT32_MAX ? UINT32_MAX : (uint32_t)reports;
}

void
rate_derive_all(const struct plan *p, struct tally *tallies)
{
	for (size_t k = 0; k < p->n_targets; k++)
		if (p->tasks[p->targets[k].task].kind == PLAN_KIND_RATE)
			derive_one(p, tallies, k);
}

/* The target of rate task i at unit `unit` when it reads task `task`,
 * else -1. */
static int
reader_at(const struct plan *p, size_t i, int task, int unit)
{
	const struct plan_task *r = &p->tasks[i];

	if (r->kind != PLAN_KIND_RATE ||
	    (r->numerator != task && r->denominator != task))
		return -1;
	return plan_target_find(p, (int)i, unit);
}

size_t
rate_readers(const struct plan *p, int target, int *out, size_t cap)
{
	int task = p->targets[target].task, unit = p->targets[target].unit;
	size_t n = 0;
	int k;

	/* Every counted report passes here: most tasks feed no rate. */
	if (!p->tasks[task].read_by_rate)
		return 0;
	for (size_t i = 0; i < p->n_tasks && n < cap; i++)
		if ((k = reader_at(p, i, task, unit)) >= 0)
			out[n++] = k;
	return n;
}

size_t
rate_follow(const struct plan *p, struct tally *tallies, int target)
{
	int task = p->targets[target].task, unit = p->targets[target].unit;
	size_t n = 0;
	int k;

	if (!p->tasks[task].read_by_rate)
		return 0;
	for (size_t i = 0; i < p->n_tasks; i++)
		if ((k = reader_at(p, i, task, unit)) >= 0) {
			derive_one(p, tallies, (size_t)k);
			n++;
		}
	return n;
}

void
rate_goal_add(struct rate_goal *g, dec_t target, dec_t base)
{
	dec_t b, s;

	/* a sum that would leave int64 stops growing: nonsense already */
	if (base > 0 && !__builtin_add_overflow(g->base, base, &b)) {
		g->base = b;
		g->weighted += (__int128)target * base;
	}
	if (!__builtin_add_overflow(g->sum, target, &s))
		g->sum = s;
	g->n++;
}

/* n / d rounded half away from 0, d > 0. */
static dec_t
rate_div(__int128 n, __int128 d)
{
	__int128 q = (n + (n >= 0 ? d / 2 : -(d / 2))) / d;

	return q > DEC_MAX ? DEC_MAX : q < -DEC_MAX ? -DEC_MAX : (dec_t)q;
}

dec_t
rate_goal_target(const struct rate_goal *g)
{
	if (g->base > 0)
		return rate_div(g->weighted, g->base);
	return g->n > 0 ? rate_div(g->sum, g->n) : 0;
}
