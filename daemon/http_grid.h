/*
 * http_grid.h - GET /v1/grid: the overview's task x unit table, one level
 * of the unit tree at a time (aggregated above, paged below), so that a
 * country-sized plan costs a page of rows, not 660,000 cells.
 */
#ifndef TIENDO_HTTP_GRID_H
#define TIENDO_HTTP_GRID_H

#include "book.h"
#include "http.h"

#define GRID_PAGE_DEFAULT 50
#define GRID_PAGE_MAX 200

/* Routes /v1/grid on h.  0 or -1. */
int http_grid_route(struct http *h, struct book **book);

#endif
