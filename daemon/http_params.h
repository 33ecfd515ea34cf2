/*
 * http_params.h - query strings for the dashboard's resources: every key
 * checked against what the path takes, so that a typo is a 400 and not a
 * silently ignored filter.
 */
#ifndef TIENDO_HTTP_PARAMS_H
#define TIENDO_HTTP_PARAMS_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* Parses the query into *q (cleared by the caller with
 * evhttp_clear_headers) and checks its keys.  On a bad query, replies 400
 * (or 405 when the method is not GET) and returns -1. */
int http_params(struct evhttp_request *req, struct evkeyvalq *q,
                const char *const *allowed);

#endif
