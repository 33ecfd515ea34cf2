/*
 * connfds.h - the descriptors of the connections a ZeroMQ listener has
 * accepted, learnt from its socket monitor (ZMQ_EVENT_ACCEPTED and
 * ZMQ_EVENT_DISCONNECTED carry the descriptor), so that they can be cut.
 *
 * libzmq 4.3 has no call to drop one peer of a bound socket.  shutdown(2)
 * on its descriptor does it from outside: libzmq reads end-of-file, closes
 * the connection and reports it as any other disconnection.  The
 * descriptor stays libzmq's (shutdown does not close it), and before each
 * cut its local port is checked against the listener's, so a number
 * reused since by another kind of descriptor is never touched.
 */
#ifndef TIENDO_CONNFDS_H
#define TIENDO_CONNFDS_H

#include <stddef.h>

struct connfds;

/* For a listener bound at `endpoint` (tcp://HOST:PORT; other transports:
 * nothing to cut).  NULL when out of memory. */
struct connfds *connfds_new(const char *endpoint);
void connfds_free(struct connfds *cf);

/* A monitor event: fd accepted (1) or gone (0). */
void connfds_event(struct connfds *cf, int accepted, int fd);

/* Cuts every connection known.  Returns how many were cut. */
size_t connfds_cut_all(struct connfds *cf);

size_t connfds_count(const struct connfds *cf);

#endif
