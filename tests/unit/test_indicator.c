/*
 * test_indicator.c - levels, milestones, ceilings, integer measures and
 * negative ADDs: the plan keys with their errors (file:line), and a year
 * of each replayed day by day through tally_view, the way the daemon
 * sees it.
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

#include "board.h"
#include "indicator.h"
#include "rate.h"
#include "rollup.h"
#include "rules.h"
#include "plan.h"
#include "tally.h"

#define TZ "Asia/Ho_Chi_Minh"

/* Units on lines 1-6; a task's section starts on line 7. */
#define UNITS                                                                \
	"[unit huyen]\n"      /* 1 */                                         \
	"name = Huyện\n"      /* 2 */                                         \
	"kind = district\n"   /* 3 */                                         \
	"[unit a]\n"          /* 4 */                                         \
	"name = Xã A\n"       /* 5 */                                         \
	"kind = commune\n"    /* 6 */                                         \
	"parent = huyen\n"    /* 7 */

/* A task over 2026 with `body` after its 5 fixed lines (8-12), then its
 * targets. */
#define TASK(body, targets)                                                  \
	UNITS "[task t]\n"                           /*  8 */                 \
	      "title = T\n"                          /*  9 */                 \
	      "measure = %\n"                        /* 10 */                 \
	      "start = 2026-01-01\n"                 /* 11 */                 \
	      "deadline = 2026-12-31\n"              /* 12 */                 \
	      body "[targets t]\n" targets

static void
set(struct tally *t, const char *when, const char *value, uint64_t seq)
{
	struct tally_report r = { REPORT_SET, num(value), at(when), seq, 1 };

	assert_int_equal(tally_apply(t, &r), TALLY_OK);
}

static void
add(struct tally *t, const char *when, const char *value, uint64_t seq)
{
	struct tally_report r = { REPORT_ADD, num(value), at(when), seq, 1 };

	assert_int_equal(tally_apply(t, &r), TALLY_OK);
}

static enum tally_status
status_at(const struct plan *p, const struct tally *t, const char *when)
{
	struct tally_view v;

	tally_view(t, &p->tasks[0], p->targets[0].value, at(when), &v);
	return v.status;
}

/* ---- the plan language ---- */

static void
test_kinds_read(void **state)
{
	struct plan *p;

	(void)state;
	p = parse_ok(TASK("kind = level\nhold = at_most\n", "a = 0\n"));
	assert_int_equal(p->tasks[0].kind, PLAN_KIND_LEVEL);
	assert_int_equal(p->tasks[0].hold_below, 1);
	assert_int_equal(p->targets[0].value, 0);
	plan_free(p);
	p = parse_ok(TASK("kind = milestone\n", "a = 1\n"));
	assert_int_equal(p->tasks[0].kind, PLAN_KIND_MILESTONE);
	assert_int_equal(p->tasks[0].integer, 1);
	assert_int_equal(p->tasks[0].no_negative_adds, 1);
	assert_int_equal(p->tasks[0].stale_after, 0);
	plan_free(p);
	p = parse_ok(TASK("kind = ceiling\ninteger = yes\nnegative_adds = no\n",
	                  "a = 0\n"));
	assert_int_equal(p->tasks[0].kind, PLAN_KIND_CEILING);
	assert_int_equal(p->tasks[0].integer, 1);
	assert_int_equal(p->tasks[0].no_negative_adds, 1);
	plan_free(p);
	/* An old plan: a quantity that allows take-backs and fractions. */
	p = parse_ok(TASK("", "a = 12.5\n"));
	assert_int_equal(p->tasks[0].kind, PLAN_KIND_QUANTITY);
	assert_int_equal(p->tasks[0].integer, 0);
	assert_int_equal(p->tasks[0].no_negative_adds, 0);
	plan_free(p);
}

static void
test_kind_errors(void **state)
{
	(void)state;
	has_error(TASK("kind = rate-ish\n", "a = 1\n"), 13,
	          "must be quantity, level, milestone, ceiling or rate");
	has_error(TASK("hold = at_least\n", "a = 1\n"), 13,
	          "hold is for a level");
	has_error(TASK("kind = level\nhold = above\n", "a = 1\n"), 14,
	          "must be at_least or at_most");
	has_error(TASK("integer = maybe\n", "a = 1\n"), 13, "yes or no");
	has_error(TASK("negative_adds = sometimes\n", "a = 1\n"), 13,
	          "yes or no");
	has_error(TASK("kind = milestone\n", "a = 2\n"), 15, "must be 1");
	has_error(TASK("kind = milestone\ninteger = no\n", "a = 1\n"), 14,
	          "cannot be 'integer = no'");
	has_error(TASK("kind = level\nmilestone = 2026-06-30 50\n", "a = 98\n"),
	          14, "milestone lines pace a quantity or a rate only");
	has_error(TASK("kind = ceiling\npacing = linear\n", "a = 0\n"), 14,
	          "pacing is for a quantity or a rate only");
	has_error(TASK("integer = yes\n", "a = 0.5\n"), 15,
	          "must be a whole number");
	has_error(TASK("", "a = 0\n"), 14, "write 'kind = ceiling'");
	has_error(TASK("kind = level\n", "a = 0\n"), 15, "greater than zero");
	has_error(TASK("kind = ceiling\n", "a = -1\n"), 15, "greater than zero");
}

static void
test_check_value(void **state)
{
	struct plan *p;

	(void)state;
	p = parse_ok(TASK("integer = yes\nnegative_adds = no\n", "a = 20\n"));
	assert_non_null(indicator_check_value(&p->tasks[0], REPORT_ADD,
	                                      num("0.5")));
	assert_non_null(indicator_check_value(&p->tasks[0], REPORT_ADD,
	                                      num("-3")));
	assert_null(indicator_check_value(&p->tasks[0], REPORT_ADD, num("3")));
	assert_null(indicator_check_value(&p->tasks[0], REPORT_SET, num("7")));
	plan_free(p);
	p = parse_ok(TASK("kind = milestone\n", "a = 1\n"));
	assert_non_null(indicator_check_value(&p->tasks[0], REPORT_SET,
	                                      num("2")));
	assert_null(indicator_check_value(&p->tasks[0], REPORT_SET, num("1")));
	assert_null(indicator_check_value(&p->tasks[0], REPORT_SET, num("0")));
	plan_free(p);
	/* Old plans: fractions and take-backs as before. */
	p = parse_ok(TASK("", "a = 20\n"));
	assert_null(indicator_check_value(&p->tasks[0], REPORT_ADD,
	                                  num("-0.5")));
	plan_free(p);
}

/* ---- a year replayed ---- */

/* "≥ 98 % of dossiers on time": 99.2 in February is on track, never
 * "done" before the year ends; 91 in November is out of bounds. */
static void
test_level_year(void **state)
{
	struct plan *p = parse_ok(TASK("kind = level\nstale_after = 0\n",
	                               "a = 98\n"));
	struct tally t;
	struct tally_view v;

	(void)state;
	tally_init(&t);
	assert_int_equal(status_at(p, &t, "2025-12-20"), STATUS_NOT_STARTED);
	assert_int_equal(status_at(p, &t, "2026-01-15"), STATUS_ON_TRACK);
	set(&t, "2026-02-10", "99.2", 1);
	assert_int_equal(status_at(p, &t, "2026-02-28"), STATUS_ON_TRACK);
	assert_int_equal(status_at(p, &t, "2026-10-31"), STATUS_ON_TRACK);
	set(&t, "2026-11-05", "91", 2);
	tally_view(&t, &p->tasks[0], p->targets[0].value, at("2026-11-20"), &v);
	assert_int_equal(v.status, STATUS_LAGGING);
	assert_true(v.lag >= p->tasks[0].warn);
	set(&t, "2026-11-10", "60", 3);
	assert_int_equal(status_at(p, &t, "2026-11-20"), STATUS_CRITICAL);
	set(&t, "2026-12-01", "98", 4);
	assert_int_equal(status_at(p, &t, "2026-12-15"), STATUS_ON_TRACK);
	assert_int_equal(status_at(p, &t, "2027-01-02"), STATUS_DONE);
	set(&t, "2026-12-20", "97.9", 5);
	assert_int_equal(status_at(p, &t, "2027-01-02"), STATUS_OVERDUE);
	plan_free(p);
}

/* Just under the line, but for six weeks: critical_after = 30d makes a
 * small miss critical once it has lasted. */
static void
test_level_time_out_of_bounds(void **state)
{
	struct plan *p = parse_ok(TASK("kind = level\nstale_after = 0\n"
	                               "critical_after = 30d\n", "a = 98\n"));
	struct tally t;

	(void)state;
	tally_init(&t);
	set(&t, "2026-05-01", "97.5", 1);
	assert_int_equal(status_at(p, &t, "2026-05-15"), STATUS_LAGGING);
	assert_int_equal(status_at(p, &t, "2026-05-31"), STATUS_CRITICAL);
	set(&t, "2026-06-02", "98.5", 2);
	assert_int_equal(status_at(p, &t, "2026-07-15"), STATUS_ON_TRACK);
	plan_free(p);
	has_error(TASK("critical_after = 30d\n", "a = 1\n"), 13,
	          "critical_after is for what is held");
}

static void
test_level_at_most(void **state)
{
	struct plan *p = parse_ok(TASK("kind = level\nhold = at_most\n"
	                               "stale_after = 0\n", "a = 5\n"));
	struct tally t;

	(void)state;
	tally_init(&t);
	set(&t, "2026-03-01", "4", 1);
	assert_int_equal(status_at(p, &t, "2026-03-02"), STATUS_ON_TRACK);
	set(&t, "2026-04-01", "5.5", 2);
	assert_int_equal(status_at(p, &t, "2026-04-02"), STATUS_LAGGING);
	set(&t, "2026-05-01", "9", 3);
	assert_int_equal(status_at(p, &t, "2026-05-02"), STATUS_CRITICAL);
	plan_free(p);
}

/* A commune reaches the NTM standard (target 1): nothing expected seven
 * months before the deadline; overdue after; done whenever reached. */
static void
test_milestone_year(void **state)
{
	struct plan *p = parse_ok(TASK("kind = milestone\n", "a = 1\n"));
	struct tally t;
	struct tally_view v;
	when_t day;

	(void)state;
	tally_init(&t);
	for (day = at("2026-01-01"); day < at("2027-01-01"); day += WHEN_DAY) {
		tally_view(&t, &p->tasks[0], p->targets[0].value, day, &v);
		assert_true(v.lag <= 0);
		assert_int_equal(v.status, STATUS_ON_TRACK);
	}
	tally_view(&t, &p->tasks[0], p->targets[0].value, at("2027-01-01"), &v);
	assert_int_equal(v.status, STATUS_OVERDUE);
	assert_true(v.expected == 100.0);
	set(&t, "2026-06-01", "1", 1);
	assert_int_equal(status_at(p, &t, "2026-06-02"), STATUS_DONE);
	assert_int_equal(status_at(p, &t, "2027-02-01"), STATUS_DONE);
	plan_free(p);
}

/* Forest fires: ceiling 0.  Quiet is on track, done at the year's end; a
 * fire is critical at once and the year ends overdue. */
static void
test_ceiling_year(void **state)
{
	struct plan *p = parse_ok(TASK("kind = ceiling\ninteger = yes\n"
	                               "stale_after = 0\n", "a = 0\n"));
	struct tally t;
	struct tally_view v;

	(void)state;
	tally_init(&t);
	assert_int_equal(status_at(p, &t, "2026-06-01"), STATUS_ON_TRACK);
	assert_int_equal(status_at(p, &t, "2027-01-01"), STATUS_DONE);
	add(&t, "2026-08-01", "1", 1);
	tally_view(&t, &p->tasks[0], p->targets[0].value, at("2026-08-02"), &v);
	assert_int_equal(v.status, STATUS_CRITICAL);
	assert_true(v.lag >= p->tasks[0].critical);
	assert_int_equal(status_at(p, &t, "2027-01-01"), STATUS_OVERDUE);
	plan_free(p);
}

/* A backlog held under 10: 6 is on track, 12 is over the ceiling. */
static void
test_ceiling_backlog(void **state)
{
	struct plan *p = parse_ok(TASK("kind = ceiling\nstale_after = 30d\n",
	                               "a = 10\n"));
	struct tally t;

	(void)state;
	tally_init(&t);
	set(&t, "2026-02-01", "6", 1);
	assert_int_equal(status_at(p, &t, "2026-02-02"), STATUS_ON_TRACK);
	assert_int_equal(status_at(p, &t, "2026-03-15"), STATUS_SILENT);
	set(&t, "2026-03-20", "12", 2);
	assert_int_equal(status_at(p, &t, "2026-03-21"), STATUS_CRITICAL);
	set(&t, "2026-04-01", "10", 3);
	assert_int_equal(status_at(p, &t, "2026-04-02"), STATUS_ON_TRACK);
	plan_free(p);
}

/* ---- rates: the ratio of two reported quantities ---- */

/* Two quantity tasks and a rate of them: unit b on lines 8-11, the parts
 * on 12-21, the rate's section on line 22, its body from line 27. */
#define RATE(body, targets)                                                  \
	UNITS "[unit b]\nname = Xã B\nkind = commune\nparent = huyen\n"     \
	      "[task xong]\ntitle = X\nmeasure = hồ sơ\n"                    \
	      "start = 2026-01-01\ndeadline = 2026-12-31\n"                   \
	      "[task dung-han]\ntitle = D\nmeasure = hồ sơ\n"                \
	      "start = 2026-01-01\ndeadline = 2026-12-31\n"                   \
	      "[task ty-le]\ntitle = R\nmeasure = %\n"                       \
	      "start = 2026-01-01\ndeadline = 2026-12-31\n"                   \
	      body "[targets xong]\na = 100\nb = 100\n"                      \
	      "[targets dung-han]\na = 100\nb = 100\n"                       \
	      "[targets ty-le]\n" targets

#define RATE_OK "kind = rate\nnumerator = dung-han\ndenominator = xong\n"

static void
test_rate_errors(void **state)
{
	(void)state;
	has_error(RATE("kind = rate\ndenominator = xong\n", "a = 95\n"), 22,
	          "is a rate and has no numerator");
	has_error(RATE("kind = rate\nnumerator = nope\ndenominator = xong\n",
	               "a = 95\n"), 28, "numerator 'nope' of task 'ty-le' is not "
	          "a task");
	has_error(RATE("kind = rate\nnumerator = xong\ndenominator = xong\n",
	               "a = 95\n"), 29, "divides 'xong' by itself");
	has_error(RATE("numerator = xong\n", "a = 95\n"), 27,
	          "numerator and denominator are for a rate");
	has_error(RATE(RATE_OK, "a = 95\nhuyen = 95\n"), 38,
	          "unit 'huyen' has a target for rate 'ty-le' but none in "
	          "[targets dung-han], its numerator");
}

static struct board *
rate_board(struct plan *p, const char *xa, const char *da, const char *xb,
           const char *db)
{
	struct board *b = board_new(p);
	const char *v[4] = { xa, xb, da, db };
	const char *task[4] = { "xong", "xong", "dung-han", "dung-han" };
	const char *unit[4] = { "a", "b", "a", "b" };

	assert_non_null(b);
	for (int i = 0; i < 4; i++) {
		int k = plan_target_find(p, plan_task_find(p, task[i]),
		                         plan_unit_find(p, unit[i]));
		struct tally_report r = { REPORT_SET, num(v[i]),
		                          at("2026-03-01"), (uint64_t)i + 1, 1 };

		assert_true(k >= 0);
		assert_int_equal(board_apply(b, k, &r), TALLY_OK);
		rate_follow(p, b->tallies, k);
	}
	return b;
}

/* The severity the lag rule fires at for the roll-up of `task` at `unit`,
 * with no pending time. */
static enum rules_sev
rollup_rule_lag(const struct plan *p, const struct board *b, int task,
                int unit, when_t now)
{
	struct rules_config cfg = { 0, 2.0, 0 };
	struct rules *ru = rules_new(p, &cfg);
	enum rules_sev sev;
	int k;

	assert_non_null(ru);
	assert_int_equal(rules_eval_all(ru, b, now), 0);
	k = rules_subject_find(ru, task, unit, true);
	assert_true(k >= 0);
	sev = rules_state_sev(ru, (size_t)k, RULE_LAG, NULL);
	rules_free(ru);
	return sev;
}

/* 99 of 100 on time in A, 1 of 10 in B: the district is 100/110 =
 * 90.909%, not 109% (a sum of rates) nor 54.5% (their mean). */
static void
test_rate_rollup_is_ratio_of_sums(void **state)
{
	struct plan *p = parse_ok(RATE(RATE_OK "hold = at_least\n",
	                               "a = 95\nb = 95\n"));
	struct board *b = rate_board(p, "100", "99", "10", "1");
	int r = plan_task_find(p, "ty-le"), huyen = plan_unit_find(p, "huyen");
	struct tally_view v;
	struct rollup *ru;
	size_t n;

	(void)state;
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "a")),
	           at("2026-03-02"), &v);
	assert_int_equal(v.actual, 99000);
	assert_int_equal(v.status, STATUS_ON_TRACK);
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "b")),
	           at("2026-03-02"), &v);
	assert_int_equal(v.actual, 10000);
	assert_int_equal(v.status, STATUS_CRITICAL);
	assert_int_equal(board_rollup(b, r, huyen, at("2026-03-02"), &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.actual, 90909);
	/* 95% in each commune is 95% for the district, not 190%: 90.909%
	 * misses it by 4.3% of it, lagging (out of bounds), not critical */
	assert_int_equal(v.target, 95000);
	assert_int_equal(v.status, STATUS_LAGGING);
	ru = rollup_new(p);
	assert_non_null(ru);
	rollup_task(ru, b, r, at("2026-03-02"));
	assert_int_equal(rollup_view(ru, r, huyen, at("2026-03-02"), &v), 2);
	assert_int_equal(v.actual, 90909);
	assert_int_equal(v.target, 95000);
	assert_int_equal(v.status, STATUS_LAGGING);
	rollup_free(ru);
	/* and the alert rules read the same roll-up */
	assert_int_equal(rollup_rule_lag(p, b, r, huyen, at("2026-03-02")),
	                 SEV_WARNING);
	board_free(b);
	plan_free(p);
}

/* The targets of a rate's units, weighted by their denominators: 95% of
 * A's 100 dossiers and 80% of B's 10 ask 103 of 110 on time, 93.636%;
 * before any dossier, their mean, 87.5%. */
static void
test_rate_rollup_target_weighted(void **state)
{
	struct plan *p = parse_ok(RATE(RATE_OK "hold = at_least\n",
	                               "a = 95\nb = 80\n"));
	struct board *b = board_new(p);
	int r = plan_task_find(p, "ty-le"), huyen = plan_unit_find(p, "huyen");
	struct tally_view v;
	struct rollup *ru = rollup_new(p);

	(void)state;
	assert_non_null(b);
	assert_non_null(ru);
	assert_int_equal(board_rollup(b, r, huyen, at("2026-03-02"), &v, NULL),
	                 0);
	assert_int_equal(v.target, 87500);
	board_free(b);
	b = rate_board(p, "100", "99", "10", "1");
	assert_int_equal(board_rollup(b, r, huyen, at("2026-03-02"), &v, NULL),
	                 0);
	assert_int_equal(v.actual, 90909);
	assert_int_equal(v.target, 93636);
	rollup_task(ru, b, r, at("2026-03-02"));
	assert_int_equal(rollup_view(ru, r, huyen, at("2026-03-02"), &v), 2);
	assert_int_equal(v.target, 93636);
	rollup_free(ru);
	board_free(b);
	plan_free(p);
}

/* A level in percent rolls up as the mean of its units' levels against
 * the mean of their targets (98 and 90: 94), never their sums: A at 99.2
 * and B at 91 read 95.1 (the sums 190.2 / 188 gave the same percent, but
 * no district officer reads "190.2%"); the status follows the same
 * comparison.  A unit that has not reported is not a 0 in that mean: A
 * alone reads 99.2 against its 98. */
#define LEVEL_AB(measure)                                                    \
	UNITS "[unit b]\nname = Xã B\nkind = commune\nparent = huyen\n"      \
	"[task t]\ntitle = T\nmeasure = " measure "\nkind = level\n"          \
	"start = 2026-01-01\ndeadline = 2026-12-31\nstale_after = 0\n"        \
	"[targets t]\na = 98\nb = 90\n"

static void
test_level_rollup_is_mean(void **state)
{
	struct plan *p = parse_ok(LEVEL_AB("%"));
	struct board *b = board_new(p);
	int huyen = plan_unit_find(p, "huyen");
	struct tally_report ra = { REPORT_SET, num("99.2"), at("2026-03-01"), 1, 1 };
	struct tally_report rb = { REPORT_SET, num("91"), at("2026-03-01"), 2, 1 };
	struct tally_view v;
	struct rollup *ru = rollup_new(p);
	dec_t actual = num("190.2"), target = num("188");
	size_t n;

	(void)state;
	assert_non_null(b);
	assert_non_null(ru);
	assert_int_equal(board_apply(b, plan_target_find(p, 0,
	                 plan_unit_find(p, "a")), &ra), TALLY_OK);
	assert_int_equal(board_rollup(b, 0, huyen, at("2026-03-02"), &v, &n), 0);
	assert_int_equal(v.actual, 99200);
	assert_int_equal(v.target, 98000);
	rollup_task(ru, b, 0, at("2026-03-02"));
	assert_int_equal(rollup_view(ru, 0, huyen, at("2026-03-02"), &v), 2);
	assert_int_equal(v.actual, 99200);
	assert_int_equal(v.target, 98000);
	assert_int_equal(board_apply(b, plan_target_find(p, 0,
	                 plan_unit_find(p, "b")), &rb), TALLY_OK);
	assert_int_equal(board_rollup(b, 0, huyen, at("2026-03-02"), &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.actual, 95100);
	assert_int_equal(v.target, 94000);
	assert_int_equal(v.status, STATUS_ON_TRACK);
	rollup_task(ru, b, 0, at("2026-03-02"));
	assert_int_equal(rollup_view(ru, 0, huyen, at("2026-03-02"), &v), 2);
	assert_int_equal(v.actual, 95100);
	assert_int_equal(v.target, 94000);
	/* the function itself: a quantity keeps its sums; a rate its actual
	 * (the ratio of its sums) and, without a goal, its targets' mean;
	 * halves round away from 0 */
	indicator_rollup(&(struct plan_task){ .kind = PLAN_KIND_QUANTITY }, 2,
	                 NULL, &actual, &target);
	assert_int_equal(actual, num("190.2"));
	assert_int_equal(target, num("188"));
	indicator_rollup(&(struct plan_task){ .kind = PLAN_KIND_RATE }, 2,
	                 NULL, &actual, &target);
	assert_int_equal(actual, num("190.2"));
	assert_int_equal(target, num("94"));
	actual = -3;
	indicator_rollup(&(struct plan_task){ .kind = PLAN_KIND_LEVEL,
	                 .measure = "%" }, 2, NULL, &actual, &target);
	assert_int_equal(actual, -2);
	assert_int_equal(target, num("47"));
	/* a level of amounts (a reserve in tonnes) adds up */
	indicator_rollup(&(struct plan_task){ .kind = PLAN_KIND_LEVEL,
	                 .measure = "tấn" }, 2, NULL, &actual, &target);
	assert_int_equal(actual, -2);
	assert_int_equal(target, num("47"));
	/* a milestone reached twice counts once; anything else as it is */
	assert_int_equal(indicator_value(&(struct plan_task){
	                 .kind = PLAN_KIND_MILESTONE }, num("2")), num("1"));
	assert_int_equal(indicator_value(&(struct plan_task){
	                 .kind = PLAN_KIND_MILESTONE }, 0), 0);
	assert_int_equal(indicator_value(&(struct plan_task){
	                 .kind = PLAN_KIND_QUANTITY }, num("2")), num("2"));
	rollup_free(ru);
	board_free(b);
	plan_free(p);
	/* The same in tonnes: the district holds their sums. */
	p = parse_ok(LEVEL_AB("tấn"));
	huyen = plan_unit_find(p, "huyen");
	b = board_new(p);
	assert_non_null(b);
	assert_int_equal(board_apply(b, plan_target_find(p, 0,
	                 plan_unit_find(p, "a")), &ra), TALLY_OK);
	assert_int_equal(board_apply(b, plan_target_find(p, 0,
	                 plan_unit_find(p, "b")), &rb), TALLY_OK);
	assert_int_equal(board_rollup(b, 0, huyen, at("2026-03-02"), &v, &n), 0);
	assert_int_equal(v.actual, 190200);
	assert_int_equal(v.target, 188000);
	board_free(b);
	plan_free(p);
}

/* A disbursement rate paced over the year: 62.5% of 95% in November is a
 * lag against the pace, not a percent of a percent. */
static void
test_rate_paced(void **state)
{
	struct plan *p = parse_ok(RATE(RATE_OK "stale_after = 0\n",
	                               "a = 95\nb = 95\n"));
	struct board *b = rate_board(p, "80", "50", "0", "0");
	int r = plan_task_find(p, "ty-le");
	struct tally_view v;

	(void)state;
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "a")),
	           at("2026-11-01"), &v);
	assert_int_equal(v.actual, 62500);
	assert_true(v.percent > 65.7 && v.percent < 65.8);
	assert_true(v.expected > 83 && v.expected < 84);
	assert_int_equal(v.status, STATUS_LAGGING);
	/* the lag is in points of the rate, as the alert says it: on 6
	 * November 95% x 309/365 = 80.4% is planned, 62.5% reached, 17.9
	 * points behind (not 84.7% - 65.8% = 18.9 points of the target) */
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "a")),
	           at("2026-11-06"), &v);
	assert_true(v.lag > 17.92 && v.lag < 17.93);
	assert_int_equal(v.status, STATUS_LAGGING);
	/* no denominator yet: 0%, not a division by zero */
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "b")),
	           at("2026-10-01"), &v);
	assert_int_equal(v.actual, 0);
	assert_non_null(indicator_check_value(&p->tasks[r], REPORT_ADD,
	                                      num("1")));
	board_free(b);
	plan_free(p);
}

/* A paced rate of 50%: 35% reached when 41.6% is planned (83.3% of the
 * year) is 6.6 points of the rate behind, on track with warn = 10; read
 * as a share of the target (83.3% - 70%) it was "lagging by 13.3". */
static void
test_rate_paced_lag_in_points_of_the_rate(void **state)
{
	struct plan *p = parse_ok(RATE(RATE_OK "stale_after = 0\n",
	                               "a = 50\nb = 50\n"));
	struct board *b = rate_board(p, "100", "35", "100", "20");
	int r = plan_task_find(p, "ty-le");
	struct tally_view v;

	(void)state;
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "a")),
	           at("2026-11-01"), &v);
	assert_int_equal(v.actual, 35000);
	assert_true(v.lag > 6.6 && v.lag < 6.7);
	assert_int_equal(v.status, STATUS_ON_TRACK);
	/* 20% is 21.6 points behind: lagging; 30 points at critical = 25 */
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "b")),
	           at("2026-11-01"), &v);
	assert_true(v.lag > 21.6 && v.lag < 21.7);
	assert_int_equal(v.status, STATUS_LAGGING);
	board_view(b, plan_target_find(p, r, plan_unit_find(p, "b")),
	           at("2026-12-31 12:00"), &v);
	assert_int_equal(v.status, STATUS_CRITICAL);
	board_free(b);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_read),
		cmocka_unit_test(test_kind_errors),
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_level_year),
		cmocka_unit_test(test_level_at_most),
		cmocka_unit_test(test_level_time_out_of_bounds),
		cmocka_unit_test(test_milestone_year),
		cmocka_unit_test(test_ceiling_year),
		cmocka_unit_test(test_ceiling_backlog),
		cmocka_unit_test(test_rate_errors),
		cmocka_unit_test(test_rate_rollup_is_ratio_of_sums),
		cmocka_unit_test(test_rate_rollup_target_weighted),
		cmocka_unit_test(test_level_rollup_is_mean),
		cmocka_unit_test(test_rate_paced),
		cmocka_unit_test(test_rate_paced_lag_in_points_of_the_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
