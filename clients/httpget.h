/*
 * httpget.h - one synchronous HTTP GET (libevent's evhttp client), enough
 * for tiendo-ctl to ask the daemon's JSON API.
 */
#ifndef TIENDO_HTTPGET_H
#define TIENDO_HTTPGET_H

#include <stddef.h>

#include <jansson.h>

struct httpget_result {
	int status;    /* HTTP status code */
	char *body;    /* malloc'd, NUL-terminated (the body may hold NULs) */
	size_t len;
	char err[512]; /* why the request failed, when httpget returns -1 */
};

/*
 * GETs url ("http://host[:port]/path?query"; https is not supported) and
 * waits at most timeout_sec for the whole exchange.  Returns 0 when a
 * response came, whatever its status, or with res->err set -1 (daemon
 * unreachable, timeout) or -2 (url is not an http:// URL: a usage error).  Call httpget_result_clear afterwards either
 * way.
 */
int httpget(const char *url, int timeout_sec, struct httpget_result *res);
/* The same as a POST with an empty body (for actions such as reload). */
int httppost(const char *url, int timeout_sec, struct httpget_result *res);
/* The same with one more request header (header: value; NULL: none)
 * and from a local address (NULL: the kernel's choice). */
struct httpget_opts {
	const char *header, *value;
	const char *local;
};
int httppost_opts(const char *url, int timeout_sec, const struct httpget_opts *o,
                  struct httpget_result *res);
void httpget_result_clear(struct httpget_result *res);

/* "vi" or "en": the Content-Language of the daemon's last answer (its
 * `language` setting); NULL before any, or when it gave none. */
const char *httpget_language(void);

/* Appends key=value (URI-encoded) to the malloc'd *url: '?' before the
 * first (*first, then cleared), '&' after.  A NULL value adds nothing.  0,
 * or -1 when out of memory (*url unchanged). */
int httpget_param(char **url, int *first, const char *key, const char *value);

/* base (its trailing '/' dropped) followed by path, malloc'd; NULL when
 * out of memory. */
char *httpget_url(const char *base, const char *path);

/* The string at key of a JSON object, or dflt (o may be NULL). */
const char *httpget_str(const json_t *o, const char *key, const char *dflt);

/*
 * tiendo-ctl's exchange with the daemon: GET (or POST) url and hand back
 * the reply's JSON object in *doc (json_decref it afterwards, whatever the
 * outcome).  With as_json a 2xx body goes to stdout as received.  What
 * went wrong is said on stderr.  Returns the exit status: EX_OK,
 * EX_UNAVAILABLE (no daemon, or its 5xx), EX_DATAERR (its 4xx),
 * EX_PROTOCOL (another status, or not a JSON object), EX_IOERR.
 */
int httpget_json(const char *url, int post, int timeout, int as_json,
                 json_t **doc);

/* httpget_json's GET of one of the daemon's lists: *rows is the array
 * named `list` in *doc, or NULL when there is nothing more to print. */
int httpget_list(const char *url, const char *list, int as_json,
                 json_t **doc, json_t **rows);
#endif
