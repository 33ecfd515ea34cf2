/*
 * lang.c - see lang.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertmsg.h"
#include "decimal.h"
#include "lang.h"
#include "when.h"

int
lang_vi(const char *s)
{
	if (s == NULL && ((s = getenv("TIENDO_LANG")) == NULL || *s == '\0'))
		return 0;
	if (strcmp(s, "vi") == 0)
		return 1;
	return strcmp(s, "en") == 0 ? 0 : -1;
}

int
lang_choose(const char *opt, const char *prog)
{
	const char *env = getenv("TIENDO_LANG");
	int vi = lang_vi(opt);

	if (vi < 0 && opt != NULL)
		fprintf(stderr, "%s: --lang \"%s\": neither vi nor en\n", prog,
		        opt);
	else if (vi < 0)
		fprintf(stderr, "%s: TIENDO_LANG=\"%s\": neither vi nor en\n",
		        prog, env ? env : "");
	return vi;
}

int
lang_settle(int vi, const char *opt, const char *daemon)
{
	const char *env = getenv("TIENDO_LANG");

	if (opt != NULL || (env != NULL && *env != '\0'))
		return vi;
	return daemon != NULL && strcmp(daemon, "vi") == 0;
}

/* words[i][0] -> words[i][1] in vi; the word itself otherwise. */
static const char *
lang_lookup(const char *const (*words)[2], size_t n, const char *w, int vi)
{
	if (!vi || w == NULL)
		return w;
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, words[i][0]) == 0)
			return words[i][1];
	return w;
}

const char *
lang_severity(const char *severity, int vi)
{
	static const char *const words[][2] = {
		{ "info", "thông tin" },
		{ "warning", "cảnh báo" },
		{ "critical", "nghiêm trọng" },
	};

	return lang_lookup(words, sizeof words / sizeof words[0], severity, vi);
}

const char *
lang_transition(const char *transition, int vi)
{
	/* "active" is tiendo-sub's word for an alert of the snapshot */
	static const char *const words[][2] = {
		{ "firing", "phát sinh" },
		{ "escalated", "nặng thêm" },
		{ "eased", "nhẹ bớt" },
		{ "reminder", "nhắc lại" },
		{ "resolved", "đã khắc phục" },
		{ "notice", "thông báo" },
		{ "active", "đang mở" },
	};

	return lang_lookup(words, sizeof words / sizeof words[0], transition,
	                   vi);
}

const char *
lang_kind(const char *kind, int vi)
{
	static const char *const words[][2] = {
		{ "add", "cộng thêm" },
		{ "set", "lũy kế" },
		{ "correction", "đính chính" },
	};

	return lang_lookup(words, sizeof words / sizeof words[0], kind, vi);
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

	return lang_lookup(words, sizeof words / sizeof words[0], status, vi);
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

/* 1-2 digits at *p, as a number; -1 when there are none or more. */
static int
lang_2digits(const char **p)
{
	int v = 0, k = 0;

	while (k < 3 && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	return k == 0 || k > 2 ? -1 : v;
}

int
lang_date_in(const char *in, int vi, char *out, size_t n, const char **why)
{
	const char *p = in;
	int d, m, y = 0, k;

	if (!vi || strchr(in, '/') == NULL)
		return (size_t)snprintf(out, n, "%s", in) < n ? 0 : -1;
	*why = "not a date as dd/mm/yyyy (20/03/2021, or 20/03/2021 08:30)";
	if ((d = lang_2digits(&p)) < 0 || *p++ != '/' ||
	    (m = lang_2digits(&p)) < 0 || *p++ != '/')
		return -2;
	for (k = 0; k < 4 && *p >= '0' && *p <= '9'; k++)
		y = y * 10 + (*p++ - '0');
	if (k != 4 || (*p != '\0' && *p != ' '))
		return -2;
	if (m < 1 || m > 12) {
		*why = "no such month (dd/mm/yyyy: the month second)";
		return -2;
	}
	if (d < 1 || d > when_month_days(y, m)) {
		*why = "no such day in that month";
		return -2;
	}
	return (size_t)snprintf(out, n, "%04d-%02d-%02d%s", y, m, d, p) < n ?
	       0 : -1;
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
lang_int(long long v, int vi, char *buf, size_t n)
{
	char plain[32];

	snprintf(plain, sizeof plain, "%lld", v);
	if (!vi) {
		snprintf(buf, n, "%s", plain);
		return buf;
	}
	return lang_number(plain, 1, buf, n);
}

const char *
lang_value(const char *dec, int vi, char *buf, size_t n)
{
	return vi ? lang_number(dec, 1, buf, n) : dec;
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
