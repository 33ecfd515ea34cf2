/*
 * ctl_silence.c - tiendo-ctl silence add --task T --unit U --until DATE
 *                                        --reason TEXT [--by NAME]
 *                 tiendo-ctl silence list [--all] [--json]
 *                 tiendo-ctl silence expire ID [--by NAME]
 *
 * --by defaults to the login name ($USER), so the daemon's audit trail
 * says who.  The daemon checks everything; its message is printed as is.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "ctl_silence.h"
#include "httpget.h"
#include "showtime.h"

/* httpget_json, the URL freed. */
static int
cs_call(char *url, int post, json_t **doc, int as_json)
{
	int ex = httpget_json(url, post, 10, as_json, doc);

	free(url);
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

int
ctl_silence(const char *base, int argc, char **argv)
{
	enum { O_TASK = 256, O_UNIT, O_UNTIL, O_REASON, O_BY, O_ALL, O_JSON };
	static const struct option longopts[] = {
		{ "task", required_argument, NULL, O_TASK },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "reason", required_argument, NULL, O_REASON },
		{ "by", required_argument, NULL, O_BY },
		{ "all", no_argument, NULL, O_ALL },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const char *task = NULL, *unit = NULL, *until = NULL, *reason = NULL,
	           *by = getenv("USER"), *sub;
	int all = 0, as_json = 0, first = 1, ch, ex;
	size_t i;
	json_t *doc, *row;
	char *url;

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
		default: return EX_USAGE;
		}
	}
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
		if ((ex = cs_call(url, 1, &doc, as_json)) == EX_OK && !as_json) {
			printf("silence %lld made\n", (long long)json_integer_value(
			       json_object_get(doc, "id")));
			cs_print(doc);
		}
	} else if (strcmp(sub, "list") == 0 && optind == argc) {
		if (all && httpget_param(&url, &first, "all", "1")) {
			free(url);
			return EX_OSERR;
		}
		if ((ex = cs_call(url, 0, &doc, as_json)) == EX_OK && !as_json) {
			json_array_foreach(json_object_get(doc, "silences"), i, row)
				cs_print(row);
			if (json_array_size(json_object_get(doc, "silences")) == 0)
				printf("no %ssilences\n", all ? "" : "running ");
		}
	} else if (strcmp(sub, "expire") == 0 && optind == argc - 1) {
		if (httpget_param(&url, &first, "expire", argv[optind]) ||
		    httpget_param(&url, &first, "by", by)) {
			free(url);
			return EX_OSERR;
		}
		if ((ex = cs_call(url, 1, &doc, as_json)) == EX_OK && !as_json)
			printf("silence %s expired\n", argv[optind]);
	} else {
		free(url);
		fprintf(stderr, "tiendo-ctl: silence add --task T --unit U --until "
		        "DATE --reason TEXT | list [--all] | expire ID\n");
		return EX_USAGE;
	}
	json_decref(doc);
	return ex;
}
