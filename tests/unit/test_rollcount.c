/*
 * test_rollcount.c - status counts under each unit, and the rule that a
 * roll-up is not on track or done while a share of its targets is
 * critical or overdue.  A province over two districts; task of 100 days.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "board.h"
#include "plan.h"
#include "rollcount.h"

static const char plan_text[] =
	"[plan]\nname = test\ntimezone = UTC\n"
	"[unit tinh]\nname = Tỉnh\nkind = province\n"
	"[unit h1]\nname = H1\nkind = district\nparent = tinh\n"
	"[unit h2]\nname = H2\nkind = district\nparent = tinh\n"
	"[unit a]\nname = A\nkind = commune\nparent = h1\n"
	"[unit b]\nname = B\nkind = commune\nparent = h1\n"
	"[unit c]\nname = C\nkind = commune\nparent = h2\n"
	"[task cay]\ntitle = Cây\nmeasure = cây\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\nwarn = 10\ncritical = 25\n"
	"stale_after = 0\n"
	"[targets cay]\na = 100\nb = 100\nc = 100\n";

#define START ((when_t)1609459200000LL)
#define DAYS(d) (START + (when_t)((d) * (double)WHEN_DAY))

struct fx {
	struct plan *plan;
	struct board *board;
	struct rollcount *rc;
};

static void
set_total(struct fx *f, const char *unit, double total, when_t at)
{
	static uint64_t seq;
	int t = plan_target_find(f->plan, 0, plan_unit_find(f->plan, unit));
	struct tally_report r = { REPORT_SET, (dec_t)(total * 1000), at, ++seq, 1 };

	assert_true(t >= 0);
	assert_int_equal(board_apply(f->board, t, &r), TALLY_OK);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct plan_errors errs = { 0 };

	assert_non_null(f);
	f->plan = plan_parse(plan_text, sizeof plan_text - 1, "t.ini", &errs);
	assert_non_null(f->plan);
	f->board = board_new(f->plan);
	f->rc = rollcount_new(f->plan);
	assert_non_null(f->board);
	assert_non_null(f->rc);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rollcount_free(f->rc);
	board_free(f->board);
	plan_free(f->plan);
	free(f);
	return 0;
}

static const uint32_t *
counts(struct fx *f, const char *unit)
{
	return rollcount_of(f->rc, plan_unit_find(f->plan, unit));
}

static void
test_counts_by_subtree(void **state)
{
	struct fx *f = *state;

	/* Day 50: expected 50 %.  a done, b on track, c critical. */
	set_total(f, "a", 120, DAYS(50));
	set_total(f, "b", 48, DAYS(50));
	set_total(f, "c", 10, DAYS(50));
	rollcount_task(f->rc, f->board, 0, DAYS(50));
	assert_int_equal(counts(f, "tinh")[STATUS_DONE], 1);
	assert_int_equal(counts(f, "tinh")[STATUS_ON_TRACK], 1);
	assert_int_equal(counts(f, "tinh")[STATUS_CRITICAL], 1);
	assert_int_equal(counts(f, "h1")[STATUS_CRITICAL], 0);
	assert_int_equal(counts(f, "h1")[STATUS_DONE] +
	                 counts(f, "h1")[STATUS_ON_TRACK], 2);
	assert_int_equal(counts(f, "h2")[STATUS_CRITICAL], 1);
	assert_int_equal(counts(f, "c")[STATUS_CRITICAL], 1);
	/* Later the same numbers are overdue where not done. */
	rollcount_task(f->rc, f->board, 0, DAYS(101));
	assert_int_equal(counts(f, "tinh")[STATUS_OVERDUE], 2);
	assert_int_equal(counts(f, "tinh")[STATUS_CRITICAL], 0);
}

static void
test_share_rule(void **state)
{
	uint32_t c[STATUS_N] = { 0 };

	(void)state;
	c[STATUS_DONE] = 9;
	c[STATUS_CRITICAL] = 1;
	/* 1 in 10 critical: at a 10 % share a done roll-up is lagging... */
	assert_int_equal(rollcount_status(STATUS_DONE, c, 0.10), STATUS_LAGGING);
	assert_int_equal(rollcount_status(STATUS_ON_TRACK, c, 0.10), STATUS_LAGGING);
	/* ...not at 20 %, nor with the rule off. */
	assert_int_equal(rollcount_status(STATUS_DONE, c, 0.20), STATUS_DONE);
	assert_int_equal(rollcount_status(STATUS_DONE, c, 0), STATUS_DONE);
	/* Overdue counts as critical. */
	c[STATUS_CRITICAL] = 0;
	c[STATUS_OVERDUE] = 1;
	assert_int_equal(rollcount_status(STATUS_DONE, c, 0.10), STATUS_LAGGING);
	/* A worse own status stays. */
	assert_int_equal(rollcount_status(STATUS_CRITICAL, c, 0.10), STATUS_CRITICAL);
	assert_int_equal(rollcount_status(STATUS_SILENT, c, 0.10), STATUS_SILENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_by_subtree, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_share_rule, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
