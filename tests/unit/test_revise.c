/*
 * test_revise.c - revised targets: "UNIT = VALUE from DATE" lines, their
 * errors (file:line), and views of the past that keep the target they had
 * (a revision from 12,000 to 6,000 must not turn 41.7% into 83.3% in an
 * earlier view), replayed through the board and its roll-ups; and a
 * unit's own deadline ("VALUE by DATE").
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
#include "plan.h"
#include "rollup.h"

/* Lines 1-12; the targets of task t follow from line 13. */
#define PLAN(targets)                                                        \
	"[unit huyen]\n"          /*  1 */                                    \
	"name = Huyện\n"          /*  2 */                                    \
	"kind = district\n"       /*  3 */                                    \
	"[unit a]\n"              /*  4 */                                    \
	"name = Xã A\n"           /*  5 */                                    \
	"kind = commune\n"        /*  6 */                                    \
	"parent = huyen\n"        /*  7 */                                    \
	"[task t]\n"              /*  8 */                                    \
	"title = Thu ngân sách\n" /*  9 */                                    \
	"measure = triệu đồng\n"  /* 10 */                                    \
	"start = 2021-01-01\n"    /* 11 */                                    \
	"deadline = 2021-12-31\n" /* 12 */                                    \
	"[targets t]\n" targets   /* 13- */

static struct plan *
parse(const char *text, struct plan_errors *e)
{
	return plan_parse(text, strlen(text), "t.ini", e);
}

static void
test_revisions_read(void **state)
{
	struct plan_errors e = {0};
	struct plan *p;

	(void)state;
	/* Written out of order; kept in date order. */
	p = parse(PLAN("a = 12000\n"
	               "a = 9000 from 2021-09-01 ; second revision\n"
	               "a = 6000 from 2021-06-01\n"), &e);
	assert_non_null(p);
	assert_int_equal(p->n_targets, 1);
	assert_int_equal(p->targets[0].n_revs, 3);
	assert_int_equal(p->targets[0].revs[1].value, 6000000);
	assert_int_equal(p->targets[0].revs[1].line, 16);
	assert_int_equal(p->targets[0].revs[2].value, 9000000);
	assert_int_equal(p->targets[0].value, 9000000); /* the latest */
	assert_int_equal(plan_target_value(p, 0, at("2021-05-31 23:59")),
	                 12000000);
	assert_int_equal(plan_target_value(p, 0, at("2021-06-01")), 6000000);
	assert_int_equal(plan_target_value(p, 0, at("2021-12-01")), 9000000);
	plan_free(p);
	/* No revision: as before. */
	p = parse(PLAN("a = 12000\n"), &e);
	assert_non_null(p);
	assert_null(p->targets[0].revs);
	assert_int_equal(plan_target_value(p, 0, at("2021-06-01")), 12000000);
	plan_free(p);
}

static void
test_revision_errors(void **state)
{
	(void)state;
	has_error(PLAN("a = 6000 from 2021-06-01\n"), 14, "has no first value");
	has_error(PLAN("a = 12000\na = 6000 from 2021-06-01\n"
	               "a = 7000 from 2021-06-01\n"), 16,
	          "revised twice from 2021-06-01; the first is on line 15");
	has_error(PLAN("a = 12000\na = 6000 from 1 June\n"), 15,
	          "revision date '1 June' for unit 'a' is not a valid date");
	has_error(PLAN("a = 12000\na = 6000\n"), 15,
	          "given twice; the first is on line 14 (a revision is "
	          "written 'VALUE from DATE')");
	has_error(PLAN("a = 12000\na = -5 from 2021-06-01\n"), 15,
	          "greater than zero");
}

/* The figure of the issue: 5,000 collected of 12,000 is 41.7% in May;
 * the target revised to 6,000 from June makes it 83.3% from June on, but
 * a view of May still says 41.7%, leaf and roll-up alike. */
static void
test_past_views_keep_their_target(void **state)
{
	struct plan_errors e = {0};
	struct plan *p = parse(PLAN("a = 12000\na = 6000 from 2021-06-01\n"), &e);
	struct board *b;
	struct rollup *ru;
	struct tally_view v;
	struct tally_report r = { REPORT_SET, 5000000, 0, 1, 1 };
	size_t n;

	(void)state;
	assert_non_null(p);
	b = board_new(p);
	assert_non_null(b);
	r.observed_at = at("2021-05-15");
	assert_int_equal(board_apply(b, 0, &r), TALLY_OK);
	board_view(b, 0, at("2021-05-20"), &v);
	assert_int_equal(v.target, 12000000);
	assert_true(v.percent > 41.6 && v.percent < 41.7);
	board_view(b, 0, at("2021-06-02"), &v);
	assert_int_equal(v.target, 6000000);
	assert_true(v.percent > 83.3 && v.percent < 83.4);
	assert_int_equal(board_rollup(b, 0, 0, at("2021-05-20"), &v, &n), 0);
	assert_int_equal(v.target, 12000000);
	ru = rollup_new(p);
	assert_non_null(ru);
	rollup_task(ru, b, 0, at("2021-05-20"));
	assert_int_equal(rollup_view(ru, 0, 0, at("2021-05-20"), &v), 1);
	assert_int_equal(v.target, 12000000);
	/* every roll-up is of an instant, and takes that instant's targets
	 * (the overview grid and the exports took the latest: 83.3% in May) */
	rollup_task(ru, b, 0, at("2021-06-02"));
	assert_int_equal(rollup_view(ru, 0, 0, at("2021-06-02"), &v), 1);
	assert_int_equal(v.target, 6000000);
	rollup_task(ru, b, 0, at("2021-05-31 23:59:59"));
	assert_int_equal(rollup_view(ru, 0, 0, at("2021-05-31 23:59:59"), &v),
	                 1);
	assert_int_equal(v.target, 12000000);
	rollup_free(ru);
	board_free(b);
	plan_free(p);
}

/* A unit's own deadline: its view is overdue after it, while the others
 * and the roll-up follow the task's; the pace runs to it. */
static void
test_unit_deadline(void **state)
{
	struct plan_errors e = {0};
	struct plan *p = parse(PLAN("a = 12000 by 2021-06-30\n"), &e);
	struct board *b;
	struct tally_view v;
	size_t n;

	(void)state;
	assert_non_null(p);
	assert_int_equal(p->targets[0].deadline, at("2021-07-01"));
	b = board_new(p);
	assert_non_null(b);
	board_view(b, 0, at("2021-04-01"), &v);
	assert_true(v.expected > 49 && v.expected < 51); /* half of Jan-Jun */
	board_view(b, 0, at("2021-07-02"), &v);
	assert_int_equal(v.status, STATUS_OVERDUE);
	assert_int_equal(board_rollup(b, 0, 0, at("2021-07-02"), &v, &n), 0);
	assert_true(v.status != STATUS_OVERDUE); /* the district's runs on */
	board_free(b);
	plan_free(p);
	has_error(PLAN("a = 12000 by 2020-06-30\n"), 14,
	          "deadline 2020-06-30 of unit 'a' is not after the start");
	has_error(PLAN("a = 12000 by June\n"), 14,
	          "deadline 'June' of unit 'a' is not a valid date");
	has_error(PLAN("a = 12000\na = 6000 from 2021-06-01 by 2021-09-30\n"),
	          15, "a revision cannot move the deadline");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revisions_read),
		cmocka_unit_test(test_revision_errors),
		cmocka_unit_test(test_past_views_keep_their_target),
		cmocka_unit_test(test_unit_deadline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
