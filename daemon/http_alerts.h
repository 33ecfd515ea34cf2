/*
 * http_alerts.h - GET /v1/alerts (the active set) and GET /v1/alerts/history
 * (every event, filtered and paged), as JSON.
 */
#ifndef TIENDO_HTTP_ALERTS_H
#define TIENDO_HTTP_ALERTS_H

#include <event2/http.h>

#include "alerts.h"

/* Replies exactly once. */
void http_alerts_serve(struct alerts *a, struct evhttp_request *req,
                       const char *path);

#endif
