/*
 * alerts.h - the alert engine in the daemon: core/rules.c over the book's
 * board, evaluated after each committed batch (the pairs it touched) and on
 * a timer (everything: pace moves with time, silence grows, deadlines
 * pass); every event stored (alertstore.c) before it is published
 * (publish.c).
 */
#ifndef TIENDO_ALERTS_H
#define TIENDO_ALERTS_H

#include <stdint.h>

#include <event2/event.h>

#include "alertmsg.h"
#include "alertstore.h"
#include "book.h"
#include "ingest.h"
#include "publish.h"
#include "rules.h"

struct alerts_config {
	const char *pub;          /* PUB endpoint */
	const char *snapshot;     /* snapshot ROUTER endpoint */
	struct rules_config rules;
	int64_t interval;         /* ms between full evaluations */
	int64_t group_window;     /* ms a group gathers events; 0: no groups */
	enum alertmsg_lang lang;
	const struct curve *curve; /* secures both sockets (curve.h) */
};

struct alerts_stats {
	uint64_t events;
	uint64_t held;           /* of them, silenced or inhibited */
	uint64_t evaluations;    /* full ones */
	double last_eval_ms;     /* CPU of the last full evaluation's rules */
	double last_pass_ms;     /* its wall time, start to last publish */
	uint64_t slices;         /* loop turns full evaluations took */
	double max_slice_ms;     /* longest of them, commit included */
	double max_slice_loop_ms; /* longest time one held the loop */
	uint64_t store_failures;
	size_t subjects;
	size_t active;           /* firing, not counting done notices */
};

struct alerts;

/* Restores the states and the sequence from the store, binds the sockets,
 * and starts the timer (first full evaluation at once).  NULL with a
 * malloc'd *err. */
struct alerts *alerts_new(struct event_base *base, void *zctx,
                          struct book **book, const struct alerts_config *cfg,
                          char **err);
void alerts_free(struct alerts *a);

/* Rebuilds the rules for the book's current plan, from the stored states
 * (matched by codes).  Call it after a reload swaps the book; the
 * evaluations also notice a new plan pointer by themselves.  0 or -1. */
int alerts_reload(struct alerts *a);

/* Events a silence covers are stored but held back (silences.h). */
struct silences;
void alerts_set_silences(struct alerts *a, struct silences *s);

/* For ingest_set_hooks(): a batch's alert events are stored in the batch's
 * transaction and published after its COMMIT. */
extern const struct ingest_hooks alerts_ingest_hooks;

struct alertstore *alerts_store(struct alerts *a);
/* The plan the rules were built on (filters name its units and tasks),
 * and a query over the active alerts (core/alertquery.h). */
const struct plan *alerts_plan(const struct alerts *a);
struct store *alerts_db(struct alerts *a);
struct alertquery;
int alerts_query(struct alerts *a, const struct alertquery *q, uint64_t *out,
                 size_t *n, size_t *total);
/* The book in force, for the alerts' numbers now. */
const struct book *alerts_book(const struct alerts *a);
/* The last seq stored and published. */
uint64_t alerts_last_seq(const struct alerts *a);
const struct publish *alerts_publish(const struct alerts *a);
const struct alerts_stats *alerts_stats(struct alerts *a);

/* For metrics_src: the tiendo_alerts family, and the subscriber count. */
struct evbuffer;
void alerts_metrics(void *arg, struct evbuffer *out);
uint64_t alerts_subscribers(void *arg);

#endif
