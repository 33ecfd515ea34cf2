/*
 * http_reports.h - GET /v1/reports?unit=&task=&limit=: the latest reports
 * with reporter and note, so that the explanation of a delay sits next to
 * the delay on the unit page.
 */
#ifndef TIENDO_HTTP_REPORTS_H
#define TIENDO_HTTP_REPORTS_H

#include "book.h"
#include "http.h"

#define REPORTS_LIMIT_DEFAULT 20
#define REPORTS_LIMIT_MAX 500

int http_reports_route(struct http *h, struct book **book);

#endif
