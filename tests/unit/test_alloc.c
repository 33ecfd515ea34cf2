/*
 * test_alloc.c - a parent's own total (parent_targets): an allocation is
 * checked against the targets below it and never counted twice; separate
 * work adds up as before.
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

/* A province, a district, two communes; lines 1-23, task body from 24. */
#define PLAN(body, targets)                                                  \
	"[unit tinh]\nname = Tỉnh\nkind = province\n"           /*  1-3  */  \
	"[unit huyen]\nname = Huyện\nkind = district\n"         /*  4-6  */  \
	"parent = tinh\n"                                        /*  7    */  \
	"[unit a]\nname = Xã A\nkind = commune\nparent = huyen\n" /* 8-11 */ \
	"[unit b]\nname = Xã B\nkind = commune\nparent = huyen\n" /* 12-15*/ \
	"[unit c]\nname = Xã C\nkind = commune\nparent = tinh\n"  /* 16-19*/ \
	"[task t]\ntitle = T\nmeasure = triệu đồng\n"           /* 20-22 */  \
	"start = 2026-01-01\ndeadline = 2026-12-31\n"           /* 23-24 */  \
	body "[targets t]\n" targets

/* The province's 20,000 is shared: 12,000 to the district (itself shared
 * 7,000 + 5,000 to its communes) and 8,000 to commune C.  Only the three
 * communes are targets; every roll-up is the total once. */
static void
test_allocation_counted_once(void **state)
{
	struct plan *p = parse_ok(PLAN("parent_targets = allocation\n",
	                               "tinh = 20000\nhuyen = 12000\n"
	                               "a = 7000\nb = 5000\nc = 8000\n"));
	struct board *b;
	struct tally_view v;
	size_t n;

	(void)state;
	assert_int_equal(p->tasks[0].allocate, 1);
	assert_int_equal(p->n_targets, 3);
	assert_int_equal(plan_target_find(p, 0, plan_unit_find(p, "huyen")), -1);
	b = board_new(p);
	assert_non_null(b);
	assert_int_equal(board_rollup(b, 0, plan_unit_find(p, "tinh"), 0, &v,
	                              &n), 0);
	assert_int_equal(v.target, 20000000);
	assert_int_equal(n, 3);
	assert_int_equal(board_rollup(b, 0, plan_unit_find(p, "huyen"), 0, &v,
	                              &n), 0);
	assert_int_equal(v.target, 12000000);
	board_free(b);
	plan_free(p);
}

/* Separate work (the default): the district's own target is its own, and
 * the roll-up adds it to its communes'. */
static void
test_separate_adds(void **state)
{
	struct plan *p = parse_ok(PLAN("", "huyen = 1000\na = 7000\nb = 5000\n"));
	struct board *b = board_new(p);
	struct tally_view v;
	size_t n;

	(void)state;
	assert_non_null(b);
	assert_int_equal(p->n_targets, 3);
	assert_int_equal(board_rollup(b, 0, plan_unit_find(p, "huyen"), 0, &v,
	                              &n), 0);
	assert_int_equal(v.target, 13000000);
	board_free(b);
	plan_free(p);
}

static void
test_allocation_errors(void **state)
{
	(void)state;
	/* body on line 25, [targets t] 26, tinh 27, huyen 28 */
	has_error(PLAN("parent_targets = allocation\n",
	               "tinh = 20000\nhuyen = 12000\na = 7000\nb = 4000\n"
	               "c = 8000\n"), 28,
	          "target 12000 of unit 'huyen' is shared out below it "
	          "(parent_targets = allocation), but the targets below it sum "
	          "to 11000");
	has_error(PLAN("parent_targets = allocation\n",
	               "tinh = 20000\nhuyen = 11000\na = 7000\nb = 4000\n"
	               "c = 8000\n"), 27, "sum to 19000");
	has_error(PLAN("parent_targets = shared\n", "a = 1\n"), 25,
	          "must be allocation or separate");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocation_counted_once),
		cmocka_unit_test(test_separate_adds),
		cmocka_unit_test(test_allocation_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
