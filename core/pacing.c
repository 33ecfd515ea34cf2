/*
 * pacing.c - the expected share of a task's target at an instant.
 *
 * Interpolation multiplies before it divides: (p1 - p0) * elapsed is exact
 * in a double for any plan shorter than millennia, and a correctly rounded
 * division then returns round numbers exactly (half way through a linear
 * task is 50, not 49.99999...), which the lag thresholds compare against.
 */
#include "pacing.h"

/* p0 + (p1 - p0) * (now - t0) / (t1 - t0), for t0 <= now < t1. */
static double
lerp(when_t t0, double p0, when_t t1, double p1, when_t now)
{
	double v = p0 + (p1 - p0) * (double)(now - t0) / (double)(t1 - t0);
	double lo = p0 < p1 ? p0 : p1, hi = p0 < p1 ? p1 : p0;

	/* Rounding must never step outside the segment, or a sweep across a
	 * milestone could go down by an ulp. */
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

double
pacing_expected(const struct plan_task *t, when_t now)
{
	when_t t0 = t->start;
	double p0 = 0.0;
	size_t i;

	if (now < t->start)
		return 0.0;
	if (now >= t->deadline)
		return 100.0;
	if (t->pacing == PACING_MILESTONES) {
		/* A handful of milestones per task: a linear scan is cheapest. */
		for (i = 0; i < t->n_milestones; i++) {
			const struct plan_milestone *m = &t->milestones[i];

			if (now < m->at)
				return lerp(t0, p0, m->at, m->percent, now);
			t0 = m->at;
			p0 = m->percent;
		}
	}
	return lerp(t0, p0, t->deadline, 100.0, now);
}
