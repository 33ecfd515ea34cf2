/*
 * test_rollup.c - the one-pass roll-ups agree with board_rollup() on every
 * (task, unit) of a generated tree, and with sums done by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rollup.h"

#define DAY WHEN_DAY

/* province(0) > 3 districts(1..3) > 4 communes each (4..15) > 2 villages
 * each (16..39); a department root (40). */
#define N_UNITS 41
#define N_TASKS 3

static struct plan_unit units[N_UNITS];
static struct plan_task tasks[N_TASKS];
static struct plan_target targets[N_UNITS * N_TASKS];
static struct plan plan;

static void
build_plan(void)
{
	size_t n = 0;

	for (int u = 0; u < N_UNITS; u++) {
		units[u].parent = u == 0 || u == 40 ? -1 : u <= 3 ? 0
		                : u <= 15 ? 1 + (u - 4) / 4 : 4 + (u - 16) / 2;
		units[u].depth = u == 0 || u == 40 ? 0 : u <= 3 ? 1 : u <= 15 ? 2 : 3;
	}
	for (int t = 0; t < N_TASKS; t++) {
		tasks[t].start = 0;
		tasks[t].deadline = 100 * DAY;
		tasks[t].warn = 10;
		tasks[t].critical = 25;
		/* Task 0: every unit; task 1: villages only; task 2: every
		 * third unit, so some subtrees have none. */
		for (int u = 0; u < N_UNITS; u++) {
			if ((t == 1 && (u < 16 || u == 40)) || (t == 2 && u % 3 != 0))
				continue;
			targets[n].task = t;
			targets[n].unit = u;
			targets[n].value = (dec_t)(1000 + 37 * u + 11 * t) * 1000;
			n++;
		}
	}
	plan.units = units;
	plan.n_units = N_UNITS;
	plan.tasks = tasks;
	plan.n_tasks = N_TASKS;
	plan.targets = targets;
	plan.n_targets = n;
}

static struct board *
filled_board(void)
{
	struct board *b = board_new(&plan);

	assert_non_null(b);
	srand(7);
	for (size_t i = 0; i < plan.n_targets; i++) {
		int n = rand() % 4;
		for (int k = 0; k < n; k++) {
			struct tally_report r = {
				.kind = REPORT_ADD,
				.value = (dec_t)(rand() % 500000),
				.observed_at = (when_t)(rand() % 50) * DAY + 1,
				.seq = (uint64_t)k + 1,
			};
			assert_int_equal(board_apply(b, (int)i, &r), TALLY_OK);
		}
	}
	return b;
}

static void
test_agrees_with_board_rollup(void **state)
{
	struct board *b = filled_board();
	struct rollup *r = rollup_new(&plan);
	when_t now = 40 * DAY;
	int compared = 0;

	assert_non_null(r);
	for (int t = 0; t < N_TASKS; t++) {
		rollup_task(r, b, t, now);
		for (int u = 0; u < N_UNITS; u++) {
			struct tally_view a, e;
			size_t n_e = 0;
			int rc = board_rollup(b, t, u, now, &e, &n_e);
			uint32_t n_a = rollup_view(r, t, u, now, &a);

			assert_int_equal(n_a, rc == 0 ? n_e : 0);
			if (rc != 0)
				continue;
			assert_int_equal(a.actual, e.actual);
			assert_int_equal(a.target, e.target);
			assert_int_equal(a.status, e.status);
			assert_true(a.percent == e.percent);
			assert_true(a.lag == e.lag);
			compared++;
		}
	}
	/* Task 1 has nothing under the department; task 2 skips units. */
	assert_true(compared > 2 * N_UNITS);
	rollup_free(r);
	board_free(b);
}

static void
test_sums_by_hand(void **state)
{
	struct board *b = board_new(&plan);
	struct rollup *r = rollup_new(&plan);
	struct tally_report rep = { .kind = REPORT_ADD, .observed_at = DAY, .seq = 1 };
	struct tally_view v;
	int t16 = plan_target_find(&plan, 1, 16), t17 = plan_target_find(&plan, 1, 17);

	assert_true(t16 >= 0 && t17 >= 0);
	rep.value = 2500;
	assert_int_equal(board_apply(b, t16, &rep), TALLY_OK);
	rep.value = 500;
	rep.seq = 2;
	assert_int_equal(board_apply(b, t17, &rep), TALLY_OK);
	rollup_task(r, b, 1, 2 * DAY);
	/* Villages 16 and 17 are under commune 4, district 1, province 0. */
	assert_int_equal(rollup_view(r, 1, 4, 2 * DAY, &v), 2);
	assert_int_equal(v.actual, 3000);
	assert_int_equal(v.target, targets[t16].value + targets[t17].value);
	assert_int_equal(r->cells[4].sum.n_reports, 2);
	assert_int_equal(rollup_view(r, 1, 1, 2 * DAY, &v), 8);
	assert_int_equal(v.actual, 3000);
	assert_int_equal(rollup_view(r, 1, 0, 2 * DAY, &v), 24);
	assert_int_equal(rollup_view(r, 1, 40, 2 * DAY, &v), 0);
	/* A second pass starts from zero. */
	rollup_task(r, b, 1, 2 * DAY);
	assert_int_equal(rollup_view(r, 1, 0, 2 * DAY, &v), 24);
	assert_int_equal(v.actual, 3000);
	rollup_free(r);
	board_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_board_rollup),
		cmocka_unit_test(test_sums_by_hand),
	};

	build_plan();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
