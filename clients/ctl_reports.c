/*
 * ctl_reports.c - tiendo-ctl reports [--task T] [--unit U] [--since ID]
 *                 [--limit N] [--lang vi|en] [--json]
 *
 * One row per stored report or correction, oldest first: its id (for
 * --since), when it was observed (showtime.h), the kind and value, who sent it (client
 * and seq), the reporter and the note; a voided report says by which seq,
 * a correction which seq it voids and why.  In Vietnamese (lang.h) the
 * headings, kinds and notes are Vietnamese and values read 1.750,5.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "ctl_reports.h"
#include "httpget.h"
#include "lang.h"
#include "showtime.h"
#include "table.h"

/* A seq as the daemon gives it: a number, or above 2^63 - 1 a string. */
static const char *
cr_seq(json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* The note column: the note, and what became of the report. */
static int
cr_note(json_t *row, int vi, char *buf, size_t n)
{
	json_t *by = json_object_get(row, "voided_by");
	char seq[24];

	if (strcmp(httpget_str(row, "kind", ""), "correction") == 0)
		return snprintf(buf, n, vi ? "hủy #%s: %s" : "voids #%s: %s",
		                cr_seq(json_object_get(row, "voids_seq"), seq,
		                       sizeof seq),
		                httpget_str(row, "void_reason", ""));
	if (by != NULL)
		return snprintf(buf, n, vi ? "%s%s(đã bị hủy theo #%s)" :
		                "%s%s(voided by #%s)",
		                httpget_str(row, "note", ""), *httpget_str(row, "note", "") ? " " : "",
		                cr_seq(by, seq, sizeof seq));
	return snprintf(buf, n, "%s", httpget_str(row, "note", ""));
}

static int
cr_print(json_t *rows, int vi)
{
	static const char *const head[] = { "ID", "OBSERVED", "KIND",
	                                    "VALUE", "FROM", "REPORTER", "NOTE" };
	static const char *const head_vi[] = { "Số hiệu", "Thời điểm", "Loại",
	                                       "Số liệu", "Nơi gửi",
	                                       "Người báo cáo", "Ghi chú" };
	static const enum table_align al[] = { TABLE_RIGHT, TABLE_LEFT,
	                                       TABLE_LEFT, TABLE_RIGHT,
	                                       TABLE_LEFT, TABLE_LEFT,
	                                       TABLE_LEFT };
	struct table *t = table_new(7, vi ? head_vi : head, al);
	json_t *row;
	size_t i;
	int failed = t == NULL;

	json_array_foreach(rows, i, row) {
		char id[32], from[160], note[2400], at[SHOWTIME_BUFSZ], val[64];
		char seq[24];

		if (failed)
			break;
		snprintf(id, sizeof id, "%lld",
		         (long long)json_integer_value(json_object_get(row, "id")));
		snprintf(from, sizeof from, "%.120s #%s", httpget_str(row, "client", ""),
		         cr_seq(json_object_get(row, "seq"), seq, sizeof seq));
		cr_note(row, vi, note, sizeof note);
		failed = table_row(t, json_object_get(row, "voided_by")
		                   ? "2" : NULL) ||
		         table_cell(t, 0, id, NULL) ||
		         table_cell(t, 1, showtime_text(httpget_str(row, "observed_at", ""),
		                                       vi, at, sizeof at), NULL) ||
		         table_cell(t, 2, lang_kind(httpget_str(row, "kind", ""),
		                    vi), NULL) ||
		         table_cell(t, 3, lang_value(httpget_str(row, "value", ""),
		                    vi, val, sizeof val), NULL) ||
		         table_cell(t, 4, from, NULL) ||
		         table_cell(t, 5, httpget_str(row, "reporter", ""), NULL) ||
		         table_cell(t, 6, note, NULL);
	}
	if (!failed)
		table_print(t, stdout, table_color());
	table_free(t);
	return failed ? -1 : 0;
}

int
ctl_reports(const char *base, const char *lang, int argc, char **argv)
{
	enum { O_TASK = 256, O_UNIT, O_SINCE, O_LIMIT, O_JSON, O_LANG };
	static const struct option longopts[] = {
		{ "task", required_argument, NULL, O_TASK },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "since", required_argument, NULL, O_SINCE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "json", no_argument, NULL, O_JSON },
		{ "lang", required_argument, NULL, O_LANG },
		{ NULL, 0, NULL, 0 },
	};
	const char *task = NULL, *unit = NULL, *since = NULL, *limit = NULL;
	int as_json = 0, first = 1, ch, ex = EX_OK, vi;
	json_t *doc, *rows;
	char *url;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case O_TASK: task = optarg; break;
		case O_UNIT: unit = optarg; break;
		case O_SINCE: since = optarg; break;
		case O_LIMIT: limit = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_LANG: lang = optarg; break;
		default: return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tiendo-ctl: reports: unexpected \"%s\"\n",
		        argv[optind]);
		return EX_USAGE;
	}
	if ((vi = lang_choose(lang, "tiendo-ctl: reports")) < 0)
		return EX_USAGE;
	if ((url = httpget_url(base, "/v1/reports")) == NULL)
		return EX_OSERR;
	if (httpget_param(&url, &first, "task", task) ||
	    httpget_param(&url, &first, "unit", unit) ||
	    httpget_param(&url, &first, "since", since) ||
	    httpget_param(&url, &first, "limit", limit)) {
		free(url);
		return EX_OSERR;
	}
	ex = httpget_list(url, "reports", as_json, &doc, &rows);
	free(url);
	vi = lang_settle(vi, lang, httpget_language());
	if (rows == NULL)
		; /* said on stderr, or printed as JSON */
	else if (json_array_size(rows) == 0) {
		printf("%s\n", vi ? "không có báo cáo nào" : "no reports");
	} else if (cr_print(rows, vi) < 0) {
		fprintf(stderr, "tiendo-ctl: out of memory\n");
		ex = EX_OSERR;
	} else if (json_is_integer(json_object_get(doc, "next_since"))) {
		printf("%s: --since %lld\n", vi ? "còn nữa" : "more",
		       (long long)json_integer_value(
		       json_object_get(doc, "next_since")));
	}
	json_decref(doc);
	return ex;
}
