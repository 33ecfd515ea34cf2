/*
 * pacing.h - where a task should be by now.  Pure: `now` is passed in.
 */
#ifndef TIENDO_PACING_H
#define TIENDO_PACING_H

#include "plan.h"

/*
 * Expected share of the target, in percent, at instant `now`: 0 before the
 * start, 100 from the deadline on; between, linear from (start, 0) to
 * (deadline, 100), or piecewise-linear through (start, 0), each milestone,
 * (deadline, 100).
 */
double pacing_expected(const struct plan_task *t, when_t now);

#endif
