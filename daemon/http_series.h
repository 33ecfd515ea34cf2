/*
 * http_series.h - GET /v1/series: one task's actual and expected through
 * time, for a unit (its own target, or the roll-up of its subtree) or the
 * whole plan; computed from the reports table (core/series.h).
 */
#ifndef TIENDO_HTTP_SERIES_H
#define TIENDO_HTTP_SERIES_H

#include "book.h"
#include "http.h"

/* At most this many points, and this many (points x reports) folds per
 * request: a series is computed on the loop, so its cost is bounded. */
#define SERIES_MAX_POINTS 1000
#define SERIES_MAX_WORK 20000000LL

/* Routes /v1/series on h.  0 or -1. */
int http_series_route(struct http *h, struct book **book);

#endif
