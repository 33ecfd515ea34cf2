/*
 * http.h - the read side: JSON API under /v1/ and /healthz, on evhttp.
 */
#ifndef TIENDO_HTTP_H
#define TIENDO_HTTP_H

#include <event2/event.h>
#include <event2/http.h>
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

/* Bounds the connections (http_conns.h); before the loop runs.  0, or -1
 * when out of memory. */
struct http_conns_limits;
int http_limit_conns(struct http *h, const struct http_conns_limits *lim);
struct http_conns *http_get_conns(const struct http *h);

/* Serves `path` (exact match) with fn, which must reply once, for the
 * methods in `methods` (EVHTTP_REQ_* bits); any other method is answered
 * 405 with Allow before fn is called.  For modules that own their resource
 * (/metrics, /v1/reload).  0, or -1 when the table is full. */
typedef void (*http_route_fn)(struct evhttp_request *req, void *arg);
/* What a resource that is only read takes: GET, and HEAD like it. */
#define HTTP_GET (EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)
int http_route(struct http *h, const char *path, int methods, http_route_fn fn,
               void *arg);
/* Runs before every request: fn replies itself and returns -1 to stop
 * it (not logged in, not allowed), or returns 0 to let it through.
 * path may be NULL.  For the accounts (http_auth.c). */
typedef int (*http_gate_fn)(struct evhttp_request *req, const char *path,
                            void *arg);
void http_set_gate(struct http *h, http_gate_fn fn, void *arg);
/* Serves /v1/alerts and /v1/alerts/history from `a` (http_alerts.c). */
struct alerts;
void http_set_alerts(struct http *h, struct alerts *a);
/* rollcount.h's critical_share for the roll-up rows (a fraction; 0: off;
 * default 0.10). */
void http_set_rollup_share(struct http *h, double share);
/* The share in force (for the grid's roll-ups, as /v1/tallies'). */
double http_rollup_share(const struct http *h);

/* Replies with `body` (taken) as JSON, or 500 when it is NULL: every
 * resource replies exactly once, through one of these two. */
struct evhttp_request;
void http_reply(struct evhttp_request *req, int code, json_t *body);
/* The API's JSON for an instant (UTC ISO 8601, null for 0), an exact
 * decimal (a string) and a percentage (two decimals). */
json_t *http_json_when(when_t t);
json_t *http_json_dec(dec_t v);
/* A report's seq (uint64): a number, but a string of its digits above
 * 2^63 - 1, which a JSON integer would not hold. */
json_t *http_json_seq(uint64_t v);
json_t *http_json_pct(double v);
/* The query string of req into q: no %00, UTF-8, only `allowed` keys
 * (NULL-terminated).  0, or -1 with a 400 sent and q empty. */
struct evkeyvalq;
int http_query(struct evhttp_request *req, struct evkeyvalq *q,
               const char *const *allowed);
/* {"error": "..."} with the status `code`. */
void http_error(struct evhttp_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The Content-Language of every answer ("vi", "en"; a static string), the
 * daemon's `language`. */
void http_set_language(struct http *h, const char *tag);

/* "http://127.0.0.1:40123" */
const char *http_url(const struct http *h);

#endif
