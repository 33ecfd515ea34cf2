/*
 * lang.c - see lang.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertmsg.h"
#include "decimal.h"
#include "lang.h"

int
lang_vi(const char *s)
{
	if (s == NULL && ((s = getenv("TIENDO_LANG")) == NULL || *s == '\0'))
		return 0;
	if (strcmp(s, "vi") == 0)
		return 1;
	return strcmp(s, "en") == 0 ? 0 : -1;
}

const char *
lang_status(const char *status, int vi)
{
	static const char *const words[][2] = {
		{ "not_started", "chưa bắt đầu" },
		{ "on_track", "đúng tiến độ" },
		{ "lagging", "chậm tiến độ" },
		{ "critical", "chậm tiến độ nghiêm trọng" },
		{ "silent", "không báo cáo" },
		{ "overdue", "quá hạn" },
		{ "done", "hoàn thành" },
		{ "missing_report", "chưa nộp báo cáo" },
	};

	if (!vi)
		return status;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(status, words[i][0]) == 0)
			return words[i][1];
	return status;
}

int
lang_decimal_in(const char *in, int vi, char *out, size_t n)
{
	const char *comma, *p;
	size_t o = 0, run = 0;
	int grouped = 0;

	if (!vi)
		return (size_t)snprintf(out, n, "%s", in) < n ? 0 : -1;
	comma = strchr(in, ',');
	for (p = in; *p && (comma == NULL || p < comma); p++) {
		if (*p == '.') {
			/* a group mark: 1-3 digits before the first, 3 between */
			if (run == 0 || run > 3 || (grouped && run != 3))
				return -1;
			grouped = 1;
			run = 0;
			continue;
		}
		run = *p >= '0' && *p <= '9' ? run + 1 : 0;
		if (o + 1 >= n)
			return -1;
		out[o++] = *p;
	}
	if (grouped && run != 3)
		return -1;
	if (comma) {
		if (o + 1 >= n)
			return -1;
		out[o++] = '.';
		for (p = comma + 1; *p; p++) {
			if (o + 1 >= n)
				return -1;
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	return 0;
}

int
lang_date_in(const char *in, int vi, char *out, size_t n)
{
	int d, m, y, len = 0;

	if (vi && sscanf(in, "%2d/%2d/%4d%n", &d, &m, &y, &len) == 3 &&
	    len >= 8 && (in[len] == '\0' || in[len] == ' '))
		return (size_t)snprintf(out, n, "%04d-%02d-%02d%s", y, m, d,
		                        in + len) < n ? 0 : -1;
	return (size_t)snprintf(out, n, "%s", in) < n ? 0 : -1;
}

char *
lang_number(const char *dec, int vi, char *buf, size_t n)
{
	const char *why;
	dec_t v;

	if (dec_parse(dec, &v, &why) != 0) {
		snprintf(buf, n, "%s", dec);
		return buf;
	}
	return alertmsg_number(v, vi ? ALERTMSG_VI : ALERTMSG_EN, buf, n);
}

char *
lang_pct(double v, int vi, char *buf, size_t n)
{
	char *c;

	snprintf(buf, n, "%.1f", v);
	if (vi && (c = strchr(buf, '.')) != NULL)
		*c = ',';
	return buf;
}
