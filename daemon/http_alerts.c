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

#include "alertjson.h"
#include "http.h"
#include "http_alerts.h"
#include "http_auth.h"

#define HISTORY_LIMIT_DEFAULT 100
#define HISTORY_LIMIT_MAX 10000

/* msg, then the offending value v (when there is one) and a quote. */
static void
ha_error(struct evhttp_request *req, int code, const char *msg, const char *v)
{
	http_error(req, code, "%s%.64s%s", msg, v ? v : "", v ? "\"" : "");
}

struct ha_rows {
	json_t *rows;
	uint64_t last;
	int failed;
};

static int
ha_row(void *arg, const void *body, size_t len)
{
	struct ha_rows *r = arg;
	Tiendo__Alert *a = tiendo__alert__unpack(NULL, len, body);

	if (a == NULL)
		return 0;
	if (!scope_unit_code(auth_scope(), a->unit)) {
		tiendo__alert__free_unpacked(a, NULL);
		return 0;
	}
	if (json_array_append_new(r->rows, alertjson(a)) < 0)
		r->failed = 1;
	r->last = a->seq;
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

void
http_alerts_serve(struct alerts *a, struct evhttp_request *req,
                  const char *path)
{
	static const char *const allowed_active[] = { "active", NULL };
	static const char *const allowed_hist[] = { "task", "unit", "severity",
	                                            "since", "limit", NULL };
	int history = strcmp(path, "/v1/alerts/history") == 0;
	const char *const *allowed = history ? allowed_hist : allowed_active;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL, *v;
	struct alertstore_filter f = { .limit = HISTORY_LIMIT_DEFAULT };
	struct ha_rows r = { .rows = json_array() };
	struct evkeyvalq q;
	struct evkeyval *kv;
	uint64_t n;
	int rc;

	TAILQ_INIT(&q);
	if (query && evhttp_parse_query_str(query, &q) < 0) {
		ha_error(req, 400, "query string is not well formed", NULL);
		goto out;
	}
	TAILQ_FOREACH(kv, &q, next) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(kv->key, allowed[i]) != 0; i++)
			;
		if (allowed[i] == NULL) {
			ha_error(req, 400, "unknown parameter \"", kv->key);
			goto out;
		}
	}
	if (!history) {
		if ((v = evhttp_find_header(&q, "active")) && strcmp(v, "1") != 0) {
			ha_error(req, 400, "active must be 1 (the history is "
			         "/v1/alerts/history); got \"", v);
			goto out;
		}
		rc = alertstore_active(alerts_store(a), ha_row, &r);
	} else {
		f.task = evhttp_find_header(&q, "task");
		f.unit = evhttp_find_header(&q, "unit");
		f.severity = evhttp_find_header(&q, "severity");
		if (f.severity && rules_sev_parse(f.severity) < 0) {
			ha_error(req, 400, "severity must be info, warning or "
			         "critical; got \"", f.severity);
			goto out;
		}
		if ((v = evhttp_find_header(&q, "since")) && ha_u64(v, &f.since) < 0) {
			ha_error(req, 400, "since must be a sequence number; got \"", v);
			goto out;
		}
		if ((v = evhttp_find_header(&q, "limit"))) {
			if (ha_u64(v, &n) < 0 || n < 1 || n > HISTORY_LIMIT_MAX) {
				ha_error(req, 400, "limit must be 1 to 10000; got \"", v);
				goto out;
			}
			f.limit = (int64_t)n;
		}
		rc = alertstore_history(alerts_store(a), &f, ha_row, &r);
	}
	if (rc < 0 || r.failed) {
		ha_error(req, 503, "cannot read the alerts: storage error", NULL);
		goto out;
	}
	if (history) {
		uint64_t next = json_array_size(r.rows) == (size_t)f.limit
		                ? r.last : 0;
		http_reply(req, 200, json_pack("{s:O, s:I, s:o}", "alerts", r.rows,
			"last_seq", (json_int_t)alerts_last_seq(a),
			"next_since", next ? json_integer((json_int_t)next)
			                   : json_null()));
	} else {
		http_reply(req, 200, json_pack("{s:O, s:I}", "alerts", r.rows,
			"seq", (json_int_t)alerts_last_seq(a)));
	}
out:
	json_decref(r.rows);
	evhttp_clear_headers(&q);
}
