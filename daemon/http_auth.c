/*
 * http_auth.c - the gate in front of every request (http_auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>

#include "http_auth.h"
#include "log.h"
#include "ratelimit.h"
#include "reloadkey.h"
#include "web_assets.h"

struct session {
	char id[33];             /* "" when free */
	char name[ACCOUNT_NAME_MAX + 1];
	unsigned char pw[16];    /* of the password hash it logged in with */
	when_t expires;
};

/* A password change (or the account made anew) ends its sessions. */
static void
auth_pw_mark(const struct account *acct, unsigned char out[16])
{
	crypto_generichash(out, 16, (const unsigned char *)acct->pwhash,
	                   strlen(acct->pwhash), NULL, 0);
}

struct http_auth {
	struct accounts *acc;
	struct book **book;
	int loopback;
	struct ratelimit *rl;
	char reload_key[RELOADKEY_HEXLEN + 1]; /* "" when none */
	struct session sessions[AUTH_SESSIONS];
};

static struct scope *auth_current;
static char auth_current_name[ACCOUNT_NAME_MAX + 1];

const struct scope *
auth_scope(void)
{
	return auth_current;
}

const char *
auth_account(void)
{
	return auth_current_name[0] ? auth_current_name : NULL;
}

int
http_auth_loopback(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 || strncmp(listen, "[::1]", 5) == 0 ||
	       strncmp(listen, "localhost:", 10) == 0;
}

static int
auth_is_asset(const char *path)
{
	for (size_t i = 0; web_assets[i].path; i++)
		if (strcmp(path, web_assets[i].path) == 0)
			return 1;
	return 0;
}

static const char *
auth_peer(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	const char *host = NULL;
	ev_uint16_t port;

	if (c)
		evhttp_connection_get_peer(c, (char **)&host, &port);
	return host ? host : "?";
}

static int
auth_loopback_addr(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	       strncmp(a, "::ffff:127.", 11) == 0;
}

/* A request relayed by a proxy on this machine (docs/nginx-tiendo.conf,
 * Caddy and Apache all add X-Forwarded-For): it comes from the network,
 * not from the machine's own users. */
static int
auth_proxied(struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);

	return evhttp_find_header(in, "X-Forwarded-For") != NULL ||
	       evhttp_find_header(in, "X-Real-IP") != NULL ||
	       evhttp_find_header(in, "Forwarded") != NULL;
}

int
http_auth_local(struct evhttp_request *req)
{
	return auth_loopback_addr(auth_peer(req)) && !auth_proxied(req);
}

/* The address a request came from: behind a proxy on loopback, the hop
 * the proxy appended last to X-Forwarded-For (the client's own entries
 * before it are whatever the client wrote). */
static const char *
auth_client(struct evhttp_request *req, char *buf, size_t n)
{
	const char *peer = auth_peer(req);
	const char *x = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                   "X-Forwarded-For");
	const char *last;
	size_t len;

	if (x == NULL || !auth_loopback_addr(peer))
		return peer;
	last = strrchr(x, ',');
	last = last ? last + 1 : x;
	last += strspn(last, " \t");
	len = strcspn(last, " \t");
	if (len == 0)
		return peer;
	snprintf(buf, n, "%.*s", (int)len, last);
	return buf;
}

/* "tiendo_session=ID" in the Cookie header, or NULL. */
static const char *
auth_cookie(struct evhttp_request *req, char *id, size_t n)
{
	const char *c = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                   "Cookie");
	const char *p = c ? strstr(c, "tiendo_session=") : NULL;
	size_t len;

	if (p == NULL)
		return NULL;
	p += strlen("tiendo_session=");
	len = strcspn(p, "; ");
	if (len == 0 || len >= n)
		return NULL;
	memcpy(id, p, len);
	id[len] = '\0';
	return id;
}

static struct session *
auth_session(struct http_auth *a, const char *id, when_t now)
{
	for (size_t i = 0; id && i < AUTH_SESSIONS; i++) {
		struct session *s = &a->sessions[i];
		if (s->id[0] && sodium_memcmp(s->id, id, 33) == 0) {
			if (s->expires > now)
				return s;
			s->id[0] = '\0';
		}
	}
	return NULL;
}

/* The page's own origin: Origin (or Referer) names the Host. */
static int
auth_same_origin(struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *host = evhttp_find_header(in, "Host");
	const char *o = evhttp_find_header(in, "Origin");
	const char *from = o ? o : evhttp_find_header(in, "Referer");
	const char *rest;
	size_t hl;

	if (host == NULL || from == NULL)
		return 0;
	rest = strncmp(from, "http://", 7) == 0 ? from + 7
	       : strncmp(from, "https://", 8) == 0 ? from + 8 : NULL;
	hl = strlen(host);
	return rest && strncmp(rest, host, hl) == 0 &&
	       (rest[hl] == '\0' || rest[hl] == '/');
}

static void
auth_deny(struct evhttp_request *req, int code, const char *msg)
{
	if (code == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "WWW-Authenticate", "Bearer realm=\"tiendo\"");
	http_error(req, code, "%s", msg);
}

/* The account behind the request, and whether it came by cookie. */
static const struct account *
auth_who(struct http_auth *a, struct evhttp_request *req, int *by_cookie)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                   "Authorization");
	char id[64];
	struct session *s;

	*by_cookie = 0;
	if (h && strncmp(h, "Bearer ", 7) == 0)
		return accounts_token(a->acc, h + 7);
	if ((s = auth_session(a, auth_cookie(req, id, sizeof id), when_now()))) {
		const struct account *acct = accounts_find(a->acc, s->name);
		unsigned char pw[16];

		if (acct)
			auth_pw_mark(acct, pw);
		if (acct == NULL || sodium_memcmp(pw, s->pw, sizeof pw) != 0) {
			s->id[0] = '\0';
			return NULL;
		}
		*by_cookie = 1;
		return acct;
	}
	return NULL;
}

static int
auth_gate(struct evhttp_request *req, const char *path, void *arg)
{
	struct http_auth *a = arg;
	struct book *b = *a->book;
	const struct account *acct;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *key;
	int by_cookie, all;

	scope_free(auth_current);
	auth_current = NULL;
	auth_current_name[0] = '\0';
	if (path && (strcmp(path, "/healthz") == 0 || strcmp(path, "/login") == 0 ||
	             strcmp(path, "/logout") == 0))
		return 0;
	/* The unit's ExecReload= (tiendo-ctl --config FILE reload) holds no
	 * account: it proves itself by reading STATE_DIR/reload.key. */
	if (path && strcmp(path, "/v1/reload") == 0 &&
	    (key = evhttp_find_header(evhttp_request_get_input_headers(req),
	                              RELOADKEY_HEADER)) != NULL) {
		if (a->reload_key[0] && strlen(key) == RELOADKEY_HEXLEN &&
		    sodium_memcmp(key, a->reload_key, RELOADKEY_HEXLEN) == 0)
			return 0;
		auth_deny(req, 403, "wrong " RELOADKEY_HEADER ": it must be "
		          "the daemon's STATE_DIR/" RELOADKEY_FILE ", which each "
		          "start writes anew");
		return -1;
	}
	if (accounts_count(a->acc) == 0) {
		if (a->loopback && !auth_proxied(req))
			return 0;
		auth_deny(req, 403, a->loopback
		          ? "no accounts yet, and this request came through a "
		            "proxy: create one with tiendo-ctl user add"
		          : "no accounts yet, and the listener is not "
		            "loopback: create one with tiendo-ctl user add");
		return -1;
	}
	if (path && auth_is_asset(path))
		return 0;
	if ((acct = auth_who(a, req, &by_cookie)) == NULL) {
		auth_deny(req, 401, "log in (POST /login) or send "
		          "Authorization: Bearer TOKEN");
		return -1;
	}
	if (by_cookie && cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD &&
	    !auth_same_origin(req)) {
		auth_deny(req, 403, "a request that changes something must come "
		          "from the dashboard's own page");
		return -1;
	}
	snprintf(auth_current_name, sizeof auth_current_name, "%s", acct->name);
	auth_current = scope_new(b->plan, b->generation, acct->scope, &all);
	if (!all && auth_current == NULL) {
		http_error(req, 503, "out of memory");
		return -1;
	}
	if (!all && path && (strcmp(path, "/metrics") == 0 ||
	                     strcmp(path, "/v1/reload") == 0)) {
		auth_deny(req, 403, "this needs an account whose scope is \"*\"");
		return -1;
	}
	return 0;
}

static void
auth_set_cookie(struct evhttp_request *req, const char *id, long max_age)
{
	const char *proto = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                       "X-Forwarded-Proto");
	char c[256];

	/* Only a proxy on this machine is believed about TLS. */
	int tls = proto && strcmp(proto, "https") == 0 &&
	          auth_loopback_addr(auth_peer(req));

	snprintf(c, sizeof c, "tiendo_session=%s; Path=/; Max-Age=%ld; HttpOnly; "
	         "SameSite=Strict%s", id, max_age, tls ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Set-Cookie", c);
}

static struct session *
auth_new_session(struct http_auth *a, const struct account *acct, when_t now)
{
	struct session *s = &a->sessions[0];
	unsigned char raw[16];

	/* A free or expired slot, else the one closest to expiring. */
	for (size_t i = 0; i < AUTH_SESSIONS; i++) {
		struct session *t = &a->sessions[i];
		if (!t->id[0] || t->expires <= now) {
			s = t;
			break;
		}
		if (t->expires < s->expires)
			s = t;
	}
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(s->id, sizeof s->id, raw, sizeof raw);
	snprintf(s->name, sizeof s->name, "%s", acct->name);
	auth_pw_mark(acct, s->pw);
	s->expires = now + AUTH_SESSION_MS;
	return s;
}

static void
auth_login(struct evhttp_request *req, void *arg)
{
	struct http_auth *a = arg;
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(body);
	char form[2048];
	struct evkeyvalq q;
	const char *name, *pw;
	const struct account *acct;
	struct session *s;
	uint64_t dropped;
	char addrbuf[64];
	const char *from = auth_client(req, addrbuf, sizeof addrbuf);

	if (!auth_same_origin(req)) {
		auth_deny(req, 403, "log in from the dashboard's own page");
		return;
	}
	if (!ratelimit_allow(a->rl, from, when_now(), &dropped)) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Retry-After", "60");
		http_error(req, 429, "too many tries from %s: wait a minute",
		           from);
		return;
	}
	if (len >= sizeof form) {
		http_error(req, 400, "the form is too long");
		return;
	}
	evbuffer_copyout(body, form, len);
	form[len] = '\0';
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(form, &q) < 0 ||
	    (name = evhttp_find_header(&q, "name")) == NULL ||
	    (pw = evhttp_find_header(&q, "password")) == NULL) {
		evhttp_clear_headers(&q);
		sodium_memzero(form, sizeof form);
		http_error(req, 400, "expected the form name=...&password=...");
		return;
	}
	(void)accounts_count(a->acc); /* re-reads the file if it changed */
	if ((acct = accounts_password(a->acc, name, pw)) == NULL) {
		log_notice("accounts: failed login as \"%.64s\" from %s", name,
		           from);
		evhttp_clear_headers(&q);
		sodium_memzero(form, sizeof form);
		auth_deny(req, 401, "wrong name or password");
		return;
	}
	s = auth_new_session(a, acct, when_now());
	auth_set_cookie(req, s->id, AUTH_SESSION_MS / 1000);
	http_reply(req, 200, json_pack("{s:s, s:s}", "name", acct->name,
	                               "scope", acct->scope));
	evhttp_clear_headers(&q);
	sodium_memzero(form, sizeof form);
}

static void
auth_logout(struct evhttp_request *req, void *arg)
{
	struct http_auth *a = arg;
	struct session *s;
	char id[64];

	if (!auth_same_origin(req)) {
		auth_deny(req, 403, "log out from the dashboard's own page");
		return;
	}
	if ((s = auth_session(a, auth_cookie(req, id, sizeof id), when_now())))
		s->id[0] = '\0';
	auth_set_cookie(req, "", 0);
	http_reply(req, 200, json_pack("{s:b}", "logged_out", 1));
}

struct http_auth *
http_auth_new(struct http *h, struct book **book, const char *listen,
              const char *path)
{
	struct http_auth *a = calloc(1, sizeof *a);

	if (a == NULL || (a->acc = accounts_new(path)) == NULL ||
	    (a->rl = ratelimit_new(AUTH_LOGIN_BURST, AUTH_LOGIN_WINDOW_MS)) == NULL ||
	    http_route(h, "/login", EVHTTP_REQ_POST, auth_login, a) < 0 ||
	    http_route(h, "/logout", EVHTTP_REQ_POST, auth_logout, a) < 0) {
		http_auth_free(a);
		return NULL;
	}
	a->book = book;
	a->loopback = http_auth_loopback(listen);
	if (accounts_count(a->acc) == 0 && !a->loopback)
		log_warn("http: %s is not loopback and %s has no accounts: "
		         "everything but /healthz is refused until one is added "
		         "(tiendo-ctl user add)", listen, path);
	http_set_gate(h, auth_gate, a);
	return a;
}

void
http_auth_set_reload_key(struct http_auth *a, const char *hex)
{
	snprintf(a->reload_key, sizeof a->reload_key, "%s", hex ? hex : "");
}

void
http_auth_free(struct http_auth *a)
{
	if (a == NULL)
		return;
	scope_free(auth_current);
	auth_current = NULL;
	accounts_free(a->acc);
	ratelimit_free(a->rl);
	sodium_memzero(a->reload_key, sizeof a->reload_key);
	free(a);
}
