/*
 * ctl_alerts.c - tiendo-ctl alerts [--history] [--task T] [--unit U]
 *                [--severity S] [--rule R] [--owner O] [--since N]
 *                [--limit N] [--lang vi|en] [--json]
 *
 * Both lists are filtered and paged by the daemon; --rule is for the
 * active list only.
 *
 * One line per alert: seq, time (showtime.h), severity, transition, unit,
 * task and the daemon's own sentence (which carries the numbers).  In
 * Vietnamese (lang.h) the same columns are a table with headings, its
 * words and counts as a Vietnamese reader writes them; the English lines
 * stay as scripts have read them (awk '$1 == seq').
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "ctl_alerts.h"
#include "httpget.h"
#include "lang.h"
#include "showtime.h"
#include "table.h"

/* The Vietnamese table of the alerts; 0 or -1 (out of memory). */
static int
ca_print_vi(json_t *rows)
{
	static const char *const head[] = { "Số hiệu", "Thời điểm", "Mức độ",
	                                    "Diễn biến", "Đơn vị", "Nhiệm vụ",
	                                    "Nội dung" };
	static const enum table_align al[] = { TABLE_RIGHT, TABLE_LEFT,
	                                       TABLE_LEFT, TABLE_LEFT,
	                                       TABLE_LEFT, TABLE_LEFT,
	                                       TABLE_LEFT };
	struct table *t = table_new(7, head, al);
	json_t *row;
	size_t i;
	int failed = t == NULL;

	json_array_foreach(rows, i, row) {
		char seq[32], when[SHOWTIME_BUFSZ];

		if (failed)
			break;
		/* a seq is a name to give --since, not a quantity: no dots */
		snprintf(seq, sizeof seq, "%lld",
		         (long long)json_integer_value(json_object_get(row, "seq")));
		failed = table_row(t, NULL) ||
		         table_cell(t, 0, seq, NULL) ||
		         table_cell(t, 1, showtime_text(httpget_str(row, "at", ""),
		                    1, when, sizeof when), NULL) ||
		         table_cell(t, 2, lang_severity(httpget_str(row,
		                    "severity", ""), 1), NULL) ||
		         table_cell(t, 3, lang_transition(httpget_str(row,
		                    "transition", ""), 1), NULL) ||
		         table_cell(t, 4, httpget_str(row, "unit", ""), NULL) ||
		         table_cell(t, 5, httpget_str(row, "task", ""), NULL) ||
		         table_cell(t, 6, httpget_str(row, "message", ""), NULL);
	}
	if (!failed)
		table_print(t, stdout, table_color());
	table_free(t);
	return failed ? -1 : 0;
}

int
ctl_alerts(const char *base, const char *lang, int argc, char **argv)
{
	enum { O_HIST = 256, O_TASK, O_UNIT, O_SEV, O_SINCE, O_LIMIT, O_JSON,
	       O_RULE, O_OWNER, O_LANG };
	static const struct option longopts[] = {
		{ "history", no_argument, NULL, O_HIST },
		{ "task", required_argument, NULL, O_TASK },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "severity", required_argument, NULL, O_SEV },
		{ "since", required_argument, NULL, O_SINCE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "json", no_argument, NULL, O_JSON },
		{ "rule", required_argument, NULL, O_RULE },
		{ "owner", required_argument, NULL, O_OWNER },
		{ "lang", required_argument, NULL, O_LANG },
		{ NULL, 0, NULL, 0 },
	};
	const char *task = NULL, *unit = NULL, *sev = NULL, *since = NULL,
	           *limit = NULL, *rule = NULL, *owner = NULL;
	int history = 0, as_json = 0, first = 1, ch, ex = EX_OK, vi;
	json_t *doc, *rows, *row;
	size_t i;
	char *url, when[SHOWTIME_BUFSZ], num[32];

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case O_HIST: history = 1; break;
		case O_TASK: task = optarg; break;
		case O_UNIT: unit = optarg; break;
		case O_SEV: sev = optarg; break;
		case O_SINCE: since = optarg; break;
		case O_LIMIT: limit = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_RULE: rule = optarg; break;
		case O_OWNER: owner = optarg; break;
		case O_LANG: lang = optarg; break;
		default: return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tiendo-ctl: alerts: unexpected argument \"%s\"\n",
		        argv[optind]);
		return EX_USAGE;
	}
	if ((vi = lang_choose(lang, "tiendo-ctl: alerts")) < 0)
		return EX_USAGE;
	if (history && rule) {
		fprintf(stderr, "tiendo-ctl: alerts: --rule filters the active "
		        "alerts, not --history\n");
		return EX_USAGE;
	}
	if ((url = httpget_url(base, history ? "/v1/alerts/history"
	                                     : "/v1/alerts?active=1")) == NULL)
		return EX_OSERR;
	first = !history ? 0 : 1;
	if (httpget_param(&url, &first, "task", task) ||
	    httpget_param(&url, &first, "unit", unit) ||
	    httpget_param(&url, &first, "severity", sev) ||
	    httpget_param(&url, &first, "since", since) ||
	    httpget_param(&url, &first, "limit", limit) ||
	    httpget_param(&url, &first, "rule", rule) ||
	    httpget_param(&url, &first, "owner", owner)) {
		free(url);
		return EX_OSERR;
	}
	ex = httpget_list(url, "alerts", as_json, &doc, &rows);
	free(url);
	vi = lang_settle(vi, lang, httpget_language());
	if (rows && vi && json_array_size(rows) > 0 && ca_print_vi(rows) < 0) {
		fprintf(stderr, "tiendo-ctl: out of memory\n");
		ex = EX_OSERR;
	} else if (rows) {
		if (!vi)
			json_array_foreach(rows, i, row)
				printf("%6lld  %s  %-8s %-9s %-12s %-12s %s\n",
				       (long long)json_integer_value(json_object_get(row, "seq")),
				       showtime_text(httpget_str(row, "at", ""), 0, when, sizeof when),
				       httpget_str(row, "severity", ""),
				       httpget_str(row, "transition", ""), httpget_str(row, "unit", ""),
				       httpget_str(row, "task", ""), httpget_str(row, "message", ""));
		if (json_array_size(rows) == 0)
			printf("%s\n", history ? vi ? "không có diễn biến cảnh báo nào" :
			       "no alert events" : vi ? "không có cảnh báo nào đang mở" :
			       "no active alerts");
		if (!history && json_is_integer(json_object_get(doc, "total")))
			printf(vi ? "%s cảnh báo đang mở khớp bộ lọc\n" :
			       "%s active alerts match\n", lang_int(json_integer_value(
			       json_object_get(doc, "total")), vi, num, sizeof num));
		if (json_is_integer(json_object_get(doc, "next_since")))
			printf("%s: --since %lld\n", vi ? "còn nữa" : "more",
			       (long long)json_integer_value(
			       json_object_get(doc, "next_since")));
	}
	json_decref(doc);
	return ex;
}
