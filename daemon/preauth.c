/*
 * preauth.c - see preauth.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <zmq.h>

#include "log.h"
#include "preauth.h"
#include "ratelimit.h"

struct pending {
	int fd;
	char addr[INET6_ADDRSTRLEN];
	int64_t since;
};

struct preauth {
	void *sock, *mon;
	struct event *ev_mon;
	struct pending v[PREAUTH_TOTAL];
	size_t n;
	int port;
	int64_t handshake_ms;
	struct ratelimit *rl;
	struct preauth_stats stats;
};

static int64_t
pa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pa_remove(struct preauth *pa, size_t i)
{
	pa->v[i] = pa->v[--pa->n];
}

/* Past the handshake deadline libzmq has closed it, or it got in. */
static void
pa_expire(struct preauth *pa, int64_t now)
{
	for (size_t i = 0; i < pa->n;)
		if (now - pa->v[i].since > pa->handshake_ms + 1000)
			pa_remove(pa, i);
		else
			i++;
}

/* The peer's address, and 1 when fd is still one of our listener's. */
static int
pa_peer(const struct preauth *pa, int fd, char *addr, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return 0;
	len = sizeof ss;
	if (port != pa->port || getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, n);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, n);
	return 1;
}

/* Cuts the oldest unauthenticated connection (from `addr`, or from
 * anywhere when NULL) to make room: a real client finishes its handshake
 * in a few round trips, so a flood evicts its own before it. */
static void
pa_evict(struct preauth *pa, const char *addr, int64_t now)
{
	size_t old = pa->n;
	char peer[INET6_ADDRSTRLEN];
	uint64_t suppressed;

	for (size_t i = 0; i < pa->n; i++)
		if ((addr == NULL || strcmp(pa->v[i].addr, addr) == 0) &&
		    (old == pa->n || pa->v[i].since < pa->v[old].since))
			old = i;
	if (old == pa->n)
		return;
	/* Still the connection we noted (not a number reused since)? */
	if (pa_peer(pa, pa->v[old].fd, peer, sizeof peer) &&
	    strcmp(peer, pa->v[old].addr) == 0)
		shutdown(pa->v[old].fd, SHUT_RDWR);
	pa->stats.cut++;
	if (ratelimit_allow(pa->rl, "cut", now, &suppressed))
		log_warn("ingest: cut an unauthenticated connection from %s to "
		         "make room (%d from one address, %d in all, at most; "
		         "%llu more cut in the last minute)", pa->v[old].addr,
		         PREAUTH_PER_ADDRESS, PREAUTH_TOTAL,
		         (unsigned long long)suppressed);
	pa_remove(pa, old);
}

static void
pa_accepted(struct preauth *pa, int fd)
{
	char addr[INET6_ADDRSTRLEN];
	int64_t now = pa_now();
	size_t same = 0;

	if (!pa_peer(pa, fd, addr, sizeof addr))
		return;
	pa_expire(pa, now);
	for (size_t i = 0; i < pa->n; i++)
		same += strcmp(pa->v[i].addr, addr) == 0;
	if (same >= PREAUTH_PER_ADDRESS)
		pa_evict(pa, addr, now);
	else if (pa->n == PREAUTH_TOTAL)
		pa_evict(pa, NULL, now);
	pa->v[pa->n].fd = fd;
	pa->v[pa->n].since = now;
	snprintf(pa->v[pa->n].addr, sizeof pa->v[pa->n].addr, "%s", addr);
	pa->n++;
}

static void
pa_gone(struct preauth *pa, int fd)
{
	for (size_t i = 0; i < pa->n; i++)
		if (pa->v[i].fd == fd) {
			pa_remove(pa, i);
			return;
		}
}

static void pa_on_monitor(evutil_socket_t fd, short what, void *arg);

void
preauth_on_zap(void *arg, const char *address)
{
	struct preauth *pa = arg;
	size_t oldest;

	/* The accept may still wait in the monitor's queue. */
	pa_on_monitor(-1, 0, pa);
	oldest = pa->n;
	for (size_t i = 0; i < pa->n; i++)
		if (strcmp(pa->v[i].addr, address) == 0 &&
		    (oldest == pa->n || pa->v[i].since < pa->v[oldest].since))
			oldest = i;
	if (oldest < pa->n)
		pa_remove(pa, oldest);
	pa->stats.pending = pa->n;
}

static void
pa_on_monitor(evutil_socket_t fd, short what, void *arg)
{
	struct preauth *pa = arg;
	uint8_t head[6];
	int n, more;
	size_t len = sizeof more;

	while ((n = zmq_recv(pa->mon, head, sizeof head, ZMQ_DONTWAIT)) >= 0) {
		uint16_t event;
		uint32_t value;

		memcpy(&event, head, sizeof event);
		memcpy(&value, head + 2, sizeof value);
		if (n == 6 && event == ZMQ_EVENT_ACCEPTED)
			pa_accepted(pa, (int)value);
		else if (n == 6 && event == ZMQ_EVENT_DISCONNECTED)
			pa_gone(pa, (int)value);
		while (zmq_getsockopt(pa->mon, ZMQ_RCVMORE, &more, &len) == 0 &&
		       more && zmq_recv(pa->mon, head, sizeof head, 0) >= 0)
			;
	}
	pa->stats.pending = pa->n;
}

struct preauth *
preauth_new(struct event_base *base, void *zctx, void *sock,
            const char *endpoint, int64_t handshake_ms, char **err)
{
	struct preauth *pa = calloc(1, sizeof *pa);
	const char *colon = strrchr(endpoint, ':');
	char ep[64];
	int fd;
	size_t len = sizeof fd;

	*err = NULL;
	if (pa == NULL || (pa->rl = ratelimit_new(1, 60000)) == NULL)
		goto nomem;
	pa->port = colon ? atoi(colon + 1) : 0;
	pa->sock = sock;
	pa->handshake_ms = handshake_ms;
	snprintf(ep, sizeof ep, "inproc://tiendo-preauth-%p", (void *)pa);
	if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_ACCEPTED |
	                       ZMQ_EVENT_DISCONNECTED) < 0 ||
	    (pa->mon = zmq_socket(zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(pa->mon, ep) < 0 ||
	    zmq_getsockopt(pa->mon, ZMQ_FD, &fd, &len) < 0) {
		if (asprintf(err, "preauth: monitor: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		preauth_free(pa);
		return NULL;
	}
	pa->ev_mon = event_new(base, fd, EV_READ | EV_PERSIST, pa_on_monitor, pa);
	if (pa->ev_mon == NULL || event_add(pa->ev_mon, NULL) < 0)
		goto nomem;
	/* libzmq signals a reader only once it found its pipe empty. */
	event_active(pa->ev_mon, EV_READ, 0);
	return pa;
nomem:
	if (asprintf(err, "preauth: out of memory") < 0)
		*err = NULL;
	preauth_free(pa);
	return NULL;
}

void
preauth_free(struct preauth *pa)
{
	if (pa == NULL)
		return;
	if (pa->ev_mon)
		event_free(pa->ev_mon);
	if (pa->sock && pa->mon)
		zmq_socket_monitor(pa->sock, NULL, 0);
	if (pa->mon) {
		int zero = 0;
		zmq_setsockopt(pa->mon, ZMQ_LINGER, &zero, sizeof zero);
		zmq_close(pa->mon);
	}
	ratelimit_free(pa->rl);
	free(pa);
}

void
preauth_metrics(void *arg, struct evbuffer *out)
{
	const struct preauth *pa = arg;

	evbuffer_add_printf(out,
	    "# HELP tiendo_ingest_unauthenticated Ingest connections still in "
	    "their handshake.\n"
	    "# TYPE tiendo_ingest_unauthenticated gauge\n"
	    "tiendo_ingest_unauthenticated %zu\n"
	    "# HELP tiendo_ingest_preauth_cut_total Unauthenticated ingest "
	    "connections cut to make room: more than %d from one address or "
	    "%d in all.\n"
	    "# TYPE tiendo_ingest_preauth_cut_total counter\n"
	    "tiendo_ingest_preauth_cut_total %llu\n",
	    pa->n, PREAUTH_PER_ADDRESS, PREAUTH_TOTAL,
	    (unsigned long long)pa->stats.cut);
}
