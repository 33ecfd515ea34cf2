/*
 * plan_period.c - reporting periods, as the plan says them:
 *
 *   report_every = month     ; week, month or quarter
 *   report_due = 5           ; due by the end of this day of the next
 *                            ; period: 1-28 (of the next month) for a
 *                            ; month or quarter, 1-7 (Monday = 1) for a
 *                            ; week; default 5, or 1 (Monday) for a week
 *
 * The periods are laid out once, here, in the plan's zone, so that the
 * pure core only compares instants: a task from 2026-01-01 to 2026-12-31
 * reporting monthly has the 12 periods of 2026, the report of November due
 * before 6 December 00:00.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planb.h"

#define PERIODS_MAX 1200 /* 23 years of weeks: a plan, not a mistake */

/* Back from days since 1970-01-01 to a date (H. Hinnant's algorithm;
 * when_days_from_civil goes the other way). */
static void
civil_from(int64_t z, long *y, int *m, int *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (long)yoe + era * 400 + (*m <= 2);
}

/* The local midnight that starts day number z. */
static int
midnight(int64_t z, const char *tz, when_t *out)
{
	char buf[16];
	const char *why;
	long y;
	int m, d;

	civil_from(z, &y, &m, &d);
	if (y < 1 || y > 9999)
		return -1;
	snprintf(buf, sizeof buf, "%04ld-%02d-%02d", y, m, d);
	return when_parse(buf, tz, out, NULL, &why);
}

/* Day number of the local date of instant t. */
static int
local_day(when_t t, const char *tz, int64_t *z)
{
	char buf[WHEN_BUFSZ];
	int y, m, d;

	if (sscanf(when_format(t, tz, buf, sizeof buf), "%d-%d-%d", &y, &m,
	           &d) != 3)
		return -1;
	*z = when_days_from_civil(y, m, d);
	return 0;
}

/* ISO week: Monday of the week of day z, and its ISO year and number. */
static int64_t
iso_week(int64_t z, int *year, int *num)
{
	int64_t monday = z - ((z + 3) % 7 + 7) % 7; /* 1970-01-01: a Thursday */
	int64_t thursday = monday + 3, jan1;
	long y;
	int m, d;

	civil_from(thursday, &y, &m, &d);
	jan1 = when_days_from_civil(y, 1, 1);
	*year = (int)y;
	*num = (int)((thursday - jan1) / 7 + 1);
	return monday;
}

/* The period containing day z: its first day, the first day of the next,
 * and its label. */
static void
period_days(enum plan_every every, int64_t z, int64_t *first, int64_t *next,
            int *year, int *num)
{
	long y;
	int m, d, q;

	if (every == PLAN_EVERY_WEEK) {
		*first = iso_week(z, year, num);
		*next = *first + 7;
		return;
	}
	civil_from(z, &y, &m, &d);
	*year = (int)y;
	if (every == PLAN_EVERY_MONTH) {
		*num = m;
		*first = when_days_from_civil(y, m, 1);
		*next = m == 12 ? when_days_from_civil(y + 1, 1, 1)
		                : when_days_from_civil(y, m + 1, 1);
		return;
	}
	q = (m - 1) / 3;
	*num = q + 1;
	*first = when_days_from_civil(y, 3 * q + 1, 1);
	*next = q == 3 ? when_days_from_civil(y + 1, 1, 1)
	               : when_days_from_civil(y, 3 * q + 4, 1);
}

/* Lays out the task's periods; 0, -1 on a date out of range, -2 when
 * there are too many, -3 out of memory. */
static int
lay_out(struct plan_task *pt, const char *tz)
{
	int64_t z, last, first, next;
	size_t cap = 0;

	if (local_day(pt->start, tz, &z) != 0 ||
	    local_day(pt->deadline - 1, tz, &last) != 0)
		return -1;
	for (;;) {
		struct plan_period *pp;
		int year, num;

		period_days(pt->every, z, &first, &next, &year, &num);
		if (pt->n_periods == PERIODS_MAX)
			return -2;
		if (pt->n_periods == cap) {
			cap = cap ? cap * 2 : 16;
			pp = realloc(pt->periods, cap * sizeof *pp);
			if (pp == NULL)
				return -3;
			pt->periods = pp;
		}
		pp = &pt->periods[pt->n_periods++];
		pp->year = year;
		pp->num = num;
		/* due: the end of due_day in the next period */
		if (midnight(first, tz, &pp->start) != 0 ||
		    midnight(next, tz, &pp->end) != 0 ||
		    midnight(next + pt->due_day, tz, &pp->due) != 0)
			return -1;
		if (next > last)
			return 0;
		z = next;
	}
}

static int
parse_every(const char *s, enum plan_every *out)
{
	static const char *const names[] = { "", "week", "month", "quarter" };

	for (int i = 1; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum plan_every)i;
			return 0;
		}
	return -1;
}

static void
check_due(struct build *b, const struct btask *t, struct plan_task *pt)
{
	const struct field *f = &t->f[T_DUE];
	int max = pt->every == PLAN_EVERY_WEEK ? 7 : 28;
	char *end;
	long v;

	pt->due_day = pt->every == PLAN_EVERY_WEEK ? 1 : 5;
	if (f->val == NULL)
		return;
	v = strtol(f->val, &end, 10);
	if (*end != '\0' || end == f->val || v < 1 || v > max) {
		planb_errf(b, f->line, "report_due '%s' of task '%s' must be a "
		           "day from 1 to %d of the next %s%s", f->val, t->code,
		           max, pt->every == PLAN_EVERY_WEEK ? "week" : "period",
		           pt->every == PLAN_EVERY_WEEK ? " (Monday = 1)" : "");
		return;
	}
	pt->due_day = (int)v;
}

void
planb_check_periods(struct build *b, const char *tz, struct plan_task *tasks)
{
	for (size_t i = 0; i < b->n_tasks; i++) {
		const struct btask *t = &b->tasks[i];
		struct plan_task *pt = &tasks[i];
		const struct field *f = &t->f[T_EVERY];
		int rc;

		if (f->val == NULL) {
			if (t->f[T_DUE].val)
				planb_errf(b, t->f[T_DUE].line, "report_due of task "
				           "'%s' needs report_every (week, month "
				           "or quarter)", t->code);
			continue;
		}
		if (parse_every(f->val, &pt->every) != 0) {
			planb_errf(b, f->line, "report_every '%s' of task '%s' "
			           "must be week, month or quarter", f->val,
			           t->code);
			continue;
		}
		check_due(b, t, pt);
		if (t->f[T_STALE].val == NULL)
			pt->stale_after = 0; /* the periods say when it is late */
		if (pt->deadline <= pt->start)
			continue; /* already reported */
		if ((rc = lay_out(pt, tz)) == -3)
			b->oom = 1;
		else if (rc != 0)
			planb_errf(b, f->line, "task '%s' would have %s reporting "
			           "periods; shorten it or report less often",
			           t->code, rc == -2 ? "too many" : "unreadable");
	}
}

int
plan_period_parse(const char *s, const char *tz, when_t *start, when_t *end,
                  const char **why)
{
	int y, n, len = 0;
	char c = 0;
	int64_t first, next;
	int yy, nn;

	if (sscanf(s, "%4d-%n", &y, &len) != 1 || len != 5 || y < 1 || y > 9998)
		goto bad;
	s += len;
	if ((*s == 'W' || *s == 'Q') && s[1] >= '0' && s[1] <= '9') {
		c = *s++;
	}
	len = 0;
	if (sscanf(s, "%2d%n", &n, &len) != 1 || s[len] != '\0' || len < 1)
		goto bad;
	if (c == 'W') {
		/* the Monday of ISO week n: week 1 holds 4 January */
		first = when_days_from_civil(y, 1, 4);
		first = iso_week(first, &yy, &nn) + 7 * (int64_t)(n - 1);
		iso_week(first, &yy, &nn);
		if (n < 1 || nn != n || yy != y)
			goto bad;
		next = first + 7;
	} else if (c == 'Q') {
		if (n < 1 || n > 4)
			goto bad;
		period_days(PLAN_EVERY_QUARTER,
		            when_days_from_civil(y, 3 * n - 2, 1), &first, &next,
		            &yy, &nn);
	} else {
		if (n < 1 || n > 12 || len != 2)
			goto bad;
		period_days(PLAN_EVERY_MONTH, when_days_from_civil(y, n, 1),
		            &first, &next, &yy, &nn);
	}
	if (midnight(first, tz, start) != 0 || midnight(next, tz, end) != 0)
		goto bad;
	return 0;
bad:
	*why = "not a period; write 2026-11 (a month), 2026-Q4 (a quarter) or "
	       "2026-W47 (an ISO week)";
	return -1;
}
