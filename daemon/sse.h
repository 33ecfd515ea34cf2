/*
 * sse.h - GET /v1/stream: Server-Sent Events for the dashboard.
 *
 * Two kinds of event: "tally" (the targets whose tallies changed since the
 * last one, coalesced every SSE_TICK_MS, each with its numbers) and
 * "alert" (one stored alert event, as /v1/alerts/history shows it).
 * Every event's id is "EPOCH.T.A": the daemon's start (ms), the last
 * tally event and the last alert seq this client has been sent.  A client
 * that reconnects with Last-Event-ID gets what it missed: alerts from the
 * store (gap-free by their seq), tally events from a ring of the last
 * SSE_RING; when that is impossible (another daemon run, too far behind,
 * a new plan) it gets one "reset" event and reloads what it shows.
 *
 * Bounded: at most SSE_MAX_CLIENTS at once (more get 503), and a client
 * whose unsent output passes SSE_QUEUE_MAX bytes is dropped rather than
 * buffered: a slow browser never slows the loop or grows the heap.
 */
#ifndef TIENDO_SSE_H
#define TIENDO_SSE_H

#include <stdint.h>

#include <event2/event.h>

#include "alerts.h"
#include "book.h"
#include "http.h"
#include "ingest.h"

#define SSE_MAX_CLIENTS 256
#define SSE_QUEUE_MAX (256 * 1024)
#define SSE_RING 256
#define SSE_TICK_MS 250
#define SSE_PING_MS 15000
#define SSE_ROWS_MAX 500      /* tally rows per event; more: "many" */

struct sse;

struct sse_stats {
	uint64_t clients;         /* connected now */
	uint64_t connects;
	uint64_t dropped_slow;    /* output over SSE_QUEUE_MAX */
	uint64_t refused;         /* over SSE_MAX_CLIENTS */
	uint64_t events;          /* tally + alert events made */
};

/* Routes /v1/stream on h.  Reads tallies through *book and alert events
 * from `a`.  NULL on failure. */
struct sse *sse_new(struct event_base *base, struct http *h,
                    struct book **book, struct alerts *a);
/* Closes every stream. */
void sse_free(struct sse *s);

/* For ingest_set_hooks(), with the sse as arg: marks the targets a batch
 * changed, then calls the hooks set by sse_chain (the alert engine's). */
extern const struct ingest_hooks sse_ingest_hooks;
void sse_chain(struct sse *s, const struct ingest_hooks *next, void *arg);

/* For metrics_src: the tiendo_stream family (HELP, TYPE and samples). */
struct evbuffer;
void sse_metrics(void *arg, struct evbuffer *out);

#endif
