/*
 * http.h - the read side: JSON API under /v1/ and /healthz, on evhttp.
 */
#ifndef TIENDO_HTTP_H
#define TIENDO_HTTP_H

#include <event2/event.h>
#include <jansson.h>

#include "book.h"
#include "ingest.h"

struct http;
struct evhttp_request;

/* Listens on `addr` ("127.0.0.1:7480", "[::1]:7480"; port 0 picks one).
 * Reads the ledger through *book (a reload may swap it) and counters from
 * `in`.  NULL with a malloc'd *err on failure. */
struct http *http_new(struct event_base *base, const char *addr,
                      struct book **book, const struct ingest *in,
                      char **err);
void http_free(struct http *h);

/* Serves `path` (exact match, any method) with fn, which must reply once
 * and check the method itself.  For modules that own their resource
 * (/metrics, /v1/reload).  0, or -1 when the table is full. */
typedef void (*http_route_fn)(struct evhttp_request *req, void *arg);
int http_route(struct http *h, const char *path, http_route_fn fn, void *arg);
/* Runs before every request: fn replies itself and returns -1 to stop
 * it (not logged in, not allowed), or returns 0 to let it through.
 * path may be NULL.  For the accounts (http_auth.c). */
typedef int (*http_gate_fn)(struct evhttp_request *req, const char *path,
                            void *arg);
void http_set_gate(struct http *h, http_gate_fn fn, void *arg);
/* Serves /v1/alerts and /v1/alerts/history from `a` (http_alerts.c). */
struct alerts;
void http_set_alerts(struct http *h, struct alerts *a);

/* Replies with `body` (taken) as JSON, or 500 when it is NULL: every
 * resource replies exactly once, through one of these two. */
struct evhttp_request;
void http_reply(struct evhttp_request *req, int code, json_t *body);
/* {"error": "..."} with the status `code`. */
void http_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "http://127.0.0.1:40123" */
const char *http_url(const struct http *h);

#endif
