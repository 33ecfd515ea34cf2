/*
 * curve.h - how the daemon's ZeroMQ listeners are secured: CurveZMQ with
 * the server key pair and the ZAP handler (zap.h), or plain mode for one
 * machine; and the bounds every listener gets against hostile peers.
 *
 * For a new listening socket, one call between zmq_socket() and zmq_bind():
 *
 *     if (curve_server_setup(curve, sock, max_msg_bytes, hwm, &err) < 0) ...
 *     zmq_bind(sock, endpoint) ...
 *     curve_check_bind(curve, "alerts", bound_endpoint);
 *
 * and, for a socket whose peers send messages (ROUTER), the identity of each
 * message's sender from curve_user_id().
 *
 *   KEYS_DIR/server.secret         the daemon's secret key (mode 0600)
 *   KEYS_DIR/server.pub            its public key, to hand to clients
 *   KEYS_DIR/clients/NAME.key      one authorised client each (authkeys.h)
 */
#ifndef TIENDO_CURVE_H
#define TIENDO_CURVE_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <zmq.h>

#include "zap.h"

/* Every listener: a peer must finish its handshake within this, and one
 * that stops answering heartbeats is dropped. */
/* Short: what an unauthenticated peer makes us hold, it holds this long. */
#define CURVE_HANDSHAKE_MS 5000
#define CURVE_HEARTBEAT_IVL_MS 10000
#define CURVE_HEARTBEAT_TIMEOUT_MS 30000
#define CURVE_ZAP_DOMAIN "tiendo"
/* What CurveZMQ adds to each message on the wire: its MESSAGE command's
 * name (8 bytes), nonce (8), flags (1) and MAC (16).  libzmq measures
 * ZMQ_MAXMSGSIZE on the wire, so a limit meant for messages grows by it. */
#define CURVE_MESSAGE_OVERHEAD 33

struct curve;

/* The linked libzmq: at least 4.3.4 (CVE-2020-15166 and earlier fixes), and
 * with CURVE when need_curve.  0, or -1 with a malloc'd *err. */
int curve_check_libzmq(int need_curve, char **err);

/* enabled: loads KEYS_DIR/server.secret and starts the ZAP handler over
 * KEYS_DIR/clients; otherwise plain mode (keys_dir unused).  Call before
 * any listener is created.  NULL with a malloc'd *err. */
struct curve *curve_new(struct event_base *base, void *zctx, int enabled,
                        const char *keys_dir, char **err);
/* Closes the ZAP socket: call before zmq_ctx_term. */
void curve_free(struct curve *c);

int curve_enabled(const struct curve *c);
/* The ZAP handler, NULL in plain mode. */
struct zap *curve_zap(const struct curve *c);
/* The server's public key (Z85), "" in plain mode. */
const char *curve_public_key(const struct curve *c);

/* Re-reads the authorised keys (SIGHUP); a no-op in plain mode. 0 or -1. */
int curve_reload(struct curve *c);

/* Secures a server socket before its bind: CURVE server with our secret
 * key and the ZAP domain (plain mode: nothing), and in both modes the
 * handshake deadline, heartbeats, ZMQ_MAXMSGSIZE such that a message of
 * max_msg bytes passes and one byte more does not (CURVE: plus
 * CURVE_MESSAGE_OVERHEAD, the command around it) and, when
 * hwm > 0, ZMQ_SNDHWM = ZMQ_RCVHWM = hwm (per peer).  0, or -1 with a
 * malloc'd *err. */
int curve_server_setup(const struct curve *c, void *sock, int64_t max_msg,
                       int hwm, char **err);

/* After a bind: in plain mode, warns loudly unless the endpoint is
 * loopback (or ipc/inproc). */
void curve_check_bind(const struct curve *c, const char *what,
                      const char *endpoint);

/* 1 when a bound endpoint only accepts local peers. */
int curve_endpoint_local(const char *endpoint);

/* The authenticated identity of the connection a message came on, or NULL
 * (plain mode, or no ZAP answer). */
const char *curve_user_id(const struct curve *c, zmq_msg_t *msg);
/* The key (Z85) that connection was authorised with, or NULL. */
const char *curve_user_key(const struct curve *c, zmq_msg_t *msg);

#endif
