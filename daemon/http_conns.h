/*
 * http_conns.h - the HTTP server's connections, each one bounded: a cap on
 * how many are open, a deadline for a whole request that trickling bytes
 * do not extend (nginx's client_header_timeout), a deadline for a
 * keep-alive connection idle between requests, and an accept loop that
 * pauses instead of spinning when the process is out of descriptors.
 *
 * libevent 2.1's evhttp has none of these, and no hook at accept time but
 * the bufferevent factory (evhttp_set_bevcb): each connection is adopted
 * there and watched through its close callback.  So whoever else needs a
 * connection's close callback asks for it through http_conns_set_closecb(),
 * never evhttp_connection_set_closecb(), or the connection's slot leaks.
 */
#ifndef TIENDO_HTTP_CONNS_H
#define TIENDO_HTTP_CONNS_H

#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>

struct http_conns;

struct http_conns_limits {
	int max;              /* connections open at once */
	int64_t header_ms;    /* accept (or previous reply) to a full request */
	int64_t idle_ms;      /* keep-alive: a reply to the next full request */
};

struct http_conns_stats {
	uint64_t open;           /* now */
	uint64_t accepted;       /* since start */
	uint64_t evicted;        /* the oldest waiting one, closed for a new one */
	uint64_t refused;        /* closed at once: all busy */
	uint64_t timed_out;      /* request not complete by its deadline */
	uint64_t idle_closed;    /* keep-alive connections idle too long */
	uint64_t accept_errors;  /* accept() failed (EMFILE...): listener paused */
};

/* Takes over evh's connections and the listener `bound`.  NULL when out of
 * memory. */
struct http_conns *http_conns_new(struct event_base *base, struct evhttp *evh,
                                  struct evhttp_bound_socket *bound,
                                  const struct http_conns_limits *lim);
void http_conns_free(struct http_conns *hc);

/* A complete request is being served: its connection's deadline stops
 * until the reply has gone out. */
void http_conns_request(struct http_conns *hc, struct evhttp_request *req);

/* The close callback of a connection, called before its slot is freed
 * (NULL fn: none). */
void http_conns_set_closecb(struct http_conns *hc,
                            struct evhttp_connection *conn,
                            void (*fn)(struct evhttp_connection *, void *),
                            void *arg);

/* The tiendo_http_connections families (a metrics_src hook; arg: the
 * http_conns). */
struct evbuffer;
void http_conns_metrics(void *arg, struct evbuffer *out);

#endif
