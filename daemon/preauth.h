/*
 * preauth.h - bounds the connections of a CurveZMQ listener that have not
 * authenticated yet, per source address and in total.
 *
 * libzmq allocates what a handshake frame declares (up to ZMQ_MAXMSGSIZE)
 * before any key is checked, and has no connection limit of its own.  So
 * the listener's monitor reports each accepted connection (with its
 * descriptor); it counts as unauthenticated until the ZAP handler hears
 * from its address (the handshake's last step), it goes, or the handshake
 * deadline passes.  Beyond the bounds, the oldest such connection (from
 * the same address, or from any) is cut (shutdown(2), as connfds.h does):
 * a real client is through its handshake in a few round trips, so a flood
 * evicts its own connections, not it.  Plain mode has no ZAP: no guard.
 */
#ifndef TIENDO_PREAUTH_H
#define TIENDO_PREAUTH_H

#include <stdint.h>

#include <event2/event.h>

/* Unauthenticated connections at once: from one address, and in all.
 * Times the ingest message limit, the memory they can make us hold. */
#define PREAUTH_PER_ADDRESS 16
#define PREAUTH_TOTAL 128

struct preauth;

struct preauth_stats {
	uint64_t pending;  /* now */
	uint64_t cut;      /* connections cut to make room */
};

/* Watches `sock` (bound at `endpoint`, tcp://) through a monitor; entries
 * expire after `handshake_ms`.  NULL with a malloc'd *err. */
struct preauth *preauth_new(struct event_base *base, void *zctx, void *sock,
                            const char *endpoint, int64_t handshake_ms,
                            char **err);
void preauth_free(struct preauth *pa);

/* The ZAP handler heard from `address` (an IP, as ZAP gives it): its
 * oldest unauthenticated connection is through the handshake. */
void preauth_on_zap(void *arg, const char *address);

/* tiendo_preauth_* families (a metrics_src hook; arg: the preauth). */
struct evbuffer;
void preauth_metrics(void *arg, struct evbuffer *out);

#endif
