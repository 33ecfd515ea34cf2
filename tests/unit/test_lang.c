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
	const char *why = NULL;
	char b[64];

	(void)state;
	assert_int_equal(lang_date_in("20/03/2021", 1, b, sizeof b, &why), 0);
	assert_string_equal(b, "2021-03-20");
	assert_int_equal(lang_date_in("20/03/2021 08:30", 1, b, sizeof b,
	                              &why), 0);
	assert_string_equal(b, "2021-03-20 08:30");
	assert_int_equal(lang_date_in("2/3/2021", 1, b, sizeof b, &why), 0);
	assert_string_equal(b, "2021-03-02");
	assert_int_equal(lang_date_in("29/02/2024", 1, b, sizeof b, &why), 0);
	assert_string_equal(b, "2024-02-29");
	assert_int_equal(lang_date_in("2021-03-20", 1, b, sizeof b, &why), 0);
	assert_string_equal(b, "2021-03-20");
	assert_int_equal(lang_date_in("@1616200000", 1, b, sizeof b, &why), 0);
	assert_string_equal(b, "@1616200000");
	assert_int_equal(lang_date_in("20/03/2021", 0, b, sizeof b, &why), 0);
	assert_string_equal(b, "20/03/2021"); /* en: left to when_parse */
	/* in vi a '/' means dd/mm/yyyy, and what is not one says why */
	assert_int_equal(lang_date_in("20/03/21", 1, b, sizeof b, &why), -2);
	assert_non_null(strstr(why, "dd/mm/yyyy"));
	assert_int_equal(lang_date_in("03/20/2021", 1, b, sizeof b, &why), -2);
	assert_string_equal(why, "no such month (dd/mm/yyyy: the month second)");
	assert_int_equal(lang_date_in("30/02/2024", 1, b, sizeof b, &why), -2);
	assert_string_equal(why, "no such day in that month");
	assert_int_equal(lang_date_in("29/02/2100", 1, b, sizeof b, &why), -2);
	assert_int_equal(lang_date_in("29/02/2021", 1, b, sizeof b, &why), -2);
	assert_int_equal(lang_date_in("31/04/2021", 1, b, sizeof b, &why), -2);
	assert_int_equal(lang_date_in("29/02/2000", 1, b, sizeof b, &why), 0);
	assert_string_equal(b, "2000-02-29");
	assert_int_equal(lang_date_in("0/02/2021", 1, b, sizeof b, &why), -2);
	assert_int_equal(lang_date_in("120/02/2021", 1, b, sizeof b, &why), -2);
	assert_int_equal(lang_date_in("20/03/2021x", 1, b, sizeof b, &why), -2);
	assert_int_equal(lang_date_in("20/03/2021 08:30", 1, b, 8, &why), -1);
}

static void
test_words_and_counts(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(lang_int(1750, 1, b, sizeof b), "1.750");
	assert_string_equal(lang_int(1234567, 1, b, sizeof b), "1.234.567");
	assert_string_equal(lang_int(999, 1, b, sizeof b), "999");
	assert_string_equal(lang_int(-1750, 1, b, sizeof b), "-1.750");
	assert_string_equal(lang_int(1750, 0, b, sizeof b), "1750");
	assert_string_equal(lang_value("1250.5", 1, b, sizeof b), "1.250,5");
	assert_string_equal(lang_value("1250.5", 0, b, sizeof b), "1250.5");
	assert_string_equal(lang_value("n/a", 1, b, sizeof b), "n/a");
	assert_string_equal(lang_severity("critical", 1), "nghiêm trọng");
	assert_string_equal(lang_severity("critical", 0), "critical");
	assert_string_equal(lang_transition("resolved", 1), "đã khắc phục");
	assert_string_equal(lang_transition("brand_new", 1), "brand_new");
	assert_string_equal(lang_kind("set", 1), "lũy kế");
	assert_string_equal(lang_kind("add", 0), "add");
}

static void
test_choose(void **state)
{
	(void)state;
	/* the option wins over the environment, which wins over en */
	assert_int_equal(setenv("TIENDO_LANG", "vi", 1), 0);
	assert_int_equal(lang_choose(NULL, "t"), 1);
	assert_int_equal(lang_choose("en", "t"), 0);
	assert_int_equal(setenv("TIENDO_LANG", "", 1), 0);
	assert_int_equal(lang_choose(NULL, "t"), 0);
	assert_int_equal(lang_choose("vi", "t"), 1);
	assert_int_equal(unsetenv("TIENDO_LANG"), 0);
	assert_int_equal(lang_choose(NULL, "t"), 0);
	assert_int_equal(lang_choose("fr", "t"), -1);
	assert_int_equal(setenv("TIENDO_LANG", "fr", 1), 0);
	assert_int_equal(lang_choose(NULL, "t"), -1);
	assert_int_equal(lang_choose("vi", "t"), 1);
	assert_int_equal(unsetenv("TIENDO_LANG"), 0);
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
		cmocka_unit_test(test_words_and_counts),
		cmocka_unit_test(test_choose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
