/*
 * test_ratelimit.c - the per-client log limiter and the latency histogram
 * behind /metrics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "histogram.h"
#include "ratelimit.h"

static void
test_burst_then_drop(void **state)
{
	struct ratelimit *rl = ratelimit_new(3, 60000);
	uint64_t sup = 99;

	(void)state;
	assert_non_null(rl);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_allow(rl, "xa-a", 1000 + i, &sup), 1);
		assert_int_equal(sup, 0);
	}
	for (int i = 0; i < 4; i++)
		assert_int_equal(ratelimit_allow(rl, "xa-a", 2000 + i, &sup), 0);
	assert_int_equal(ratelimit_dropped(rl), 4);
	ratelimit_free(rl);
}

static void
test_keys_are_independent(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 60000);
	uint64_t sup;

	(void)state;
	assert_int_equal(ratelimit_allow(rl, "noisy", 0, &sup), 1);
	assert_int_equal(ratelimit_allow(rl, "noisy", 1, &sup), 0);
	assert_int_equal(ratelimit_allow(rl, "noisy", 2, &sup), 0);
	/* Another client still gets its line. */
	assert_int_equal(ratelimit_allow(rl, "quiet", 3, &sup), 1);
	ratelimit_free(rl);
}

/* Other keys, however many, never clear a key's count within its window
 * (keys that share a slot used to reset it: two addresses taking turns
 * had unlimited logins). */
static void
test_other_keys_never_reset(void **state)
{
	struct ratelimit *rl = ratelimit_new(5, 60000);
	char k[32];
	uint64_t sup;

	(void)state;
	for (int i = 0; i < 5; i++)
		assert_int_equal(ratelimit_allow(rl, "10.0.0.1", i, &sup), 1);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 2000; i++) {
			snprintf(k, sizeof k, "10.1.%d.%d", i / 256, i % 256);
			(void)ratelimit_allow(rl, k, 100 + round, &sup);
		}
		assert_int_equal(ratelimit_allow(rl, "10.0.0.1", 200 + round, &sup), 0);
	}
	/* and each of the others got at most 5 in the window */
	for (int i = 0; i < 2000; i++) {
		int n = 0;
		snprintf(k, sizeof k, "10.1.%d.%d", i / 256, i % 256);
		for (int j = 0; j < 6; j++)
			n += ratelimit_allow(rl, k, 300, &sup);
		assert_true(n <= 5);
	}
	ratelimit_free(rl);
}

static void
test_next_window_reports_suppressed(void **state)
{
	struct ratelimit *rl = ratelimit_new(2, 60000);
	uint64_t sup;

	(void)state;
	assert_int_equal(ratelimit_allow(rl, "k", 0, &sup), 1);
	assert_int_equal(ratelimit_allow(rl, "k", 10, &sup), 1);
	assert_int_equal(ratelimit_allow(rl, "k", 20, &sup), 0);
	assert_int_equal(ratelimit_allow(rl, "k", 59999, &sup), 0);
	/* A window later: allowed again, and told how many were dropped. */
	assert_int_equal(ratelimit_allow(rl, "k", 60000, &sup), 1);
	assert_int_equal(sup, 2);
	assert_int_equal(ratelimit_allow(rl, "k", 60001, &sup), 1);
	assert_int_equal(sup, 0);
	ratelimit_free(rl);
}

static void
test_long_keys(void **state)
{
	struct ratelimit *rl = ratelimit_new(1, 60000);
	char a[300], b[300];
	uint64_t sup;

	(void)state;
	memset(a, 'a', sizeof a - 1);
	a[sizeof a - 1] = '\0';
	memcpy(b, a, sizeof b);
	assert_int_equal(ratelimit_allow(rl, a, 0, &sup), 1);
	/* Keys are compared on a prefix: same prefix, same client. */
	assert_int_equal(ratelimit_allow(rl, b, 1, &sup), 0);
	ratelimit_free(rl);
}

static void
test_histogram_buckets(void **state)
{
	struct histogram h;

	(void)state;
	memset(&h, 0, sizeof h);
	histogram_observe(&h, 0.00005);  /* first bucket */
	histogram_observe(&h, 0.0001);   /* on a bound: that bucket */
	histogram_observe(&h, 0.003);    /* le 0.005 */
	histogram_observe(&h, 42);       /* above every bound: +Inf only */
	histogram_observe(&h, -1);       /* a clock step: counted as 0 */
	assert_int_equal(h.count, 5);
	assert_int_equal(h.counts[0], 3);
	assert_int_equal(h.counts[5], 1);
	uint64_t in_buckets = 0;
	for (int i = 0; i < HISTOGRAM_BUCKETS; i++)
		in_buckets += h.counts[i];
	assert_int_equal(in_buckets, 4);
	assert_true(h.sum > 42.003 && h.sum < 42.004);
	for (int i = 1; i < HISTOGRAM_BUCKETS; i++)
		assert_true(histogram_bounds[i] > histogram_bounds[i - 1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_drop),
		cmocka_unit_test(test_keys_are_independent),
		cmocka_unit_test(test_other_keys_never_reset),
		cmocka_unit_test(test_next_window_reports_suppressed),
		cmocka_unit_test(test_long_keys),
		cmocka_unit_test(test_histogram_buckets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
