/*
 * test_period.c - reporting periods: the plan keys and their errors
 * (file:line), the periods laid out in the plan's zone, a year of monthly
 * reports replayed day by day (a missing November is missing_report from its due
 * day on, and the alert names it), weeks and quarters, and period= names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan_fixture.h"

#include "alertmsg.h"
#include "period.h"
#include "plan.h"
#include "tally.h"

#define TZ "Asia/Ho_Chi_Minh"

/* Lines 1-12; the task's extra keys from line 13, then its targets. */
#define PLAN(body)                                                           \
	"[unit huyen]\n"          /*  1 */                                    \
	"name = Huyện\n"          /*  2 */                                    \
	"kind = district\n"       /*  3 */                                    \
	"[unit a]\n"              /*  4 */                                    \
	"name = Xã Hoàng Đan\n"   /*  5 */                                    \
	"kind = commune\n"        /*  6 */                                    \
	"parent = huyen\n"        /*  7 */                                    \
	"[task t]\n"              /*  8 */                                    \
	"title = Thu ngân sách\n" /*  9 */                                    \
	"measure = triệu đồng\n"  /* 10 */                                    \
	"start = 2026-01-01\n"    /* 11 */                                    \
	"deadline = 2026-12-31\n" /* 12 */                                    \
	body "[targets t]\na = 1200\n"

static void
test_monthly_laid_out(void **state)
{
	struct plan *p = parse_ok(PLAN("report_every = month\n"));
	const struct plan_task *t = &p->tasks[0];

	(void)state;
	assert_int_equal(t->every, PLAN_EVERY_MONTH);
	assert_int_equal(t->due_day, 5);
	assert_int_equal(t->stale_after, 0); /* the periods say when */
	assert_int_equal(t->n_periods, 12);
	assert_int_equal(t->periods[10].num, 11);
	assert_int_equal(t->periods[10].year, 2026);
	assert_int_equal(t->periods[10].start, at("2026-11-01"));
	assert_int_equal(t->periods[10].end, at("2026-12-01"));
	assert_int_equal(t->periods[10].due, at("2026-12-06")); /* end of 5th */
	assert_int_equal(t->periods[11].due, at("2027-01-06"));
	plan_free(p);
}

/* A task with both a reporting period and stale_after: a unit whose
 * period's report is missing is missing_report (the precise word), one
 * that is only quiet for stale_after is silent; both raise the silent
 * alert rule. */
static void
test_missing_before_silent(void **state)
{
	struct plan *p = parse_ok(PLAN("report_every = month\n"
	                               "stale_after = 10d\n"));
	const struct plan_task *t = &p->tasks[0];
	struct tally ty;
	struct tally_view v;
	struct tally_report r = { REPORT_ADD, 100000, 0, 1, 1 };

	(void)state;
	tally_init(&ty);
	r.observed_at = at("2026-02-20");
	assert_int_equal(tally_apply(&ty, &r), TALLY_OK);
	/* 15 March: 23 days quiet, but February has its report and March's
	 * is not due yet. */
	tally_view(&ty, t, p->targets[0].value, at("2026-03-15"), &v);
	assert_int_equal(v.status, STATUS_SILENT);
	/* 7 April: March's report was due by the end of 5 April. */
	tally_view(&ty, t, p->targets[0].value, at("2026-04-07"), &v);
	assert_int_equal(v.status, STATUS_MISSING);
	plan_free(p);
}

static void
test_period_errors(void **state)
{
	(void)state;
	has_error(PLAN("report_every = fortnight\n"), 13,
	          "must be week, month or quarter");
	has_error(PLAN("report_every = month\nreport_due = 31\n"), 14,
	          "must be a day from 1 to 28 of the next period");
	has_error(PLAN("report_every = week\nreport_due = 8\n"), 14,
	          "1 to 7 of the next week (Monday = 1)");
	has_error(PLAN("report_due = 5\n"), 13, "needs report_every");
}

/* Reports on the 3rd of each month, January to October; none in
 * November.  The November report is due by the end of 5 December: missing
 * from 6 December 00:00, naming "tháng 11/2026". */
static void
test_year_of_monthly_reports(void **state)
{
	struct plan *p = parse_ok(PLAN("report_every = month\n"));
	const struct plan_task *t = &p->tasks[0];
	struct tally ty;
	struct tally_view v;
	when_t day;
	int m;

	(void)state;
	tally_init(&ty);
	for (m = 1; m <= 10; m++) {
		char d[16];
		struct tally_report r = { REPORT_ADD, 100000, 0, (uint64_t)m, 1 };

		snprintf(d, sizeof d, "2026-%02d-03", m);
		r.observed_at = at(d);
		assert_int_equal(tally_apply(&ty, &r), TALLY_OK);
	}
	/* Every day up to 5 December: never a missing report. */
	for (day = at("2026-01-04"); day < at("2026-12-06"); day += WHEN_DAY)
		assert_null(period_missing(t, ty.last_report_at, day));
	assert_null(period_missing(t, ty.last_report_at,
	                           at("2026-12-05 23:59")));
	assert_non_null(period_missing(t, ty.last_report_at, at("2026-12-06")));
	assert_int_equal(period_missing(t, ty.last_report_at,
	                                at("2026-12-06"))->num, 11);
	tally_view(&ty, t, p->targets[0].value, at("2026-12-10"), &v);
	assert_int_equal(v.status, STATUS_MISSING);
	{
		struct rules_subject s = { 0, 1, 0, 1 };
		struct rules_event e = { .rule = RULE_SILENT,
		                         .transition = TR_FIRING,
		                         .sev = SEV_WARNING, .view = v,
		                         .at = at("2026-12-10"),
		                         .last_report = ty.last_report_at };
		char buf[512];

		alertmsg_format(p, &s, &e, ALERTMSG_VI, buf, sizeof buf);
		assert_non_null(strstr(buf, "Xã Hoàng Đan chưa nộp báo cáo "
		                            "tháng 11/2026 “Thu ngân sách”"));
		alertmsg_format(p, &s, &e, ALERTMSG_EN, buf, sizeof buf);
		assert_non_null(strstr(buf, "has not sent its report for "
		                            "November 2026"));
	}
	/* The November report comes (late): no longer missing. */
	{
		struct tally_report r = { REPORT_ADD, 100000, at("2026-12-11"),
		                          99, 1 };
		assert_int_equal(tally_apply(&ty, &r), TALLY_OK);
	}
	tally_view(&ty, t, p->targets[0].value, at("2026-12-12"), &v);
	assert_true(v.status != STATUS_SILENT && v.status != STATUS_MISSING);
	plan_free(p);
}

static void
test_weeks_and_quarters(void **state)
{
	struct plan *p = parse_ok(PLAN("report_every = week\nreport_due = 2\n"));
	const struct plan_task *t = &p->tasks[0];
	char buf[64];

	(void)state;
	/* 2026-01-01 is a Thursday of ISO week 1 of 2026; 2026 has 53. */
	assert_int_equal(t->periods[0].start, at("2025-12-29"));
	assert_int_equal(t->periods[0].num, 1);
	assert_int_equal(t->periods[0].due, at("2026-01-07")); /* end of Tue */
	assert_int_equal(t->n_periods, 53);
	assert_string_equal(period_label(t, &t->periods[46], 0, buf, sizeof buf),
	                    "tuần 47/2026");
	plan_free(p);
	p = parse_ok(PLAN("report_every = quarter\nreport_due = 10\n"));
	t = &p->tasks[0];
	assert_int_equal(t->n_periods, 4);
	assert_int_equal(t->periods[3].start, at("2026-10-01"));
	assert_int_equal(t->periods[3].due, at("2027-01-11"));
	assert_string_equal(period_label(t, &t->periods[3], 0, buf, sizeof buf),
	                    "quý 4/2026");
	plan_free(p);
}

static void
test_period_names(void **state)
{
	when_t s, e;
	const char *why;

	(void)state;
	assert_int_equal(plan_period_parse("2026-11", TZ, &s, &e, &why), 0);
	assert_int_equal(s, at("2026-11-01"));
	assert_int_equal(e, at("2026-12-01"));
	assert_int_equal(plan_period_parse("2026-Q4", TZ, &s, &e, &why), 0);
	assert_int_equal(s, at("2026-10-01"));
	assert_int_equal(e, at("2027-01-01"));
	assert_int_equal(plan_period_parse("2026-W53", TZ, &s, &e, &why), 0);
	assert_int_equal(s, at("2026-12-28"));
	assert_int_equal(e, at("2027-01-04"));
	assert_int_equal(plan_period_parse("2026-W54", TZ, &s, &e, &why), -1);
	assert_int_equal(plan_period_parse("2026-13", TZ, &s, &e, &why), -1);
	assert_int_equal(plan_period_parse("2026-Q5", TZ, &s, &e, &why), -1);
	assert_int_equal(plan_period_parse("11/2026", TZ, &s, &e, &why), -1);
	assert_non_null(strstr(why, "2026-11"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monthly_laid_out),
		cmocka_unit_test(test_period_errors),
		cmocka_unit_test(test_missing_before_silent),
		cmocka_unit_test(test_year_of_monthly_reports),
		cmocka_unit_test(test_weeks_and_quarters),
		cmocka_unit_test(test_period_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
