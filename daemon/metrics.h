/*
 * metrics.h - GET /metrics: the daemon's counters in Prometheus text
 * format (version 0.0.4).
 */
#ifndef TIENDO_METRICS_H
#define TIENDO_METRICS_H

#include <stdint.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "book.h"
#include "ingest.h"
#include "reload.h"

/* Where the numbers come from.  Everything is borrowed. */
struct metrics_src {
	struct book **book;
	const struct ingest *ingest;
	const struct reload *reload;  /* NULL: no reload counters */
	const char *db_path;          /* tiendo.db; its -wal beside it */
	int64_t started;              /* ms since the epoch */

	/* Hooks for the modules that own these numbers; NULL until they
	 * exist.  alerts writes the tiendo_alerts family (gauge, labels
	 * state and severity) with its HELP and TYPE lines; subscribers
	 * returns the PUB socket's subscriber count. */
	void (*alerts)(void *arg, struct evbuffer *out);
	void *alerts_arg;
	uint64_t (*subscribers)(void *arg);
	void *subscribers_arg;
	/* More families, each written whole by its module (the HTTP
	 * connections, the snapshot server...); NULL fn: unused slot. */
	struct metrics_hook {
		void (*fn)(void *arg, struct evbuffer *out);
		void *arg;
	} more[4];
};

/* Appends the whole exposition to out.  0, or -1 when out of memory. */
int metrics_render(const struct metrics_src *src, struct evbuffer *out);

/* The HTTP handler; arg is a struct metrics_src. */
void metrics_on_request(struct evhttp_request *req, void *arg);

/* GET /metrics of a standby (standby.c): tiendo_standby 1, nothing else. */
void metrics_on_standby(struct evhttp_request *req);

#endif
