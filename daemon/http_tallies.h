/*
 * http_tallies.h - GET /v1/tallies: every tally and roll-up of the plan
 * (task=, unit=, owner=, at=, period=), streamed in chunks.
 */
#ifndef TIENDO_HTTP_TALLIES_H
#define TIENDO_HTTP_TALLIES_H

#include "book.h"

struct evhttp_request;
struct http_conns;

/* Replies to req once, from *bookp (a reload may swap it: the stream
 * then ends short); conns tells when the client goes away; rollup_share
 * is rollcount.h's critical_share. */
void http_tallies_serve(struct evhttp_request *req, struct book **bookp,
                        struct http_conns *conns, double rollup_share);

#endif
