/*
 * http_reports.c - the latest reports (http_reports.h).
 */
#include <stdlib.h>

#include <jansson.h>

#include "http_auth.h"
#include "http_params.h"
#include "http_reports.h"
#include "store_recent.h"

static int
hrp_row(void *arg, const struct store_report *r)
{
	json_t *rows = arg;
	char v[DEC_BUFSZ], o[WHEN_BUFSZ], rc[WHEN_BUFSZ];

	return json_array_append_new(rows, json_pack(
		"{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o?, s:b}",
		"client", r->client, "seq", (json_int_t)r->seq, "task", r->task,
		"unit", r->unit, "kind", r->voids_seq ? "void"
		: r->kind == REPORT_SET ? "set" : "add",
		"value", dec_format(r->value, v, sizeof v),
		"observed_at", when_format_utc(r->observed_at, o, sizeof o),
		"received_at", when_format_utc(r->received_at, rc, sizeof rc),
		"reporter", r->reporter, "note", r->note,
		"voids_seq", r->voids_seq ? json_integer((json_int_t)r->voids_seq)
		                          : NULL,
		"voided", r->void_reason != NULL)) < 0 ? -2 : 0;
}

static void
hrp_serve(struct evhttp_request *req, void *arg)
{
	static const char *const allowed[] = { "unit", "task", "limit", NULL };
	struct book *book = *(struct book **)arg;
	const struct plan *p = book->plan;
	struct evkeyvalq q;
	const char *unit, *task, *v;
	json_t *rows = json_array();
	long limit = REPORTS_LIMIT_DEFAULT;
	char *end;
	int rc;

	if (http_params(req, &q, allowed) < 0) {
		json_decref(rows);
		return;
	}
	unit = evhttp_find_header(&q, "unit");
	task = evhttp_find_header(&q, "task");
	if (unit && plan_unit_find(p, unit) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", unit);
		goto out;
	}
	if (auth_scope() && (unit == NULL || !scope_unit_code(auth_scope(), unit))) {
		http_error(req, 403, "unit \"%.64s\" is outside this account's "
		           "scope", unit ? unit : "(all)");
		goto out;
	}
	if (task && plan_task_find(p, task) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", task);
		goto out;
	}
	if ((v = evhttp_find_header(&q, "limit")) &&
	    ((limit = strtol(v, &end, 10)) < 1 || limit > REPORTS_LIMIT_MAX ||
	     *end || *v < '0' || *v > '9')) {
		http_error(req, 400, "limit must be 1 to %d; got \"%.32s\"",
		           REPORTS_LIMIT_MAX, v);
		goto out;
	}
	rc = store_recent(book->store, unit, task, (int)limit, hrp_row, rows);
	if (rc != 0) {
		http_error(req, 503, rc == -2 ? "out of memory"
		           : "cannot read the reports: storage error");
		goto out;
	}
	http_reply(req, 200, json_pack("{s:O}", "reports", rows));
out:
	json_decref(rows);
	evhttp_clear_headers(&q);
}

int
http_reports_route(struct http *h, struct book **book)
{
	return http_route(h, "/v1/reports", hrp_serve, book);
}
