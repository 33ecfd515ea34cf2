/*
 * test_pacing.c - the expected-share curve, in simulated time.
 *
 * Instants are built here from civil dates in UTC+7 (Asia/Ho_Chi_Minh has
 * had no other offset since 1975) so this test needs nothing but pacing.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pacing.h"

/* Exact comparison, with both values shown when it fails. */
#define assert_dbl_equal(a, b)                                            \
	do {                                                              \
		double a_ = (a), b_ = (b);                                \
		if (!(a_ == b_))                                          \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_); \
	} while (0)

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Local time in Vietnam (UTC+7) as a when_t. */
static when_t
ict(int y, unsigned m, unsigned d, int h, int mi)
{
	return days_from_civil(y, m, d) * WHEN_DAY + h * WHEN_HOUR +
	       mi * WHEN_MINUTE - 7 * WHEN_HOUR;
}

static struct plan_task
linear_task(void)
{
	struct plan_task t = {0};

	t.code = "trong-cay";
	t.start = ict(2021, 2, 17, 0, 0);
	t.deadline = ict(2021, 5, 28, 0, 0); /* 100 days later */
	t.pacing = PACING_LINEAR;
	return t;
}

static struct plan_milestone spring[] = {
	{ 0, 30.0 }, /* 15 March */
	{ 0, 80.0 }, /* 15 April */
};

static struct plan_task
milestone_task(void)
{
	struct plan_task t = linear_task();

	spring[0].at = ict(2021, 3, 15, 0, 0);
	spring[1].at = ict(2021, 4, 15, 0, 0);
	t.pacing = PACING_MILESTONES;
	t.milestones = spring;
	t.n_milestones = 2;
	return t;
}

static void
test_date_helper(void **state)
{
	(void)state;
	/* when.h's own example: @1613520000 is 2021-02-17T00:00:00Z. */
	assert_int_equal(ict(2021, 2, 17, 7, 0), 1613520000LL * WHEN_SECOND);
	assert_int_equal(ict(2021, 5, 28, 0, 0) - ict(2021, 2, 17, 0, 0),
	                 100 * WHEN_DAY);
}

static void
test_linear_edges(void **state)
{
	struct plan_task t = linear_task();

	(void)state;
	assert_dbl_equal(pacing_expected(&t, t.start - 365 * WHEN_DAY), 0.0);
	assert_dbl_equal(pacing_expected(&t, t.start - 1), 0.0);
	assert_dbl_equal(pacing_expected(&t, t.start), 0.0);
	assert_true(pacing_expected(&t, t.start + 1) > 0.0);
	assert_true(pacing_expected(&t, t.deadline - 1) < 100.0);
	assert_dbl_equal(pacing_expected(&t, t.deadline), 100.0);
	assert_dbl_equal(pacing_expected(&t, t.deadline + 1), 100.0);
	assert_dbl_equal(pacing_expected(&t, t.deadline + 365 * WHEN_DAY),
	                 100.0);
}

static void
test_linear_inside(void **state)
{
	struct plan_task t = linear_task();
	when_t mid = t.start + (t.deadline - t.start) / 2;
	int d;

	(void)state;
	assert_dbl_equal(pacing_expected(&t, mid), 50.0);
	/* 100 days: day d is exactly d percent. */
	for (d = 0; d <= 100; d++)
		assert_dbl_equal(pacing_expected(&t, t.start + d * WHEN_DAY),
		                 (double)d);
	/* Half an hour into the 100 days. */
	assert_dbl_equal(pacing_expected(&t, t.start + 30 * WHEN_MINUTE),
	                 100.0 * 30 / (100.0 * 24 * 60));
}

static void
test_linear_short_task(void **state)
{
	struct plan_task t = { 0 };

	(void)state;
	/* A task one millisecond long is 0 at its start and done after. */
	t.start = 1000;
	t.deadline = 1001;
	assert_dbl_equal(pacing_expected(&t, 999), 0.0);
	assert_dbl_equal(pacing_expected(&t, 1000), 0.0);
	assert_dbl_equal(pacing_expected(&t, 1001), 100.0);
	/* Four milliseconds: quarters. */
	t.deadline = 1004;
	assert_dbl_equal(pacing_expected(&t, 1001), 25.0);
	assert_dbl_equal(pacing_expected(&t, 1003), 75.0);
}

static void
test_milestones_at_points(void **state)
{
	struct plan_task t = milestone_task();

	(void)state;
	assert_dbl_equal(pacing_expected(&t, t.start - 1), 0.0);
	assert_dbl_equal(pacing_expected(&t, t.start), 0.0);
	assert_dbl_equal(pacing_expected(&t, spring[0].at), 30.0);
	assert_dbl_equal(pacing_expected(&t, spring[1].at), 80.0);
	assert_dbl_equal(pacing_expected(&t, t.deadline), 100.0);
	assert_dbl_equal(pacing_expected(&t, t.deadline + WHEN_DAY), 100.0);
	/* Either side of a milestone stays on its own segment. */
	assert_true(pacing_expected(&t, spring[0].at - 1) < 30.0);
	assert_true(pacing_expected(&t, spring[0].at + 1) > 30.0);
	assert_true(pacing_expected(&t, spring[1].at - 1) < 80.0);
	assert_true(pacing_expected(&t, spring[1].at + 1) > 80.0);
}

static void
test_milestones_between(void **state)
{
	struct plan_task t = milestone_task();
	when_t a = spring[0].at, b = spring[1].at; /* 31 days apart */

	(void)state;
	/* 17 Feb to 15 Mar is 26 days for 30 points. */
	assert_int_equal(a - t.start, 26 * WHEN_DAY);
	assert_dbl_equal(pacing_expected(&t, t.start + 13 * WHEN_DAY), 15.0);
	/* Half way from 15 March (30) to 15 April (80) is 55. */
	assert_dbl_equal(pacing_expected(&t, a + (b - a) / 2), 55.0);
	/* 15 April to 28 May is 43 days for 20 points. */
	assert_int_equal(t.deadline - b, 43 * WHEN_DAY);
	assert_dbl_equal(pacing_expected(&t, b + (t.deadline - b) / 2), 90.0);
	/* Not the linear curve: linear would say 26 on 15 March. */
	t.pacing = PACING_LINEAR;
	assert_dbl_equal(pacing_expected(&t, a), 26.0);
}

static void
test_linear_ignores_milestones(void **state)
{
	struct plan_task t = milestone_task();
	struct plan_task l = linear_task();
	when_t now;

	(void)state;
	t.pacing = PACING_LINEAR;
	for (now = t.start; now <= t.deadline; now += 7 * WHEN_HOUR)
		assert_dbl_equal(pacing_expected(&t, now),
		                 pacing_expected(&l, now));
}

static void
test_milestones_none(void **state)
{
	struct plan_task t = milestone_task();
	struct plan_task l = linear_task();

	(void)state;
	/* Milestone pacing without milestones is the straight line. */
	t.n_milestones = 0;
	assert_dbl_equal(pacing_expected(&t, t.start + 50 * WHEN_DAY), 50.0);
	assert_dbl_equal(pacing_expected(&t, t.start + 37 * WHEN_DAY + 5),
	                 pacing_expected(&l, t.start + 37 * WHEN_DAY + 5));
}

/* Sweeps with an odd step so that instants fall everywhere. */
static void
sweep_monotone(const struct plan_task *t)
{
	when_t now, step = 13 * WHEN_MINUTE + 7;
	double prev = -1.0, e;
	size_t n = 0;

	for (now = t->start - 3 * WHEN_DAY; now <= t->deadline + 3 * WHEN_DAY;
	     now += step) {
		e = pacing_expected(t, now);
		if (e < prev)
			fail_msg("not monotone at %lld: %.17g < %.17g",
			         (long long)now, e, prev);
		assert_true(e >= 0.0 && e <= 100.0);
		prev = e;
		n++;
	}
	assert_true(n > 10000);
	assert_dbl_equal(prev, 100.0);
}

static void
test_monotone_sweep(void **state)
{
	struct plan_task l = linear_task(), m = milestone_task();
	struct plan_milestone odd[] = {
		{ 0, 0.001 }, { 0, 33.333 }, { 0, 33.334 }, { 0, 99.999 },
	};
	struct plan_task o = linear_task();
	when_t around[] = { spring[0].at, spring[1].at };
	size_t i;
	int k;

	(void)state;
	sweep_monotone(&l);
	sweep_monotone(&m);
	/* Awkward percentages and spacings. */
	odd[0].at = o.start + 1;
	odd[1].at = o.start + 11 * WHEN_DAY + 3;
	odd[2].at = odd[1].at + 1;
	odd[3].at = o.deadline - 1;
	o.pacing = PACING_MILESTONES;
	o.milestones = odd;
	o.n_milestones = 4;
	sweep_monotone(&o);
	/* Millisecond by millisecond across each milestone. */
	for (i = 0; i < 2; i++) {
		double prev = pacing_expected(&m, around[i] - 1000);

		for (k = -999; k <= 1000; k++) {
			double e = pacing_expected(&m, around[i] + k);

			assert_true(e >= prev);
			prev = e;
		}
	}
	for (i = 0; i < 4; i++)
		assert_dbl_equal(pacing_expected(&o, odd[i].at),
		                 odd[i].percent);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_helper),
		cmocka_unit_test(test_linear_edges),
		cmocka_unit_test(test_linear_inside),
		cmocka_unit_test(test_linear_short_task),
		cmocka_unit_test(test_milestones_at_points),
		cmocka_unit_test(test_milestones_between),
		cmocka_unit_test(test_linear_ignores_milestones),
		cmocka_unit_test(test_milestones_none),
		cmocka_unit_test(test_monotone_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
