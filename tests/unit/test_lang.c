/*
 * test_lang.c - the clients in Vietnamese: numbers and dates read and
 * written as a Vietnamese clerk writes them, status words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang.h"

static void
test_numbers_in(void **state)
{
	char b[64];

	(void)state;
	assert_int_equal(lang_decimal_in("1,5", 1, b, sizeof b), 0);
	assert_string_equal(b, "1.5");
	assert_int_equal(lang_decimal_in("1.750,5", 1, b, sizeof b), 0);
	assert_string_equal(b, "1750.5");
	assert_int_equal(lang_decimal_in("12.000.000", 1, b, sizeof b), 0);
	assert_string_equal(b, "12000000");
	assert_int_equal(lang_decimal_in("-0,125", 1, b, sizeof b), 0);
	assert_string_equal(b, "-0.125");
	/* "12.5" is not a Vietnamese number: a group has three digits */
	assert_int_equal(lang_decimal_in("12.5", 1, b, sizeof b), -1);
	assert_int_equal(lang_decimal_in("1.75,5", 1, b, sizeof b), -1);
	/* English: as typed */
	assert_int_equal(lang_decimal_in("12.5", 0, b, sizeof b), 0);
	assert_string_equal(b, "12.5");
}

static void
test_dates_in(void **state)
{
	char b[64];

	(void)state;
	assert_int_equal(lang_date_in("20/03/2021", 1, b, sizeof b), 0);
	assert_string_equal(b, "2021-03-20");
	assert_int_equal(lang_date_in("20/03/2021 08:30", 1, b, sizeof b), 0);
	assert_string_equal(b, "2021-03-20 08:30");
	assert_int_equal(lang_date_in("2021-03-20", 1, b, sizeof b), 0);
	assert_string_equal(b, "2021-03-20");
	assert_int_equal(lang_date_in("20/03/2021", 0, b, sizeof b), 0);
	assert_string_equal(b, "20/03/2021"); /* en: left to when_parse */
}

static void
test_out(void **state)
{
	char b[96];

	(void)state;
	assert_string_equal(lang_number("1750.5", 1, b, sizeof b), "1.750,5");
	assert_string_equal(lang_number("1750.5", 0, b, sizeof b), "1,750.5");
	assert_string_equal(lang_pct(33.66, 1, b, sizeof b), "33,7");
	assert_string_equal(lang_status("critical", 1),
	                    "chậm tiến độ nghiêm trọng");
	assert_string_equal(lang_status("critical", 0), "critical");
	assert_int_equal(lang_vi("vi"), 1);
	assert_int_equal(lang_vi("en"), 0);
	assert_int_equal(lang_vi("fr"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_in),
		cmocka_unit_test(test_dates_in),
		cmocka_unit_test(test_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
