/*
 * period.c - see period.h.
 */
#include <stdio.h>

#include "period.h"

const struct plan_period *
period_missing(const struct plan_task *t, when_t last_report_at, when_t now)
{
	size_t lo = 0, hi = t->n_periods;
	const struct plan_period *p;

	/* dues grow with the periods: the last one with due <= now */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->periods[mid].due <= now)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	p = &t->periods[lo - 1];
	return last_report_at >= p->start ? NULL : p;
}

char *
period_label(const struct plan_task *t, const struct plan_period *p,
             int english, char *buf, size_t n)
{
	static const char *const months[] = {
		"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December",
	};

	switch (t->every) {
	case PLAN_EVERY_WEEK:
		snprintf(buf, n, english ? "week %d of %d" : "tuần %d/%d", p->num,
		         p->year);
		break;
	case PLAN_EVERY_QUARTER:
		snprintf(buf, n, english ? "Q%d %d" : "quý %d/%d", p->num, p->year);
		break;
	default:
		if (english && p->num >= 1 && p->num <= 12)
			snprintf(buf, n, "%s %d", months[p->num - 1], p->year);
		else
			snprintf(buf, n, "tháng %d/%d", p->num, p->year);
		break;
	}
	return buf;
}
