/*
 * test_series.c - a tally through time: each point is what the tally
 * would have been then (adds, sets, corrections taking effect at their
 * own instant), and the instants run from `from` to `to` with `to` last.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "series.h"

#define H 3600000LL

static struct series_report
rep(enum report_kind kind, dec_t v, when_t at, uint64_t seq, when_t voided)
{
	struct series_report r = { .r = { .kind = kind, .value = v * 1000,
	                                  .observed_at = at, .seq = seq,
	                                  .client_hash = 7 },
	                           .voided_at = voided };
	return r;
}

static dec_t
at(const struct series_report *rs, size_t n, when_t t)
{
	struct tally_report scratch[16];
	dec_t a = -1;

	assert_int_equal(series_actual_at(rs, n, t, scratch, &a), TALLY_OK);
	return a / 1000;
}

static void
test_adds_and_sets_through_time(void **state)
{
	struct series_report rs[] = {
		rep(REPORT_ADD, 10, 1 * H, 1, 0),
		rep(REPORT_ADD, 5, 2 * H, 2, 0),
		rep(REPORT_SET, 100, 3 * H, 3, 0),   /* the total then */
		rep(REPORT_ADD, 7, 4 * H, 4, 0),
	};

	assert_int_equal(at(rs, 4, 0), 0);
	assert_int_equal(at(rs, 4, 1 * H), 10);     /* observed at t counts */
	assert_int_equal(at(rs, 4, 2 * H - 1), 10);
	assert_int_equal(at(rs, 4, 2 * H), 15);
	assert_int_equal(at(rs, 4, 3 * H), 100);
	assert_int_equal(at(rs, 4, 5 * H), 107);
}

static void
test_a_correction_counts_from_its_own_instant(void **state)
{
	/* Report 2 (+50) was voided by a correction observed at 5 h: before
	 * then it counted, as book_board_at() would say. */
	struct series_report rs[] = {
		rep(REPORT_ADD, 10, 1 * H, 1, 0),
		rep(REPORT_ADD, 50, 2 * H, 2, 5 * H),
	};

	assert_int_equal(at(rs, 2, 3 * H), 60);
	assert_int_equal(at(rs, 2, 5 * H - 1), 60);
	assert_int_equal(at(rs, 2, 5 * H), 10);
	assert_int_equal(at(rs, 2, 9 * H), 10);
}

static void
test_points(void **state)
{
	assert_int_equal(series_points(0, 10 * H, 5 * H), 3);    /* 0 5 10 */
	assert_int_equal(series_points(0, 11 * H, 5 * H), 4);    /* 0 5 10 11 */
	assert_int_equal(series_point(0, 11 * H, 5 * H, 3), 11 * H);
	assert_int_equal(series_point(0, 11 * H, 5 * H, 2), 10 * H);
	assert_int_equal(series_points(0, 0, H), 1);
	assert_int_equal(series_points(5, 4, H), 0);
	assert_int_equal(series_points(0, H, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adds_and_sets_through_time),
		cmocka_unit_test(test_a_correction_counts_from_its_own_instant),
		cmocka_unit_test(test_points),
	};
	return cmocka_run_group_tests_name("series", tests, NULL, NULL);
}
