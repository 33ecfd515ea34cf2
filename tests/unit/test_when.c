/*
 * test_when.c - dates in named zones, offsets, refusals, durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "when.h"

#define HCM "Asia/Ho_Chi_Minh"
#define BERLIN "Europe/Berlin"

static when_t
parse_ok(const char *s, const char *tz, int want_date_only)
{
	const char *why = NULL;
	when_t t = 0;
	int d = -1;

	if (when_parse(s, tz, &t, &d, &why) != 0)
		fail_msg("when_parse(\"%s\", %s): %s", s, tz, why);
	assert_int_equal(d, want_date_only);
	return t;
}

static const char *
utc(const char *s, const char *tz)
{
	static char buf[WHEN_BUFSZ];

	return when_format_utc(parse_ok(s, tz, strchr(s, ':') == NULL &&
	                                           s[0] != '@'),
	                       buf, sizeof(buf));
}

static void
refused(const char *s, const char *tz, const char *key)
{
	const char *why = NULL;
	when_t t = 99;

	assert_int_equal(when_parse(s, tz, &t, NULL, &why), -1);
	assert_non_null(why);
	if (strstr(why, key) == NULL)
		fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", s, why, key);
	assert_int_equal(t, 99);
}

static void
test_date_in_vietnam(void **state)
{
	(void)state;
	assert_string_equal(utc("2021-02-17", HCM), "2021-02-16T17:00:00.000Z");
	assert_int_equal(parse_ok("2021-02-17", HCM, 1),
	                 (when_t)1613494800 * WHEN_SECOND);
	assert_string_equal(utc("2021-02-17 08:30", HCM),
	                    "2021-02-17T01:30:00.000Z");
	assert_string_equal(utc("2021-02-17T08:30:15", HCM),
	                    "2021-02-17T01:30:15.000Z");
	/* NULL means the default zone, which is Vietnam's. */
	assert_int_equal(parse_ok("2021-02-17", NULL, 1),
	                 parse_ok("2021-02-17", HCM, 1));
}

static void
test_zone_with_dst(void **state)
{
	(void)state;
	/* CET in winter, CEST in summer. */
	assert_string_equal(utc("2021-01-15 12:00", BERLIN),
	                    "2021-01-15T11:00:00.000Z");
	assert_string_equal(utc("2021-07-01 12:00", BERLIN),
	                    "2021-07-01T10:00:00.000Z");
	/* The spring-forward day is 23 hours long. */
	assert_int_equal(parse_ok("2021-03-29", BERLIN, 1) -
	                         parse_ok("2021-03-28", BERLIN, 1),
	                 23 * WHEN_HOUR);
	/* 02:30 on 28 March 2021 never happened in Berlin. */
	refused("2021-03-28 02:30", BERLIN, "does not exist");
	assert_string_equal(utc("2021-03-28 03:30", BERLIN),
	                    "2021-03-28T01:30:00.000Z");
}

static void
test_offsets(void **state)
{
	(void)state;
	/* An explicit offset wins over the zone argument. */
	assert_string_equal(utc("2021-02-17T08:30:15Z", BERLIN),
	                    "2021-02-17T08:30:15.000Z");
	assert_string_equal(utc("2021-02-17T08:30:15+07:00", BERLIN),
	                    "2021-02-17T01:30:15.000Z");
	assert_string_equal(utc("2021-02-17 08:30-0130", HCM),
	                    "2021-02-17T10:00:00.000Z");
	assert_string_equal(utc("2021-02-17T00:30:00+07:00", HCM),
	                    "2021-02-16T17:30:00.000Z");
	assert_string_equal(utc("@1613520000", HCM),
	                    "2021-02-17T00:00:00.000Z");
	assert_string_equal(utc("2021-02-17T01:30:00.250Z", HCM),
	                    "2021-02-17T01:30:00.250Z");
}

static void
test_utc_round_trip(void **state)
{
	char buf[WHEN_BUFSZ];
	const when_t samples[] = {0, 1613494800123LL, -1, 4102444800000LL};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		when_format_utc(samples[i], buf, sizeof(buf));
		assert_int_equal(parse_ok(buf, HCM, 0), samples[i]);
	}
	assert_string_equal(when_format_utc(-1, buf, sizeof(buf)),
	                    "1969-12-31T23:59:59.999Z");
}

static void
test_refusals(void **state)
{
	(void)state;
	refused("", HCM, "empty");
	refused("2021-13-01", HCM, "month");
	refused("2021-00-10", HCM, "month");
	refused("2021-02-30", HCM, "day");
	refused("2021-02-29", HCM, "day");
	refused("2021-04-31", HCM, "day");
	refused("2021-1-5", HCM, "YYYY-MM-DD");
	refused("17/02/2021", HCM, "YYYY-MM-DD");
	refused("2021-02-17x", HCM, "unexpected");
	refused("2021-02-17 ", HCM, "time");
	refused("2021-02-17 24:00", HCM, "range");
	refused("2021-02-17 08:60", HCM, "range");
	refused("2021-02-17 08:30:61", HCM, "range");
	refused("2021-02-17 8:30", HCM, "HH:MM");
	refused("2021-02-17T08:30+25:00", HCM, "offset");
	refused("2021-02-17T08:30+07", HCM, "offset");
	refused("2021-02-17", "Asia/Nowhere", "time zone");
	refused("2021-02-17", "../etc/passwd", "time zone");
	refused("@", HCM, "Unix");
	refused("@12x", HCM, "Unix");
	refused("@99999999999999999999", HCM, "range");
	/* 2020 was a leap year; 1900 was not. */
	assert_int_equal(parse_ok("2020-02-29", HCM, 1) -
	                         parse_ok("2020-02-28", HCM, 1),
	                 WHEN_DAY);
	refused("1900-02-29", HCM, "day");
}

static void
test_format_local(void **state)
{
	char buf[WHEN_BUFSZ];
	when_t t = parse_ok("2021-02-17 08:30", HCM, 0);

	(void)state;
	assert_string_equal(when_format(t, HCM, buf, sizeof(buf)),
	                    "2021-02-17 08:30");
	assert_string_equal(when_format(t + 15 * WHEN_SECOND, HCM, buf,
	                                sizeof(buf)),
	                    "2021-02-17 08:30:15");
	assert_string_equal(when_format(t, BERLIN, buf, sizeof(buf)),
	                    "2021-02-17 02:30");
	assert_string_equal(when_format(t, "UTC", buf, sizeof(buf)),
	                    "2021-02-17 01:30");
}

static void
test_tz_restored(void **state)
{
	char buf[WHEN_BUFSZ];
	const char *tz;

	(void)state;
	assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
	parse_ok("2021-02-17", BERLIN, 1);
	when_format(0, HCM, buf, sizeof(buf));
	tz = getenv("TZ");
	assert_non_null(tz);
	assert_string_equal(tz, "America/New_York");
	assert_int_equal(unsetenv("TZ"), 0);
	parse_ok("2021-02-17", BERLIN, 1);
	assert_null(getenv("TZ"));
}

static void
test_zone_valid(void **state)
{
	(void)state;
	assert_true(when_zone_valid("Asia/Ho_Chi_Minh"));
	assert_true(when_zone_valid("Europe/Berlin"));
	assert_true(when_zone_valid("UTC"));
	assert_false(when_zone_valid("Asia/Ho_Chi_Mihn"));
	assert_false(when_zone_valid(""));
	assert_false(when_zone_valid(NULL));
	assert_false(when_zone_valid("/usr/share/zoneinfo/UTC"));
	assert_false(when_zone_valid("Asia/../Asia/Ho_Chi_Minh"));
	assert_false(when_zone_valid("Asia")); /* a directory */
	assert_false(when_zone_valid("zone.tab")); /* not a zone */
	assert_false(when_zone_valid("UTC+7"));
}

static void
duration_is(const char *s, int64_t want)
{
	const char *why = NULL;
	int64_t ms = -1;

	if (when_parse_duration(s, &ms, &why) != 0)
		fail_msg("duration \"%s\": %s", s, why);
	assert_int_equal(ms, want);
}

static void
duration_refused(const char *s)
{
	const char *why = NULL;
	int64_t ms = -1;

	assert_int_equal(when_parse_duration(s, &ms, &why), -1);
	assert_non_null(why);
	assert_int_equal(ms, -1);
}

static void
test_durations(void **state)
{
	(void)state;
	duration_is("0", 0);
	duration_is("90s", 90 * WHEN_SECOND);
	duration_is("45m", 45 * WHEN_MINUTE);
	duration_is("36h", 36 * WHEN_HOUR);
	duration_is("7d", 7 * WHEN_DAY);
	duration_is("2w", 14 * WHEN_DAY);
	duration_is("3", 3 * WHEN_DAY);
	duration_refused("");
	duration_refused("-1d");
	duration_refused("7 d");
	duration_refused("7dd");
	duration_refused("1.5d");
	duration_refused("d");
	duration_refused("7y");
	duration_refused("99999999999999999999w");
	duration_refused("100000w");
}

static void
test_now(void **state)
{
	(void)state;
	/* After this code was written, before year 10000. */
	assert_true(when_now() > (when_t)1700000000 * WHEN_SECOND);
	assert_true(when_now() < (when_t)253402300800LL * WHEN_SECOND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_in_vietnam),
		cmocka_unit_test(test_zone_with_dst),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_utc_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_format_local),
		cmocka_unit_test(test_tz_restored),
		cmocka_unit_test(test_zone_valid),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
