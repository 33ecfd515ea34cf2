/*
 * test_schedule.c - a unit's own milestones ([schedule TASK UNIT]): read
 * from the plan, a year replayed day by day in simulated time (the unit
 * on its own pace, its neighbour and the roll-up on the task's), statuses
 * after reports, revisions of its target on the same pace, and every
 * mistake tiendo-ctl check must explain at its line.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "pacing.h"
#include "plan_fixture.h"
#include "rollup.h"

/*
 * Task t: 2021, 50% by 30 June.  Commune b runs ahead on its own pace: 60%
 * by 31 March, all by 30 September.  Lines 1-17 are fixed, `task` is line
 * 18 (one line), [targets t] line 19, TARGETS lines 20-21 (a, b) and
 * `more`, the schedule, from line 22.
 */
#define PLAN(task, targets, more)                                            \
	"[unit huyen]\nname = Huyện\nkind = district\n"           /*  1-3  */ \
	"[unit a]\nname = Xã A\nkind = commune\nparent = huyen\n" /*  4-7  */ \
	"[unit b]\nname = Xã B\nkind = commune\nparent = huyen\n" /*  8-11 */ \
	"[task t]\ntitle = Trồng cây\nmeasure = cây\n"            /* 12-14 */ \
	"start = 2021-01-01\ndeadline = 2021-12-31\n"             /* 15-16 */ \
	"stale_after = 0\n"                                        /* 17    */ \
	task                                                      /* 18    */ \
	"[targets t]\n"                                           /* 19    */ \
	targets                                                   /* 20-21 */ \
	more                                                      /* 22-   */

#define MS_TASK "milestone = 2021-06-30 50\n"
#define LINEAR "; linear\n"
#define TARGETS "a = 1200\nb = 1200\n"
#define SCHED(body) "[schedule t b]\n" body
#define GOOD SCHED("deadline = 2021-09-30\nmilestone = 2021-03-31 60\n")

static const double EPS = 1e-9;

/* Where a unit should be, worked out by hand, on a pace of one
 * milestone: pct% at ms (the instant the milestone's day ends), all at
 * end. */
static double
one_milestone(when_t now, const char *start, const char *ms, double pct,
              const char *end)
{
	when_t s = at(start), m = at(ms), d = at(end);

	if (now < s)
		return 0;
	if (now < m)
		return pct * (double)(now - s) / (double)(m - s);
	if (now < d)
		return pct + (100.0 - pct) * (double)(now - m) / (double)(d - m);
	return 100;
}

/* b, on its own schedule: 60% by 31 March, all by 30 September. */
static double
b_expected(when_t now)
{
	return one_milestone(now, "2021-01-01", "2021-04-01", 60.0,
	                     "2021-10-01");
}

/* And a, on the task's: 50% by 30 June, 100% by 31 December. */
static double
a_expected(when_t now)
{
	return one_milestone(now, "2021-01-01", "2021-07-01", 50.0,
	                     "2022-01-01");
}

static void
test_schedule_read(void **state)
{
	struct plan *p = parse_ok(PLAN(MS_TASK, TARGETS, GOOD));
	struct plan_task buf;
	const struct plan_task *own;

	(void)state;
	assert_int_equal(p->n_schedules, 1);
	assert_int_equal(p->targets[0].schedule, 0);   /* a: the task's */
	assert_int_equal(p->targets[0].deadline, 0);
	assert_int_equal(p->targets[1].schedule, 1);   /* b: its own */
	assert_int_equal(p->targets[1].deadline, at("2021-10-01"));
	assert_int_equal(p->schedules[0].target, 1);
	assert_int_equal(p->schedules[0].line, 22);
	assert_int_equal(p->schedules[0].n_milestones, 1);
	assert_int_equal(p->schedules[0].milestones[0].at, at("2021-04-01"));
	assert_true(p->schedules[0].milestones[0].percent == 60.0);
	/* a's schedule is the task itself; b's its own */
	assert_ptr_equal(plan_target_task(p, 0, &buf), &p->tasks[0]);
	own = plan_target_task(p, 1, &buf);
	assert_ptr_equal(own, &buf);
	assert_int_equal(own->n_milestones, 1);
	assert_int_equal(own->deadline, at("2021-10-01"));
	assert_int_equal(p->tasks[0].n_milestones, 1); /* the task's intact */
	assert_int_equal(p->tasks[0].milestones[0].at, at("2021-07-01"));
	plan_free(p);

	/* Without a deadline of its own: the task's, and its own
	 * milestones may come after the task's. */
	p = parse_ok(PLAN(MS_TASK, TARGETS,
	                  SCHED("milestone = 2021-03-31 20\n"
	                        "milestone = 2021-11-30 90%\n")));
	own = plan_target_task(p, 1, &buf);
	assert_int_equal(own->deadline, p->tasks[0].deadline);
	assert_int_equal(own->n_milestones, 2);
	assert_true(pacing_expected(own, at("2021-12-01")) == 90.0);
	plan_free(p);

	/* Its deadline on its target line ("by DATE") and its milestones
	 * in the section go together. */
	p = parse_ok(PLAN(MS_TASK, "a = 1200\nb = 1200 by 2021-09-30\n",
	                  SCHED("milestone = 2021-03-31 60\n")));
	assert_int_equal(p->targets[1].deadline, at("2021-10-01"));
	assert_int_equal(p->targets[1].schedule, 1);
	plan_free(p);
}

/* A year and a week either side, a day at a time: each unit follows its
 * own pace, and the roll-up follows the task's on the summed target. */
static void
test_year_replayed(void **state)
{
	struct plan *p = parse_ok(PLAN(MS_TASK, TARGETS, GOOD));
	struct board *b = board_new(p);
	double last_b = -1;
	size_t n;

	(void)state;
	assert_non_null(b);
	for (when_t now = at("2020-12-25"); now < at("2022-01-08");
	     now += WHEN_DAY / 4) {
		struct tally_view va, vb, vr;

		board_view(b, 0, now, &va);
		board_view(b, 1, now, &vb);
		assert_int_equal(board_rollup(b, 0, 0, now, &vr, &n), 0);
		assert_int_equal(n, 2);
		if (fabs(va.expected - a_expected(now)) > EPS ||
		    fabs(vb.expected - b_expected(now)) > EPS)
			fail_msg("at %lld: a %.9f (want %.9f), b %.9f (want "
			         "%.9f)", (long long)now, va.expected,
			         a_expected(now), vb.expected, b_expected(now));
		/* the district: the task's pace, as it always was */
		assert_true(fabs(vr.expected - a_expected(now)) < EPS);
		assert_true(vb.expected >= last_b); /* never goes back */
		last_b = vb.expected;
	}
	/* The milestones themselves, exactly. */
	{
		struct tally_view v;

		board_view(b, 1, at("2021-04-01"), &v);
		assert_true(v.expected == 60.0);
		board_view(b, 1, at("2021-10-01") - 1, &v);
		assert_true(v.expected < 100.0 && v.expected > 99.99);
		board_view(b, 0, at("2021-07-01"), &v);
		assert_true(v.expected == 50.0);
	}
	board_free(b);
	plan_free(p);
}

static void
report(struct board *b, int target, const char *value, const char *when,
       uint64_t seq)
{
	struct tally_report r = { REPORT_ADD, num(value), at(when), seq, 1 };

	assert_int_equal(board_apply(b, target, &r), TALLY_OK);
}

/* The same 600 trees are on track for a and lagging for b at the end of
 * March; b is overdue in October while a and the district run on. */
static void
test_statuses(void **state)
{
	struct plan *p = parse_ok(PLAN(MS_TASK, TARGETS, GOOD));
	struct board *b = board_new(p);
	struct tally_view v;
	size_t n;

	(void)state;
	assert_non_null(b);
	report(b, 0, "600", "2021-03-20", 1);
	report(b, 1, "600", "2021-03-20", 2);
	board_view(b, 0, at("2021-04-01"), &v);
	assert_int_equal(v.status, STATUS_ON_TRACK); /* 50 vs 24.9 */
	board_view(b, 1, at("2021-04-01"), &v);
	assert_true(v.expected == 60.0);
	assert_true(fabs(v.lag - 10.0) < EPS);
	assert_int_equal(v.status, STATUS_LAGGING); /* 50 vs 60 */
	board_view(b, 1, at("2021-08-01"), &v);
	assert_int_equal(v.status, STATUS_CRITICAL); /* 50 vs 86.7 */
	board_view(b, 1, at("2021-10-02"), &v);
	assert_int_equal(v.status, STATUS_OVERDUE);
	board_view(b, 0, at("2021-10-02"), &v);
	assert_int_equal(v.status, STATUS_CRITICAL); /* 50 vs 75.3: late
	                                                 but not overdue */
	assert_int_equal(board_rollup(b, 0, 0, at("2021-10-02"), &v, &n), 0);
	assert_true(v.status != STATUS_OVERDUE);
	/* b catches up: done, whatever its pace said */
	report(b, 1, "600", "2021-10-05", 3);
	board_view(b, 1, at("2021-10-06"), &v);
	assert_int_equal(v.status, STATUS_DONE);
	board_free(b);
	plan_free(p);
}

/* A revision of b's target keeps b's pace: its expected share applies to
 * the target in force, and a view of the past keeps the old one. */
static void
test_with_revisions(void **state)
{
	struct plan *p = parse_ok(PLAN(MS_TASK,
	                               "a = 1200\nb = 1200\n"
	                               "b = 600 from 2021-06-01\n", GOOD));
	struct board *b = board_new(p);
	struct tally_view v;

	(void)state;
	assert_non_null(b);
	assert_int_equal(p->targets[1].n_revs, 2);
	assert_int_equal(p->targets[1].schedule, 1);
	report(b, 1, "450", "2021-05-01", 1);
	board_view(b, 1, at("2021-05-15"), &v);
	assert_int_equal(v.target, num("1200"));
	assert_true(fabs(v.expected - b_expected(at("2021-05-15"))) < EPS);
	assert_int_equal(v.status, STATUS_CRITICAL); /* 37.5 vs 69.6 */
	board_view(b, 1, at("2021-07-01"), &v);
	assert_int_equal(v.target, num("600"));
	assert_true(fabs(v.expected - b_expected(at("2021-07-01"))) < EPS);
	assert_int_equal(v.status, STATUS_ON_TRACK); /* 75 vs 79.9 */
	board_free(b);
	plan_free(p);
}

/* Old plans: no [schedule], nothing changes. */
static void
test_old_plans(void **state)
{
	struct plan *p = parse_ok(PLAN(MS_TASK, "a = 1200\nb = 1200 by "
	                               "2021-09-30\n", ""));
	struct plan_task buf;
	const struct plan_task *own;

	(void)state;
	assert_int_equal(p->n_schedules, 0);
	assert_int_equal(p->targets[1].schedule, 0);
	own = plan_target_task(p, 1, &buf);
	assert_int_equal(own->deadline, at("2021-10-01"));
	assert_int_equal(own->n_milestones, 1); /* the task's, before it */
	plan_free(p);
}

static void
test_errors(void **state)
{
	(void)state;
	/* the milestones, as a task's */
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("milestone = 2021-05-31 60\n"
	                     "milestone = 2021-03-31 70\n")), 24,
	          "milestone '2021-03-31 70' of unit 'b' in task 't' is not "
	          "after the one before it");
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("milestone = 2021-03-31 60\n"
	                     "milestone = 2021-05-31 60\n")), 24,
	          "milestone percent of unit 'b' in task 't' must grow");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("milestone = 2021-03-31 100\n")),
	          23, "milestone percent '100' of unit 'b' in task 't' must be "
	          "between 0 and 100");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("milestone = 2021-03-31 -5\n")),
	          23, "must be between 0 and 100");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("milestone = 2021-03-31 abc\n")),
	          23, "milestone percent 'abc' of unit 'b' in task 't' is not "
	          "a number");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("milestone = 31/3 60\n")), 23,
	          "milestone date '31/3' of unit 'b' in task 't' is not a "
	          "valid date");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("milestone = 60\n")), 23,
	          "must be a date and a percent");
	/* inside the task's start and the unit's own deadline */
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("deadline = 2021-09-30\n"
	                     "milestone = 2021-10-31 90\n")), 24,
	          "milestone '2021-10-31 90' of unit 'b' in task 't' is not "
	          "between its start 2021-01-01 and deadline 2021-09-30");
	has_error(PLAN(MS_TASK, "a = 1200\nb = 1200 by 2021-09-30\n",
	               SCHED("milestone = 2021-09-30 90\n")), 23,
	          "is not between its start 2021-01-01 and deadline "
	          "2021-09-30");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("milestone = 2020-12-31 10\n")),
	          23, "is not between its start 2021-01-01 and deadline "
	          "2021-12-31");
	/* its deadline */
	has_error(PLAN(MS_TASK, "a = 1200\nb = 1200 by 2021-09-30\n",
	               SCHED("deadline = 2021-08-31\n"
	                     "milestone = 2021-03-31 60\n")), 23,
	          "unit 'b' of task 't' has its own deadline on its target "
	          "line already (line 21, 'by 2021-09-30')");
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("deadline = September\n"
	                     "milestone = 2021-03-31 60\n")), 23,
	          "deadline 'September' of unit 'b' in task 't' is not a "
	          "valid date");
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("deadline = 2020-12-31\n"
	                     "milestone = 2021-03-31 60\n")), 23,
	          "deadline 2020-12-31 of unit 'b' is not after the start of "
	          "task 't'");
	has_error(PLAN(MS_TASK, TARGETS, SCHED("deadline = 2021-09-30\n")), 22,
	          "schedule of unit 'b' for task 't' has no milestone lines");
	/* whose */
	has_error(PLAN(MS_TASK, "a = 1200\n",
	               SCHED("milestone = 2021-03-31 60\n")), 21,
	          "unit 'b' has no target in task 't'; a schedule is for a "
	          "unit listed in [targets t]");
	has_error(PLAN(MS_TASK, TARGETS,
	               "[schedule t c]\nmilestone = 2021-03-31 60\n"), 22,
	          "schedule for unknown unit 'c'");
	has_error(PLAN(MS_TASK, TARGETS,
	               "[schedule u b]\nmilestone = 2021-03-31 60\n"), 22,
	          "schedule for unknown task 'u'");
	/* a task with milestones to replace */
	has_error(PLAN(LINEAR, TARGETS, SCHED("milestone = 2021-03-31 60\n")), 22,
	          "task 't' is not paced by milestones, so unit 'b' has none "
	          "to replace; write 'pacing = milestones'");
	has_error(PLAN("kind = level\n", TARGETS,
	               SCHED("milestone = 2021-03-31 60\n")), 22,
	          "task 't' is a level: nothing is paced before its deadline");
	has_error(PLAN("kind = milestone\n", "a = 1\nb = 1\n",
	               SCHED("milestone = 2021-03-31 60\n")), 22,
	          "task 't' is a milestone: nothing is paced");
	has_error(PLAN("parent_targets = allocation\n" MS_TASK,
	               "huyen = 2400\n" TARGETS,
	               "[schedule t huyen]\nmilestone = 2021-03-31 60\n"), 24,
	          "the target of unit 'huyen' in task 't' is a total shared "
	          "out below it");
	/* the section itself */
	has_error(PLAN(MS_TASK, TARGETS, GOOD GOOD), 25,
	          "schedule of unit 'b' for task 't' is given twice; the first "
	          "[schedule t b] is on line 22");
	has_error(PLAN(MS_TASK, TARGETS, "[schedule t]\n"), 22,
	          "[schedule t] needs a task and a unit, as in [schedule "
	          "trong-cay hoang-dan]");
	has_error(PLAN(MS_TASK, TARGETS, "[schedule]\n"), 22,
	          "[schedule] needs a task and a unit");
	has_error(PLAN(MS_TASK, TARGETS, "[schedule t b c]\n"), 22,
	          "needs a task and a unit");
	has_error(PLAN(MS_TASK, TARGETS, "[schedule t Xã-B]\n"), 22,
	          "unit code 'Xã-B' in [schedule t Xã-B] may only use a-z");
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("milestone = 2021-03-31 60\nstart = 2021-02-01\n")),
	          24, "unknown key 'start' in [schedule t b]; expected deadline "
	          "or milestone");
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("deadline = 2021-09-30\ndeadline = 2021-09-29\n"
	                     "milestone = 2021-03-31 60\n")), 24,
	          "'deadline' is given twice in [schedule t b]; the first is on "
	          "line 23");
	has_error(PLAN(MS_TASK, TARGETS, "[shedule t b]\n"), 22,
	          "unknown section [shedule t b]; expected [plan], [unit CODE], "
	          "[task CODE], [targets CODE] or [schedule TASK UNIT]");
}

/* Each date text is read once (planb_parse_date keeps it): the same text
 * is still the start of its day for a revision and the end of it for a
 * deadline, and a bad one is named at every line that has it. */
static void
test_dates_read_once(void **state)
{
	struct plan *p = parse_ok(PLAN(MS_TASK,
	                               "a = 1200\nb = 1200\n"
	                               "b = 600 from 2021-09-30\n",
	                               SCHED("deadline = 2021-09-30\n"
	                                     "milestone = 2021-03-31 60\n")
	                               "[schedule t a]\n"
	                               "deadline = 2021-09-30\n"
	                               "milestone = 2021-03-31 60\n"));

	(void)state;
	assert_int_equal(p->targets[1].revs[1].from, at("2021-09-30"));
	assert_int_equal(p->targets[1].deadline, at("2021-10-01"));
	assert_int_equal(p->targets[0].deadline, at("2021-10-01"));
	assert_int_equal(p->schedules[0].milestones[0].at, at("2021-04-01"));
	assert_int_equal(p->schedules[1].milestones[0].at, at("2021-04-01"));
	plan_free(p);
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("milestone = 2021-02-30 60\n")
	               "[schedule t a]\nmilestone = 2021-02-30 60\n"), 23,
	          "milestone date '2021-02-30' of unit 'b'");
	has_error(PLAN(MS_TASK, TARGETS,
	               SCHED("milestone = 2021-02-30 60\n")
	               "[schedule t a]\nmilestone = 2021-02-30 60\n"), 25,
	          "milestone date '2021-02-30' of unit 'a'");
}

/* README's worked example, number for number. */
static void
test_readme_example(void **state)
{
	static const char plan[] =
		"[unit tam-duong]\nname = Huyện Tam Dương\nkind = district\n"
		"[unit hoang-dan]\nname = Xã Hoàng Đan\nkind = commune\n"
		"parent = tam-duong\n"
		"[unit kim-long]\nname = Xã Kim Long\nkind = commune\n"
		"parent = tam-duong\n"
		"[task trong-cay]\n"
		"title = Tết trồng cây xuân Tân Sửu 2021\n"
		"measure = cây\n"
		"start = 2021-02-17\n"
		"deadline = 2021-04-30\n"
		"pacing = milestones\n"
		"milestone = 2021-03-15 30        ; every commune: 30 % by 15 March...\n"
		"[targets trong-cay]\n"
		"hoang-dan = 5000\n"
		"kim-long = 3000\n"
		"[schedule trong-cay kim-long]    ; ...but Kim Long:\n"
		"deadline = 2021-03-31            ; optional: its own deadline (end of that day)\n"
		"milestone = 2021-03-05 50        ; 50 % by the end of 5 March\n"
		"milestone = 2021-03-20 80        ; 80 % by the end of 20 March\n";
	struct plan *p = parse_ok(plan);
	struct board *b = board_new(p);
	struct tally_view v;
	when_t t = at("2021-03-06");
	size_t n;

	(void)state;
	assert_non_null(b);
	/* targets sorted by unit: hoang-dan 0, kim-long 1 */
	report(b, 0, "1000", "2021-03-04", 1);
	report(b, 1, "1200", "2021-03-04", 2);
	board_view(b, 1, t, &v);
	assert_true(v.expected == 50.0);
	assert_true(fabs(v.lag - 10.0) < EPS);
	assert_int_equal(v.status, STATUS_LAGGING);
	board_view(b, 0, t, &v);
	assert_true(fabs(v.expected - 30.0 * 17 / 27) < EPS); /* 18.89 */
	assert_int_equal(v.status, STATUS_ON_TRACK);
	assert_int_equal(board_rollup(b, 0, 0, t, &v, &n), 0);
	assert_true(fabs(v.percent - 27.5) < EPS);
	assert_true(fabs(v.expected - 30.0 * 17 / 27) < EPS);
	assert_int_equal(v.status, STATUS_ON_TRACK);
	board_view(b, 1, at("2021-04-01"), &v);
	assert_int_equal(v.status, STATUS_OVERDUE);
	board_view(b, 0, at("2021-04-01"), &v);
	assert_true(v.status != STATUS_OVERDUE);
	board_free(b);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_read),
		cmocka_unit_test(test_year_replayed),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_with_revisions),
		cmocka_unit_test(test_old_plans),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dates_read_once),
		cmocka_unit_test(test_readme_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
