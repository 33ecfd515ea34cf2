/*
 * http_reports.h - GET /v1/reports?task=&unit=&since=&limit=: the stored
 * reports and corrections, paged by id (see http_reports.c).
 */
#ifndef TIENDO_HTTP_REPORTS_H
#define TIENDO_HTTP_REPORTS_H

#include <event2/http.h>

/* An http_route_fn; arg is the daemon's struct book ** (the book in
 * force, swapped by a reload). */
void http_reports_on_request(struct evhttp_request *req, void *arg);

#endif
