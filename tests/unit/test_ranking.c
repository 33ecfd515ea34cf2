/*
 * test_ranking.c - the emulation table: the documented score, its cap,
 * ranks within a kind, ties sharing a rank, unstarted tasks left out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ranking.h"

#define DAY WHEN_DAY

static struct plan_unit units[5];
static struct plan_task tasks[2];
static struct plan_target targets[10];
static struct plan plan;

/* Units a, b, c (communes), d (commune with nothing started), e (a
 * department); task 0 runs 0..100 days, task 1 starts at day 200. */
static struct board *
setup_board(void)
{
	static char *codes[] = { "a", "b", "c", "d", "e" };
	size_t n = 0;

	for (int u = 0; u < 5; u++) {
		units[u].code = codes[u];
		units[u].name = codes[u];
		units[u].kind = u == 4 ? "department" : "commune";
		units[u].parent = -1;
	}
	for (int t = 0; t < 2; t++) {
		tasks[t].kind = PLAN_KIND_QUANTITY;
		tasks[t].start = t ? 200 * DAY : 0;
		tasks[t].deadline = t ? 300 * DAY : 100 * DAY;
		tasks[t].warn = 10;
		tasks[t].critical = 25;
		for (int u = 0; u < 5; u++) {
			if (t == 0 && u == 3)
				continue;
			targets[n].task = t;
			targets[n].unit = u;
			targets[n].value = 1000 * 1000;
			n++;
		}
	}
	plan.units = units;
	plan.n_units = 5;
	plan.tasks = tasks;
	plan.n_tasks = 2;
	plan.targets = targets;
	plan.n_targets = n;
	return board_new(&plan);
}

static void
add(struct board *b, int target, dec_t v)
{
	struct tally_report r = { .kind = REPORT_ADD, .value = v * 1000,
	                          .observed_at = DAY, .seq = 1 };
	assert_int_equal(board_apply(b, target, &r), TALLY_OK);
}

static void
test_scores_ranks_and_ties(void **state)
{
	struct board *b = setup_board();
	struct ranking_row rows[5];
	size_t n;

	/* At day 50, 50 % expected.  a: 600 (1.2), b: 900 (1.8, capped to
	 * 1.2), c: 250 (0.5), e: 500 (1.0); task 1 not started: left out. */
	add(b, 0, 600);
	add(b, 1, 900);
	add(b, 2, 250);
	add(b, 3, 500);
	assert_int_equal(ranking_compute(b, 50 * DAY, NULL, NULL, rows, &n), 0);
	assert_int_equal(n, 4);              /* d has nothing started */
	assert_string_equal(units[rows[0].unit].code, "a");
	assert_true(rows[0].score == 120.0);
	assert_int_equal(rows[0].rank, 1);
	assert_string_equal(units[rows[1].unit].code, "b");
	assert_true(rows[1].score == 120.0);
	assert_int_equal(rows[1].rank, 1);   /* a tie shares the rank */
	assert_string_equal(units[rows[2].unit].code, "c");
	assert_true(rows[2].score == 50.0);
	assert_int_equal(rows[2].rank, 3);
	assert_int_equal(rows[2].behind, 1);
	/* Another kind starts its own ranking. */
	assert_string_equal(units[rows[3].unit].kind, "department");
	assert_int_equal(rows[3].rank, 1);
	assert_true(rows[3].score == 100.0);
	board_free(b);
}

/* Lower is better: a commune without a forest fire (ceiling 0) leads, one
 * with a fire scores 0, a backlog twice its ceiling of 10 scores 0.5 (the
 * share of the ceiling used up, percent / expected, ranked them the other
 * way round). */
static void
test_ceiling_lower_is_better(void **state)
{
	struct board *b = setup_board();
	struct ranking_row rows[5];
	size_t n;

	tasks[0].kind = PLAN_KIND_CEILING;
	targets[0].value = 0;           /* a: no fire allowed, none */
	targets[1].value = 0;           /* b: no fire allowed, one */
	targets[2].value = 10 * 1000;   /* c: a backlog of 20 over 10 */
	targets[3].value = 10 * 1000;   /* e: a backlog of 5 under 10 */
	add(b, 1, 1);
	add(b, 2, 20);
	add(b, 3, 5);
	assert_int_equal(ranking_compute(b, 50 * DAY, NULL, NULL, rows, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(units[rows[0].unit].code, "a");
	assert_true(rows[0].score == 100.0);
	assert_string_equal(units[rows[1].unit].code, "c");
	assert_true(rows[1].score == 50.0);
	assert_string_equal(units[rows[2].unit].code, "b");
	assert_true(rows[2].score == 0.0);
	assert_int_equal(rows[2].rank, 3);
	assert_string_equal(units[rows[3].unit].code, "e");
	assert_true(rows[3].score == 100.0);
	board_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores_ranks_and_ties),
		cmocka_unit_test(test_ceiling_lower_is_better),
	};
	return cmocka_run_group_tests_name("ranking", tests, NULL, NULL);
}
