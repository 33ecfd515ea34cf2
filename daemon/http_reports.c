/*
 * http_reports.c - GET /v1/reports: the reports of a pair as they came,
 * with reporter, note and corrections, paged by row id like the alert
 * history (since=, next_since); or, with order=newest, the latest first
 * (a unit's page on the dashboard), paged back with before= and
 * next_before.  An account with a unit scope names a unit it sees
 * something of, or a task it owns, and gets the rows of its scope
 * (scope.h); a page is `limit` rows read, so it may keep fewer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "book.h"
#include "http.h"
#include "http_auth.h"
#include "http_reports.h"
#include "log.h"
#include "store_list.h"

#define REPORTS_LIMIT_DEFAULT 100
#define REPORTS_LIMIT_MAX 10000

struct hr_page {
	json_t *rows;
	int64_t last, n;            /* n: rows read, kept or not (the page) */
	const struct scope *scope;  /* the account's; NULL: all */
	int failed;
};

static const char *
hr_kind(const struct store_report *r)
{
	if (r->voids_seq != 0)
		return "correction";
	return r->kind == REPORT_SET ? "set" : "add";
}

static int
hr_row(void *arg, const struct store_list_row *row)
{
	struct hr_page *pg = arg;
	const struct store_report *r = &row->r;
	char v[DEC_BUFSZ];
	json_t *o;

	pg->last = row->id;
	pg->n++;
	/* A unit outside the account's subtree shows the tasks the account
	 * owns only (scope.h). */
	if (!scope_pair_code(pg->scope, r->task, r->unit))
		return 0;
	o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}",
		"id", (json_int_t)row->id, "client", r->client,
		"seq", http_json_seq(r->seq), "task", r->task, "unit", r->unit,
		"kind", hr_kind(r), "value", dec_format(r->value, v, sizeof v),
		"observed_at", http_json_when(r->observed_at),
		"received_at", http_json_when(r->received_at),
		"reporter", r->reporter, "note", r->note);
	if (o == NULL)
		return pg->failed = 1;
	if (r->voids_seq != 0) {
		json_object_set_new(o, "voids_seq", http_json_seq(r->voids_seq));
		json_object_set_new(o, "void_reason",
		                    json_string(r->void_reason ? r->void_reason : ""));
	}
	if (row->voided_by != 0) {
		json_object_set_new(o, "voided_by",
		                    http_json_seq(row->voided_by));
		json_object_set_new(o, "voided_at", http_json_when(row->voided_at));
	}
	if (json_array_append_new(pg->rows, o) < 0)
		return pg->failed = 1;
	return 0;
}

static int
hr_int(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	*out = strtoll(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* The filter from the query; 0, or -1 once the error is sent. */
static int
hr_filter(struct evhttp_request *req, const struct plan *p,
          struct evkeyvalq *q, struct store_list_filter *f)
{
	const char *v;

	f->task = evhttp_find_header(q, "task");
	f->unit = evhttp_find_header(q, "unit");
	f->limit = REPORTS_LIMIT_DEFAULT;
	if (f->task && plan_task_find(p, f->task) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", f->task);
		return -1;
	}
	if (f->unit && plan_unit_find(p, f->unit) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", f->unit);
		return -1;
	}
	/* A scoped account names a unit it sees something of, or a task it
	 * owns; the rows are then filtered by the rule (hr_row). */
	if (auth_scope() &&
	    !(f->unit ? scope_unit_code(auth_scope(), f->unit) &&
	                (f->task == NULL ||
	                 scope_pair_code(auth_scope(), f->task, f->unit))
	              : f->task &&
	                scope_pair(auth_scope(), plan_task_find(p, f->task), -1))) {
		http_error(req, 403, "%s%.64s%s at unit \"%.64s\" is outside this "
		           "account's scope", f->task ? "task \"" : "reports",
		           f->task ? f->task : "", f->task ? "\"" : "",
		           f->unit ? f->unit : "(all)");
		return -1;
	}
	if ((v = evhttp_find_header(q, "order")) && strcmp(v, "oldest") != 0 &&
	    !(f->newest = strcmp(v, "newest") == 0)) {
		http_error(req, 400, "order must be oldest or newest; got "
		           "\"%.64s\"", v);
		return -1;
	}
	if ((v = evhttp_find_header(q, "before")) &&
	    (hr_int(v, &f->before_id) < 0 || f->before_id < 1)) {
		http_error(req, 400, "before must be a report id; got \"%.64s\"", v);
		return -1;
	}
	if ((v = evhttp_find_header(q, "since")) && hr_int(v, &f->after_id) < 0) {
		http_error(req, 400, "since must be a report id; got \"%.64s\"", v);
		return -1;
	}
	if ((v = evhttp_find_header(q, "limit")) &&
	    (hr_int(v, &f->limit) < 0 || f->limit < 1 ||
	     f->limit > REPORTS_LIMIT_MAX)) {
		http_error(req, 400, "limit must be 1 to 10000; got \"%.64s\"", v);
		return -1;
	}
	return 0;
}

void
http_reports_on_request(struct evhttp_request *req, void *arg)
{
	static const char *const allowed[] = { "task", "unit", "since", "before",
	                                       "order", "limit", NULL };
	struct book *book = *(struct book **)arg;
	struct store_list_filter f = { 0 };
	struct hr_page pg = { .rows = json_array() };
	struct evkeyvalq q;
	char err[256];

	if (http_query(req, &q, allowed) < 0) {
		json_decref(pg.rows);
		return;
	}
	if (hr_filter(req, book->plan, &q, &f) < 0)
		goto out;
	pg.scope = auth_scope();
	if (pg.rows == NULL ||
	    store_list(book->store, &f, hr_row, &pg, err, sizeof err) < 0 ||
	    pg.failed) {
		if (!pg.failed)
			log_err("http: /v1/reports: %s", err);
		http_error(req, 503, "cannot read the reports: storage error");
		goto out;
	}
	http_reply(req, 200, json_pack("{s:O, s:o}", "reports", pg.rows,
		f.newest ? "next_before" : "next_since", pg.n == f.limit
		? json_integer((json_int_t)pg.last) : json_null()));
out:
	json_decref(pg.rows);
	evhttp_clear_headers(&q);
}
