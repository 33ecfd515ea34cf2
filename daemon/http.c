/*
 * http.c - JSON over evhttp.
 *
 * Every callback replies exactly once, on every path: evhttp leaks the
 * request and the client hangs otherwise.  Bodies are built with jansson.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
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

#include "hostport.h"
#include "http.h"
#include "http_alerts.h"
#include "http_conns.h"
#include "http_kinds.h"
#include "http_tallies.h"
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
	const char *lang;       /* Content-Language; NULL: none */
};

static const char *
http_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return code < 500 ? "Bad Request" : "Internal Server Error";
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

json_t *
http_json_when(when_t t)
{
	char buf[WHEN_BUFSZ];

	return t ? json_string(when_format_utc(t, buf, sizeof buf)) : json_null();
}

json_t *
http_json_dec(dec_t v)
{
	char buf[DEC_BUFSZ];

	return json_string(dec_format(v, buf, sizeof buf));
}

json_t *
http_json_seq(uint64_t v)
{
	char buf[24];

	/* A JSON integer as jansson (and most readers) hold it is int64: a
	 * seq above that would read negative. */
	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return json_string(buf);
}

json_t *
http_json_pct(double v)
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
			"from", r ? http_json_when(t->revs[r].from) : json_null(),
			"value", http_json_dec(t->revs[r].value),
			"line", t->revs[r].line));
}

/* Target k's own schedule, when the unit has one (its own deadline or
 * milestones), with the unit's code. */
static void
http_schedules(const struct plan *p, size_t k, json_t *out)
{
	const struct plan_target *t = &p->targets[k];
	json_t *s;

	if (!plan_target_own_pace(p, k))
		return; /* its task's */
	if ((s = http_schedule_json(p, k)) != NULL &&
	    json_object_set_new(s, "unit",
	                        json_string(p->units[t->unit].code)) < 0) {
		json_decref(s);
		s = NULL;
	}
	if (s == NULL || json_array_append_new(out, s) < 0) /* steals s */
		log_err("http: /v1/tasks: out of memory; the schedule of line %d "
		        "is left out", t->line);
}

static void
http_tasks(struct http *h, struct evhttp_request *req)
{
	const struct plan *p = (*h->book)->plan;
	const struct board *b = (*h->book)->board;
	json_t *tasks = json_array();
	when_t now = when_now();

	for (size_t i = 0; i < p->n_tasks; i++) {
		const struct plan_task *t = &p->tasks[i];
		json_t *ms, *revs, *scheds;
		struct indicator_acc acc = { 0 };
		dec_t total = 0, value;
		size_t n = 0;

		if (!scope_task(auth_scope(), (int)i))
			continue;
		ms = json_array();
		revs = json_array();
		scheds = json_array();

		for (size_t k = 0; k < t->n_milestones; k++)
			json_array_append_new(ms, json_pack("{s:o, s:o}",
				"at", http_json_when(t->milestones[k].at),
				"percent", http_json_pct(t->milestones[k].percent)));
		for (size_t k = plan_task_first_target(p, (int)i);
		     k < p->n_targets && p->targets[k].task == (int)i; k++)
			if (scope_pair(auth_scope(), (int)i, p->targets[k].unit)) {
				value = plan_target_value(p, k, now);
				dec_add(total, value, &total);
				indicator_acc_add(&acc, t, value, b->tallies[k].base,
				                  tally_has_value(&b->tallies[k]));
				http_revisions(p, k, revs);
				http_schedules(p, k, scheds);
				n++;
			}
		/* What the roll-up of them all holds: the targets of a rate
		 * or a level are percentages or levels, not amounts. */
		indicator_rollup(t, n, &acc, &(dec_t){0}, &total);
		json_array_append_new(tasks, json_pack(
			"{s:s, s:s, s:s, s:s?, s:s?, s:o, s:o, s:s, s:o, s:o, s:o,"
			" s:I, s:I, s:o, s:o, s:s, s:s?, s:s?, s:s?, s:b, s:b}",
			"code", t->code, "title", t->title, "measure", t->measure,
			"owner", t->owner >= 0 ? p->units[t->owner].code : NULL,
			"owner_name", t->owner >= 0 ? p->units[t->owner].name : NULL,
			"start", http_json_when(t->start), "deadline", http_json_when(t->deadline),
			"pacing", t->pacing == PACING_LINEAR ? "linear" : "milestones",
			"milestones", ms, "warn", http_json_pct(t->warn),
			"critical", http_json_pct(t->critical),
			"stale_after_s", (json_int_t)(t->stale_after / 1000),
			"targets", (json_int_t)n, "target_total", http_json_dec(total),
			"expected_now", http_json_pct(indicator_expected(t, now)),
			"kind", indicator_kind_name(t->kind),
			"hold", !t->held && t->kind != PLAN_KIND_LEVEL ? NULL :
			        t->hold_below ? "at_most" : "at_least",
			"numerator", t->kind != PLAN_KIND_RATE ? NULL :
			             p->tasks[t->numerator].code,
			"denominator", t->kind != PLAN_KIND_RATE ? NULL :
			               p->tasks[t->denominator].code,
			"integer", t->integer, "negative_adds", !t->no_negative_adds));
		json_object_set_new(json_array_get(tasks, json_array_size(tasks) - 1),
		                    "revisions", revs);
		json_object_set_new(json_array_get(tasks, json_array_size(tasks) - 1),
		                    "schedules", scheds);
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
	/* On every answer, errors too: tiendo-ctl speaks the daemon's
	 * language unless its reader chose one. */
	if (h->lang)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Content-Language", h->lang);
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
		http_tallies_serve(req, h->book, h->conns, h->rollup_share);
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
	if (hostport_split(addr, host, sizeof host, &port) < 0) {
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
http_set_language(struct http *h, const char *tag)
{
	h->lang = tag;
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

double
http_rollup_share(const struct http *h)
{
	return h->rollup_share;
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
