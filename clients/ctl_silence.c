/*
 * ctl_silence.c - tiendo-ctl silence add --task T --unit U --until DATE
 *                                        --reason TEXT [--by NAME]
 *                 tiendo-ctl silence list [--all] [--json]
 *                 tiendo-ctl silence expire ID [--by NAME]
 *                 (each with [--lang vi|en])
 *
 * --by defaults to the login name ($USER), so the daemon's audit trail
 * says who.  The daemon checks everything; its message is printed as is.
 * In Vietnamese (lang.h) silences are a table with Vietnamese headings,
 * and --until reads 20/03/2021 too; the English lines stay as they were.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "ctl_silence.h"
#include "httpget.h"
#include "lang.h"
#include "showtime.h"
#include "table.h"

/* httpget_json, the URL freed; *vi settled by the daemon's answer. */
static int
cs_call(char *url, int post, json_t **doc, int as_json, const char *lang,
        int *vi)
{
	int ex = httpget_json(url, post, 10, as_json, doc);

	free(url);
	*vi = lang_settle(*vi, lang, httpget_language());
	return ex;
}

/* One silence; its instants as every client shows them (showtime.h). */
static void
cs_print(json_t *s)
{
	char until[SHOWTIME_BUFSZ], made[SHOWTIME_BUFSZ], ended[SHOWTIME_BUFSZ];

	printf("%4lld  %-12s %-12s until %s  by %s at %s: %s",
	       (long long)json_integer_value(json_object_get(s, "id")),
	       json_is_string(json_object_get(s, "task")) ? httpget_str(s, "task", "") : "*",
	       json_is_string(json_object_get(s, "unit")) ? httpget_str(s, "unit", "") : "*",
	       showtime_text(httpget_str(s, "until", ""), 0, until, sizeof until),
	       httpget_str(s, "created_by", ""),
	       showtime_text(httpget_str(s, "created_at", ""), 0, made, sizeof made),
	       httpget_str(s, "reason", ""));
	if (json_is_string(json_object_get(s, "expired_by")))
		printf(" (expired by %s at %s)", httpget_str(s, "expired_by", ""),
		       showtime_text(httpget_str(s, "expired_at", ""), 0, ended,
		                     sizeof ended));
	printf("\n");
}

/* The silences of a list (or the one made) as a Vietnamese table; 0 or
 * -1 (out of memory). */
static int
cs_print_vi(json_t *list)
{
	/* the reason last: free text, and no blanks after an empty "ended" */
	static const char *const head[] = { "Số hiệu", "Nhiệm vụ", "Đơn vị",
	                                    "Tạm dừng đến", "Người tạo",
	                                    "Thời điểm tạo", "Kết thúc",
	                                    "Lý do" };
	static const enum table_align al[] = { TABLE_RIGHT, TABLE_LEFT,
	                                       TABLE_LEFT, TABLE_LEFT,
	                                       TABLE_LEFT, TABLE_LEFT,
	                                       TABLE_LEFT, TABLE_LEFT };
	struct table *t = table_new(8, head, al);
	json_t *s;
	size_t i;
	int failed = t == NULL;

	json_array_foreach(list, i, s) {
		char id[32], until[SHOWTIME_BUFSZ], made[SHOWTIME_BUFSZ];
		char ended[SHOWTIME_BUFSZ], end[SHOWTIME_BUFSZ + 200] = "";

		if (failed)
			break;
		snprintf(id, sizeof id, "%lld",
		         (long long)json_integer_value(json_object_get(s, "id")));
		if (json_is_string(json_object_get(s, "expired_by")))
			snprintf(end, sizeof end, "%.120s lúc %s",
			         httpget_str(s, "expired_by", ""),
			         showtime_text(httpget_str(s, "expired_at", ""), 1,
			                       ended, sizeof ended));
		/* "*": every task, or every unit */
		failed = table_row(t, NULL) ||
		         table_cell(t, 0, id, NULL) ||
		         table_cell(t, 1, json_is_string(json_object_get(s, "task")) ?
		                    httpget_str(s, "task", "") : "*", NULL) ||
		         table_cell(t, 2, json_is_string(json_object_get(s, "unit")) ?
		                    httpget_str(s, "unit", "") : "*", NULL) ||
		         table_cell(t, 3, showtime_text(httpget_str(s, "until", ""),
		                    1, until, sizeof until), NULL) ||
		         table_cell(t, 4, httpget_str(s, "created_by", ""), NULL) ||
		         table_cell(t, 5, showtime_text(httpget_str(s, "created_at",
		                    ""), 1, made, sizeof made), NULL) ||
		         table_cell(t, 6, end, NULL) ||
		         table_cell(t, 7, httpget_str(s, "reason", ""), NULL);
	}
	if (!failed)
		table_print(t, stdout, table_color());
	table_free(t);
	return failed ? -1 : 0;
}

int
ctl_silence(const char *base, const char *lang, int argc, char **argv)
{
	enum { O_TASK = 256, O_UNIT, O_UNTIL, O_REASON, O_BY, O_ALL, O_JSON,
	       O_LANG };
	static const struct option longopts[] = {
		{ "task", required_argument, NULL, O_TASK },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "reason", required_argument, NULL, O_REASON },
		{ "by", required_argument, NULL, O_BY },
		{ "all", no_argument, NULL, O_ALL },
		{ "json", no_argument, NULL, O_JSON },
		{ "lang", required_argument, NULL, O_LANG },
		{ NULL, 0, NULL, 0 },
	};
	const char *task = NULL, *unit = NULL, *until = NULL, *reason = NULL,
	           *by = getenv("USER"), *sub, *why;
	int all = 0, as_json = 0, first = 1, ch, ex, vi, rc;
	size_t i;
	json_t *doc, *row, *one = NULL;
	char *url, until_iso[128];

	if (argc < 2) {
		fprintf(stderr, "tiendo-ctl: silence: add, list or expire\n");
		return EX_USAGE;
	}
	/* From the verb on, as getopt wants argv[0] to be a name. */
	sub = argv[1];
	argc--;
	argv++;
	optind = 0; /* glibc: 0 also resets the scan of the last argv */
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case O_TASK: task = optarg; break;
		case O_UNIT: unit = optarg; break;
		case O_UNTIL: until = optarg; break;
		case O_REASON: reason = optarg; break;
		case O_BY: by = optarg; break;
		case O_ALL: all = 1; break;
		case O_JSON: as_json = 1; break;
		case O_LANG: lang = optarg; break;
		default: return EX_USAGE;
		}
	}
	if ((vi = lang_choose(lang, "tiendo-ctl: silence")) < 0)
		return EX_USAGE;
	/* 20/03/2021 is a day to a Vietnamese reader; the daemon reads ISO */
	if (until && (rc = lang_date_in(until, vi, until_iso, sizeof until_iso,
	                                &why)) != 0) {
		fprintf(stderr, "tiendo-ctl: silence: --until \"%s\": %s\n", until,
		        rc == -2 ? why : "too long");
		return EX_USAGE;
	}
	if (until)
		until = until_iso;
	if (by == NULL || !*by)
		by = "tiendo-ctl";
	if ((url = httpget_url(base, "/v1/silences")) == NULL)
		return EX_OSERR;
	if (strcmp(sub, "add") == 0 && optind == argc) {
		if (httpget_param(&url, &first, "task", task) ||
		    httpget_param(&url, &first, "unit", unit) ||
		    httpget_param(&url, &first, "until", until) ||
		    httpget_param(&url, &first, "reason", reason) ||
		    httpget_param(&url, &first, "by", by)) {
			free(url);
			return EX_OSERR;
		}
		if ((ex = cs_call(url, 1, &doc, as_json, lang, &vi)) == EX_OK && !as_json) {
			printf(vi ? "đã tạm dừng cảnh báo, số hiệu %lld\n" :
			       "silence %lld made\n", (long long)json_integer_value(
			       json_object_get(doc, "id")));
			if (!vi)
				cs_print(doc);
			else if ((one = json_array()) == NULL ||
			         json_array_append(one, doc) != 0 ||
			         cs_print_vi(one) != 0)
				ex = EX_OSERR;
			json_decref(one);
		}
	} else if (strcmp(sub, "list") == 0 && optind == argc) {
		if (all && httpget_param(&url, &first, "all", "1")) {
			free(url);
			return EX_OSERR;
		}
		if ((ex = cs_call(url, 0, &doc, as_json, lang, &vi)) == EX_OK && !as_json) {
			json_t *list = json_object_get(doc, "silences");

			if (json_array_size(list) == 0)
				printf("%s\n", vi ? all ? "chưa có đợt tạm dừng cảnh "
				       "báo nào" : "không có đợt tạm dừng cảnh báo "
				       "nào đang chạy" : all ? "no silences" :
				       "no running silences");
			else if (vi && cs_print_vi(list) != 0)
				ex = EX_OSERR;
			else if (!vi)
				json_array_foreach(list, i, row)
					cs_print(row);
		}
	} else if (strcmp(sub, "expire") == 0 && optind == argc - 1) {
		if (httpget_param(&url, &first, "expire", argv[optind]) ||
		    httpget_param(&url, &first, "by", by)) {
			free(url);
			return EX_OSERR;
		}
		if ((ex = cs_call(url, 1, &doc, as_json, lang, &vi)) == EX_OK && !as_json)
			printf(vi ? "đã kết thúc đợt tạm dừng cảnh báo số %s\n" :
			       "silence %s expired\n", argv[optind]);
	} else {
		free(url);
		fprintf(stderr, "tiendo-ctl: silence add --task T --unit U --until "
		        "DATE --reason TEXT | list [--all] | expire ID\n");
		return EX_USAGE;
	}
	json_decref(doc);
	return ex;
}
