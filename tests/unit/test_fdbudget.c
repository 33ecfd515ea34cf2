/*
 * test_fdbudget.c - the HTTP share of the descriptor budget (fdbudget.h):
 * never so large that HTTP could starve ZeroMQ and SQLite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fdbudget.h"

static void
test_default_is_a_quarter_of_the_spare(void **state)
{
	int clamped = 1;

	(void)state;
	assert_int_equal(fdbudget_http(1024, 0, &clamped), (1024 - 256) / 4);
	assert_int_equal(clamped, 0);
	assert_int_equal(fdbudget_http(300, 0, &clamped), 11);
}

static void
test_default_is_capped(void **state)
{
	int clamped = 1;

	(void)state;
	assert_int_equal(fdbudget_http(65536, 0, &clamped),
	                 FDBUDGET_HTTP_DEFAULT_MAX);
	assert_int_equal(clamped, 0);
}

static void
test_wanted_is_kept_below_half(void **state)
{
	int clamped = 0;

	(void)state;
	assert_int_equal(fdbudget_http(65536, 10000, &clamped), 10000);
	assert_int_equal(clamped, 0);
	assert_int_equal(fdbudget_http(1024, 1000, &clamped), (1024 - 256) / 2);
	assert_int_equal(clamped, 1);
}

static void
test_never_under_eight(void **state)
{
	int clamped = 0;

	(void)state;
	assert_int_equal(fdbudget_http(100, 0, &clamped), 8);
	assert_int_equal(clamped, 0);
	assert_int_equal(fdbudget_http(100, 50, &clamped), 8);
	assert_int_equal(clamped, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_a_quarter_of_the_spare),
		cmocka_unit_test(test_default_is_capped),
		cmocka_unit_test(test_wanted_is_kept_below_half),
		cmocka_unit_test(test_never_under_eight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
