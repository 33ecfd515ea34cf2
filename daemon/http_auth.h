/*
 * http_auth.h - who may read the dashboard and the API, and what of it.
 *
 * - No accounts and a loopback listener: open, as before accounts existed.
 * - No accounts and any other listener: everything but /healthz is
 *   refused (403): fail closed until `tiendo-ctl user add`.
 * - Accounts: every request but /healthz, /login and the page's own files
 *   needs a session cookie (POST /login) or "Authorization: Bearer TOKEN"
 *   (tiendo-ctl user token); 401 otherwise.  The account's scope then
 *   limits every resource to what it may see (auth_scope(); the rule is
 *   scope_pair() in scope.h); /metrics and /v1/reload need scope "*".
 * - Whatever the accounts: POST /v1/reload with the reload key
 *   (reloadkey.h) in X-Tiendo-Reload-Key passes, a wrong one is 403.
 *
 * Sessions: a random 128-bit id in a cookie "tiendo_session" (HttpOnly,
 * SameSite=Strict, Secure when the request came through a TLS proxy on
 * loopback that says X-Forwarded-Proto: https), in memory, 12 hours.
 * A request with a method other than GET or HEAD that relies on the
 * cookie must come from the page's own origin (Origin or Referer).
 * POST /login takes 5 tries a minute per address (429 beyond).
 */
#ifndef TIENDO_HTTP_AUTH_H
#define TIENDO_HTTP_AUTH_H

#include "accounts.h"
#include "book.h"
#include "http.h"
#include "scope.h"

#define AUTH_SESSIONS 4096
#define AUTH_SESSION_MS (12LL * 3600 * 1000)
#define AUTH_LOGIN_BURST 5
#define AUTH_LOGIN_WINDOW_MS 60000

struct http_auth;

/* Gates h; `listen` is the HTTP address ("127.0.0.1:7480"), `path` the
 * accounts file.  NULL on failure. */
struct http_auth *http_auth_new(struct http *h, struct book **book,
                                const char *listen, const char *path);
void http_auth_free(struct http_auth *a);

/* The reload key (reloadkey.h) that lets POST /v1/reload past the
 * accounts; NULL or "": none does. */
void http_auth_set_reload_key(struct http_auth *a, const char *hex);

/* The scope of the request being answered: NULL for the whole plan.
 * Valid until the handler returns; a handler that answers over several
 * loop turns keeps a scope_copy(). */
const struct scope *auth_scope(void);

/* The account of the request being answered, or NULL (open access). */
const char *auth_account(void);

/* 1 when the request comes from this machine's own users: a loopback
 * peer, and not relayed by a proxy (no X-Forwarded-For, X-Real-IP or
 * Forwarded header).  What POST /v1/reload and POST /v1/silences need. */
int http_auth_local(struct evhttp_request *req);

/* 1 when `listen` ("host:port") is a loopback address. */
int http_auth_loopback(const char *listen);

#endif
