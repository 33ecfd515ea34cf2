/*
 * silences.h - silences in the daemon: made and ended over HTTP
 * (/v1/silences, tiendo-ctl silence), stored with their audit trail
 * (silences_sql.c), kept in memory for the alert engine, which asks
 * silences_covering() for every event it publishes (core/silence.h).
 */
#ifndef TIENDO_SILENCES_H
#define TIENDO_SILENCES_H

#include <stdint.h>

#include "book.h"
#include "when.h"

struct silences;
struct evhttp_request;

/* Loads the running silences.  NULL with a malloc'd *err. */
struct silences *silences_new(struct store *store, struct book **book,
                              char **err);
void silences_free(struct silences *s);

/* The id of a silence covering (task, unit) of plan p at `now`, or 0. */
uint64_t silences_covering(struct silences *s, const struct plan *p, int task,
                           int unit, when_t now);

/* The /v1/silences route (http_route): GET lists (all=1: ended ones too);
 * POST makes one (task=, unit=, until=, reason=, by=) or, with expire=ID
 * (and by=), ends one.  POST is served to loopback only. */
void silences_on_http(struct evhttp_request *req, void *arg);

#endif
