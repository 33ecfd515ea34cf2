/*
 * test_decimal.c - exact decimals: parsing, refusals, formatting, sums.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decimal.h"

static dec_t
parse_ok(const char *s)
{
	const char *why = NULL;
	dec_t v = -42;

	assert_int_equal(dec_parse(s, &v, &why), 0);
	assert_null(why);
	return v;
}

static void
refused(const char *s, const char *reason)
{
	const char *why = NULL;
	dec_t v = 777;

	assert_int_equal(dec_parse(s, &v, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, reason);
	assert_int_equal(v, 777); /* *out untouched */
}

static void
test_parse_plain(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("12"), 12000);
	assert_int_equal(parse_ok("12.5"), 12500);
	assert_int_equal(parse_ok("-0.125"), -125);
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("-0"), 0);
	assert_int_equal(parse_ok("007.010"), 7010);
	assert_int_equal(parse_ok("0.001"), 1);
	assert_int_equal(parse_ok("1000000000000"), DEC_MAX);
	assert_int_equal(parse_ok("-1000000000000"), -DEC_MAX);
}

static void
test_parse_refusals(void **state)
{
	(void)state;
	refused("", "empty");
	refused("-", "not a number");
	refused("+", "a leading '+' is not allowed");
	refused("+3", "a leading '+' is not allowed");
	refused("+0.5", "a leading '+' is not allowed");
	refused("-+3", "not a number");
	refused("1e3", "not a number");
	refused("nan", "not a number");
	refused("NaN", "not a number");
	refused("inf", "not a number");
	refused("-inf", "not a number");
	refused(" 1", "not a number");
	refused("1 ", "not a number");
	refused("1.", "not a number");
	refused(".5", "not a number");
	refused("1,5", "not a number");
	refused("1.000.000", "not a number");
	refused("0x10", "not a number");
	refused("--1", "not a number");
	refused("1.2345", "more than 3 decimals");
	refused("1.0000", "more than 3 decimals");
	refused("1000000000000.001", "out of range");
	refused("1000000000001", "out of range");
	refused("99999999999999999999999999", "out of range");
	refused("-99999999999999999999999999", "out of range");
}

static void
test_sum_is_exact(void **state)
{
	dec_t tenth = parse_ok("0.1"), sum = 0;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		assert_int_equal(dec_add(sum, tenth, &sum), 0);
	assert_int_equal(sum, parse_ok("1"));
	assert_int_equal(sum, DEC_SCALE);
}

static void
test_add_overflow(void **state)
{
	dec_t out = 5;

	(void)state;
	assert_int_equal(dec_add(INT64_MAX, 1, &out), -1);
	assert_int_equal(out, 5);
	assert_int_equal(dec_add(INT64_MIN, -1, &out), -1);
	assert_int_equal(out, 5);
	assert_int_equal(dec_add(DEC_MAX, DEC_MAX, &out), 0);
	assert_int_equal(out, 2 * DEC_MAX);
}

static void
test_format(void **state)
{
	char buf[DEC_BUFSZ];

	(void)state;
	assert_string_equal(dec_format(12500, buf, sizeof(buf)), "12.5");
	assert_string_equal(dec_format(3000, buf, sizeof(buf)), "3");
	assert_string_equal(dec_format(-125, buf, sizeof(buf)), "-0.125");
	assert_string_equal(dec_format(0, buf, sizeof(buf)), "0");
	assert_string_equal(dec_format(1, buf, sizeof(buf)), "0.001");
	assert_string_equal(dec_format(10, buf, sizeof(buf)), "0.01");
	assert_string_equal(dec_format(-3000, buf, sizeof(buf)), "-3");
	assert_string_equal(dec_format(INT64_MIN, buf, sizeof(buf)),
	                    "-9223372036854775.808");
	assert_string_equal(dec_format(INT64_MAX, buf, sizeof(buf)),
	                    "9223372036854775.807");
	/* A short buffer is truncated, never overrun. */
	assert_string_equal(dec_format(12500, buf, 3), "12");
}

static void
test_round_trip(void **state)
{
	static const char *texts[] = {"0", "1", "-1", "12.5", "0.001",
	                              "-0.125", "4000", "1234567.89",
	                              "1000000000000", "-999999999999.999"};
	static const dec_t values[] = {0, 1, -1, 999, 1000, 1001, 123456789,
	                               -7, DEC_MAX, -DEC_MAX, 50};
	char buf[DEC_BUFSZ];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_string_equal(dec_format(parse_ok(texts[i]), buf,
		                               sizeof(buf)), texts[i]);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		assert_int_equal(parse_ok(dec_format(values[i], buf,
		                                     sizeof(buf))), values[i]);
}

static void
test_percent(void **state)
{
	(void)state;
	assert_float_equal(dec_percent(2500, 10000), 25.0, 1e-9);
	assert_float_equal(dec_percent(15000, 10000), 150.0, 1e-9);
	assert_float_equal(dec_percent(1, 3), 100.0 / 3, 1e-9);
	assert_float_equal(dec_percent(5000, 0), 0.0, 0);
	assert_float_equal(dec_percent(5000, -1), 0.0, 0);
	/* A whole percentage exactly, not 55.00000000000001 or
	 * 28.999999999999996: the thresholds compare against it. */
	assert_true(dec_percent(1650000, 3000000) == 55.0);
	assert_true(dec_percent(1450000, 5000000) == 29.0);
	assert_true(dec_percent(73500, 98000) == 75.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_plain),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_sum_is_exact),
		cmocka_unit_test(test_add_overflow),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
