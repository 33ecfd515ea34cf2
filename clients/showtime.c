/*
 * showtime.c - see showtime.h.
 *
 * It lives with the clients, not in core/when.c, because it reads the
 * process's zone (localtime_r, $TZ): core is pure and is given its zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "showtime.h"

char *
showtime(when_t t, int vi, char *buf, size_t n)
{
	struct tm tm;
	when_t q = t / WHEN_SECOND;
	time_t secs;
	long off;
	char sign, offsec[8] = "";

	if (n == 0)
		return buf;
	/* Floor division: the second an instant before 1970 falls in.  The
	 * milliseconds are not shown; the daemon's JSON has them. */
	if (t % WHEN_SECOND < 0)
		q--;
	secs = (time_t)q;
	/* glibc's localtime_r, unlike localtime, need not look at $TZ again;
	 * tzset() makes a TZ set (or restored by when.c) since count. */
	tzset();
	if (localtime_r(&secs, &tm) == NULL) {
		snprintf(buf, n, "?");
		return buf;
	}
	off = tm.tm_gmtoff;
	sign = off < 0 ? '-' : '+';
	off = labs(off);
	/* Local mean time before a zone's standard time (Saigon was +07:06:30
	 * until 1906) has seconds in its offset; dropping them would name
	 * another instant. */
	if (off % 60 != 0)
		snprintf(offsec, sizeof offsec, ":%02ld", off % 60);
	if (vi)
		snprintf(buf, n, "%02d/%02d/%04d %02d:%02d:%02d %c%02ld:%02ld%s",
		         tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900,
		         tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
		         off / 60 % 60, offsec);
	else
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d %c%02ld:%02ld%s",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
		         off / 60 % 60, offsec);
	return buf;
}

const char *
showtime_text(const char *s, int vi, char *buf, size_t n)
{
	const char *why;
	when_t t;

	if (s == NULL)
		return "";
	/* "UTC" only for a time without an offset, which the daemon never
	 * sends; its instants all end in Z. */
	if (when_parse(s, "UTC", &t, NULL, &why) != 0)
		return s;
	return showtime(t, vi, buf, n);
}
