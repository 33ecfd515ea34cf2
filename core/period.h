/*
 * period.h - reporting periods at an instant.  Pure: the periods were laid
 * out in the plan's zone when the plan was read (plan_period.c).
 */
#ifndef TIENDO_PERIOD_H
#define TIENDO_PERIOD_H

#include "plan.h"

/* The period whose report is missing at `now`: the latest period whose
 * report is due (due <= now), when nothing was observed since its start
 * (last_report_at < start).  NULL when the task has no periods, or when
 * that report came. */
const struct plan_period *period_missing(const struct plan_task *t,
                                         when_t last_report_at, when_t now);

/* "tháng 11/2026", "quý 4/2026", "tuần 47/2026" (vi) or "November 2026",
 * "Q4 2026", "week 47 of 2026" (en).  Returns buf. */
char *period_label(const struct plan_task *t, const struct plan_period *p,
                   int english, char *buf, size_t n);

#endif
