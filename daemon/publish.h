/*
 * publish.h - where alert events leave the daemon: a PUB socket (each event
 * under several topics, PROTOCOL.md section 4.2), a heartbeat on it every
 * second, and the snapshot ROUTER that late joiners ask for the state
 * consistent with a sequence number (the zguide's Clone pattern).
 */
#ifndef TIENDO_PUBLISH_H
#define TIENDO_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "alertstore.h"

#define PUBLISH_TOPICS 4
/* A subscriber further behind than this gets the active set instead of
 * the events it missed. */
#define PUBLISH_REPLAY_MAX 10000

struct publish;

struct publish_stats {
	uint64_t published;       /* events */
	uint64_t snapshots;       /* requests answered */
	uint64_t snapshots_refused; /* over an identity's rate: dropped */
	uint64_t replies_dropped; /* snapshot replies lost (peer gone) */
	uint64_t subscribers;     /* connected to the PUB socket now */
};

/* Binds both endpoints (port 0: any), secured by `curve` (CurveZMQ, or
 * plain mode with a warning off loopback).  Reads snapshots from `as`.
 * `seq` is the last event already published (the stored history's last).
 * NULL with a malloc'd *err. */
struct curve;
struct publish *publish_new(struct event_base *base, void *zctx,
                            const char *pub, const char *snapshot,
                            struct alertstore *as, uint64_t seq,
                            const struct curve *curve, char **err);
void publish_free(struct publish *p);

/* Sends one stored event under each of its topics (NULL ones skipped),
 * and makes it the seq
 * the heartbeat and the snapshots speak of. */
void publish_alert(struct publish *p, char *const topics[PUBLISH_TOPICS],
                   uint64_t seq, const void *body, size_t len);

/* Cuts every connection of the PUB and snapshot sockets (a key was
 * revoked: the reconnections pass ZAP again).  Returns how many. */
size_t publish_revoke(const struct publish *p);

/* tiendo_snapshot_* families (a metrics_src hook; arg: the publish). */
struct evbuffer;
void publish_metrics(void *arg, struct evbuffer *out);
/* Sends a message that is not an event (no seq: a group, PROTOCOL.md 4.7) under one
 * topic. */
int publish_other(struct publish *p, const char *topic, const void *body,
                   size_t len);

const char *publish_pub_endpoint(const struct publish *p);
const char *publish_snapshot_endpoint(const struct publish *p);
const struct publish_stats *publish_stats(const struct publish *p);
/* The seq of the last event published (stored, its commit answered). */
uint64_t publish_seq(const struct publish *p);

#endif
