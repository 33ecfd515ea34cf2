/*
 * zap.c - RFC 27 ZAP handler on the libevent loop.
 *
 * Request frames: version "1.0", request id, domain, address, routing id,
 * mechanism, then credentials (CURVE: the client's 32-byte public key).
 * Reply frames: version, request id, status code, status text, user id,
 * metadata.  The REP socket must answer every request it reads, or it
 * stops reading: every path below sends a reply.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "log.h"
#include "zap.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DRAIN 256       /* requests per wake-up before yielding */
#define ZAP_FRAMES 8        /* more than a CURVE request has */
#define ZAP_LOG_PER_MINUTE 20 /* refusals logged; a key flood is not a log flood */

struct zap {
	void *sock;
	struct event *ev_fd, *ev_more;
	char *dir;
	struct authkeys *keys;
	struct zap_stats stats;
	time_t log_window;
	unsigned log_count, log_dropped;
	void (*hook)(void *, const char *);
	void *hook_arg;
};

static void zap_drain(struct zap *z);

static void
zap_on_event(evutil_socket_t fd, short what, void *arg)
{
	zap_drain(arg);
}

/* Logs a refusal, at most ZAP_LOG_PER_MINUTE a minute. */
static void
zap_log_refusal(struct zap *z, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
zap_log_refusal(struct zap *z, const char *fmt, ...)
{
	time_t now = time(NULL);
	char msg[256];
	va_list ap;

	if (now - z->log_window >= 60) {
		if (z->log_dropped > 0)
			log_notice("zap: %u more refusals not logged in the last "
			           "minute", z->log_dropped);
		z->log_window = now;
		z->log_count = z->log_dropped = 0;
	}
	if (z->log_count >= ZAP_LOG_PER_MINUTE) {
		z->log_dropped++;
		return;
	}
	z->log_count++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_notice("zap: %s", msg);
}

static int
zap_frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);

	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

/* Copies a frame into buf as a printable string (for logs). */
static const char *
zap_frame_str(zmq_msg_t *m, char *buf, size_t n)
{
	size_t len = zmq_msg_size(m);
	const unsigned char *p = zmq_msg_data(m);

	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	buf[len] = '\0';
	return buf;
}

static void
zap_reply(struct zap *z, zmq_msg_t *request_id, const char *code,
          const char *text, const char *user, const char *key_z85)
{
	int flags = ZMQ_SNDMORE | ZMQ_DONTWAIT;
	/* ZMTP metadata: one property, the key this connection was let in
	 * with, so that ingest can tell an old connection of a replaced key
	 * from a new one under the same identity. */
	unsigned char meta[1 + sizeof ZAP_KEY_PROPERTY - 1 + 4 + 40];
	size_t mlen = 0, plen = sizeof ZAP_KEY_PROPERTY - 1;

	if (key_z85 != NULL) {
		meta[0] = (unsigned char)plen;
		memcpy(meta + 1, ZAP_KEY_PROPERTY, plen);
		meta[1 + plen] = meta[2 + plen] = meta[3 + plen] = 0;
		meta[4 + plen] = 40;
		memcpy(meta + 5 + plen, key_z85, 40);
		mlen = sizeof meta;
	}

	if (zmq_send(z->sock, "1.0", 3, flags) < 0 ||
	    zmq_send(z->sock, zmq_msg_data(request_id), zmq_msg_size(request_id),
	             flags) < 0 ||
	    zmq_send(z->sock, code, strlen(code), flags) < 0 ||
	    zmq_send(z->sock, text, strlen(text), flags) < 0 ||
	    zmq_send(z->sock, user, strlen(user), flags) < 0 ||
	    zmq_send(z->sock, meta, mlen, ZMQ_DONTWAIT) < 0)
		log_err("zap: cannot reply: %s", zmq_strerror(errno));
}

/* Reads one request and answers it.  0, or -1 when none waits. */
static int
zap_handle(struct zap *z)
{
	zmq_msg_t f[ZAP_FRAMES];
	size_t n = 0;
	int more = 1;
	char addr[64], key[41];
	const struct authkey *k;

	while (more) {
		zmq_msg_t *m = n < ZAP_FRAMES ? &f[n] : &(zmq_msg_t){ 0 };

		zmq_msg_init(m);
		if (zmq_msg_recv(m, z->sock, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(m);
			if (n == 0) {
				if (errno != EAGAIN && errno != EINTR)
					log_err("zap: receive: %s", zmq_strerror(errno));
				return -1;
			}
			break;
		}
		more = zmq_msg_more(m);
		if (n < ZAP_FRAMES)
			n++;
		else
			zmq_msg_close(m);
	}
	if (z->hook && n >= 4)
		z->hook(z->hook_arg, zap_frame_str(&f[3], addr, sizeof addr));
	if (n < 6 || !zap_frame_is(&f[0], "1.0")) {
		z->stats.refused++;
		log_err("zap: malformed request of %zu frames", n);
		zap_reply(z, n >= 2 ? &f[1] : &f[0], "500", "malformed request", "", NULL);
	} else if (!zap_frame_is(&f[5], "CURVE") || n != 7 ||
	           zmq_msg_size(&f[6]) != 32) {
		/* A plain (NULL) connection reaching this handler means a
		 * listener was bound without curve_server_setup. */
		char mech[16];
		z->stats.refused++;
		zap_log_refusal(z, "refused a %s connection from %s: only CURVE "
		                "is accepted", zap_frame_str(&f[5], mech, sizeof mech),
		                zap_frame_str(&f[3], addr, sizeof addr));
		zap_reply(z, &f[1], "400", "only CURVE is accepted", "", NULL);
	} else if ((k = authkeys_by_key(z->keys, zmq_msg_data(&f[6]))) == NULL) {
		z->stats.refused++;
		zmq_z85_encode(key, zmq_msg_data(&f[6]), 32);
		zap_log_refusal(z, "refused CURVE key %s from %s: not in %s", key,
		                zap_frame_str(&f[3], addr, sizeof addr), z->dir);
		zap_reply(z, &f[1], "400", "unknown key", "", NULL);
	} else {
		z->stats.allowed++;
		log_info("zap: client %s connected from %s", k->identity,
		         zap_frame_str(&f[3], addr, sizeof addr));
		zap_reply(z, &f[1], "200", "OK", k->identity, k->key_z85);
	}
	for (size_t i = 0; i < n; i++)
		zmq_msg_close(&f[i]);
	return 0;
}

static void
zap_drain(struct zap *z)
{
	uint32_t events = 0;
	size_t len = sizeof events;
	int i;

	for (i = 0; i < ZAP_DRAIN; i++)
		if (zap_handle(z) < 0)
			break;
	/* Replies may have swallowed the edge; a full drain yields. */
	if (i == ZAP_DRAIN ||
	    (zmq_getsockopt(z->sock, ZMQ_EVENTS, &events, &len) == 0 &&
	     (events & ZMQ_POLLIN)))
		event_active(z->ev_more, 0, 0);
}

struct zap *
zap_new(struct event_base *base, void *zctx, const char *clients_dir,
        char **err)
{
	struct zap *z = calloc(1, sizeof *z);
	int fd, linger = 0;
	size_t len = sizeof fd;

	*err = NULL;
	if (z == NULL || (z->dir = strdup(clients_dir)) == NULL) {
		free(z);
		if (asprintf(err, "zap: out of memory") < 0)
			*err = NULL;
		return NULL;
	}
	if ((z->keys = authkeys_load(clients_dir, err)) == NULL)
		goto fail;
	z->stats.keys = z->keys->n;
	if ((z->sock = zmq_socket(zctx, ZMQ_REP)) == NULL ||
	    zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) < 0 ||
	    zmq_getsockopt(z->sock, ZMQ_FD, &fd, &len) < 0) {
		if (asprintf(err, "zap: %s: %s", ZAP_ENDPOINT,
		             zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	z->ev_fd = event_new(base, fd, EV_READ | EV_PERSIST, zap_on_event, z);
	z->ev_more = event_new(base, -1, 0, zap_on_event, z);
	if (z->ev_fd == NULL || z->ev_more == NULL || event_add(z->ev_fd, NULL) < 0) {
		if (asprintf(err, "zap: cannot watch the socket") < 0)
			*err = NULL;
		goto fail;
	}
	log_notice("zap: %zu authorised client key%s in %s", z->keys->n,
	           z->keys->n == 1 ? "" : "s", clients_dir);
	if (z->keys->n == 0)
		log_warn("zap: %s holds no NAME.key file: no client can connect",
		         clients_dir);
	return z;
fail:
	zap_free(z);
	return NULL;
}

void
zap_free(struct zap *z)
{
	if (z == NULL)
		return;
	if (z->ev_fd)
		event_free(z->ev_fd);
	if (z->ev_more)
		event_free(z->ev_more);
	if (z->sock)
		zmq_close(z->sock);
	authkeys_free(z->keys);
	free(z->dir);
	free(z);
}

int
zap_reload(struct zap *z)
{
	char *err = NULL;
	struct authkeys *keys = authkeys_load(z->dir, &err);

	if (keys == NULL) {
		z->stats.reload_failures++;
		log_err("zap: reload refused, the %zu keys loaded before stay: %s",
		        z->keys->n, err ? err : "out of memory");
		free(err);
		return -1;
	}
	/* Connections of a removed key stay open (ZAP is asked once per
	 * connection): zap_client() no longer finds them, so ingest refuses
	 * their batches from now on, and stats.revoked tells the alert
	 * sockets to cut theirs. */
	z->stats.revoked = 0;
	for (size_t i = 0; i < z->keys->n; i++) {
		const struct authkey *k = authkeys_by_key(keys, z->keys->v[i].key);
		if (k == NULL || strcmp(k->identity, z->keys->v[i].identity) != 0)
			z->stats.revoked++;
	}
	authkeys_free(z->keys);
	z->keys = keys;
	z->stats.reloads++;
	z->stats.keys = keys->n;
	log_notice("zap: reloaded, %zu authorised client key%s, %zu revoked",
	           keys->n, keys->n == 1 ? "" : "s", z->stats.revoked);
	return 0;
}

const struct authkey *
zap_client(const struct zap *z, const char *identity)
{
	return authkeys_by_identity(z->keys, identity);
}

void
zap_set_hook(struct zap *z, void (*fn)(void *, const char *), void *arg)
{
	z->hook = fn;
	z->hook_arg = arg;
}

const struct zap_stats *
zap_stats(const struct zap *z)
{
	return &z->stats;
}
