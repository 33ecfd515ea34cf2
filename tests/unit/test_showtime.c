/*
 * test_showtime.c - how the clients show an instant: in the process's
 * zone ($TZ), always with its offset (negative, half-hour and local mean
 * time offsets too), dd/mm/yyyy in Vietnamese, a TZ changed between calls
 * honoured, the daemon's RFC 3339 text read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "showtime.h"

/* 2021-02-17T01:30:00Z: 08:30 in Hanoi, 20:30 the day before in New York. */
#define T0 ((when_t)1613525400 * WHEN_SECOND)

static const char *
in_zone(const char *tz, when_t t, int vi)
{
	static char buf[SHOWTIME_BUFSZ];

	assert_int_equal(setenv("TZ", tz, 1), 0);
	return showtime(t, vi, buf, sizeof buf);
}

static void
test_offsets(void **state)
{
	(void)state;
	assert_string_equal(in_zone("Asia/Ho_Chi_Minh", T0, 0),
	                    "2021-02-17 08:30:00 +07:00");
	assert_string_equal(in_zone("America/New_York", T0, 0),
	                    "2021-02-16 20:30:00 -05:00");
	/* summer time: the offset is the one in force at that instant */
	assert_string_equal(in_zone("America/New_York",
	                            T0 + 120 * WHEN_DAY, 0),
	                    "2021-06-16 21:30:00 -04:00");
	assert_string_equal(in_zone("UTC", T0, 0), "2021-02-17 01:30:00 +00:00");
	assert_string_equal(in_zone("Asia/Kolkata", T0, 0),
	                    "2021-02-17 07:00:00 +05:30");
	/* negative with minutes: the sign covers both */
	assert_string_equal(in_zone("America/St_Johns", T0, 0),
	                    "2021-02-16 22:00:00 -03:30");
	/* Saigon's local mean time before 1906: +07:06:30, seconds kept */
	assert_string_equal(in_zone("Asia/Ho_Chi_Minh",
	                            (when_t)-2208988800LL * WHEN_SECOND, 0),
	                    "1900-01-01 07:06:30 +07:06:30");
}

static void
test_vietnamese(void **state)
{
	(void)state;
	assert_string_equal(in_zone("Asia/Ho_Chi_Minh", T0, 1),
	                    "17/02/2021 08:30:00 +07:00");
	/* the language changes the date, never the zone or the offset */
	assert_string_equal(in_zone("America/New_York", T0, 1),
	                    "16/02/2021 20:30:00 -05:00");
}

static void
test_edges(void **state)
{
	char buf[SHOWTIME_BUFSZ], small[8];

	(void)state;
	/* before 1970 the second is floored, not truncated toward zero */
	assert_string_equal(in_zone("UTC", -1, 0), "1969-12-31 23:59:59 +00:00");
	assert_string_equal(in_zone("UTC", T0 + 999, 0),
	                    "2021-02-17 01:30:00 +00:00");
	/* whatever an int64 from the wire holds fits or says "?" */
	assert_true(strlen(in_zone("UTC", INT64_MAX, 0)) < SHOWTIME_BUFSZ - 1);
	assert_true(strlen(in_zone("UTC", INT64_MIN, 0)) < SHOWTIME_BUFSZ - 1);
	/* a short buffer is cut and terminated; none is left alone */
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	assert_string_equal(showtime(T0, 0, small, sizeof small), "2021-02");
	buf[0] = 'x';
	assert_ptr_equal(showtime(T0, 0, buf, 0), buf);
	assert_int_equal(buf[0], 'x');
}

static void
test_tz_changed(void **state)
{
	char buf[SHOWTIME_BUFSZ];
	when_t t;
	const char *why;

	(void)state;
	/* localtime_r need not notice a new TZ by itself */
	assert_string_equal(in_zone("Asia/Ho_Chi_Minh", T0, 0),
	                    "2021-02-17 08:30:00 +07:00");
	assert_string_equal(in_zone("Europe/Berlin", T0, 0),
	                    "2021-02-17 02:30:00 +01:00");
	/* when.c switches zones and restores $TZ: ours still holds after */
	assert_int_equal(when_parse("2021-02-17 08:30", "Asia/Ho_Chi_Minh", &t,
	                            NULL, &why), 0);
	assert_string_equal(showtime(t, 0, buf, sizeof buf),
	                    "2021-02-17 02:30:00 +01:00");
}

static void
test_text(void **state)
{
	char buf[SHOWTIME_BUFSZ];

	(void)state;
	assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
	assert_string_equal(showtime_text("2021-02-17T01:30:00.000Z", 0, buf,
	                                  sizeof buf),
	                    "2021-02-16 20:30:00 -05:00");
	assert_string_equal(showtime_text("2021-02-17T08:30:00+07:00", 1, buf,
	                                  sizeof buf),
	                    "16/02/2021 20:30:00 -05:00");
	/* what does not parse is shown as it came */
	assert_string_equal(showtime_text("soon", 0, buf, sizeof buf), "soon");
	assert_string_equal(showtime_text("", 0, buf, sizeof buf), "");
	assert_string_equal(showtime_text(NULL, 0, buf, sizeof buf), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_vietnamese),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_tz_changed),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
