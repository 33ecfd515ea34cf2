/*
 * http_conns.c - see http_conns.h.
 *
 * A connection is adopted in the bufferevent factory: evhttp calls it at
 * accept, then sets its own callbacks on the bufferevent, whose argument is
 * the evhttp_connection.  The factory cannot see that pointer yet, so the
 * bufferevent waits in `pending` (holding a reference) until the adopt
 * event runs, in the same loop turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "http_conns.h"
#include "log.h"
#include "ratelimit.h"

/* A paused listener tries again after this: long enough not to spin, short
 * enough that a freed descriptor is used soon. */
#define ACCEPT_PAUSE_MS 100
#define ACCEPT_LOG_WINDOW_MS 10000

enum conn_state { CONN_FREE, CONN_WAITING, CONN_SERVING };

struct conn {
	struct evhttp_connection *evcon;
	struct event *deadline;
	enum conn_state state;
	int64_t since;      /* ms: began waiting for a request */
	int kept;           /* has had a reply: waiting is keep-alive idling */
	int next;           /* hash chain */
	struct http_conns *hc;
	void (*closecb)(struct evhttp_connection *, void *);
	void *closecb_arg;
};

struct http_conns {
	struct event_base *base;
	struct evconnlistener *lev;
	struct http_conns_limits lim;
	struct conn *slots;
	int *free_list, n_free;
	int *buckets;
	unsigned n_buckets;
	struct bufferevent **pending;
	size_t n_pending, cap_pending;
	struct event *ev_adopt, *ev_resume;
	struct ratelimit *rl;
	struct http_conns_stats stats;
	struct http_conns *next; /* hc_all */
};

/* libevent calls a listener's error callback with the listener's own
 * argument, which evhttp set to its struct evhttp: the error callback
 * cannot be given ours, so it finds us by the listener.  (Taking its
 * argument for ours read evhttp's memory as our state and wrote our
 * counter into it: tiendod died of a NULL timer at the descriptor limit,
 * the day accept() failed with EMFILE.) */
static struct http_conns *hc_all;

static struct http_conns *
hc_of_listener(const struct evconnlistener *lev)
{
	struct http_conns *hc = hc_all;

	while (hc != NULL && hc->lev != lev)
		hc = hc->next;
	return hc;
}

static int64_t
hc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned
hc_hash(const struct http_conns *hc, const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return (unsigned)((v >> 4) ^ (v >> 16)) & (hc->n_buckets - 1);
}

static struct conn *
hc_find(struct http_conns *hc, const struct evhttp_connection *evcon)
{
	for (int i = hc->buckets[hc_hash(hc, evcon)]; i >= 0;
	     i = hc->slots[i].next)
		if (hc->slots[i].evcon == evcon)
			return &hc->slots[i];
	return NULL;
}

static void
hc_unlink(struct http_conns *hc, struct conn *c)
{
	int *p = &hc->buckets[hc_hash(hc, c->evcon)];
	int idx = (int)(c - hc->slots);

	while (*p >= 0 && *p != idx)
		p = &hc->slots[*p].next;
	if (*p == idx)
		*p = c->next;
}

/* Forgets a connection evhttp is freeing (or that we are about to free). */
static void
hc_release(struct http_conns *hc, struct conn *c)
{
	event_del(c->deadline);
	hc_unlink(hc, c);
	c->evcon = NULL;
	c->state = CONN_FREE;
	c->closecb = NULL;
	hc->free_list[hc->n_free++] = (int)(c - hc->slots);
	hc->stats.open--;
}

static void
hc_on_close(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg;
	void (*fn)(struct evhttp_connection *, void *) = c->closecb;
	void *fn_arg = c->closecb_arg;

	hc_release(c->hc, c);
	if (fn)
		fn(evcon, fn_arg);
}

/* Closes a connection of ours now. */
static void
hc_close(struct http_conns *hc, struct conn *c)
{
	struct evhttp_connection *evcon = c->evcon;

	/* evhttp calls the close callback only for some states: release
	 * first, so the slot never outlives the connection. */
	evhttp_connection_set_closecb(evcon, NULL, NULL);
	hc_release(hc, c);
	evhttp_connection_free(evcon);
}

static void
hc_arm(struct conn *c, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	/* Without its deadline a connection could stay for ever. */
	if (event_add(c->deadline, &tv) < 0)
		log_err("http: cannot arm a connection's deadline");
}

static void
hc_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct http_conns *hc = c->hc;

	if (c->state != CONN_WAITING)
		return;
	if (c->kept)
		hc->stats.idle_closed++;
	else
		hc->stats.timed_out++;
	hc_close(hc, c);
}

/* The waiting connection that has waited longest, or NULL. */
static struct conn *
hc_oldest_waiting(struct http_conns *hc)
{
	struct conn *best = NULL;

	for (int i = 0; i < hc->lim.max; i++) {
		struct conn *c = &hc->slots[i];

		if (c->state == CONN_WAITING &&
		    (best == NULL || c->since < best->since))
			best = c;
	}
	return best;
}

static void
hc_adopt_one(struct http_conns *hc, struct bufferevent *bev)
{
	struct evhttp_connection *evcon = NULL;
	bufferevent_data_cb readcb = NULL;
	struct conn *c;
	int idx;

	bufferevent_getcb(bev, &readcb, NULL, NULL, (void **)&evcon);
	bufferevent_decref(bev);
	/* evhttp already dropped it (it could not set it up). */
	if (readcb == NULL || evcon == NULL)
		return;
	hc->stats.accepted++;
	if (hc->n_free == 0) {
		struct conn *old = hc_oldest_waiting(hc);
		if (old == NULL) {
			hc->stats.refused++;
			evhttp_connection_free(evcon);
			return;
		}
		hc->stats.evicted++;
		hc_close(hc, old);
	}
	idx = hc->free_list[--hc->n_free];
	c = &hc->slots[idx];
	c->evcon = evcon;
	c->state = CONN_WAITING;
	c->since = hc_now();
	c->kept = 0;
	c->next = hc->buckets[hc_hash(hc, evcon)];
	hc->buckets[hc_hash(hc, evcon)] = idx;
	hc->stats.open++;
	evhttp_connection_set_closecb(evcon, hc_on_close, c);
	hc_arm(c, hc->lim.header_ms);
}

static void
hc_on_adopt(evutil_socket_t fd, short what, void *arg)
{
	struct http_conns *hc = arg;

	for (size_t i = 0; i < hc->n_pending; i++)
		hc_adopt_one(hc, hc->pending[i]);
	hc->n_pending = 0;
}

/* evhttp's bufferevent factory, called at each accept. */
static struct bufferevent *
hc_bevcb(struct event_base *base, void *arg)
{
	struct http_conns *hc = arg;
	struct bufferevent *bev;

	if (hc->n_pending == hc->cap_pending) {
		size_t cap = hc->cap_pending ? 2 * hc->cap_pending : 64;
		void *p = realloc(hc->pending, cap * sizeof *hc->pending);
		if (p == NULL)
			return NULL; /* evhttp makes its own: that one is not capped */
		hc->pending = p;
		hc->cap_pending = cap;
	}
	/* As evhttp's own: evhttp closes the descriptor itself. */
	if ((bev = bufferevent_socket_new(base, -1, 0)) == NULL)
		return NULL;
	bufferevent_incref(bev);
	hc->pending[hc->n_pending++] = bev;
	event_active(hc->ev_adopt, 0, 0);
	return bev;
}

static void
hc_on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct http_conns *hc = arg;

	evconnlistener_enable(hc->lev);
}

/* accept() failed for a reason other than a retry (EMFILE, ENFILE,
 * ENOBUFS...): libevent would try again at once, forever.  Pause. */
static void
hc_on_accept_error(struct evconnlistener *lev, void *evhttp_arg)
{
	struct http_conns *hc = hc_of_listener(lev);
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	uint64_t suppressed;

	if (hc == NULL)
		return; /* cannot be: the callback is set on ours only */
	hc->stats.accept_errors++;
	evconnlistener_disable(lev);
	event_add(hc->ev_resume, &tv);
	if (ratelimit_allow(hc->rl, "accept", hc_now(), &suppressed))
		log_warn("http: accept: %s; listener paused %d ms at each error "
		         "(%llu more errors in the last %d s; %llu open "
		         "connections)", evutil_socket_error_to_string(err),
		         ACCEPT_PAUSE_MS, (unsigned long long)suppressed,
		         ACCEPT_LOG_WINDOW_MS / 1000,
		         (unsigned long long)hc->stats.open);
}

static void
hc_on_reply_done(struct evhttp_request *req, void *arg)
{
	struct conn *c = arg;

	/* Freed with its connection otherwise; here the connection lives on
	 * for the next request. */
	c->state = CONN_WAITING;
	c->since = hc_now();
	c->kept = 1;
	hc_arm(c, c->hc->lim.idle_ms);
}

void
http_conns_request(struct http_conns *hc, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct conn *c = hc && evcon ? hc_find(hc, evcon) : NULL;

	if (c == NULL)
		return;
	c->state = CONN_SERVING;
	event_del(c->deadline);
	evhttp_request_set_on_complete_cb(req, hc_on_reply_done, c);
}

void
http_conns_set_closecb(struct http_conns *hc, struct evhttp_connection *conn,
                       void (*fn)(struct evhttp_connection *, void *),
                       void *arg)
{
	struct conn *c = hc ? hc_find(hc, conn) : NULL;

	if (c == NULL) {
		/* Not ours (the factory failed): evhttp's own slot. */
		evhttp_connection_set_closecb(conn, fn, arg);
		return;
	}
	c->closecb = fn;
	c->closecb_arg = arg;
}

struct http_conns *
http_conns_new(struct event_base *base, struct evhttp *evh,
               struct evhttp_bound_socket *bound,
               const struct http_conns_limits *lim)
{
	struct http_conns *hc = calloc(1, sizeof *hc);

	if (hc == NULL)
		return NULL;
	hc->base = base;
	hc->lim = *lim;
	hc->n_buckets = 16;
	while (hc->n_buckets < 2u * (unsigned)lim->max)
		hc->n_buckets *= 2;
	hc->slots = calloc((size_t)lim->max, sizeof *hc->slots);
	hc->free_list = calloc((size_t)lim->max, sizeof *hc->free_list);
	hc->buckets = malloc(hc->n_buckets * sizeof *hc->buckets);
	hc->ev_adopt = event_new(base, -1, 0, hc_on_adopt, hc);
	hc->ev_resume = evtimer_new(base, hc_on_resume, hc);
	hc->rl = ratelimit_new(1, ACCEPT_LOG_WINDOW_MS);
	hc->lev = evhttp_bound_socket_get_listener(bound);
	if (!hc->slots || !hc->free_list || !hc->buckets || !hc->ev_adopt ||
	    !hc->ev_resume || !hc->rl || !hc->lev)
		goto fail;
	memset(hc->buckets, 0xff, hc->n_buckets * sizeof *hc->buckets);
	for (int i = 0; i < lim->max; i++) {
		struct conn *c = &hc->slots[i];
		c->hc = hc;
		c->next = -1;
		if ((c->deadline = evtimer_new(base, hc_on_deadline, c)) == NULL)
			goto fail;
		hc->free_list[hc->n_free++] = lim->max - 1 - i;
	}
	evhttp_set_bevcb(evh, hc_bevcb, hc);
	hc->next = hc_all;
	hc_all = hc;
	evconnlistener_set_error_cb(hc->lev, hc_on_accept_error);
	return hc;
fail:
	http_conns_free(hc);
	return NULL;
}

void
http_conns_free(struct http_conns *hc)
{
	struct http_conns **p = &hc_all;

	if (hc == NULL)
		return;
	while (*p != NULL && *p != hc)
		p = &(*p)->next;
	if (*p == hc)
		*p = hc->next;
	for (size_t i = 0; i < hc->n_pending; i++)
		bufferevent_decref(hc->pending[i]);
	for (int i = 0; hc->slots && i < hc->lim.max; i++) {
		if (hc->slots[i].evcon)
			evhttp_connection_set_closecb(hc->slots[i].evcon, NULL, NULL);
		if (hc->slots[i].deadline)
			event_free(hc->slots[i].deadline);
	}
	if (hc->ev_adopt)
		event_free(hc->ev_adopt);
	if (hc->ev_resume)
		event_free(hc->ev_resume);
	ratelimit_free(hc->rl);
	free(hc->pending);
	free(hc->slots);
	free(hc->free_list);
	free(hc->buckets);
	free(hc);
}

void
http_conns_metrics(void *arg, struct evbuffer *out)
{
	const struct http_conns *hc = arg;
	const struct http_conns_stats *st = &hc->stats;
	const struct { const char *name, *type, *help; uint64_t v; } m[] = {
		{ "tiendo_http_connections_open", "gauge",
		  "HTTP connections open now.", st->open },
		{ "tiendo_http_connections_max", "gauge",
		  "HTTP connections allowed at once (http_max_connections).",
		  (uint64_t)hc->lim.max },
		{ "tiendo_http_connections_accepted_total", "counter",
		  "HTTP connections accepted.", st->accepted },
		{ "tiendo_http_connections_evicted_total", "counter",
		  "Connections still waiting for a request, closed to make room "
		  "for a new one at the cap.", st->evicted },
		{ "tiendo_http_connections_refused_total", "counter",
		  "New connections closed at once: the cap was reached and every "
		  "connection was being served.", st->refused },
		{ "tiendo_http_request_timeouts_total", "counter",
		  "Connections closed because a request was not complete within "
		  "http_header_timeout.", st->timed_out },
		{ "tiendo_http_idle_closed_total", "counter",
		  "Keep-alive connections closed after http_idle_timeout.",
		  st->idle_closed },
		{ "tiendo_http_accept_errors_total", "counter",
		  "accept() failures (EMFILE...); the listener pauses at each.",
		  st->accept_errors },
	};

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n",
		                    m[i].name, m[i].help, m[i].name, m[i].type,
		                    m[i].name, (unsigned long long)m[i].v);
}
