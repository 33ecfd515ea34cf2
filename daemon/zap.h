/*
 * zap.h - the daemon's ZAP handler (ZeroMQ RFC 27): decides which CurveZMQ
 * clients may connect, and under which identity.
 *
 * A ZMQ_REP socket bound to inproc://zeromq.zap.01 in the daemon's context,
 * serviced on the libevent loop through ZMQ_FD like the ingest socket.  It
 * must exist before any CURVE socket is bound: libzmq 4.3 lets any CURVE
 * client in when no handler answers.  A key found in the authorised-keys
 * directory (authkeys.h) is answered 200 with the file's identity as the
 * User-Id, which libzmq attaches to every message of that connection; any
 * other key, and any mechanism but CURVE, is answered 400.
 */
#ifndef TIENDO_ZAP_H
#define TIENDO_ZAP_H

#include <stdint.h>

#include <event2/event.h>

#include "authkeys.h"

/* The connection property (zmq_msg_gets) holding the key, in Z85, that the
 * connection was authorised with. */
#define ZAP_KEY_PROPERTY "X-Key"

struct zap;

struct zap_stats {
	uint64_t allowed, refused;
	uint64_t reloads, reload_failures;
	size_t keys;
	size_t revoked; /* keys the last reload removed or replaced */
};

/* Loads clients_dir and binds the handler.  NULL with a malloc'd *err. */
struct zap *zap_new(struct event_base *base, void *zctx,
                    const char *clients_dir, char **err);
void zap_free(struct zap *z);

/* Reads the directory again (SIGHUP).  All or nothing: on an error the old
 * set stays and the error is logged.  0, or -1. */
int zap_reload(struct zap *z);

/* The authorised client of that identity, or NULL (never was, or revoked
 * since it connected: a ZAP answer is given once per connection, so ingest
 * asks again at each batch).  Valid until the next zap_reload. */
const struct authkey *zap_client(const struct zap *z, const char *identity);

const struct zap_stats *zap_stats(const struct zap *z);

/* fn(arg, address) on every request, before the verdict (preauth.h). */
void zap_set_hook(struct zap *z, void (*fn)(void *, const char *), void *arg);

#endif
