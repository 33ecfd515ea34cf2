/*
 * http.c - JSON over evhttp.
 *
 * Every callback replies exactly once, on every path: evhttp leaks the
 * request and the client hangs otherwise.  Bodies are built with jansson.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http.h"
#include "http_alerts.h"
#include "http_conns.h"
#include "http_kinds.h"
#include "indicator.h"
#include "http_auth.h"
#include "log.h"
#include "pacing.h"
#include "rollcount.h"
#include "rollup.h"
#include "utf8.h"

/* Request bodies: larger ones are refused 413. */
#define HTTP_BODY_MAX 4096
#define HTTP_BODY_HARD_MAX (1024 * 1024)

struct http {
	struct evhttp *evh;
	struct event_base *base;
	struct evhttp_bound_socket *bound;
	struct http_conns *conns;
	struct book **book;
	const struct ingest *ingest;
	struct alerts *alerts;
	double rollup_share;    /* rollcount.h's critical_share */
	when_t started;
	char url[128];
	struct http_extra {
		const char *path;
		int methods;
		http_route_fn fn;
		void *arg;
	} routes[32];
	size_t n_routes;
	http_gate_fn gate;      /* accounts (http_auth.c); NULL: open */
	void *gate_arg;
};

static const char *
http_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	default: return "Service Unavailable";
	}
}

void
http_reply(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = body ? json_dumps(body, JSON_REAL_PRECISION(6)) : NULL;

	json_decref(body);
	if (buf == NULL) {
		free(text);
		evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
		return;
	}
	if (text == NULL) {
		/* Every error is JSON, even this one. */
		code = 500;
		text = strdup("{\"error\": \"internal error: the reply could "
		              "not be encoded\"}");
		if (text == NULL) {
			evbuffer_free(buf);
			evhttp_send_error(req, HTTP_INTERNAL, "out of memory");
			return;
		}
	}
	evbuffer_add(buf, text, strlen(text));
	evbuffer_add(buf, "\n", 1);
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "Content-Type", "application/json; charset=utf-8");
	evhttp_send_reply(req, code, http_phrase(code), buf);
	evbuffer_free(buf);
}

void
http_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	long bad;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* It may quote what the client sent: JSON needs UTF-8. */
	while ((bad = utf8_check(msg, strlen(msg))) >= 0)
		msg[bad] = '?';
	http_reply(req, code, json_pack("{s:s}", "error", msg));
}

static json_t *
json_when(when_t t)
{
	char buf[WHEN_BUFSZ];

	return t ? json_string(when_format_utc(t, buf, sizeof buf)) : json_null();
}

static json_t *
json_dec(dec_t v)
{
	char buf[DEC_BUFSZ];

	return json_string(dec_format(v, buf, sizeof buf));
}

static json_t *
json_pct(double v)
{
	return json_real(round(v * 100) / 100);
}

/* A %00 would decode to a NUL and silently cut its value short: refused,
 * naming the parameter as it was sent.  0, or -1 with the reply sent. */
static int
http_query_nul(struct evhttp_request *req, const char *query)
{
	for (const char *p = query; (p = strchr(p, '%')) != NULL; p++) {
		const char *key = p;

		if (p[1] != '0' || p[2] != '0')
			continue;
		while (key > query && key[-1] != '&')
			key--;
		http_error(req, 400, "parameter \"%.*s\" contains a NUL byte "
		           "(%%00)", (int)(strcspn(key, "=&") < 64
		                           ? strcspn(key, "=&") : 64), key);
		return -1;
	}
	return 0;
}

/* Query parameters: no NUL, UTF-8 after decoding, and every key one that
 * the path takes.  0, or -1 with the 400 sent. */
int
http_query(struct evhttp_request *req, struct evkeyvalq *q,
           const char *const *allowed)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyval *kv;

	TAILQ_INIT(q);
	if (query && http_query_nul(req, query) < 0)
		return -1;
	if (query && evhttp_parse_query_str(query, q) < 0) {
		http_error(req, 400, "query string is not well formed");
		return -1;
	}
	TAILQ_FOREACH(kv, q, next) {
		long bad;

		if ((bad = utf8_check(kv->key, strlen(kv->key))) >= 0 ||
		    (bad = utf8_check(kv->value, strlen(kv->value))) >= 0) {
			http_error(req, 400, "parameter \"%.64s\" is not valid "
			           "UTF-8", kv->key);
			evhttp_clear_headers(q);
			return -1;
		}
	}
	TAILQ_FOREACH(kv, q, next) {
		size_t i;
		for (i = 0; allowed[i]; i++)
			if (strcmp(kv->key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			http_error(req, 400, "unknown parameter \"%.64s\"", kv->key);
			evhttp_clear_headers(q);
			return -1;
		}
	}
	return 0;
}

static void
http_healthz(struct http *h, struct evhttp_request *req)
{
	const struct ingest_stats *st = ingest_stats(h->ingest);
	int ok = st->storage_ok;

	http_reply(req, ok ? 200 : 503, json_pack(
		"{s:s, s:s, s:s?, s:I, s:I, s:I}",
		"status", ok ? "ok" : "degraded",
		"storage", ok ? "ok" : "failing",
		"storage_error", ok ? NULL : st->storage_error,
		"accepted", (json_int_t)st->accepted,
		"uptime_s", (json_int_t)((when_now() - h->started) / 1000),
		"plan_targets", (json_int_t)(*h->book)->plan->n_targets));
}

static void
http_units(struct http *h, struct evhttp_request *req)
{
	const struct plan *p = (*h->book)->plan;
	json_t *units = json_array();

	for (size_t i = 0; i < p->n_units; i++) {
		const struct plan_unit *u = &p->units[(*h->book)->preorder[i]];
		if (!scope_unit(auth_scope(), (*h->book)->preorder[i]))
			continue;
		json_array_append_new(units, json_pack("{s:s, s:s, s:s, s:s?, s:i}",
			"code", u->code, "name", u->name, "kind", u->kind,
			"parent", u->parent >= 0 ? p->units[u->parent].code : NULL,
			"depth", u->depth));
	}
	http_reply(req, 200, json_pack("{s:s, s:o}", "plan", p->name ? p->name : "",
	                               "units", units));
}

/* The revision history of target k, oldest first: what it was, and from
 * when each revision is in force (null: as first given). */
static void
http_revisions(const struct plan *p, size_t k, json_t *out)
{
	const struct plan_target *t = &p->targets[k];

	for (size_t r = 0; r < t->n_revs; r++)
		json_array_append_new(out, json_pack("{s:s, s:o, s:o, s:i}",
			"unit", p->units[t->unit].code,
			"from", r ? json_when(t->revs[r].from) : json_null(),
			"value", json_dec(t->revs[r].value),
			"line", t->revs[r].line));
}

static void
http_tasks(struct http *h, struct evhttp_request *req)
{
	const struct plan *p = (*h->book)->plan;
	json_t *tasks = json_array();
	when_t now = when_now();

	for (size_t i = 0; i < p->n_tasks; i++) {
		const struct plan_task *t = &p->tasks[i];
		json_t *ms, *revs;
		dec_t total = 0;
		size_t n = 0;

		if (!scope_task(auth_scope(), (int)i))
			continue;
		ms = json_array();
		revs = json_array();

		for (size_t k = 0; k < t->n_milestones; k++)
			json_array_append_new(ms, json_pack("{s:o, s:o}",
				"at", json_when(t->milestones[k].at),
				"percent", json_pct(t->milestones[k].percent)));
		for (size_t k = 0; k < p->n_targets; k++)
			if (p->targets[k].task == (int)i &&
			    scope_unit(auth_scope(), p->targets[k].unit)) {
				dec_add(total, plan_target_value(p, k, now), &total);
				http_revisions(p, k, revs);
				n++;
			}
		json_array_append_new(tasks, json_pack(
			"{s:s, s:s, s:s, s:s?, s:s?, s:o, s:o, s:s, s:o, s:o, s:o,"
			" s:I, s:I, s:o, s:o, s:s, s:s?, s:b, s:b}",
			"code", t->code, "title", t->title, "measure", t->measure,
			"owner", t->owner >= 0 ? p->units[t->owner].code : NULL,
			"owner_name", t->owner >= 0 ? p->units[t->owner].name : NULL,
			"start", json_when(t->start), "deadline", json_when(t->deadline),
			"pacing", t->pacing == PACING_LINEAR ? "linear" : "milestones",
			"milestones", ms, "warn", json_pct(t->warn),
			"critical", json_pct(t->critical),
			"stale_after_s", (json_int_t)(t->stale_after / 1000),
			"targets", (json_int_t)n, "target_total", json_dec(total),
			"expected_now", json_pct(indicator_expected(t, now)),
			"kind", indicator_kind_name(t->kind),
			"hold", t->kind != PLAN_KIND_LEVEL ? NULL :
			        t->hold_below ? "at_most" : "at_least",
			"integer", t->integer, "negative_adds", !t->no_negative_adds));
		json_object_set_new(json_array_get(tasks, json_array_size(tasks) - 1),
		                    "revisions", revs);
		if (t->kind == PLAN_KIND_GROUP) {
			json_t *inds = json_array();

			for (size_t k = 0; k < t->n_indicators; k++)
				json_array_append_new(inds, json_string(
				    p->tasks[t->indicators[k]].code));
			json_object_set_new(json_array_get(tasks,
			    json_array_size(tasks) - 1), "indicators", inds);
		}
	}
	http_reply(req, 200, json_pack("{s:s, s:o}", "plan", p->name ? p->name : "",
	                               "tasks", tasks));
}

static json_t *
http_tally_row(const struct plan *p, int task, int unit, int rollup,
               size_t n_units, const struct tally_view *v,
               const struct tally *t)
{
	const struct plan_task *tk = &p->tasks[task];
	const struct plan_unit *u = &p->units[unit];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:I, s:o,"
	                 " s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:s}",
		"task", tk->code, "task_title", tk->title, "measure", tk->measure,
		"unit", u->code, "unit_name", u->name, "unit_kind", u->kind,
		"depth", u->depth, "rollup", rollup, "units", (json_int_t)n_units,
		"actual", json_dec(v->actual), "target", json_dec(v->target),
		"percent", json_pct(v->percent), "expected", json_pct(v->expected),
		"lag", json_pct(v->lag), "status", tally_status_name(v->status),
		"reports", (json_int_t)(t ? t->n_reports : 0),
		"last_report", json_when(t ? t->last_report_at : 0),
		"kind", indicator_kind_name(tk->kind));
}

/*
 * /v1/tallies is streamed: a country-sized plan gives hundreds of thousands
 * of rows, which must neither be built as one JSON tree (gigabytes) nor
 * block the loop (ingest would stall).  Rows go out in chunks of a few
 * tasks; the next chunk is rendered only once the previous one has been
 * written to the socket, so a slow reader holds back only itself.  A plan
 * reload in the middle ends the stream early: the client sees a truncated
 * document rather than rows of two plans.
 */
#define TALLIES_CHUNK_BYTES (256 * 1024)

struct tallies {
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct http_conns *conns;
	struct book **bookp;
	uint64_t generation;    /* of the book the stream started with */
	struct board *past;     /* at=: owned; else NULL */
	struct rollup *ru;
	struct rollcount *rc;   /* status counts under each unit */
	double rollup_share;
	int task, unit;         /* filters, -1 = all */
	int owner;              /* owner=: tasks of that unit only; -1 = all */
	char *period;           /* period=: its name, or NULL */
	when_t period_start, period_end;
	struct board *before;   /* period=: the board before it began */
	struct rollup *ru0;     /* and its roll-ups */
	struct scope *scope;    /* the account's, copied; NULL = all */
	when_t now;
	size_t next;            /* next task to render */
	int rows;               /* rows sent so far */
};

static void
tallies_free(struct tallies *ts)
{
	if (ts->conn)
		http_conns_set_closecb(ts->conns, ts->conn, NULL, NULL);
	rollup_free(ts->ru);
	rollcount_free(ts->rc);
	rollup_free(ts->ru0);
	board_free(ts->past);
	board_free(ts->before);
	free(ts->period);
	scope_free(ts->scope);
	free(ts);
}

/* The client went away: libevent frees the request. */
static void
tallies_on_close(struct evhttp_connection *conn, void *arg)
{
	struct tallies *ts = arg;

	ts->conn = NULL;
	tallies_free(ts);
}

static int
tallies_row(struct tallies *ts, struct evbuffer *out, json_t *row)
{
	char *text = json_dumps(row, JSON_REAL_PRECISION(6));

	json_decref(row);
	if (text == NULL)
		return -1;
	evbuffer_add_printf(out, "%s%s", ts->rows++ ? ",\n" : "\n", text);
	free(text);
	return 0;
}

/* A roll-up row: its units counted by status, and a status that does not
 * hide a share of critical ones (rollcount.h). */
static json_t *
tallies_rollup_row(struct tallies *ts, const struct plan *p, int ti, int u,
                   uint32_t n, struct tally_view *v)
{
	const uint32_t *c = rollcount_of(ts->rc, u);
	json_t *row, *by = json_object();

	v->status = rollcount_status(v->status, c, ts->rollup_share);
	row = http_tally_row(p, ti, u, 1, n, v, &ts->ru->cells[u].sum);
	for (int s = 0; by && s < ROLLCOUNT_STATUSES; s++)
		json_object_set_new(by, tally_status_name((enum tally_status)s),
		                    json_integer(c[s]));
	if (row && by && json_object_set_new(row, "by_status", by) == 0)
		return row;
	json_decref(row);
	return NULL;
}

static int
tallies_period_row(struct tallies *ts, struct evbuffer *out, json_t *row,
                   const struct plan_task *tk, const struct tally *end,
                   const struct tally *before, const struct tally_view *v)
{
	if (row)
		http_period_missing(tk, end, v, ts->now, row);
	if (row && ts->period)
		json_object_set_new(row, "period", http_period_json(ts->period,
		                    ts->period_start, ts->period_end, tk, end,
		                    before, v));
	return tallies_row(ts, out, row);
}

static int
tallies_group(struct tallies *ts, struct book *book, int ti,
              struct evbuffer *out)
{
	const struct plan *p = book->plan;
	const struct board *board = ts->past ? ts->past : book->board;

	for (size_t i = 0; i < p->n_units; i++) {
		int u = book->preorder[i];
		json_t *row;

		if (ts->unit >= 0 && !plan_unit_within(p, u, ts->unit))
			continue;
		if ((row = http_group_row(p, board, ti, u, ts->now)) != NULL &&
		    tallies_row(ts, out, row) < 0)
			return -1;
	}
	return 0;
}

/* Renders one task's rows into out. */
static int
tallies_task(struct tallies *ts, struct book *book, int ti,
             struct evbuffer *out)
{
	const struct plan *p = book->plan;
	const struct board *board = ts->past ? ts->past : book->board;

	if (p->tasks[ti].kind == PLAN_KIND_GROUP)
		return tallies_group(ts, book, ti, out);

	rollup_task(ts->ru, board, ti);
	rollcount_task(ts->rc, board, ti, ts->now);
	if (ts->ru0)
		rollup_task(ts->ru0, ts->before, ti);
	for (size_t i = 0; i < p->n_units; i++) {
		int u = book->preorder[i];
		int own = plan_target_find(p, ti, u);
		struct tally_view v;
		uint32_t n;

		if ((ts->unit >= 0 && !plan_unit_within(p, u, ts->unit)) ||
		    !scope_unit(ts->scope, u))
			continue;
		/* A roll-up row only where it sums more than the unit's own
		 * target. */
		n = rollup_view(ts->ru, ti, u, ts->now, &v);
		if (n > (own >= 0 ? 1u : 0u) &&
		    tallies_period_row(ts, out, tallies_rollup_row(ts, p, ti, u, n,
		                       &v), &p->tasks[ti],
		                       &ts->ru->cells[u].sum, ts->ru0 ?
		                       &ts->ru0->cells[u].sum : NULL, &v) < 0)
			return -1;
		if (own >= 0) {
			board_view(board, own, ts->now, &v);
			if (tallies_period_row(ts, out, http_tally_row(p, ti, u, 0, 1,
			                       &v, &board->tallies[own]), &p->tasks[ti],
			                       &board->tallies[own], ts->before ?
			                       &ts->before->tallies[own] : NULL, &v) < 0)
				return -1;
		}
	}
	return 0;
}

static void tallies_step(struct evhttp_connection *conn, void *arg);

static void
tallies_step(struct evhttp_connection *conn, void *arg)
{
	struct tallies *ts = arg;
	struct book *book = *ts->bookp;
	struct evbuffer *out = evbuffer_new();
	int failed = out == NULL || book->generation != ts->generation;

	while (!failed && ts->next < book->plan->n_tasks &&
	       evbuffer_get_length(out) < TALLIES_CHUNK_BYTES) {
		int ti = (int)ts->next++;
		if ((ts->task < 0 || ti == ts->task) &&
		    (ts->owner < 0 || book->plan->tasks[ti].owner == ts->owner) &&
		    tallies_task(ts, book, ti, out) < 0)
			failed = 1;
	}
	if (failed) {
		/* Headers are gone already: all that is left to say is to
		 * end the connection short of the closing bracket. */
		log_warn("http: /v1/tallies cut short (%s)", out == NULL ||
		         book->generation == ts->generation ? "out of memory"
		         : "plan reloaded");
		if (out)
			evbuffer_free(out);
		http_conns_set_closecb(ts->conns, ts->conn, NULL, NULL);
		evhttp_connection_free(ts->conn);
		ts->conn = NULL;
		tallies_free(ts);
		return;
	}
	if (ts->next >= book->plan->n_tasks) {
		evbuffer_add_printf(out, "\n]}\n");
		evhttp_send_reply_chunk(ts->req, out);
		evbuffer_free(out);
		evhttp_send_reply_end(ts->req);
		tallies_free(ts);
		return;
	}
	evhttp_send_reply_chunk_with_cb(ts->req, out, tallies_step, ts);
	evbuffer_free(out);
}

/* period=NAME: the boards at its end (or now, while it runs) and before
 * its start.  0, or -1 once the error is sent. */
static int
tallies_period_boards(struct tallies *ts, struct book *book, const char *name,
                      const char *at)
{
	const struct plan *p = book->plan;
	const char *why;

	if (at) {
		http_error(ts->req, 400, "period= and at= do not go together: "
		           "a period ends where it ends");
		return -1;
	}
	if (plan_period_parse(name, p->timezone, &ts->period_start,
	                      &ts->period_end, &why) < 0) {
		http_error(ts->req, 400, "period=\"%.64s\": %s", name, why);
		return -1;
	}
	if (ts->period_start > ts->now) {
		http_error(ts->req, 400, "period=\"%.64s\" has not begun",
		           name);
		return -1;
	}
	if (ts->period_end < ts->now)
		ts->now = ts->period_end - 1; /* its last instant */
	if ((ts->period = strdup(name)) == NULL ||
	    (ts->ru0 = rollup_new(p)) == NULL) {
		http_error(ts->req, 503, "out of memory");
		return -1;
	}
	if ((ts->past = book_board_at(book, ts->now)) == NULL ||
	    (ts->before = book_board_at(book, ts->period_start - 1)) == NULL) {
		http_error(ts->req, 503, "cannot read the reports: storage "
		           "error");
		return -1;
	}
	return 0;
}

static void
http_tallies(struct http *h, struct evhttp_request *req)
{
	static const char *const allowed[] = { "task", "unit", "at", "owner",
	                                       "period", NULL };
	struct book *book = *h->book;
	const struct plan *p = book->plan;
	struct tallies *ts = calloc(1, sizeof *ts);
	struct evkeyvalq q;
	const char *task_code, *unit_code, *owner_code, *at, *why;
	struct evbuffer *head;
	json_t *doc;
	char *text = NULL;

	if (ts == NULL) {
		http_error(req, 503, "out of memory");
		return;
	}
	ts->req = req;
	ts->bookp = h->book;
	ts->generation = book->generation;
	ts->task = ts->unit = ts->owner = -1;
	ts->rollup_share = h->rollup_share;
	ts->now = when_now();
	if (auth_scope() && (ts->scope = scope_copy(auth_scope(), p)) == NULL) {
		http_error(req, 503, "out of memory");
		free(ts);
		return;
	}
	if (http_query(req, &q, allowed) < 0) {
		tallies_free(ts);
		return;
	}
	task_code = evhttp_find_header(&q, "task");
	unit_code = evhttp_find_header(&q, "unit");
	at = evhttp_find_header(&q, "at");
	owner_code = evhttp_find_header(&q, "owner");
	if (owner_code && (ts->owner = plan_unit_find(p, owner_code)) < 0) {
		http_error(req, 400, "owner \"%.64s\" is not a unit of the plan",
		           owner_code);
		goto fail;
	}
	if (task_code && (ts->task = plan_task_find(p, task_code)) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", task_code);
		goto fail;
	}
	if (unit_code && (ts->unit = plan_unit_find(p, unit_code)) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", unit_code);
		goto fail;
	}
	if (evhttp_find_header(&q, "period") &&
	    tallies_period_boards(ts, book, evhttp_find_header(&q, "period"),
	                          at) < 0)
		goto fail;
	if (at) {
		if (when_parse(at, p->timezone, &ts->now, NULL, &why) < 0) {
			http_error(req, 400, "at=\"%.64s\": %s", at, why);
			goto fail;
		}
		if ((ts->past = book_board_at(book, ts->now)) == NULL) {
			http_error(req, 503, "cannot read the reports: storage error");
			goto fail;
		}
	}
	/* jansson writes the head, so every string in it is escaped right;
	 * the array of rows is opened after its last member. */
	doc = json_pack("{s:s, s:s, s:o}", "plan", p->name ? p->name : "",
	                "timezone", p->timezone, "now", json_when(ts->now));
	text = doc ? json_dumps(doc, JSON_REAL_PRECISION(6)) : NULL;
	json_decref(doc);
	if ((ts->ru = rollup_new(p)) == NULL ||
	    (ts->rc = rollcount_new(p)) == NULL || text == NULL ||
	    (head = evbuffer_new()) == NULL) {
		http_error(req, 503, "out of memory");
		goto fail;
	}
	ts->ru->at = ts->now; /* targets as they were then */
	text[strlen(text) - 1] = '\0';
	evbuffer_add_printf(head, "%s, \"tallies\": [", text);
	free(text);
	evhttp_clear_headers(&q);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "Content-Type", "application/json; charset=utf-8");
	ts->conn = evhttp_request_get_connection(req);
	ts->conns = h->conns;
	http_conns_set_closecb(ts->conns, ts->conn, tallies_on_close, ts);
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_send_reply_chunk_with_cb(req, head, tallies_step, ts);
	evbuffer_free(head);
	return;
fail:
	free(text);
	evhttp_clear_headers(&q);
	tallies_free(ts);
}


/* The methods `path` is served for; 0 when there is no such path. */
static int
http_methods(const struct http *h, const char *path, size_t *route)
{
	static const char *const builtin[] = { "/healthz", "/v1/units",
		"/v1/tasks", "/v1/tallies", NULL };

	*route = h->n_routes;
	for (size_t i = 0; i < h->n_routes; i++)
		if (strcmp(path, h->routes[i].path) == 0) {
			*route = i;
			return h->routes[i].methods;
		}
	for (size_t i = 0; builtin[i]; i++)
		if (strcmp(path, builtin[i]) == 0)
			return HTTP_GET;
	if (h->alerts && (strcmp(path, "/v1/alerts") == 0 ||
	                  strcmp(path, "/v1/alerts/history") == 0))
		return HTTP_GET;
	return 0;
}

/* 405 with the Allow header RFC 9110 asks for. */
static void
http_not_allowed(struct evhttp_request *req, int methods)
{
	static const struct { int bit; const char *name; } m[] = {
		{ EVHTTP_REQ_GET, "GET" }, { EVHTTP_REQ_HEAD, "HEAD" },
		{ EVHTTP_REQ_POST, "POST" },
	};
	char allow[32] = "";

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (methods & m[i].bit)
			snprintf(allow + strlen(allow), sizeof allow - strlen(allow),
			         "%s%s", allow[0] ? ", " : "", m[i].name);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
	http_error(req, 405, "method not allowed here; allowed: %s", allow);
}

/* /v1/alerts/history names tasks and units as /v1/tallies does: one that
 * is not in the plan is the same 400.  0, or -1 with the reply sent. */
static int
http_check_codes(struct http *h, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	const struct plan *p = (*h->book)->plan;
	struct evkeyvalq q;
	const char *v;
	int rc = 0;

	TAILQ_INIT(&q);
	if (query == NULL)
		return 0;
	if (http_query_nul(req, query) < 0)
		return -1;
	if (evhttp_parse_query_str(query, &q) < 0)
		return 0; /* the resource itself says what is wrong */
	if ((v = evhttp_find_header(&q, "task")) && plan_task_find(p, v) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", v);
		rc = -1;
	} else if ((v = evhttp_find_header(&q, "unit")) &&
	           plan_unit_find(p, v) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", v);
		rc = -1;
	}
	evhttp_clear_headers(&q);
	return rc;
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	static const char *const none[] = { NULL };
	struct evkeyvalq q;
	size_t route;
	int methods;

	http_conns_request(h->conns, req);
	if (h->gate && h->gate(req, path, h->gate_arg) < 0)
		return;
	if (path == NULL) {
		http_error(req, 400, "request has no path");
		return;
	}
	if ((methods = http_methods(h, path, &route)) == 0) {
		http_error(req, 404, "no such resource: %.128s", path);
		return;
	}
	if (!(evhttp_request_get_command(req) & methods)) {
		http_not_allowed(req, methods);
		return;
	}
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) >
	    HTTP_BODY_MAX) {
		http_error(req, 413, "request body is over %d bytes", HTTP_BODY_MAX);
		return;
	}
	if (route < h->n_routes) {
		h->routes[route].fn(req, h->routes[route].arg);
		return;
	}
	if (strcmp(path, "/v1/tallies") == 0) {
		http_tallies(h, req);
		return;
	}
	if (strcmp(path, "/v1/alerts") == 0 ||
	    strcmp(path, "/v1/alerts/history") == 0) {
		if (strcmp(path, "/v1/alerts/history") == 0 &&
		    http_check_codes(h, req) < 0)
			return;
		http_alerts_serve(h->alerts, req, path);
		return;
	}
	if (http_query(req, &q, none) < 0)
		return;
	evhttp_clear_headers(&q);
	if (strcmp(path, "/healthz") == 0)
		http_healthz(h, req);
	else if (strcmp(path, "/v1/units") == 0)
		http_units(h, req);
	else
		http_tasks(h, req);
}

/* "host:port" or "[v6]:port" -> host, port. */
static int
http_split(const char *addr, char *host, size_t n, int *port)
{
	const char *colon = strrchr(addr, ':');
	const char *h = addr;
	size_t len;
	char *end;
	long p;

	if (colon == NULL)
		return -1;
	len = (size_t)(colon - addr);
	if (addr[0] == '[') {
		if (len < 2 || addr[len - 1] != ']')
			return -1;
		h = addr + 1;
		len -= 2;
	}
	if (len == 0 || len >= n)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

struct http *
http_new(struct event_base *base, const char *addr, struct book **book,
         const struct ingest *in, char **err)
{
	struct http *h = calloc(1, sizeof *h);
	struct evhttp_bound_socket *bound;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[64];
	int port;

	*err = NULL;
	if (h == NULL || (h->evh = evhttp_new(base)) == NULL) {
		*err = strdup("http: out of memory");
		goto fail;
	}
	h->base = base;
	h->book = book;
	h->rollup_share = 0.10;
	h->ingest = in;
	h->started = when_now();
	if (http_split(addr, host, sizeof host, &port) < 0) {
		if (asprintf(err, "http: address \"%s\" is not host:port", addr) < 0)
			*err = NULL;
		goto fail;
	}
	/* Every method reaches http_dispatch, which answers 405 in JSON
	 * (libevent's own refusal is a 501 HTML page). */
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	                           EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	                           EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
	                           EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	                           EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(h->evh, 8192);
	/* libevent answers bodies over its limit with an HTML 413; up to
	 * HTTP_BODY_HARD_MAX they reach http_dispatch and get the JSON one. */
	evhttp_set_max_body_size(h->evh, HTTP_BODY_HARD_MAX);
	evhttp_set_timeout(h->evh, 30);
	evhttp_set_gencb(h->evh, http_dispatch, h);
	if ((h->bound = bound = evhttp_bind_socket_with_handle(h->evh, host,
	                                                       port)) == NULL) {
		if (asprintf(err, "http: cannot listen on %s: %s", addr,
		             strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss,
	                &sl) == 0)
		port = ntohs(ss.ss_family == AF_INET6
		             ? ((struct sockaddr_in6 *)&ss)->sin6_port
		             : ((struct sockaddr_in *)&ss)->sin_port);
	snprintf(h->url, sizeof h->url, strchr(host, ':') ? "http://[%s]:%d"
	         : "http://%s:%d", host, port);
	return h;
fail:
	http_free(h);
	return NULL;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	/* Connections first: their close callbacks reach h->conns. */
	if (h->evh)
		evhttp_free(h->evh);
	http_conns_free(h->conns);
	free(h);
}

int
http_limit_conns(struct http *h, const struct http_conns_limits *lim)
{
	return (h->conns = http_conns_new(h->base, h->evh, h->bound,
	                                  lim)) ? 0 : -1;
}

struct http_conns *
http_get_conns(const struct http *h)
{
	return h->conns;
}

void
http_set_rollup_share(struct http *h, double share)
{
	h->rollup_share = share;
}

void
http_set_gate(struct http *h, http_gate_fn fn, void *arg)
{
	h->gate = fn;
	h->gate_arg = arg;
}

void
http_set_alerts(struct http *h, struct alerts *a)
{
	h->alerts = a;
}

const char *
http_url(const struct http *h)
{
	return h->url;
}

int
http_route(struct http *h, const char *path, int methods, http_route_fn fn,
           void *arg)
{
	if (h->n_routes == sizeof h->routes / sizeof h->routes[0])
		return -1;
	h->routes[h->n_routes].path = path;
	h->routes[h->n_routes].methods = methods;
	h->routes[h->n_routes].fn = fn;
	h->routes[h->n_routes].arg = arg;
	h->n_routes++;
	return 0;
}
