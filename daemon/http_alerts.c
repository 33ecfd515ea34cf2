/*
 * http_alerts.c - the alerts in JSON, read from the database: the rows are
 * the very Alerts that were published.
 *
 * History pages by sequence number, not by offset: `since=N` returns the
 * events after N, and `next_since` is the value to ask for next, so a page
 * never shifts while new events arrive.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "alert_now.h"
#include "alertjson.h"
#include "alertquery.h"
#include "alertrows.h"
#include "http.h"
#include "http_alerts.h"
#include "log.h"
#include "http_auth.h"

#define HISTORY_LIMIT_DEFAULT 100
#define HISTORY_LIMIT_MAX 10000
/* The active list is a page too: a country can have a million. */
#define ACTIVE_LIMIT_DEFAULT 1000

/* msg, then the offending value v (when there is one) and a quote. */
static void
ha_error(struct evhttp_request *req, int code, const char *msg, const char *v)
{
	http_error(req, code, "%s%.64s%s", msg, v ? v : "", v ? "\"" : "");
}

struct ha_rows {
	json_t *rows;
	uint64_t last;
	int64_t scanned;           /* rows read, kept or not: the page size */
	const char *owner;         /* owner=: only that department's tasks */
	const struct book *book;   /* active alerts: add their numbers now */
	when_t now;
	int failed;
};

static int
ha_row(void *arg, const void *body, size_t len)
{
	struct ha_rows *r = arg;
	Tiendo__Alert *a = tiendo__alert__unpack(NULL, len, body);
	json_t *row;

	r->scanned++;
	if (a == NULL) {
		/* Stored by us, so a bug or a damaged row: say so, read on. */
		log_warn("http: an alert event of the store does not decode");
		return 0;
	}
	r->last = a->seq;
	/* An account sees the alerts of its scope only (scope.h); the
	 * active list has chosen those already, the history filters here. */
	if (!scope_pair_code(auth_scope(), a->task, a->unit) ||
	    (r->owner && strcmp(a->owner, r->owner) != 0)) {
		tiendo__alert__free_unpacked(a, NULL);
		return 0;
	}
	row = alertjson(a);
	if (row && r->book)
		json_object_set_new(row, "now", alert_now_json(r->book, a, r->now));
	if (json_array_append_new(r->rows, row) < 0)
		r->failed = 1;
	tiendo__alert__free_unpacked(a, NULL);
	return 0;
}

static int
ha_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* since= and limit= of either list; 0 or -1 (replied). */
static int
ha_page(struct evhttp_request *req, struct evkeyvalq *q, uint64_t *since,
        int64_t *limit)
{
	const char *v;
	uint64_t n;

	if ((v = evhttp_find_header(q, "since")) && ha_u64(v, since) < 0) {
		ha_error(req, 400, "since must be a sequence number; got \"", v);
		return -1;
	}
	if ((v = evhttp_find_header(q, "limit"))) {
		if (ha_u64(v, &n) < 0 || n < 1 || n > HISTORY_LIMIT_MAX) {
			ha_error(req, 400, "limit must be 1 to 10000; got \"", v);
			return -1;
		}
		*limit = (int64_t)n;
	}
	return 0;
}

/* A code of the plan, or -1 when absent; -2 (replied) when unknown. */
static int
ha_code(struct evhttp_request *req, struct evkeyvalq *q, const char *key,
        int (*find)(const struct plan *, const char *), const struct plan *p)
{
	const char *v = evhttp_find_header(q, key);
	int i;

	if (v == NULL)
		return -1;
	if ((i = find(p, v)) < 0) {
		http_error(req, 400, "%s: no %s \"%.64s\" in the plan", key,
		           strcmp(key, "task") == 0 ? "task" : "unit", v);
		return -2;
	}
	return i;
}

/* GET /v1/alerts: the active alerts matching the filters, a page of them
 * in seq order, chosen in memory and read from the store by seq. */
static void
ha_active(struct alerts *a, struct evhttp_request *req, struct evkeyvalq *q,
          struct ha_rows *r)
{
	const struct plan *p = alerts_plan(a);
	struct alertquery aq = { .severity = SEV_NONE };
	int64_t limit = ACTIVE_LIMIT_DEFAULT;
	const char *v;
	uint64_t *seqs, last;
	size_t n, total;
	char err[256];

	if ((aq.task = ha_code(req, q, "task", plan_task_find, p)) == -2 ||
	    (aq.unit = ha_code(req, q, "unit", plan_unit_find, p)) == -2 ||
	    (aq.owner = ha_code(req, q, "owner", plan_unit_find, p)) == -2 ||
	    ha_page(req, q, &aq.since, &limit) < 0)
		return;
	aq.rule = -1;
	if ((v = evhttp_find_header(q, "rule")) &&
	    ((aq.rule = rules_rule_parse(v)) < 0 || aq.rule == RULE_DONE)) {
		ha_error(req, 400, "rule must be lag, overdue or silent; got \"", v);
		return;
	}
	if ((v = evhttp_find_header(q, "severity")) &&
	    (aq.severity = rules_sev_parse(v)) < 0) {
		ha_error(req, 400, "severity must be info, warning or critical; "
		         "got \"", v);
		return;
	}
	aq.limit = (size_t)limit;
	/* The scope chooses in memory, so that the page is full and the
	 * total counts only what the caller may see. */
	aq.keep = auth_scope() ? scope_keep : NULL;
	aq.keep_arg = (void *)auth_scope();
	if ((seqs = calloc(aq.limit, sizeof *seqs)) == NULL ||
	    alerts_query(a, &aq, seqs, &n, &total) < 0) {
		free(seqs);
		ha_error(req, 503, "out of memory", NULL);
		return;
	}
	if (alertrows_by_seq(alerts_db(a), seqs, n, ha_row, r, err,
	                     sizeof err) < 0 || r->failed) {
		free(seqs);
		ha_error(req, 503, "cannot read the alerts: storage error", NULL);
		return;
	}
	last = n > 0 ? seqs[n - 1] : 0;
	free(seqs);
	http_reply(req, 200, json_pack("{s:O, s:I, s:I, s:o}", "alerts", r->rows,
		"seq", (json_int_t)alerts_last_seq(a), "total", (json_int_t)total,
		"next_since", n == aq.limit ? json_integer((json_int_t)last)
		                            : json_null()));
}

void
http_alerts_serve(struct alerts *a, struct evhttp_request *req,
                  const char *path)
{
	static const char *const allowed_active[] = { "active", "task", "unit",
	                                              "owner", "rule", "severity",
	                                              "since", "limit", NULL };
	static const char *const allowed_hist[] = { "task", "unit", "severity",
	                                            "since", "limit", "owner",
	                                            NULL };
	int history = strcmp(path, "/v1/alerts/history") == 0;
	const char *const *allowed = history ? allowed_hist : allowed_active;
	const char *v;
	struct alertstore_filter f = { .limit = HISTORY_LIMIT_DEFAULT };
	struct ha_rows r = { .rows = json_array() };
	struct evkeyvalq q;
	uint64_t next;
	int rc;

	if (http_query(req, &q, allowed) < 0)
		goto out;
	if (history && (r.owner = evhttp_find_header(&q, "owner")) != NULL &&
	    plan_unit_find(alerts_book(a)->plan, r.owner) < 0) {
		ha_error(req, 400, "owner must be a unit of the plan; got \"",
		         r.owner);
		goto out;
	}
	if (!history) {
		r.book = alerts_book(a);
		r.now = when_now();
		if ((v = evhttp_find_header(&q, "active")) && strcmp(v, "1") != 0) {
			ha_error(req, 400, "active must be 1 (the history is "
			         "/v1/alerts/history); got \"", v);
			goto out;
		}
		ha_active(a, req, &q, &r);
		goto out;
	}
	f.task = evhttp_find_header(&q, "task");
	f.unit = evhttp_find_header(&q, "unit");
	f.severity = evhttp_find_header(&q, "severity");
	if (f.severity && rules_sev_parse(f.severity) < 0) {
		ha_error(req, 400, "severity must be info, warning or critical; "
		         "got \"", f.severity);
		goto out;
	}
	if (ha_page(req, &q, &f.since, &f.limit) < 0)
		goto out;
	rc = alertstore_history(alerts_store(a), &f, ha_row, &r);
	if (rc < 0 || r.failed) {
		ha_error(req, 503, "cannot read the alerts: storage error", NULL);
		goto out;
	}
	/* A page is `limit` events read: with owner= fewer may be kept. */
	next = r.scanned == f.limit ? r.last : 0;
	http_reply(req, 200, json_pack("{s:O, s:I, s:o}", "alerts", r.rows,
		"last_seq", (json_int_t)alerts_last_seq(a),
		"next_since", next ? json_integer((json_int_t)next) : json_null()));
out:
	json_decref(r.rows);
	evhttp_clear_headers(&q);
}
