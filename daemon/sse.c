/*
 * sse.c - the dashboard's live stream (sse.h).
 *
 * Ingest only marks targets dirty (a byte per target); the tick turns the
 * marks into one event for everybody.  So the cost to ingest does not grow
 * with the number of open pages, and an event's cost is paid four times a
 * second at most, not once per batch.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "alertjson.h"
#include "http_auth.h"
#include "http_conns.h"
#include "log.h"
#include "sse.h"

struct sse_client {
	TAILQ_ENTRY(sse_client) link;
	struct sse *s;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	uint64_t t, a;            /* cursor: last tally event, last alert seq */
	struct scope *scope;      /* the account's, copied; NULL = all */
};

/* A tick's events as data, for the pages of scoped accounts, which get
 * their own filtered copy of the tick instead of the shared text. */
struct sse_logged {
	char kind;                /* 't' tally, 'a' alert, 'r' reset */
	uint64_t t, a;            /* the cursor after it */
	json_t *doc;
};

struct sse_ring_ev {
	uint64_t seq;
	char *data;               /* JSON */
	size_t len;               /* strlen(data), for ring_bytes */
};

struct sse {
	struct event_base *base;
	struct http_conns *conns; /* close callbacks go through its slots */
	struct book **book;
	struct alerts *alerts;
	TAILQ_HEAD(, sse_client) clients;
	struct event *tick;
	uint64_t epoch;
	uint64_t tseq;            /* last tally event made */
	uint64_t aseq;            /* last alert event sent */
	uint64_t generation;      /* of the book the marks are for */
	uint64_t cur_t, cur_a;    /* the cursor of the tick's last event */
	struct evbuffer *pending; /* the tick's events (sse_broadcast) */
	struct sse_logged *log;   /* the same as data, when a page is scoped */
	size_t n_log, cap_log, n_scoped;
	int pinged;
	unsigned char *dirty;     /* per target */
	size_t n_dirty;           /* marked now */
	struct sse_ring_ev ring[SSE_RING];
	size_t ring_bytes;        /* the ring's JSON, for /metrics */
	when_t last_ping;
	struct ingest_hooks next;
	void *next_arg;
	struct sse_stats st;
};

static void
sse_client_free(struct sse_client *c, int close_conn)
{
	struct sse *s = c->s;

	TAILQ_REMOVE(&s->clients, c, link);
	s->st.clients--;
	if (c->scope)
		s->n_scoped--;
	scope_free(c->scope);
	if (c->conn) {
		http_conns_set_closecb(s->conns, c->conn, NULL, NULL);
		if (close_conn)
			evhttp_connection_free(c->conn);
	}
	free(c);
}

/* The browser went away: libevent frees the request. */
static void
sse_on_close(struct evhttp_connection *conn, void *arg)
{
	struct sse_client *c = arg;

	c->conn = NULL;
	sse_client_free(c, 0);
}

/* Queues one event; drops the client when too much is queued already.
 * 0, or -1 when c was freed. */
static int
sse_send(struct sse_client *c, const char *event, const char *data)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
	struct evbuffer *out;

	if (bev && evbuffer_get_length(bufferevent_get_output(bev)) >
	    SSE_QUEUE_MAX) {
		c->s->st.dropped_slow++;
		log_info("sse: a client fell %d bytes behind: dropped",
		         SSE_QUEUE_MAX);
		sse_client_free(c, 1);
		return -1;
	}
	if ((out = evbuffer_new()) == NULL) {
		/* An event it would never get: the page reconnects and
		 * resumes from what it has. */
		sse_client_free(c, 1);
		return -1;
	}
	if (event)
		evbuffer_add_printf(out, "id: %" PRIu64 ".%" PRIu64 ".%" PRIu64
		                    "\nevent: %s\ndata: %s\n\n", c->s->epoch, c->t,
		                    c->a, event, data);
	else
		evbuffer_add_printf(out, ": %s\n\n", data);
	evhttp_send_reply_chunk(c->req, out);
	evbuffer_free(out);
	return 0;
}

/* The events of one tick, written once and shared by every client's
 * output buffer (a reference, not a copy): a tick costs each open page
 * one write, however many events it holds. */
struct sse_blob {
	int refs;
	size_t len;
	char data[];
};

static void
sse_blob_unref(const void *data, size_t len, void *arg)
{
	struct sse_blob *b = arg;

	if (--b->refs == 0)
		free(b);
}

/* Appends one event, with the cursor it brings a client to, to the
 * tick's text; t or a 0 leave that part of the cursor alone. */
static void
sse_broadcast(struct sse *s, const char *event, const char *data,
              uint64_t t, uint64_t a)
{
	if (s->pending == NULL && (s->pending = evbuffer_new()) == NULL)
		return;
	if (t)
		s->cur_t = t;
	if (a)
		s->cur_a = a;
	if (event)
		evbuffer_add_printf(s->pending, "id: %" PRIu64 ".%" PRIu64 ".%" PRIu64
		                    "\nevent: %s\ndata: %s\n\n", s->epoch, s->cur_t,
		                    s->cur_a, event, data);
	else
		evbuffer_add_printf(s->pending, ": %s\n\n", data);
}

/* Keeps doc (a reference is taken) for the scoped pages of this tick. */
static void
sse_log(struct sse *s, char kind, json_t *doc)
{
	if (s->n_scoped == 0)
		return;
	if (s->n_log == s->cap_log) {
		size_t cap = s->cap_log ? s->cap_log * 2 : 16;
		struct sse_logged *l = realloc(s->log, cap * sizeof *l);
		if (l == NULL)
			return;
		s->log = l;
		s->cap_log = cap;
	}
	s->log[s->n_log++] = (struct sse_logged){ kind, s->cur_t, s->cur_a,
	                                          json_incref(doc) };
}

static void
sse_log_clear(struct sse *s)
{
	for (size_t i = 0; i < s->n_log; i++)
		json_decref(s->log[i].doc);
	s->n_log = 0;
	s->pinged = 0;
}

static void
sse_add_event(struct evbuffer *out, uint64_t epoch, uint64_t t, uint64_t a,
              const char *event, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(8));

	if (text)
		evbuffer_add_printf(out, "id: %" PRIu64 ".%" PRIu64 ".%" PRIu64
		                    "\nevent: %s\ndata: %s\n\n", epoch, t, a, event,
		                    text);
	free(text);
}

/* The tick as a scoped page may see it: the rows and alerts of its
 * scope (scope.h). */
static struct evbuffer *
sse_scoped_text(struct sse *s, const struct scope *sc)
{
	struct evbuffer *out = evbuffer_new();

	for (size_t i = 0; out && i < s->n_log; i++) {
		const struct sse_logged *l = &s->log[i];
		json_t *rows, *row, *mine;
		size_t k;

		if (l->kind == 'r') {
			sse_add_event(out, s->epoch, l->t, l->a, "reset", l->doc);
		} else if (l->kind == 'a') {
			if (scope_pair_code(sc, json_string_value(json_object_get(
			        l->doc, "task")), json_string_value(
			        json_object_get(l->doc, "unit"))))
				sse_add_event(out, s->epoch, l->t, l->a, "alert", l->doc);
		} else {
			rows = json_object_get(l->doc, "rows");
			mine = json_array();
			json_array_foreach(rows, k, row)
				if (scope_pair_code(sc, json_string_value(
				        json_object_get(row, "task")), json_string_value(
				        json_object_get(row, "unit"))))
					json_array_append(mine, row);
			if (json_array_size(mine) ||
			    json_is_true(json_object_get(l->doc, "many"))) {
				json_t *d = json_pack("{s:O, s:O, s:O}", "seq",
					json_object_get(l->doc, "seq"), "many",
					json_object_get(l->doc, "many"), "rows", mine);
				if (d)
					sse_add_event(out, s->epoch, l->t, l->a, "tally", d);
				json_decref(d);
			}
			json_decref(mine);
		}
	}
	if (out && s->pinged)
		evbuffer_add_printf(out, ": ping\n\n");
	return out;
}

/* Sends the tick's text to every client; drops those too far behind. */
static void
sse_flush(struct sse *s)
{
	size_t len = s->pending ? evbuffer_get_length(s->pending) : 0;
	struct sse_client *c, *next;
	struct sse_blob *b;

	if (len == 0)
		return;
	if ((b = malloc(sizeof *b + len)) == NULL) {
		evbuffer_drain(s->pending, len);
		sse_log_clear(s);
		return;
	}
	b->refs = 1;
	b->len = len;
	evbuffer_remove(s->pending, b->data, len);
	for (c = TAILQ_FIRST(&s->clients); c; c = next) {
		struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
		struct evbuffer *out;

		next = TAILQ_NEXT(c, link);
		if (bev && evbuffer_get_length(bufferevent_get_output(bev)) >
		    SSE_QUEUE_MAX) {
			s->st.dropped_slow++;
			log_info("sse: a client fell %d bytes behind: dropped",
			         SSE_QUEUE_MAX);
			sse_client_free(c, 1);
			continue;
		}
		if (c->scope) {
			if ((out = sse_scoped_text(s, c->scope)) == NULL)
				continue;
		} else {
			if ((out = evbuffer_new()) == NULL)
				continue;
			b->refs++;
			if (evbuffer_add_reference(out, b->data, b->len,
			                           sse_blob_unref, b) < 0)
				b->refs--;
		}
		c->t = s->cur_t;
		c->a = s->cur_a;
		evhttp_send_reply_chunk(c->req, out);
		evbuffer_free(out);
	}
	sse_blob_unref(b->data, b->len, b);
	sse_log_clear(s);
}

static int
sse_dirty_fit(struct sse *s, const struct book *b)
{
	unsigned char *d;

	if (s->generation == b->generation && s->dirty)
		return 0;
	if ((d = calloc(b->plan->n_targets + 1, 1)) == NULL)
		return -1;
	free(s->dirty);
	s->dirty = d;
	s->n_dirty = 0;
	s->generation = b->generation;
	return 1;
}

static void
sse_mark(void *arg, const int *targets, size_t n)
{
	struct sse *s = arg;
	struct book *b = *s->book;

	if (s->next.stage)
		s->next.stage(s->next_arg, targets, n);
	if (s->dirty == NULL || s->generation != b->generation)
		return;    /* the tick notices the new plan and resets */
	for (size_t i = 0; i < n; i++)
		if (targets[i] >= 0 && !s->dirty[targets[i]]) {
			s->dirty[targets[i]] = 1;
			s->n_dirty++;
		}
}

static void
sse_done(void *arg, int ok)
{
	struct sse *s = arg;

	/* A failed batch marked targets whose tallies were put back: the
	 * event then repeats their numbers, which is harmless. */
	if (s->next.done)
		s->next.done(s->next_arg, ok);
}

const struct ingest_hooks sse_ingest_hooks = { sse_mark, sse_done };

void
sse_chain(struct sse *s, const struct ingest_hooks *next, void *arg)
{
	s->next = *next;
	s->next_arg = arg;
}

static json_t *
sse_tally_row(const struct book *b, int k, when_t now)
{
	const struct plan *p = b->plan;
	const struct plan_target *t = &p->targets[k];
	struct tally_view v;

	board_view(b->board, k, now, &v);
	/* The numbers as /v1/tallies gives them. */
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:I}",
		"task", p->tasks[t->task].code, "unit", p->units[t->unit].code,
		"actual", http_json_dec(v.actual),
		"target", http_json_dec(v.target),
		"percent", http_json_pct(v.percent),
		"expected", http_json_pct(v.expected),
		"status", tally_status_name(v.status),
		"reports", (json_int_t)b->board->tallies[k].n_reports);
}

/* One "tally" event from the marks, into the ring and to everybody. */
static void
sse_flush_tallies(struct sse *s, struct book *b, when_t now)
{
	json_t *rows = json_array(), *doc;
	size_t n = b->plan->n_targets;
	struct sse_ring_ev *slot;
	char *text;
	int many = s->n_dirty > SSE_ROWS_MAX;

	for (size_t k = 0; k < n && rows; k++)
		if (s->dirty[k]) {
			s->dirty[k] = 0;
			if (!many)
				json_array_append_new(rows, sse_tally_row(b, (int)k, now));
		}
	s->n_dirty = 0;
	doc = json_pack("{s:I, s:b, s:o}", "seq", (json_int_t)(s->tseq + 1),
	                "many", many, "rows", rows ? rows : json_array());
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(8)) : NULL;
	if (text == NULL) {
		json_decref(doc);
		return;
	}
	s->tseq++;
	s->st.events++;
	slot = &s->ring[s->tseq % SSE_RING];
	free(slot->data);
	s->ring_bytes -= slot->len;
	slot->seq = s->tseq;
	slot->data = text;
	slot->len = strlen(text);
	s->ring_bytes += slot->len;
	sse_broadcast(s, "tally", text, s->tseq, 0);
	sse_log(s, 't', doc);
	json_decref(doc);
}

struct sse_alert_cb {
	struct sse *s;
	struct sse_client *only;  /* NULL: everybody */
	uint64_t last;
	int gone;
};

static int
sse_alert_row(void *arg, const void *body, size_t len)
{
	struct sse_alert_cb *cb = arg;
	Tiendo__Alert *a = tiendo__alert__unpack(NULL, len, body);
	json_t *j;
	char *text;

	if (a == NULL)
		return 0;
	j = alertjson(a);
	cb->last = a->seq;
	tiendo__alert__free_unpacked(a, NULL);
	text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(8)) : NULL;
	if (text == NULL) {
		json_decref(j);
		return 0;
	}
	if (cb->only) {
		cb->only->a = cb->last;
		if (sse_send(cb->only, "alert", text) < 0)
			cb->gone = 1;
	} else {
		cb->s->st.events++;
		sse_broadcast(cb->s, "alert", text, 0, cb->last);
		sse_log(cb->s, 'a', j);
	}
	json_decref(j);
	free(text);
	return cb->gone;
}

/* Alert events after `since` (to one client, or to all): 0, 1 when more
 * remain than `limit`, -1 on a store error or when the client went. */
static int
sse_alerts_since(struct sse *s, struct sse_client *only, uint64_t since,
                 int64_t limit)
{
	struct alertstore_filter f = { .since = since, .limit = limit };
	struct sse_alert_cb cb = { .s = s, .only = only, .last = since };
	int rc = alertstore_history(alerts_store(s->alerts), &f, sse_alert_row, &cb);

	if (!only)
		s->aseq = cb.last;
	if (rc < 0 || cb.gone)
		return -1;
	return cb.last < alerts_last_seq(s->alerts) ? 1 : 0;
}

/* The scoped pages' scopes, rebuilt over a new plan; a page whose
 * scope cannot be rebuilt is closed (its browser reconnects). */
static void
sse_rescope(struct sse *s, const struct book *b)
{
	struct sse_client *c, *next;

	for (c = TAILQ_FIRST(&s->clients); c; c = next) {
		struct scope *n;
		int all;

		next = TAILQ_NEXT(c, link);
		if (c->scope == NULL)
			continue;
		n = scope_new(b->plan, b->generation, c->scope->spec, &all);
		if (n == NULL) {
			sse_client_free(c, 1);
			continue;
		}
		scope_free(c->scope);
		c->scope = n;
	}
}

static void
sse_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sse *s = arg;
	struct book *b = *s->book;
	when_t now = when_now();
	int fit = sse_dirty_fit(s, b);

	if (fit > 0) {
		sse_rescope(s, b);
		if (s->tseq > 0) {
			/* A new plan: what the pages show is of the old one. */
			json_t *why = json_pack("{s:s}", "why", "plan reloaded");
			s->tseq++;
			sse_broadcast(s, "reset", "{\"why\":\"plan reloaded\"}",
			              s->tseq, 0);
			sse_log(s, 'r', why);
			json_decref(why);
		}
	}
	if (fit >= 0 && s->n_dirty > 0)
		sse_flush_tallies(s, b, now);
	/* Read from the store: not while a commit is in flight (the next
	 * slice's, a drain's), or the loop would wait for it at the busy
	 * gate; a later tick reads them. */
	if (s->alerts && alerts_last_seq(s->alerts) > s->aseq &&
	    !store_commit_pending(b->store))
		sse_alerts_since(s, NULL, s->aseq, 200);
	if (now - s->last_ping >= SSE_PING_MS) {
		s->last_ping = now;
		sse_broadcast(s, NULL, "ping", 0, 0);
		s->pinged = 1;
	}
	sse_flush(s);
}

/* "EPOCH.T.A" -> 0, else -1. */
static int
sse_parse_id(const char *id, uint64_t *e, uint64_t *t, uint64_t *a)
{
	char end;

	return id && sscanf(id, "%" SCNu64 ".%" SCNu64 ".%" SCNu64 "%c", e, t, a,
	                    &end) == 3 ? 0 : -1;
}

/* Brings a new client up to now: a replay when its Last-Event-ID allows,
 * else a "hello" (a first visit) or a "reset".  -1 when it went. */
static int
sse_catch_up(struct sse *s, struct sse_client *c, const char *last_id)
{
	uint64_t e, t, a;
	int resumable = sse_parse_id(last_id, &e, &t, &a) == 0 && e == s->epoch &&
	                t <= s->tseq && a <= s->aseq &&
	                s->tseq - t < SSE_RING;
	char hello[160];

	/* Every event in between must still be in the ring (a plan reload
	 * makes a hole: its reset is not replayed but redone). */
	/* A scoped page that missed something starts over: replaying
	 * would mean filtering the ring, which is not worth it. */
	if (resumable && c->scope && (t < s->tseq || a < s->aseq))
		resumable = 0;
	for (uint64_t k = t + 1; resumable && k <= s->tseq; k++)
		resumable = s->ring[k % SSE_RING].seq == k &&
		            s->ring[k % SSE_RING].data != NULL;
	c->t = s->tseq;
	c->a = s->aseq;
	if (!resumable) {
		snprintf(hello, sizeof hello, "{\"epoch\":%" PRIu64 ",\"seq\":%" PRIu64
		         ",\"alert_seq\":%" PRIu64 "}", s->epoch, s->tseq, s->aseq);
		return sse_send(c, last_id ? "reset" : "hello", hello);
	}
	c->a = a;
	if (a < s->aseq) {
		int rc = sse_alerts_since(s, c, a, SSE_RING);
		if (rc < 0)
			return -1;
		if (rc > 0 || c->a < s->aseq) {
			/* Too far behind to replay: start over. */
			c->a = s->aseq;
			return sse_send(c, "reset", "{\"why\":\"too far behind\"}");
		}
	}
	for (uint64_t k = t + 1; k <= s->tseq; k++) {
		c->t = k;
		if (sse_send(c, "tally", s->ring[k % SSE_RING].data) < 0)
			return -1;
	}
	c->t = s->tseq;
	return 0;
}

static void
sse_serve(struct evhttp_request *req, void *arg)
{
	struct sse *s = arg;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *last_id = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                         "Last-Event-ID");
	struct sse_client *c;

	if (s->st.clients >= SSE_MAX_CLIENTS) {
		s->st.refused++;
		evhttp_add_header(out, "Retry-After", "10");
		http_error(req, 503, "%d live pages are open already: try later",
		           SSE_MAX_CLIENTS);
		return;
	}
	if (sse_dirty_fit(s, *s->book) < 0 || (c = calloc(1, sizeof *c)) == NULL) {
		http_error(req, 503, "out of memory");
		return;
	}
	c->s = s;
	c->req = req;
	c->conn = evhttp_request_get_connection(req);
	if (auth_scope() &&
	    (c->scope = scope_copy(auth_scope(), (*s->book)->plan)) == NULL) {
		free(c);
		http_error(req, 503, "out of memory");
		return;
	}
	TAILQ_INSERT_TAIL(&s->clients, c, link);
	s->st.clients++;
	s->n_scoped += c->scope != NULL;
	s->st.connects++;
	http_conns_set_closecb(s->conns, c->conn, sse_on_close, c);
	evhttp_add_header(out, "Content-Type", "text/event-stream; charset=utf-8");
	evhttp_add_header(out, "Cache-Control", "no-cache");
	/* A reverse proxy (nginx) must not buffer the stream. */
	evhttp_add_header(out, "X-Accel-Buffering", "no");
	evhttp_send_reply_start(req, 200, "OK");
	sse_catch_up(s, c, last_id);
}

struct sse *
sse_new(struct event_base *base, struct http *h, struct book **book,
        struct alerts *a)
{
	struct sse *s = calloc(1, sizeof *s);
	struct timeval tv = { 0, SSE_TICK_MS * 1000 };

	if (s == NULL)
		return NULL;
	TAILQ_INIT(&s->clients);
	s->base = base;
	s->conns = http_get_conns(h);
	s->book = book;
	s->alerts = a;
	s->epoch = (uint64_t)when_now();
	s->last_ping = when_now();
	s->aseq = s->cur_a = a ? alerts_last_seq(a) : 0;
	if (sse_dirty_fit(s, *book) < 0 ||
	    (s->tick = event_new(base, -1, EV_PERSIST, sse_tick, s)) == NULL ||
	    event_add(s->tick, &tv) < 0 ||
	    http_route(h, "/v1/stream", EVHTTP_REQ_GET, sse_serve, s) < 0) {
		sse_free(s);
		return NULL;
	}
	return s;
}

void
sse_free(struct sse *s)
{
	if (s == NULL)
		return;
	while (!TAILQ_EMPTY(&s->clients))
		sse_client_free(TAILQ_FIRST(&s->clients), 1);
	if (s->tick)
		event_free(s->tick);
	for (size_t i = 0; i < SSE_RING; i++)
		free(s->ring[i].data);
	free(s->dirty);
	sse_log_clear(s);
	free(s->log);
	if (s->pending)
		evbuffer_free(s->pending);
	free(s);
}

void
sse_metrics(void *arg, struct evbuffer *out)
{
	const struct sse *s = arg;
	const struct sse_client *c;
	uint64_t queued = 0;

	/* What the daemon holds for the pages now: each under SSE_QUEUE_MAX
	 * plus one tick, or it is dropped. */
	TAILQ_FOREACH(c, &s->clients, link) {
		struct bufferevent *bev = c->conn ?
			evhttp_connection_get_bufferevent(c->conn) : NULL;
		if (bev)
			queued += evbuffer_get_length(bufferevent_get_output(bev));
	}
	evbuffer_add_printf(out,
	    "# HELP tiendo_stream_clients Dashboard pages connected to /v1/stream.\n"
	    "# TYPE tiendo_stream_clients gauge\n"
	    "tiendo_stream_clients %" PRIu64 "\n"
	    "# HELP tiendo_stream_connects_total Connections to /v1/stream.\n"
	    "# TYPE tiendo_stream_connects_total counter\n"
	    "tiendo_stream_connects_total %" PRIu64 "\n"
	    "# HELP tiendo_stream_refused_total Connections refused: %d open.\n"
	    "# TYPE tiendo_stream_refused_total counter\n"
	    "tiendo_stream_refused_total %" PRIu64 "\n"
	    "# HELP tiendo_stream_dropped_total Pages dropped for reading too slowly.\n"
	    "# TYPE tiendo_stream_dropped_total counter\n"
	    "tiendo_stream_dropped_total %" PRIu64 "\n"
	    "# HELP tiendo_stream_events_total Events made (tally and alert).\n"
	    "# TYPE tiendo_stream_events_total counter\n"
	    "tiendo_stream_events_total %" PRIu64 "\n"
	    "# HELP tiendo_stream_queued_bytes Bytes written to pages and not yet sent.\n"
	    "# TYPE tiendo_stream_queued_bytes gauge\n"
	    "tiendo_stream_queued_bytes %" PRIu64 "\n"
	    "# HELP tiendo_stream_ring_bytes Tally events kept for resuming pages.\n"
	    "# TYPE tiendo_stream_ring_bytes gauge\n"
	    "tiendo_stream_ring_bytes %zu\n",
	    s->st.clients, s->st.connects, SSE_MAX_CLIENTS, s->st.refused,
	    s->st.dropped_slow, s->st.events, queued, s->ring_bytes);
}
