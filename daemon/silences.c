/*
 * silences.c - the running silences, by code in memory (a reload may
 * renumber units and tasks: they are resolved again for each new plan),
 * and their HTTP interface.  Every change is written to the database
 * before it takes effect, and logged with who and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http.h"
#include "http_auth.h"
#include "log.h"
#include "silence.h"
#include "silences.h"
#include "silences_sql.h"

struct silences_item {
	char *task, *unit; /* NULL: any */
};

struct silences {
	struct store *store;
	struct book **book;
	struct silences_item *items;
	struct silence *rules;      /* resolved against `plan` */
	size_t n, cap;
	const struct plan *plan;
};

static void
silences_clear(struct silences *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].task);
		free(s->items[i].unit);
	}
	s->n = 0;
	s->plan = NULL;
}

static int
silences_add(struct silences *s, uint64_t id, const char *task,
             const char *unit, when_t until)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct silences_item *it = realloc(s->items, cap * sizeof *it);
		struct silence *r;
		if (it == NULL)
			return -1;
		s->items = it;
		if ((r = realloc(s->rules, cap * sizeof *r)) == NULL)
			return -1;
		s->rules = r;
		s->cap = cap;
	}
	s->items[s->n].task = task ? strdup(task) : NULL;
	s->items[s->n].unit = unit ? strdup(unit) : NULL;
	if ((task && !s->items[s->n].task) || (unit && !s->items[s->n].unit)) {
		free(s->items[s->n].task);
		free(s->items[s->n].unit);
		return -1;
	}
	s->rules[s->n] = (struct silence){ id, -1, -1, until };
	s->n++;
	s->plan = NULL; /* resolve again */
	return 0;
}

/* Forgets silence id in memory, as the store now has it ended (no read
 * of the store that could fail and leave none in force). */
static void
silences_drop(struct silences *s, uint64_t id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->rules[i].id != id)
			continue;
		free(s->items[i].task);
		free(s->items[i].unit);
		s->n--;
		s->items[i] = s->items[s->n];
		s->rules[i] = s->rules[s->n];
		return;
	}
}

static int
silences_load_one(void *arg, const struct silences_row *r)
{
	return silences_add(arg, r->id, r->task, r->unit, r->until);
}

/* Reads the running silences again, after any change. */
static int
silences_load(struct silences *s, char *err, size_t errlen)
{
	silences_clear(s);
	if (silences_sql_list(s->store, 0, when_now(), silences_load_one, s, err,
	                      errlen) != 0) {
		if (!err[0])
			snprintf(err, errlen, "silences: out of memory");
		return -1;
	}
	return 0;
}

struct silences *
silences_new(struct store *store, struct book **book, char **err)
{
	struct silences *s = calloc(1, sizeof *s);
	char why[256] = "";

	*err = NULL;
	if (s == NULL) {
		*err = strdup("silences: out of memory");
		return NULL;
	}
	s->store = store;
	s->book = book;
	if (silences_load(s, why, sizeof why) < 0) {
		*err = strdup(why);
		silences_free(s);
		return NULL;
	}
	return s;
}

void
silences_free(struct silences *s)
{
	if (s == NULL)
		return;
	silences_clear(s);
	free(s->items);
	free(s->rules);
	free(s);
}

/* A code no longer in the plan matches nothing (index -2). */
static void
silences_resolve(struct silences *s, const struct plan *p)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct silences_item *it = &s->items[i];
		int t = it->task ? plan_task_find(p, it->task) : -1;
		int u = it->unit ? plan_unit_find(p, it->unit) : -1;
		s->rules[i].task = it->task && t < 0 ? -2 : t;
		s->rules[i].unit = it->unit && u < 0 ? -2 : u;
	}
	s->plan = p;
}

uint64_t
silences_covering(struct silences *s, const struct plan *p, int task, int unit,
                  when_t now)
{
	if (s == NULL || s->n == 0)
		return 0;
	if (s->plan != p)
		silences_resolve(s, p);
	return silence_covering(p, s->rules, s->n, task, unit, now);
}

/* ---- HTTP ---------------------------------------------------------- */

/* The same rule as POST /v1/reload (reload.c): changes come from the
 * machine itself. */
static int
silences_from_loopback(struct evhttp_request *req)
{
	/* Not through a proxy on this machine either: that is the network. */
	return http_auth_local(req);
}

static json_t *
silences_json(const struct silences_row *r, when_t now)
{
	return json_pack("{s:I, s:s?, s:s?, s:o, s:s, s:s, s:o, s:s?, s:o, s:b}",
		"id", (json_int_t)r->id, "task", r->task, "unit", r->unit,
		"until", http_json_when(r->until), "reason", r->reason,
		"created_by", r->by, "created_at", http_json_when(r->created),
		"expired_by", r->expired_by,
		"expired_at", http_json_when(r->expired_by ? r->expired_at : 0),
		"active", r->until > now);
}

struct silences_list {
	json_t *rows;
	when_t now;
	const struct plan *plan;
};

static int
silences_list_one(void *arg, const struct silences_row *r)
{
	struct silences_list *l = arg;
	int t = r->task ? plan_task_find(l->plan, r->task) : -1;
	int u = r->unit ? plan_unit_find(l->plan, r->unit) : -1;

	/* An account sees the silences that hold back something it sees
	 * (scope.h); a code gone from the plan holds back nothing. */
	if (auth_scope() && ((r->task && t < 0) || (r->unit && u < 0) ||
	                     !scope_reaches(auth_scope(), t, u)))
		return 0;
	return json_array_append_new(l->rows, silences_json(r, l->now)) < 0;
}

static void
silences_get(struct silences *s, struct evhttp_request *req,
             struct evkeyvalq *q)
{
	const char *all = evhttp_find_header(q, "all");
	struct silences_list l = { json_array(), when_now(), (*s->book)->plan };
	char err[256] = "";

	if (all && strcmp(all, "1") != 0) {
		http_error(req, 400, "all must be 1; got \"%.64s\"", all);
	} else if (l.rows == NULL ||
	           silences_sql_list(s->store, all != NULL, l.now,
	                             silences_list_one, &l, err, sizeof err) != 0) {
		log_err("%s", err[0] ? err : "silences: out of memory");
		http_error(req, 503, "cannot read the silences: storage error");
	} else {
		http_reply(req, 200, json_pack("{s:O}", "silences", l.rows));
	}
	json_decref(l.rows);
}

/* Parses until=: a bare date is the end of that day, as a deadline. */
static int
silences_until(struct evhttp_request *req, const char *v, const char *tz,
               when_t *until)
{
	const char *why;
	int date_only = 0;

	if (v == NULL) {
		http_error(req, 400, "until= is required (a date or a time)");
		return -1;
	}
	if (when_parse(v, tz, until, &date_only, &why) < 0) {
		http_error(req, 400, "until=\"%.64s\": %s", v, why);
		return -1;
	}
	if (date_only)
		*until += WHEN_DAY;
	return 0;
}

static void
silences_create(struct silences *s, struct evhttp_request *req,
                struct evkeyvalq *q)
{
	const struct plan *p = (*s->book)->plan;
	struct silences_row r = {
		.task = evhttp_find_header(q, "task"),
		.unit = evhttp_find_header(q, "unit"),
		.reason = evhttp_find_header(q, "reason"),
		.by = evhttp_find_header(q, "by"),
		.created = when_now(),
	};
	struct silence rule = { 0, -1, -1, 0 };
	const char *why;
	char err[256] = "";

	if (r.task && (rule.task = plan_task_find(p, r.task)) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", r.task);
		return;
	}
	if (r.unit && (rule.unit = plan_unit_find(p, r.unit)) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", r.unit);
		return;
	}
	if (r.reason == NULL || !*r.reason || r.by == NULL || !*r.by) {
		http_error(req, 400, "reason= and by= are required: a silence "
		           "says why, and who made it");
		return;
	}
	if (silences_until(req, evhttp_find_header(q, "until"), p->timezone,
	                   &r.until) < 0)
		return;
	rule.until = r.until;
	if (silence_check(&rule, r.created, &why) < 0) {
		http_error(req, 400, "%s", why);
		return;
	}
	if (silences_sql_insert(s->store, &r, &r.id, err, sizeof err) < 0) {
		log_err("%s", err);
		http_error(req, 503, "cannot store the silence: storage error");
		return;
	}
	log_notice("silence %llu made by %s: task %s, unit %s (and below), "
	           "until %s: %s", (unsigned long long)r.id, r.by,
	           r.task ? r.task : "*", r.unit ? r.unit : "*",
	           evhttp_find_header(q, "until"), r.reason);
	if (silences_add(s, r.id, r.task, r.unit, r.until) < 0)
		log_err("silences: out of memory; silence %llu applies after a "
		        "restart", (unsigned long long)r.id);
	http_reply(req, 201, silences_json(&r, r.created));
}

static void
silences_expire(struct silences *s, struct evhttp_request *req,
                struct evkeyvalq *q, const char *v)
{
	const char *by = evhttp_find_header(q, "by");
	char *end, err[256] = "";
	unsigned long long id = strtoull(v, &end, 10);
	int found = 0;

	if (*end || v[0] < '1' || v[0] > '9') {
		http_error(req, 400, "expire must be a silence id; got \"%.64s\"", v);
		return;
	}
	if (by == NULL || !*by) {
		http_error(req, 400, "by= is required: who ends the silence");
		return;
	}
	if (silences_sql_expire(s->store, id, by, when_now(), &found, err,
	                        sizeof err) < 0) {
		log_err("%s", err);
		http_error(req, 503, "cannot expire the silence: storage error");
		return;
	}
	if (!found) {
		http_error(req, 404, "no running silence %llu", id);
		return;
	}
	log_notice("silence %llu expired by %s", id, by);
	silences_drop(s, id);
	http_reply(req, 200, json_pack("{s:I, s:s}", "expired", (json_int_t)id,
	                               "by", by));
}

void
silences_on_http(struct evhttp_request *req, void *arg)
{
	static const char *const allowed[] = { "all", "task", "unit", "until",
	                                       "reason", "by", "expire", NULL };
	struct silences *s = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL, *v;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	struct evkeyvalq q;
	struct evkeyval *kv;

	TAILQ_INIT(&q);
	if (query && evhttp_parse_query_str(query, &q) < 0) {
		http_error(req, 400, "query string is not well formed");
		return;
	}
	TAILQ_FOREACH(kv, &q, next) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(kv->key, allowed[i]) != 0; i++)
			;
		if (allowed[i] == NULL) {
			http_error(req, 400, "unknown parameter \"%.64s\"", kv->key);
			goto out;
		}
	}
	if (cmd == EVHTTP_REQ_GET)
		silences_get(s, req, &q);
	else if (cmd != EVHTTP_REQ_POST)
		http_error(req, 405, "GET lists the silences, POST makes or "
		           "expires one");
	else if (!silences_from_loopback(req))
		http_error(req, 403, "silences are made and expired from "
		           "loopback addresses only");
	else if (auth_scope() != NULL)
		http_error(req, 403, "making or ending a silence needs an "
		           "account whose scope is \"*\"");
	else if ((v = evhttp_find_header(&q, "expire")))
		silences_expire(s, req, &q, v);
	else
		silences_create(s, req, &q);
out:
	evhttp_clear_headers(&q);
}
