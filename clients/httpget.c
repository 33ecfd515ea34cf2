/*
 * httpget.c - synchronous GET over evhttp; see httpget.h.
 *
 * A private event_base runs until the request finishes or fails, so the
 * caller sees an ordinary blocking call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "httpget.h"

struct httpget_ctx {
	struct event_base *base;
	struct httpget_result *res;
	const char *where; /* "host:port", for messages */
	int done;          /* a response was read */
	int failed;
};

static void
httpget_fail(struct httpget_ctx *c, const char *why)
{
	if (!c->failed && !c->done) {
		snprintf(c->res->err, sizeof(c->res->err), "%s: %s", c->where,
		    why);
		c->failed = 1;
	}
	event_base_loopexit(c->base, NULL);
}

static void
httpget_error_cb(enum evhttp_request_error e, void *arg)
{
	const char *why;

	switch (e) {
	case EVREQ_HTTP_TIMEOUT:
		why = "timed out";
		break;
	case EVREQ_HTTP_EOF:
		why = "connection refused or closed";
		break;
	case EVREQ_HTTP_INVALID_HEADER:
		why = "invalid HTTP response";
		break;
	case EVREQ_HTTP_DATA_TOO_LONG:
		why = "response too long";
		break;
	default:
		why = "request failed";
		break;
	}
	httpget_fail(arg, why);
}

/* The daemon's language, as its last answer said (Content-Language). */
static char httpget_lang[8];

static void
httpget_remember_language(struct evhttp_request *req)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                   "Content-Language");

	snprintf(httpget_lang, sizeof httpget_lang, "%s",
	         v && (strcmp(v, "vi") == 0 || strcmp(v, "en") == 0) ? v : "");
}

const char *
httpget_language(void)
{
	return httpget_lang[0] ? httpget_lang : NULL;
}

static void
httpget_done_cb(struct evhttp_request *req, void *arg)
{
	struct httpget_ctx *c = arg;
	struct evbuffer *in;
	size_t len;

	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		httpget_fail(c, "connection failed");
		return;
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if ((c->res->body = malloc(len + 1)) == NULL) {
		httpget_fail(c, "out of memory");
		return;
	}
	if (len > 0 && evbuffer_copyout(in, c->res->body, len) != (ev_ssize_t)len) {
		httpget_fail(c, "cannot read the response body");
		return;
	}
	c->res->body[len] = '\0';
	c->res->len = len;
	httpget_remember_language(req);
	c->res->status = evhttp_request_get_response_code(req);
	c->done = 1;
	event_base_loopexit(c->base, NULL);
}

static int
httpreq(enum evhttp_cmd_type method, const char *url, int timeout_sec,
        const struct httpget_opts *o, struct httpget_result *res)
{
	struct evhttp_uri *uri = NULL;
	struct evhttp_connection *conn = NULL;
	struct evhttp_request *req;
	struct httpget_ctx c;
	const char *scheme, *host, *path, *query;
	char where[128], *target = NULL;
	int port, rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.res = res;
	c.where = where;

	if ((uri = evhttp_uri_parse(url)) == NULL) {
		snprintf(res->err, sizeof(res->err), "%s: not a URL", url);
		return -2;
	}
	scheme = evhttp_uri_get_scheme(uri);
	host = evhttp_uri_get_host(uri);
	if (scheme == NULL || strcasecmp(scheme, "http") != 0 ||
	    host == NULL || *host == '\0') {
		snprintf(res->err, sizeof(res->err),
		    "%s: only http://HOST[:PORT]/ URLs are supported", url);
		rc = -2;
		goto out;
	}
	if ((port = evhttp_uri_get_port(uri)) < 0)
		port = 80;
	snprintf(where, sizeof(where), "%.100s:%d", host, port);
	path = evhttp_uri_get_path(uri);
	if (path == NULL || *path == '\0')
		path = "/";
	query = evhttp_uri_get_query(uri);
	if (asprintf(&target, "%s%s%s", path, query ? "?" : "",
	    query ? query : "") < 0) {
		target = NULL;
		snprintf(res->err, sizeof(res->err), "out of memory");
		goto out;
	}

	if ((c.base = event_base_new()) == NULL ||
	    (conn = evhttp_connection_base_new(c.base, NULL, host,
	        (unsigned short)port)) == NULL) {
		snprintf(res->err, sizeof(res->err), "%s: cannot set up the "
		    "connection", where);
		goto out;
	}
	evhttp_connection_set_timeout(conn, timeout_sec > 0 ? timeout_sec : 5);
	evhttp_connection_set_retries(conn, 0);
	if (o != NULL && o->local != NULL)
		evhttp_connection_set_local_address(conn, o->local);
	if ((req = evhttp_request_new(httpget_done_cb, &c)) == NULL) {
		snprintf(res->err, sizeof(res->err), "out of memory");
		goto out;
	}
	evhttp_request_set_error_cb(req, httpget_error_cb);
	if (evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	        host) != 0 ||
	    evhttp_add_header(evhttp_request_get_output_headers(req), "Accept",
	        "application/json") != 0 ||
	    evhttp_add_header(evhttp_request_get_output_headers(req),
	        "Connection", "close") != 0 ||
	    (o != NULL && o->header != NULL && evhttp_add_header(
	        evhttp_request_get_output_headers(req), o->header,
	        o->value) != 0)) {
		evhttp_request_free(req);
		snprintf(res->err, sizeof(res->err), "out of memory");
		goto out;
	}
	/* On failure evhttp_make_request frees req itself. */
	if (evhttp_make_request(conn, req, method, target) != 0) {
		snprintf(res->err, sizeof(res->err), "%s: cannot send the "
		    "request", where);
		goto out;
	}
	if (event_base_dispatch(c.base) < 0 && !c.done && !c.failed)
		httpget_fail(&c, "event loop failed");
	if (c.done)
		rc = 0;
	else if (!c.failed)
		snprintf(res->err, sizeof(res->err), "%s: no response", where);
out:
	if (conn != NULL)
		evhttp_connection_free(conn);
	if (c.base != NULL)
		event_base_free(c.base);
	evhttp_uri_free(uri);
	free(target);
	if (rc != 0) {
		free(res->body);
		res->body = NULL;
		res->len = 0;
	}
	return rc;
}

int
httpget(const char *url, int timeout_sec, struct httpget_result *res)
{
	return httpreq(EVHTTP_REQ_GET, url, timeout_sec, NULL, res);
}

int
httppost(const char *url, int timeout_sec, struct httpget_result *res)
{
	return httpreq(EVHTTP_REQ_POST, url, timeout_sec, NULL, res);
}

int
httppost_opts(const char *url, int timeout_sec, const struct httpget_opts *o,
              struct httpget_result *res)
{
	return httpreq(EVHTTP_REQ_POST, url, timeout_sec, o, res);
}

void
httpget_result_clear(struct httpget_result *res)
{
	free(res->body);
	res->body = NULL;
	res->len = 0;
}

int
httpget_param(char **url, int *first, const char *key, const char *value)
{
	char *enc, *n;
	int rc;

	if (value == NULL)
		return 0;
	if ((enc = evhttp_encode_uri(value)) == NULL)
		return -1;
	rc = asprintf(&n, "%s%c%s=%s", *url, *first ? '?' : '&', key, enc);
	free(enc);
	if (rc < 0)
		return -1;
	free(*url);
	*url = n;
	*first = 0;
	return 0;
}

char *
httpget_url(const char *base, const char *path)
{
	size_t blen = strlen(base);
	char *url;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	return asprintf(&url, "%.*s%s", (int)blen, base, path) < 0 ? NULL : url;
}

const char *
httpget_str(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

int
httpget_json(const char *url, int post, int timeout, int as_json,
             json_t **doc)
{
	struct httpget_result res;
	int ex = EX_OK, rc;

	*doc = NULL;
	if ((rc = post ? httppost(url, timeout, &res)
	               : httpget(url, timeout, &res)) != 0) {
		fprintf(stderr, "tiendo-ctl: %s: %s\n", rc == -2 ? "--http"
		        : "cannot reach tiendod", res.err);
		httpget_result_clear(&res);
		return rc == -2 ? EX_USAGE : EX_UNAVAILABLE;
	}
	*doc = json_loadb(res.body, res.len, 0, NULL);
	if (res.status >= 400) {
		fprintf(stderr, "tiendo-ctl: %s (HTTP %d)\n",
		        httpget_str(*doc, "error", "request failed"), res.status);
		ex = res.status < 500 ? EX_DATAERR : EX_UNAVAILABLE;
	} else if (res.status < 200 || res.status > 299) {
		fprintf(stderr, "tiendo-ctl: unexpected HTTP status %d\n",
		        res.status);
		ex = EX_PROTOCOL;
	} else if (as_json) {
		ex = fwrite(res.body, 1, res.len, stdout) == res.len ? EX_OK
		                                                     : EX_IOERR;
	} else if (!json_is_object(*doc)) {
		fprintf(stderr, "tiendo-ctl: the reply is not a JSON object\n");
		ex = EX_PROTOCOL;
	}
	httpget_result_clear(&res);
	return ex;
}

int
httpget_list(const char *url, const char *list, int as_json, json_t **doc,
             json_t **rows)
{
	int ex = httpget_json(url, 0, 10, as_json, doc);

	*rows = NULL;
	if (ex != EX_OK || as_json)
		return ex;
	if (!json_is_array(*rows = json_object_get(*doc, list))) {
		fprintf(stderr, "tiendo-ctl: the reply has no %s\n", list);
		*rows = NULL;
		ex = EX_PROTOCOL;
	}
	return ex;
}
