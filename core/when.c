/*
 * when.c - instants, dates in a named time zone, durations.
 *
 * glibc has no per-call zone (no localtime_rz), so a zone is applied by
 * setting TZ, calling tzset() and restoring the previous TZ afterwards.
 * That is not thread-safe; tiendod is one thread.  Each switch makes glibc
 * re-read a zone file, which is cheap next to what the callers do (a plan
 * has a few hundred dates; a dashboard formats a page).
 *
 * Zone names are checked against the tz database before use because glibc
 * silently falls back to UTC for a name it cannot find: "Asia/Ho_Chi_Mihn"
 * would shift every deadline by seven hours without a word.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "when.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"

/* Largest magnitude accepted anywhere: year 9999 is below 2.6e14 ms. */
#define WHEN_LIMIT ((when_t)253402300800LL * WHEN_SECOND)

int
when_zone_valid(const char *tz)
{
	const char *dir = getenv("TZDIR");
	const char *p;
	char path[4096], magic[4];
	struct stat st;
	FILE *f;
	size_t got;
	int n;

	if (tz == NULL || *tz == '\0' || *tz == '/' || strlen(tz) > 255)
		return 0;
	/* No ".." component and nothing a shell or glibc would read specially
	 * (a leading ':' or a POSIX rule such as "UTC+7"). */
	for (p = tz; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '/' || *p == '_' ||
		      *p == '-' || *p == '+' || *p == '.'))
			return 0;
		if (*p == '.' && p[1] == '.')
			return 0;
	}
	if (dir == NULL || *dir == '\0')
		dir = ZONEINFO_DIR;
	n = snprintf(path, sizeof(path), "%s/%s", dir, tz);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	/* zone.tab and friends live in the same directory; only TZif files
	 * are zones. */
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	got = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return got == sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
}

/* Switches the process zone to tz; *saved receives what to restore. */
static int
zone_push(const char *tz, char **saved, int *had)
{
	const char *old = getenv("TZ");

	*had = old != NULL;
	*saved = NULL;
	if (old != NULL && strcmp(old, tz) == 0) {
		*had = 2; /* already in force: nothing to restore */
		tzset();
		return 0;
	}
	if (old != NULL && (*saved = strdup(old)) == NULL)
		return -1;
	if (setenv("TZ", tz, 1) != 0) {
		free(*saved);
		*saved = NULL;
		return -1;
	}
	tzset();
	return 0;
}

static void
zone_pop(char *saved, int had)
{
	if (had == 2)
		return;
	if (had)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
when_month_days(long y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

int64_t
when_days_from_civil(long y, int m, int d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

/* Reads exactly n digits; -1 if they are not all there. */
static long
digits(const char **sp, int n)
{
	const char *s = *sp;
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	return v;
}

static int
parse_unix(const char *s, when_t *out, const char **why)
{
	int64_t v = 0;

	if (*s < '0' || *s > '9') {
		*why = "not a time: expected @ and Unix seconds";
		return -1;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v * WHEN_SECOND >= WHEN_LIMIT) {
			*why = "out of range";
			return -1;
		}
	}
	if (*s != '\0') {
		*why = "not a time: expected @ and Unix seconds";
		return -1;
	}
	*out = v * WHEN_SECOND;
	return 0;
}

/* Local wall-clock time in zone tz to an instant.  Times that do not exist
 * (the hour skipped when clocks go forward) are refused, except that a bare
 * date means the first instant of that day wherever midnight was skipped. */
static int
local_to_instant(const char *tz, long y, int mo, int d, int h, int mi,
                 int sec, int date_only, time_t *out, const char **why)
{
	struct tm tm, back;
	char *saved;
	int had, ok;
	time_t t;

	if (!when_zone_valid(tz)) {
		*why = "unknown time zone";
		return -1;
	}
	if (zone_push(tz, &saved, &had) != 0) {
		*why = "out of memory";
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	errno = 0;
	t = mktime(&tm);
	ok = !(t == (time_t)-1 && errno != 0) &&
	     localtime_r(&t, &back) != NULL;
	if (ok) {
		if (back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon ||
		    back.tm_mday != tm.tm_mday)
			ok = 0;
		else if (!date_only && (back.tm_hour != h || back.tm_min != mi ||
		                        back.tm_sec != sec))
			ok = 0;
	}
	zone_pop(saved, had);
	if (!ok) {
		*why = "that local time does not exist (the clocks changed)";
		return -1;
	}
	*out = t;
	return 0;
}

int
when_parse(const char *s, const char *tz, when_t *out, int *date_only,
           const char **why)
{
	const char *p = s;
	long y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, oh, om;
	int has_time = 0, has_offset = 0, off_sign = 1;
	int64_t off_min = 0, secs;
	time_t lt;

	if (s == NULL || *s == '\0') {
		*why = "empty";
		return -1;
	}
	if (*p == '@') {
		if (parse_unix(p + 1, out, why) != 0)
			return -1;
		if (date_only)
			*date_only = 0;
		return 0;
	}
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' ||
	    (mo = digits(&p, 2)) < 0 || *p++ != '-' ||
	    (d = digits(&p, 2)) < 0) {
		*why = "not a date: expected YYYY-MM-DD";
		return -1;
	}
	if (y < 1900) {
		*why = "year out of range";
		return -1;
	}
	if (mo < 1 || mo > 12) {
		*why = "month out of range";
		return -1;
	}
	if (d < 1 || d > when_month_days(y, (int)mo)) {
		*why = "day out of range for that month";
		return -1;
	}
	if (*p == ' ' || *p == 'T' || *p == 't') {
		p++;
		has_time = 1;
		if ((h = digits(&p, 2)) < 0 || *p++ != ':' ||
		    (mi = digits(&p, 2)) < 0) {
			*why = "not a time: expected HH:MM or HH:MM:SS";
			return -1;
		}
		if (*p == ':') {
			p++;
			if ((sec = digits(&p, 2)) < 0) {
				*why = "not a time: expected HH:MM or HH:MM:SS";
				return -1;
			}
			/* Fractions are accepted so that when_format_utc()
			 * round-trips; below a millisecond they are dropped. */
			if (*p == '.') {
				int n = 0;

				for (p++; *p >= '0' && *p <= '9'; p++, n++)
					if (n < 3)
						ms = ms * 10 + (*p - '0');
				if (n == 0) {
					*why = "not a time: digits expected after '.'";
					return -1;
				}
				for (; n < 3; n++)
					ms *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59) {
			*why = "time of day out of range";
			return -1;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
			has_offset = 1;
		} else if (*p == '+' || *p == '-') {
			off_sign = *p++ == '-' ? -1 : 1;
			if ((oh = digits(&p, 2)) < 0) {
				*why = "bad time zone offset: expected +HH:MM";
				return -1;
			}
			if (*p == ':')
				p++;
			if ((om = digits(&p, 2)) < 0 || oh > 23 || om > 59) {
				*why = "bad time zone offset: expected +HH:MM";
				return -1;
			}
			off_min = off_sign * (oh * 60 + om);
			has_offset = 1;
		}
	}
	if (*p != '\0') {
		*why = "unexpected characters after the date";
		return -1;
	}
	if (has_offset) {
		secs = when_days_from_civil(y, (int)mo, (int)d) * 86400 + h * 3600 +
		       mi * 60 + sec - off_min * 60;
	} else {
		if (local_to_instant(tz ? tz : WHEN_DEFAULT_TZ, y, (int)mo,
		                     (int)d, (int)h, (int)mi, (int)sec,
		                     !has_time, &lt, why) != 0)
			return -1;
		secs = (int64_t)lt;
	}
	*out = secs * WHEN_SECOND + ms;
	if (date_only)
		*date_only = !has_time;
	return 0;
}

static void
split_ms(when_t t, time_t *secs, int *ms)
{
	/* Floor division, so instants before 1970 format correctly. */
	when_t q = t / WHEN_SECOND, r = t % WHEN_SECOND;

	if (r < 0) {
		q--;
		r += WHEN_SECOND;
	}
	*secs = (time_t)q;
	*ms = (int)r;
}

char *
when_format(when_t t, const char *tz, char *buf, size_t n)
{
	struct tm tm;
	time_t secs;
	char *saved;
	int ms, had, ok;

	if (n == 0)
		return buf;
	split_ms(t, &secs, &ms);
	if (tz == NULL)
		tz = WHEN_DEFAULT_TZ;
	if (!when_zone_valid(tz) || zone_push(tz, &saved, &had) != 0) {
		snprintf(buf, n, "?");
		return buf;
	}
	ok = localtime_r(&secs, &tm) != NULL;
	zone_pop(saved, had);
	if (!ok)
		snprintf(buf, n, "?");
	else if (tm.tm_sec != 0)
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return buf;
}

char *
when_format_utc(when_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t secs;
	int ms;

	if (n == 0)
		return buf;
	split_ms(t, &secs, &ms);
	if (gmtime_r(&secs, &tm) == NULL)
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return buf;
}

int
when_parse_duration(const char *s, int64_t *ms, const char **why)
{
	const char *p = s;
	int64_t v = 0, unit;

	if (s == NULL || *s == '\0') {
		*why = "empty";
		return -1;
	}
	if (*p < '0' || *p > '9') {
		*why = "not a duration: expected a number and s, m, h, d or w";
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		/* A century is more than any plan needs, and keeps the
		 * product below int64 whatever the unit. */
		if (v > 36525LL * 24 * 3600) {
			*why = "out of range";
			return -1;
		}
	}
	switch (*p) {
	case '\0': unit = WHEN_DAY; break;
	case 's': unit = WHEN_SECOND; break;
	case 'm': unit = WHEN_MINUTE; break;
	case 'h': unit = WHEN_HOUR; break;
	case 'd': unit = WHEN_DAY; break;
	case 'w': unit = 7 * WHEN_DAY; break;
	default:
		*why = "not a duration: expected a number and s, m, h, d or w";
		return -1;
	}
	if (*p != '\0' && p[1] != '\0') {
		*why = "not a duration: expected a number and s, m, h, d or w";
		return -1;
	}
	if (v * unit > 36525LL * WHEN_DAY) {
		*why = "out of range";
		return -1;
	}
	*ms = v * unit;
	return 0;
}

when_t
when_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (when_t)ts.tv_sec * WHEN_SECOND + ts.tv_nsec / 1000000;
}
