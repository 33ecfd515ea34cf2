/*
 * curve.c - CurveZMQ server setup, the libzmq check, listener bounds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "curve.h"
#include "keyfile.h"
#include "log.h"

struct curve {
	int enabled;
	char public_z85[KEYFILE_Z85_LEN + 1];
	char secret_z85[KEYFILE_Z85_LEN + 1];
	struct zap *zap;
};

static int
curve_fail(char **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
curve_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -1;
}

int
curve_check_libzmq(int need_curve, char **err)
{
	int major, minor, patch;

	*err = NULL;
	zmq_version(&major, &minor, &patch);
	if (ZMQ_MAKE_VERSION(major, minor, patch) < ZMQ_MAKE_VERSION(4, 3, 4))
		return curve_fail(err, "libzmq %d.%d.%d is too old: 4.3.4 or "
		                  "later is needed (CVE-2020-15166, "
		                  "CVE-2019-13132)", major, minor, patch);
	if (need_curve && !zmq_has("curve"))
		return curve_fail(err, "libzmq %d.%d.%d was built without CURVE "
		                  "(zmq_has(\"curve\") is false); use a build "
		                  "with libsodium, or curve = off on one machine",
		                  major, minor, patch);
	return 0;
}

/* Loads the server's secret key and derives its public key. */
static int
curve_load_server(struct curve *c, const char *keys_dir, char **err)
{
	struct keyfile kf;
	struct stat sb;
	char path[4096];

	/* Under systemd, LoadCredential= hands the secret to the dynamic user
	 * that could not read the root-only file itself. */
	const char *cred = getenv("CREDENTIALS_DIRECTORY");

	snprintf(path, sizeof path, "%s/server.secret", cred ? cred : "");
	if (cred == NULL || *cred == '\0' || access(path, F_OK) != 0)
		snprintf(path, sizeof path, "%s/server.secret", keys_dir);
	if (authkeys_read_file(path, &kf, err) < 0) {
		char *inner = *err;
		curve_fail(err, "%s; make one with: tiendo-ctl keygen --dir %s "
		           "server (or run plain: curve = off)",
		           inner ? inner : path, keys_dir);
		free(inner);
		return -1;
	}
	if (kf.units != NULL) {
		keyfile_clear(&kf);
		return curve_fail(err, "%s: a secret key file has no units", path);
	}
	memcpy(c->secret_z85, kf.key, sizeof c->secret_z85);
	keyfile_clear(&kf);
	if (zmq_curve_public(c->public_z85, c->secret_z85) < 0)
		return curve_fail(err, "%s: not a usable secret key: %s", path,
		                  zmq_strerror(errno));
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("%s is readable by others (mode %03o): chmod 600 it",
		         path, (unsigned)(sb.st_mode & 0777));
	return 0;
}

struct curve *
curve_new(struct event_base *base, void *zctx, int enabled,
          const char *keys_dir, char **err)
{
	struct curve *c = calloc(1, sizeof *c);
	char dir[4096];

	*err = NULL;
	if (c == NULL) {
		curve_fail(err, "out of memory");
		return NULL;
	}
	c->enabled = enabled;
	if (!enabled)
		return c;
	if (curve_load_server(c, keys_dir, err) < 0)
		goto fail;
	snprintf(dir, sizeof dir, "%s/clients", keys_dir);
	/* The handler before any listener: see zap.h. */
	if ((c->zap = zap_new(base, zctx, dir, err)) == NULL)
		goto fail;
	log_notice("curve: on, server public key %s", c->public_z85);
	return c;
fail:
	curve_free(c);
	return NULL;
}

void
curve_free(struct curve *c)
{
	if (c == NULL)
		return;
	zap_free(c->zap);
	/* The secret does not outlive its use in this process's memory. */
	explicit_bzero(c->secret_z85, sizeof c->secret_z85);
	free(c);
}

int
curve_enabled(const struct curve *c)
{
	return c != NULL && c->enabled;
}

struct zap *
curve_zap(const struct curve *c)
{
	return c ? c->zap : NULL;
}

const char *
curve_public_key(const struct curve *c)
{
	return c && c->enabled ? c->public_z85 : "";
}

int
curve_reload(struct curve *c)
{
	return c && c->zap ? zap_reload(c->zap) : 0;
}

int
curve_server_setup(const struct curve *c, void *sock, int64_t max_msg,
                   int hwm, char **err)
{
	int one = 1, hs = CURVE_HANDSHAKE_MS, ivl = CURVE_HEARTBEAT_IVL_MS;
	int hto = CURVE_HEARTBEAT_TIMEOUT_MS;
	struct { int opt; const void *val; size_t len; const char *name; } o[] = {
		{ ZMQ_HANDSHAKE_IVL, &hs, sizeof hs, "ZMQ_HANDSHAKE_IVL" },
		{ ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl, "ZMQ_HEARTBEAT_IVL" },
		{ ZMQ_HEARTBEAT_TIMEOUT, &hto, sizeof hto, "ZMQ_HEARTBEAT_TIMEOUT" },
		{ ZMQ_HEARTBEAT_TTL, &hto, sizeof hto, "ZMQ_HEARTBEAT_TTL" },
		{ ZMQ_MAXMSGSIZE, &max_msg, sizeof max_msg, "ZMQ_MAXMSGSIZE" },
		{ ZMQ_SNDHWM, &hwm, sizeof hwm, "ZMQ_SNDHWM" },
		{ ZMQ_RCVHWM, &hwm, sizeof hwm, "ZMQ_RCVHWM" },
		{ ZMQ_CURVE_SERVER, &one, sizeof one, "ZMQ_CURVE_SERVER" },
		{ ZMQ_CURVE_SECRETKEY, c->secret_z85, KEYFILE_Z85_LEN + 1,
		  "ZMQ_CURVE_SECRETKEY" },
		{ ZMQ_ZAP_DOMAIN, CURVE_ZAP_DOMAIN, strlen(CURVE_ZAP_DOMAIN),
		  "ZMQ_ZAP_DOMAIN" },
	};
	size_t n = sizeof o / sizeof o[0];

	*err = NULL;
	if (!c->enabled)
		n -= 3;
	else
		max_msg += CURVE_MESSAGE_OVERHEAD;
	for (size_t i = 0; i < n; i++) {
		if ((o[i].opt == ZMQ_SNDHWM || o[i].opt == ZMQ_RCVHWM) && hwm <= 0)
			continue;
		if (zmq_setsockopt(sock, o[i].opt, o[i].val, o[i].len) < 0)
			return curve_fail(err, "setsockopt %s: %s", o[i].name,
			                  zmq_strerror(errno));
	}
	return 0;
}

int
curve_endpoint_local(const char *ep)
{
	const char *host, *end;
	size_t n;

	if (strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
		return 1;
	if (strncmp(ep, "tcp://", 6) != 0)
		return 0;
	host = ep + 6;
	if ((end = strrchr(host, ':')) == NULL)
		return 0;
	n = (size_t)(end - host);
	if (n >= 4 && strncmp(host, "127.", 4) == 0)
		return strspn(host, "0123456789.") == n;
	return (n == 9 && strncmp(host, "localhost", 9) == 0) ||
	       (n == 5 && strncmp(host, "[::1]", 5) == 0) ||
	       (n == 3 && strncmp(host, "::1", 3) == 0);
}

void
curve_check_bind(const struct curve *c, const char *what, const char *ep)
{
	if (c->enabled || curve_endpoint_local(ep))
		return;
	log_warn("*** %s listens on %s WITHOUT CurveZMQ: anyone who can reach "
	         "it can send data as any client.  Plain mode is for one "
	         "machine: bind to 127.0.0.1, or set curve = on with a key "
	         "pair (tiendo-ctl keygen) ***", what, ep);
}

const char *
curve_user_id(const struct curve *c, zmq_msg_t *msg)
{
	const char *id;

	if (!c->enabled)
		return NULL;
	id = zmq_msg_gets(msg, "User-Id");
	return id && *id ? id : NULL;
}

const char *
curve_user_key(const struct curve *c, zmq_msg_t *msg)
{
	return c->enabled ? zmq_msg_gets(msg, ZAP_KEY_PROPERTY) : NULL;
}
