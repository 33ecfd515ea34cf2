/*
 * when.h - instants, dates in a named time zone, durations.
 *
 * An instant is a when_t: milliseconds since the Unix epoch, UTC.  A plan's
 * dates carry no zone; they are read in the plan's zone (by default
 * Asia/Ho_Chi_Minh) from the tz database, never from a fixed offset.
 */
#ifndef TIENDO_WHEN_H
#define TIENDO_WHEN_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t when_t;

#define WHEN_SECOND ((when_t)1000)
#define WHEN_MINUTE (60 * WHEN_SECOND)
#define WHEN_HOUR (60 * WHEN_MINUTE)
#define WHEN_DAY (24 * WHEN_HOUR)

/* Buffer large enough for any when_format() result. */
#define WHEN_BUFSZ 40

#define WHEN_DEFAULT_TZ "Asia/Ho_Chi_Minh"

/* 1 if tz names a zone of the tz database (a file under $TZDIR or
 * /usr/share/zoneinfo, no ".." and not absolute), else 0. */
int when_zone_valid(const char *tz);

/*
 * Parses, in zone tz:
 *   "2021-02-17"                  local midnight; *date_only = 1
 *   "2021-02-17 08:30[:15]"       local time ('T' may replace the space)
 *   "2021-02-17T08:30:15Z"        UTC; "+07:00" / "-0130" offsets too
 *   "@1613520000"                 Unix seconds
 * date_only may be NULL.  Fields are range-checked (month 13, 30 February
 * are refused).  Returns 0, or -1 with *why a static English reason.
 */
int when_parse(const char *s, const char *tz, when_t *out, int *date_only,
               const char **why);

/* "2021-02-17 08:30" in zone tz (seconds shown only when not zero).
 * Returns buf. */
char *when_format(when_t t, const char *tz, char *buf, size_t n);

/* RFC 3339 in UTC with milliseconds: "2021-02-17T01:30:00.000Z". */
char *when_format_utc(when_t t, char *buf, size_t n);

/* Durations: "0", "90s", "45m", "36h", "7d", "2w"; a bare number is days.
 * Returns 0, or -1 with *why. */
int when_parse_duration(const char *s, int64_t *ms, const char **why);

/* The current instant (the only clock call in core; the pure modules never
 * call it, their callers pass `now`). */
when_t when_now(void);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm). */
int64_t when_days_from_civil(long y, int m, int d);

/* The days of month m (1-12) of year y, proleptic Gregorian. */
int when_month_days(long y, int m);

#endif
