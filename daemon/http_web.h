/*
 * http_web.h - the dashboard's files (web/, Chart.js), compiled into the
 * binary by scripts/embed-web.sh, served with ETags and gzip; and
 * /v1/dashboard, what the page needs to know before anything else.
 */
#ifndef TIENDO_HTTP_WEB_H
#define TIENDO_HTTP_WEB_H

#include <stddef.h>

#include "book.h"
#include "http.h"
#include "web_assets.h"


struct http_web;

/* Routes every asset and /v1/dashboard on h.  `language` is 0 for
 * Vietnamese, 1 for English (enum alertmsg_lang).  NULL on failure. */
struct http_web *http_web_new(struct http *h, struct book **book,
                              int language);
void http_web_free(struct http_web *w);

#endif
