/*
 * test_board.c - a plan's tallies and their roll-ups up the unit tree.
 *
 * The plan is built by hand (plain structs), so this test needs no plan
 * loader:
 *
 *   vinh-phuc (province)                  so-tai-chinh (department, a root)
 *   ├── tam-duong (district)
 *   │   ├── hoang-dan (commune)
 *   │   └── hop-hoa (town)
 *   └── binh-xuyen (district)
 *       └── thanh-lang (commune)
 *
 * Task 0, tree planting: targets on the three communes.
 * Task 1, budget revenue: targets on tam-duong itself, hoang-dan,
 * thanh-lang and the department; hop-hoa has none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"

#define assert_dbl_equal(a, b)                                            \
	do {                                                              \
		double a_ = (a), b_ = (b);                                \
		if (!(a_ == b_))                                          \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_); \
	} while (0)

#define T0 ((when_t)1613494800000LL) /* 2021-02-17 00:00 +07 */
#define DAY WHEN_DAY

enum { PROVINCE, TAM_DUONG, BINH_XUYEN, HOANG_DAN, HOP_HOA, THANH_LANG,
       DEPT, N_UNITS };
enum { TREES, REVENUE, N_TASKS };
/* Target indices, in (task, unit) order. */
enum { T_TREES_HD, T_TREES_HH, T_TREES_TL, T_REV_TD, T_REV_HD, T_REV_TL,
       T_REV_DEPT, N_TARGETS };

struct fixture {
	struct plan_unit units[N_UNITS];
	struct plan_task tasks[N_TASKS];
	struct plan_target targets[N_TARGETS];
	struct plan plan;
	struct board *board;
};

static int
setup(void **state)
{
	static const struct plan_unit units[N_UNITS] = {
		{ "vinh-phuc", "Vĩnh Phúc", "province", -1, 0, 1 },
		{ "tam-duong", "Tam Dương", "district", PROVINCE, 1, 2 },
		{ "binh-xuyen", "Bình Xuyên", "district", PROVINCE, 1, 3 },
		{ "hoang-dan", "Hoàng Đan", "commune", TAM_DUONG, 2, 4 },
		{ "hop-hoa", "Hợp Hòa", "town", TAM_DUONG, 2, 5 },
		{ "thanh-lang", "Thanh Lãng", "commune", BINH_XUYEN, 2, 6 },
		{ "so-tai-chinh", "Sở Tài chính", "department", -1, 0, 7 },
	};
	static const struct plan_target targets[N_TARGETS] = {
		{ .task = TREES, .unit = HOANG_DAN, .value = 1000000, .line = 20 },  /* 1,000 trees */
		{ .task = TREES, .unit = HOP_HOA, .value = 500000, .line = 21 },
		{ .task = TREES, .unit = THANH_LANG, .value = 2000000, .line = 22 },
		{ .task = REVENUE, .unit = TAM_DUONG, .value = 100500, .line = 23 }, /* 100.5 million VND */
		{ .task = REVENUE, .unit = HOANG_DAN, .value = 20000, .line = 24 },
		{ .task = REVENUE, .unit = THANH_LANG, .value = 30250, .line = 25 },
		{ .task = REVENUE, .unit = DEPT, .value = 50000, .line = 26 },
	};
	struct fixture *f;
	int i;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	memcpy(f->units, units, sizeof(units));
	memcpy(f->targets, targets, sizeof(targets));
	for (i = 0; i < N_TASKS; i++) {
		f->tasks[i].start = T0;
		f->tasks[i].deadline = T0 + 100 * DAY;
		f->tasks[i].pacing = PACING_LINEAR;
		f->tasks[i].warn = 10.0;
		f->tasks[i].critical = 20.0;
		f->tasks[i].stale_after = 7 * DAY;
		f->tasks[i].owner = DEPT;
	}
	f->tasks[TREES].code = "trong-cay";
	f->tasks[REVENUE].code = "thu-ngan-sach";
	f->plan.units = f->units;
	f->plan.n_units = N_UNITS;
	f->plan.tasks = f->tasks;
	f->plan.n_tasks = N_TASKS;
	f->plan.targets = f->targets;
	f->plan.n_targets = N_TARGETS;
	f->plan.timezone = WHEN_DEFAULT_TZ;
	if ((f->board = board_new(&f->plan)) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	board_free(f->board);
	free(f);
	return 0;
}

static void
assert_view_equal(const struct tally_view *v, const struct tally_view *w)
{
	assert_int_equal(v->actual, w->actual);
	assert_int_equal(v->target, w->target);
	assert_dbl_equal(v->percent, w->percent);
	assert_dbl_equal(v->expected, w->expected);
	assert_dbl_equal(v->lag, w->lag);
	assert_int_equal(v->status, w->status);
}

static uint64_t seq;

static enum tally_result
report(struct board *b, int target, enum report_kind kind, dec_t v,
       when_t at)
{
	struct tally_report r = { kind, v, at, ++seq, 42 };

	return board_apply(b, target, &r);
}

/* Trees: Hoàng Đan 500 of 1,000, Hợp Hòa 250 of 500, Thanh Lãng 125 of
 * 2,000; 875 of 3,500 in all, exactly 25%. */
static void
plant(struct board *b)
{
	assert_int_equal(report(b, T_TREES_HD, REPORT_ADD, 300500, T0 + DAY),
	                 TALLY_OK);
	assert_int_equal(report(b, T_TREES_HD, REPORT_ADD, 199500, T0 + DAY),
	                 TALLY_OK);
	assert_int_equal(report(b, T_TREES_HH, REPORT_ADD, 999000, T0 + 10 * DAY),
	                 TALLY_OK);
	assert_int_equal(report(b, T_TREES_HH, REPORT_SET, 250000, T0 + 30 * DAY),
	                 TALLY_OK);
	assert_int_equal(report(b, T_TREES_TL, REPORT_ADD, 100100, T0 + 2 * DAY),
	                 TALLY_OK);
	assert_int_equal(report(b, T_TREES_TL, REPORT_ADD, 24900, T0 + 2 * DAY),
	                 TALLY_OK);
}

static void
test_new_is_empty(void **state)
{
	struct fixture *f = *state;
	struct tally_view v;
	int i;

	for (i = 0; i < N_TARGETS; i++) {
		assert_int_equal(f->board->tallies[i].actual, 0);
		assert_int_equal(f->board->tallies[i].n_reports, 0);
	}
	assert_ptr_equal(f->board->plan, &f->plan);
	board_view(f->board, T_REV_TL, T0 + DAY, &v);
	assert_int_equal(v.actual, 0);
	assert_int_equal(v.target, 30250);
	assert_int_equal(v.status, STATUS_ON_TRACK);
}

static void
test_apply_and_view(void **state)
{
	struct fixture *f = *state;
	struct tally_view v, w;

	plant(f->board);
	assert_int_equal(f->board->tallies[T_TREES_HD].actual, 500000);
	assert_int_equal(f->board->tallies[T_TREES_HD].n_reports, 2);
	assert_int_equal(f->board->tallies[T_TREES_HH].actual, 250000);
	assert_int_equal(f->board->tallies[T_TREES_TL].actual, 125000);
	/* Nothing leaked into the other task. */
	assert_int_equal(f->board->tallies[T_REV_HD].n_reports, 0);

	board_view(f->board, T_TREES_HD, T0 + 35 * DAY, &v);
	tally_view(&f->board->tallies[T_TREES_HD], &f->tasks[TREES], 1000000,
	           T0 + 35 * DAY, &w);
	assert_view_equal(&v, &w);
	assert_dbl_equal(v.percent, 50.0);
	assert_dbl_equal(v.expected, 35.0);
	/* Its last report was on day 1: silent by day 35. */
	assert_int_equal(v.status, STATUS_SILENT);
}

static void
test_apply_recount(void **state)
{
	struct fixture *f = *state;
	struct tally_report l[3] = {
		{ REPORT_ADD, 1000, T0 + 40 * DAY, 1, 7 },
		{ REPORT_ADD, 2000, T0 + 38 * DAY, 2, 7 },
		{ REPORT_SET, 5000, T0 + 39 * DAY, 3, 7 },
	};

	assert_int_equal(board_apply(f->board, T_REV_HD, &l[0]), TALLY_OK);
	assert_int_equal(board_apply(f->board, T_REV_HD, &l[1]), TALLY_OK);
	assert_int_equal(f->board->tallies[T_REV_HD].actual, 3000);
	assert_int_equal(board_apply(f->board, T_REV_HD, &l[2]), TALLY_RECOUNT);
	assert_int_equal(f->board->tallies[T_REV_HD].actual, 3000);
	assert_int_equal(board_refold(f->board, T_REV_HD, l, 3), TALLY_OK);
	assert_int_equal(f->board->tallies[T_REV_HD].actual, 6000);
	assert_int_equal(f->board->tallies[T_REV_HD].n_reports, 3);
}

static void
test_refold_replaces(void **state)
{
	struct fixture *f = *state;
	struct tally_report l[2] = {
		{ REPORT_SET, 400000, T0 + 31 * DAY, 10, 1 },
		{ REPORT_ADD, 10000, T0 + 32 * DAY, 11, 1 },
	};
	struct tally before;
	struct tally_view v;
	size_t n;

	plant(f->board);
	assert_int_equal(board_refold(f->board, T_TREES_HH, l, 2), TALLY_OK);
	assert_int_equal(f->board->tallies[T_TREES_HH].actual, 410000);
	assert_int_equal(f->board->tallies[T_TREES_HH].n_reports, 2);
	assert_int_equal(f->board->tallies[T_TREES_HH].last_report_at,
	                 T0 + 32 * DAY);
	/* Its neighbours are untouched. */
	assert_int_equal(f->board->tallies[T_TREES_HD].actual, 500000);
	assert_int_equal(f->board->tallies[T_TREES_TL].actual, 125000);
	/* The roll-up sees the new value. */
	assert_int_equal(board_rollup(f->board, TREES, TAM_DUONG, T0 + 35 * DAY,
	                              &v, &n), 0);
	assert_int_equal(v.actual, 910000);
	assert_int_equal(n, 2);
	/* A refold of nothing empties it. */
	assert_int_equal(board_refold(f->board, T_TREES_HH, NULL, 0), TALLY_OK);
	assert_int_equal(f->board->tallies[T_TREES_HH].actual, 0);
	assert_int_equal(f->board->tallies[T_TREES_HH].n_reports, 0);
	/* A refold that overflows keeps the old tally. */
	l[0] = (struct tally_report){ REPORT_ADD, INT64_MAX, T0, 1, 1 };
	l[1] = (struct tally_report){ REPORT_ADD, 1, T0, 2, 1 };
	before = f->board->tallies[T_TREES_HD];
	assert_int_equal(board_refold(f->board, T_TREES_HD, l, 2),
	                 TALLY_OVERFLOW);
	assert_int_equal(f->board->tallies[T_TREES_HD].actual, before.actual);
	assert_int_equal(f->board->tallies[T_TREES_HD].n_reports,
	                 before.n_reports);
	assert_int_equal(f->board->tallies[T_TREES_HD].last_report_at,
	                 before.last_report_at);
}

static void
test_rollup_levels(void **state)
{
	struct fixture *f = *state;
	when_t now = T0 + 35 * DAY;
	struct tally_view v;
	size_t n = 99;

	plant(f->board);

	/* Province: all three communes, 875 of 3,500 = 25%, lag 10. */
	assert_int_equal(board_rollup(f->board, TREES, PROVINCE, now, &v, &n),
	                 0);
	assert_int_equal(n, 3);
	assert_int_equal(v.actual, 875000);
	assert_int_equal(v.target, 3500000);
	assert_dbl_equal(v.percent, 25.0);
	assert_dbl_equal(v.expected, 35.0);
	assert_dbl_equal(v.lag, 10.0);
	/* Hợp Hòa reported on day 30, so the province is not silent. */
	assert_int_equal(v.status, STATUS_LAGGING);

	/* Tam Dương: Hoàng Đan and Hợp Hòa, 750 of 1,500 = 50%. */
	assert_int_equal(board_rollup(f->board, TREES, TAM_DUONG, now, &v, &n),
	                 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.actual, 750000);
	assert_int_equal(v.target, 1500000);
	assert_dbl_equal(v.percent, 50.0);
	assert_int_equal(v.status, STATUS_ON_TRACK);

	/* Bình Xuyên: Thanh Lãng only, 125 of 2,000; last heard on day 2. */
	assert_int_equal(board_rollup(f->board, TREES, BINH_XUYEN, now, &v, &n),
	                 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.actual, 125000);
	assert_int_equal(v.target, 2000000);
	assert_dbl_equal(v.percent, 6.25);
	assert_int_equal(v.status, STATUS_SILENT);
	f->tasks[TREES].stale_after = 0;
	assert_int_equal(board_rollup(f->board, TREES, BINH_XUYEN, now, &v, &n),
	                 0);
	assert_dbl_equal(v.lag, 28.75);
	assert_int_equal(v.status, STATUS_CRITICAL);

	/* The whole plan (unit -1) is the province here: the department
	 * holds no tree target. */
	assert_int_equal(board_rollup(f->board, TREES, -1, now, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v.actual, 875000);

	/* Out of range: refused, with nothing counted. */
	assert_int_equal(board_rollup(f->board, (int)f->plan.n_tasks, -1, now,
	                              &v, &n), -1);
	assert_int_equal(n, 0);
	assert_int_equal(board_rollup(f->board, -1, -1, now, &v, &n), -1);
	assert_int_equal(board_rollup(f->board, TREES, (int)f->plan.n_units,
	                              now, &v, &n), -1);
}

static void
test_rollup_leaf_is_view(void **state)
{
	struct fixture *f = *state;
	struct tally_view v, w;
	size_t n;
	when_t now;

	plant(f->board);
	for (now = T0 - DAY; now <= T0 + 101 * DAY; now += 5 * DAY) {
		assert_int_equal(board_rollup(f->board, TREES, HOP_HOA, now, &v,
		                              &n), 0);
		assert_int_equal(n, 1);
		board_view(f->board, T_TREES_HH, now, &w);
		assert_view_equal(&v, &w);
	}
}

static void
test_rollup_missing_targets(void **state)
{
	struct fixture *f = *state;
	when_t now = T0 + 35 * DAY;
	struct tally_view v;
	size_t n;

	assert_int_equal(report(f->board, T_REV_TD, REPORT_SET, 50250, T0 + DAY),
	                 TALLY_OK);
	assert_int_equal(report(f->board, T_REV_HD, REPORT_ADD, 10000, T0 + DAY),
	                 TALLY_OK);
	assert_int_equal(report(f->board, T_REV_TL, REPORT_ADD, 30250,
	                        T0 + 3 * DAY), TALLY_OK);
	assert_int_equal(report(f->board, T_REV_DEPT, REPORT_ADD, 1000,
	                        T0 + 34 * DAY), TALLY_OK);

	/* Hợp Hòa has no revenue target: no roll-up, and n says so. */
	n = 99;
	assert_int_equal(board_rollup(f->board, REVENUE, HOP_HOA, now, &v, &n),
	                 -1);
	assert_int_equal(n, 0);
	/* The department has no tree target. */
	assert_int_equal(board_rollup(f->board, TREES, DEPT, now, &v, &n), -1);

	/* Tam Dương holds a target itself, plus Hoàng Đan's; Hợp Hòa adds
	 * nothing and is not counted. */
	assert_int_equal(board_rollup(f->board, REVENUE, TAM_DUONG, now, &v,
	                              &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.actual, 60250);
	assert_int_equal(v.target, 120500);
	assert_dbl_equal(v.percent, 50.0);

	/* Thanh Lãng met its target. */
	assert_int_equal(board_rollup(f->board, REVENUE, BINH_XUYEN, now, &v,
	                              &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.status, STATUS_DONE);

	/* The province excludes the department, which is a root of its own. */
	assert_int_equal(board_rollup(f->board, REVENUE, PROVINCE, now, &v, &n),
	                 0);
	assert_int_equal(n, 3);
	assert_int_equal(v.actual, 50250 + 10000 + 30250);
	assert_int_equal(v.target, 100500 + 20000 + 30250);
	/* Every report of the three is older than 7 days. */
	assert_int_equal(v.status, STATUS_SILENT);

	/* The whole plan includes it, and its recent report. */
	assert_int_equal(board_rollup(f->board, REVENUE, -1, now, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v.actual, 50250 + 10000 + 30250 + 1000);
	assert_int_equal(v.target, 100500 + 20000 + 30250 + 50000);
	assert_int_not_equal(v.status, STATUS_SILENT);
	assert_int_equal(board_rollup(f->board, REVENUE, DEPT, now, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.actual, 1000);

	/* n_units may be NULL. */
	assert_int_equal(board_rollup(f->board, REVENUE, DEPT, now, &v, NULL),
	                 0);
}

static void
test_rollup_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct tally_view v;
	size_t n = 99;

	assert_int_equal(board_rollup(f->board, -1, PROVINCE, T0, &v, &n), -1);
	assert_int_equal(n, 0);
	assert_int_equal(board_rollup(f->board, N_TASKS, PROVINCE, T0, &v, &n),
	                 -1);
	assert_int_equal(board_rollup(f->board, TREES, N_UNITS, T0, &v, &n),
	                 -1);
}

static void
test_empty_plan(void **state)
{
	struct plan p;
	struct plan_task task = { 0 };
	struct board *b;
	struct tally_view v;
	size_t n = 99;

	(void)state;
	memset(&p, 0, sizeof(p));
	task.deadline = 1;
	p.tasks = &task;
	p.n_tasks = 1;
	assert_non_null(b = board_new(&p));
	assert_int_equal(board_rollup(b, 0, -1, 0, &v, &n), -1);
	assert_int_equal(n, 0);
	board_free(b);
	board_free(NULL);
}

/*
 * A bigger generated plan: a root, 12 districts, 240 communes; 9 tasks of
 * which some have no targets at all and others skip units.  Every roll-up
 * is checked against a naive sum over all targets.
 */
#define BIG_DISTRICTS 12
#define BIG_COMMUNES 240
#define BIG_UNITS (1 + BIG_DISTRICTS + BIG_COMMUNES)
#define BIG_TASKS 9

static void
test_rollup_generated(void **state)
{
	static struct plan_unit units[BIG_UNITS];
	static struct plan_task tasks[BIG_TASKS];
	static struct plan_target targets[BIG_TASKS * BIG_UNITS];
	struct plan p;
	struct board *b;
	size_t nt = 0, i, n;
	int task, u, a, checked = 0;

	(void)state;
	memset(&p, 0, sizeof(p));
	units[0].parent = -1;
	for (u = 1; u <= BIG_DISTRICTS; u++)
		units[u].parent = 0;
	for (; u < BIG_UNITS; u++)
		units[u].parent = 1 + (u % BIG_DISTRICTS);
	for (task = 0; task < BIG_TASKS; task++) {
		tasks[task].start = T0;
		tasks[task].deadline = T0 + 100 * DAY;
		tasks[task].warn = 10;
		tasks[task].critical = 20;
		if (task == 0 || task == 4 || task == BIG_TASKS - 1)
			continue; /* no targets at all */
		for (u = 1 + BIG_DISTRICTS; u < BIG_UNITS; u++) {
			if ((u * 7 + task) % 5 == 0)
				continue;
			targets[nt].task = task;
			targets[nt].unit = u;
			targets[nt].value = 1000 * (1 + (u + task) % 17);
			nt++;
		}
	}
	p.units = units;
	p.n_units = BIG_UNITS;
	p.tasks = tasks;
	p.n_tasks = BIG_TASKS;
	p.targets = targets;
	p.n_targets = nt;
	assert_non_null(b = board_new(&p));
	for (i = 0; i < nt; i++) {
		struct tally_report r = { REPORT_ADD, (dec_t)(i * 37 % 5000),
		                          T0 + (when_t)i, i + 1, 3 };

		assert_int_equal(board_apply(b, (int)i, &r), TALLY_OK);
	}
	for (task = 0; task < BIG_TASKS; task++) {
		for (a = -1; a < 1 + BIG_DISTRICTS; a++) {
			struct tally_view v;
			dec_t actual = 0, target = 0;
			size_t want = 0;
			int rc;

			for (i = 0; i < nt; i++) {
				int w = targets[i].unit;

				if (targets[i].task != task)
					continue;
				while (a >= 0 && w >= 0 && w != a)
					w = units[w].parent;
				if (a >= 0 && w != a)
					continue;
				actual += b->tallies[i].actual;
				target += targets[i].value;
				want++;
			}
			rc = board_rollup(b, task, a, T0 + 50 * DAY, &v, &n);
			if (want == 0) {
				assert_int_equal(rc, -1);
				continue;
			}
			assert_int_equal(rc, 0);
			assert_int_equal(n, want);
			assert_int_equal(v.actual, actual);
			assert_int_equal(v.target, target);
			checked++;
		}
	}
	/* 6 tasks with targets, each over the whole plan, the root and 12
	 * districts. */
	assert_int_equal(checked, 6 * (2 + BIG_DISTRICTS));
	board_free(b);
}

/* Accepted means counted: a tally, and every roll-up over it, stays exact
 * or the report is refused (TALLY_OVERFLOW) and changes nothing. */
static void
test_overflow_refused_whole(void **state)
{
	struct fixture *f = *state;
	struct tally_view v;
	struct tally before;
	size_t n, accepted = 0;
	dec_t room;

	/* One pair: adds of the largest value until the task is full. */
	for (int i = 0; i < 10000; i++)
		accepted += report(f->board, T_REV_HD, REPORT_ADD, DEC_MAX,
		                   T0 + DAY + i) == TALLY_OK;
	assert_int_equal(accepted, INT64_MAX / DEC_MAX);
	assert_int_equal(f->board->tallies[T_REV_HD].actual,
	                 (dec_t)accepted * DEC_MAX);
	assert_int_equal(f->board->tallies[T_REV_HD].n_reports, accepted);

	/* The task's other units share what is left, and no more. */
	room = INT64_MAX - (dec_t)accepted * DEC_MAX;
	before = f->board->tallies[T_REV_TL];
	assert_int_equal(report(f->board, T_REV_TL, REPORT_ADD, room + 1,
	                        T0 + DAY), TALLY_OVERFLOW);
	assert_memory_equal(&before, &f->board->tallies[T_REV_TL], sizeof before);
	assert_int_equal(report(f->board, T_REV_TL, REPORT_ADD, room, T0 + DAY),
	                 TALLY_OK);
	/* Negative totals count by their size: a roll-up could meet them. */
	assert_int_equal(report(f->board, T_REV_DEPT, REPORT_SET, -1, T0 + DAY),
	                 TALLY_OVERFLOW);
	/* Every roll-up is the exact sum. */
	assert_int_equal(board_rollup(f->board, REVENUE, PROVINCE, T0 + 2 * DAY,
	                              &v, &n), 0);
	assert_int_equal(v.actual, INT64_MAX);
	/* Another task has its own room. */
	assert_int_equal(report(f->board, T_TREES_HD, REPORT_ADD, DEC_MAX,
	                        T0 + DAY), TALLY_OK);
	/* A set that lowers a total frees room for the others. */
	assert_int_equal(report(f->board, T_REV_HD, REPORT_SET, 0,
	                        T0 + 30 * DAY), TALLY_OK);
	assert_int_equal(report(f->board, T_REV_DEPT, REPORT_SET, -DEC_MAX,
	                        T0 + DAY), TALLY_OK);
	assert_int_equal(board_rollup(f->board, REVENUE, PROVINCE, T0 + 31 * DAY,
	                              &v, &n), 0);
	assert_int_equal(v.actual, room);
}

/* A refold (recount) that cannot be counted leaves the tally as it was. */
static void
test_overflow_refold(void **state)
{
	struct fixture *f = *state;
	struct tally_report l[2] = {
		{ REPORT_SET, DEC_MAX, T0 + DAY, 1, 42 },
		{ REPORT_ADD, DEC_MAX, T0 + 2 * DAY, 2, 42 },
	};
	struct tally before;

	for (int i = 0; i < 9222; i++)
		assert_int_equal(report(f->board, T_REV_TL, REPORT_ADD, DEC_MAX,
		                        T0 + DAY + i), TALLY_OK);
	before = f->board->tallies[T_REV_HD];
	assert_int_equal(board_refold(f->board, T_REV_HD, l, 2), TALLY_OVERFLOW);
	assert_memory_equal(&before, &f->board->tallies[T_REV_HD], sizeof before);
	assert_int_equal(board_refold(f->board, T_REV_HD, l, 1), TALLY_OK);
	assert_int_equal(f->board->tallies[T_REV_HD].actual, DEC_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_is_empty, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_apply_and_view, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_apply_recount, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_refold_replaces, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_rollup_levels, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_rollup_leaf_is_view, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_rollup_missing_targets,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollup_bad_arguments,
		                                setup, teardown),
		cmocka_unit_test(test_empty_plan),
		cmocka_unit_test_setup_teardown(test_overflow_refused_whole,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_overflow_refold, setup,
		                                teardown),
		cmocka_unit_test(test_rollup_generated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
