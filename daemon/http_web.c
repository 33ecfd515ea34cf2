/*
 * http_web.c - serves the dashboard's embedded files.
 *
 * Every file carries a strong ETag (a hash of its bytes) and
 * "Cache-Control: no-cache": the browser keeps its copy and asks each time,
 * and the answer is a 304 without a body until tiendod is upgraded, so a
 * new binary never leaves an office with a stale page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "alertmsg.h"
#include "fnv.h"
#include "http_auth.h"
#include "http_web.h"

struct web_route {
	const struct web_asset *asset;
	char etag[24];
};

struct http_web {
	struct book **book;
	int language;
	size_t n;
	struct web_route *routes;
};

static void
web_etag(const struct web_asset *a, char *out, size_t n)
{
	uint64_t h = fnv_bytes(FNV_BASIS, a->data, a->len);

	snprintf(out, n, "\"%016llx\"", (unsigned long long)h);
}

/* Whether the client takes gzip: a plain token match is enough, since
 * every browser sends "gzip" and none sends "gzip;q=0". */
static int
web_accepts_gzip(struct evhttp_request *req)
{
	const char *ae = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                    "Accept-Encoding");

	return ae && strstr(ae, "gzip") != NULL;
}

static void
web_serve(struct evhttp_request *req, void *arg)
{
	const struct web_route *r = arg;
	const struct web_asset *a = r->asset;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                     "If-None-Match");
	int gz = web_accepts_gzip(req);
	struct evbuffer *body;

	evhttp_add_header(out, "ETag", r->etag);
	evhttp_add_header(out, "Cache-Control", "no-cache");
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
	if (strcmp(a->path, "/") == 0) {
		evhttp_add_header(out, "X-Frame-Options", "DENY");
		evhttp_add_header(out, "Content-Security-Policy",
		                  "default-src 'self'; style-src 'self' "
		                  "'unsafe-inline'; frame-ancestors 'none'");
	}
	if (inm && strcmp(inm, r->etag) == 0) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		http_error(req, 503, "out of memory");
		return;
	}
	evhttp_add_header(out, "Content-Type", a->type);
	if (gz)
		evhttp_add_header(out, "Content-Encoding", "gzip");
	/* The bytes live as long as the program: no copy. */
	evbuffer_add_reference(body, gz ? a->gz : a->data, gz ? a->gz_len : a->len,
	                       NULL, NULL);
	evhttp_send_reply(req, 200, "OK", body);
	evbuffer_free(body);
}

static void
web_dashboard(struct evhttp_request *req, void *arg)
{
	const struct http_web *w = arg;
	const struct plan *p = (*w->book)->plan;

	http_reply(req, 200, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}",
		"plan", p->name ? p->name : "", "timezone", p->timezone,
		"language", w->language == ALERTMSG_EN ? "en" : "vi",
		"version", TIENDO_VERSION, "account", auth_account(),
		"scope", auth_account() ? (auth_scope() ? auth_scope()->spec : "*")
		                        : NULL));
}

struct http_web *
http_web_new(struct http *h, struct book **book, int language)
{
	struct http_web *w = calloc(1, sizeof *w);

	if (w == NULL)
		return NULL;
	w->book = book;
	w->language = language;
	while (web_assets[w->n].path)
		w->n++;
	if ((w->routes = calloc(w->n + 1, sizeof *w->routes)) == NULL)
		goto fail;
	for (size_t i = 0; i < w->n; i++) {
		w->routes[i].asset = &web_assets[i];
		web_etag(&web_assets[i], w->routes[i].etag, sizeof w->routes[i].etag);
		if (http_route(h, web_assets[i].path, HTTP_GET, web_serve,
		               &w->routes[i]) < 0)
			goto fail;
	}
	if (http_route(h, "/v1/dashboard", HTTP_GET, web_dashboard, w) < 0)
		goto fail;
	return w;
fail:
	http_web_free(w);
	return NULL;
}

void
http_web_free(struct http_web *w)
{
	if (w == NULL)
		return;
	free(w->routes);
	free(w);
}
