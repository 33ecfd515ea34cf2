/*
 * http_ranking.h - GET /v1/ranking: the emulation table (core/ranking.h)
 * as JSON, with its rule in words.
 */
#ifndef TIENDO_HTTP_RANKING_H
#define TIENDO_HTTP_RANKING_H

#include "book.h"
#include "http.h"

/* The rule as the ranking page and the exports state it. */
extern const char *const http_ranking_rule[2]; /* vi, en */

/* Routes /v1/ranking on h.  0 or -1. */
int http_ranking_route(struct http *h, struct book **book, int language);

#endif
