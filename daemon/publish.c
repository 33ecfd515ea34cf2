/*
 * publish.c - PUB socket, heartbeat, snapshot ROUTER.
 *
 * A PUB drops what a slow subscriber cannot take once its high-water mark
 * is reached.  That is the right thing here: the daemon must never block on
 * a subscriber, and a subscriber that lost events sees a hole in the
 * sequence numbers (or a heartbeat ahead of it) and asks the snapshot
 * socket for what it missed.  The mark is set high (PUB_HWM) so that only
 * a stalled subscriber ever hits it.
 *
 * The snapshot ROUTER answers at once from SQLite: the loop is single
 * threaded and events are stored before they are published, so what the
 * database holds at that moment is exactly the state at the last published
 * seq.  A snapshot costs the loop and memory, so it is bounded: each
 * identity (the ZAP user id; the connection in plain mode) is answered at
 * most SNAP_PER_WINDOW times a SNAP_WINDOW_MS (the rest are read and
 * dropped, counted), at most SNAP_ANSWERS requests are answered a loop turn,
 * and a connection that does not read its replies holds at most SNAP_HWM
 * of them; when one goes, the memory its queue held is handed back to the
 * system (malloc_trim).
 *
 * Both sockets' monitors keep the descriptors of their connections
 * (connfds.h), so that a reload which revokes a key can cut them: every
 * subscriber reconnects and passes ZAP again, and a revoked one fails it.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <zmq.h>

#include "connfds.h"
#include "log.h"
#include "publish.h"
#include "curve.h"
#include "ratelimit.h"
#include "when.h"

#define PUB_HWM 100000
#define SNAP_CHUNK 500
#define SNAP_DRAIN 100
#define SNAP_ANSWERS 4
#define SNAP_PER_WINDOW 20
#define SNAP_WINDOW_MS 10000
/* Reply chunks queued per snapshot connection: a whole snapshot of
 * SNAP_HWM * SNAP_CHUNK alerts fits; a peer that does not read loses the
 * rest (it asks again). */
#define SNAP_HWM 256

struct publish {
	void *pub, *snap;
	void *mon; /* PAIR end of the PUB socket's monitor */
	void *snap_mon; /* and the snapshot socket's */
	struct event *ev_snap, *ev_more, *ev_hb, *ev_mon, *ev_snap_mon, *ev_trim;
	struct connfds *pub_fds, *snap_fds;
	struct ratelimit *snap_rl;
	const struct curve *curve;
	struct alertstore *as;
	uint64_t seq;
	char pub_ep[256], snap_ep[256];
	struct publish_stats stats;
};

/* One reply being assembled. */
struct snap_reply {
	struct publish *p;
	const void *rid;
	size_t rid_len;
	Tiendo__Alert *alerts[SNAP_CHUNK];
	size_t n;
	uint64_t seq;   /* N: the reply is the state after event N */
	int replay;
	int failed; /* the peer is gone: stop */
};

/* A snapshot connection has gone: what libzmq queued for it is freed, but
 * glibc keeps freed memory for reuse unless told.  Once a second at most. */
static void
publish_trim(evutil_socket_t fd, short what, void *arg)
{
	malloc_trim(0);
}

static void
publish_conn_event(struct publish *p, int snap, uint16_t event, int fd)
{
	struct connfds *cf = snap ? p->snap_fds : p->pub_fds;
	int accepted = event == ZMQ_EVENT_ACCEPTED;

	if (cf)
		connfds_event(cf, accepted, fd);
	if (!snap) {
		if (accepted)
			p->stats.subscribers++;
		else if (p->stats.subscribers > 0)
			p->stats.subscribers--;
	} else if (!accepted && !evtimer_pending(p->ev_trim, NULL)) {
		struct timeval second = { 1, 0 };
		evtimer_add(p->ev_trim, &second);
	}
}

/*
 * A PUB socket cannot say who listens; its monitor can say who connects.
 * Subscribers = connections accepted minus connections lost.  The monitor's
 * ZMQ_FD is edge-triggered like any other: drain until EAGAIN.
 */
static void
publish_on_monitor(evutil_socket_t fd, short what, void *arg)
{
	struct publish *p = arg;
	uint8_t head[6];
	int n, more;
	size_t len = sizeof more;
	/* Both monitors come here: read whichever has events. */
	void *mons[2] = { p->mon, p->snap_mon };

	for (int m = 0; m < 2; m++) {
		if (mons[m] == NULL)
			continue;
		while ((n = zmq_recv(mons[m], head, sizeof head, ZMQ_DONTWAIT)) >= 0) {
			uint16_t event;
			uint32_t value;

			memcpy(&event, head, sizeof event);
			memcpy(&value, head + 2, sizeof value);
			if (n == 6)
				publish_conn_event(p, m, event, (int)value);
			/* The second frame is the peer's address: not needed. */
			while (zmq_getsockopt(mons[m], ZMQ_RCVMORE, &more, &len) == 0 &&
			       more && zmq_recv(mons[m], head, sizeof head, 0) >= 0)
				;
		}
	}
}

static int
publish_monitor(struct publish *p, struct event_base *base, void *zctx,
                int snap, char **err)
{
	char ep[64];
	int fd;
	size_t len = sizeof fd;
	void *sock = snap ? p->snap : p->pub, **mon = snap ? &p->snap_mon : &p->mon;
	struct event **ev = snap ? &p->ev_snap_mon : &p->ev_mon;

	snprintf(ep, sizeof ep, "inproc://tiendo-%s-monitor-%p",
	         snap ? "snap" : "pub", (void *)p);
	if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_ACCEPTED |
	                       ZMQ_EVENT_DISCONNECTED) < 0 ||
	    (*mon = zmq_socket(zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(*mon, ep) < 0 ||
	    zmq_getsockopt(*mon, ZMQ_FD, &fd, &len) < 0) {
		if (asprintf(err, "publish: monitor: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		return -1;
	}
	*ev = event_new(base, fd, EV_READ | EV_PERSIST, publish_on_monitor, p);
	if (*ev == NULL || event_add(*ev, NULL) < 0) {
		if (asprintf(err, "publish: monitor: out of memory") < 0)
			*err = NULL;
		return -1;
	}
	/* libzmq signals a reader only once it has found its pipe empty:
	 * read once now, or no event would ever wake us. */
	event_active(*ev, EV_READ, 0);
	return 0;
}

static void
publish_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct publish *p = arg;
	Tiendo__AlertHeartbeat hb = TIENDO__ALERT_HEARTBEAT__INIT;
	uint8_t buf[64];
	size_t len;

	hb.seq = p->seq;
	hb.time = when_now();
	len = tiendo__alert_heartbeat__pack(&hb, buf);
	if (zmq_send(p->pub, "hb/", 3, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(p->pub, buf, len, ZMQ_DONTWAIT) < 0)
		log_debug("publish: heartbeat: %s", zmq_strerror(errno));
}

void
publish_alert(struct publish *p, char *const topics[PUBLISH_TOPICS],
              uint64_t seq, const void *body, size_t len)
{
	for (int i = 0; i < PUBLISH_TOPICS; i++) {
		if (topics[i] == NULL)
			continue; /* a held event has one topic only */
		/* DONTWAIT: a PUB never blocks, it drops at the mark. */
		if (zmq_send(p->pub, topics[i], strlen(topics[i]),
		             ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
		    zmq_send(p->pub, body, len, ZMQ_DONTWAIT) < 0)
			log_warn("publish: seq %llu: %s", (unsigned long long)seq,
			         zmq_strerror(errno));
	}
	p->seq = seq;
	p->stats.published++;
}

int
publish_other(struct publish *p, const char *topic, const void *body,
              size_t len)
{
	if (zmq_send(p->pub, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(p->pub, body, len, ZMQ_DONTWAIT) < 0) {
		log_warn("publish: %s: %s", topic, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static int
snap_send(struct snap_reply *r, int last, const char *error)
{
	Tiendo__Snapshot s = TIENDO__SNAPSHOT__INIT;
	uint8_t *buf;
	size_t len;
	int rc = 0;

	s.version = 1;
	s.seq = r->seq;
	s.replay = r->replay;
	s.last = last;
	s.n_alerts = r->n;
	s.alerts = r->alerts;
	s.error = (char *)(error ? error : "");
	len = tiendo__snapshot__get_packed_size(&s);
	if ((buf = malloc(len ? len : 1)) == NULL) {
		rc = -1;
	} else {
		tiendo__snapshot__pack(&s, buf);
		if (!r->failed &&
		    (zmq_send(r->p->snap, r->rid, r->rid_len,
		              ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
		     zmq_send(r->p->snap, buf, len, ZMQ_DONTWAIT) < 0)) {
			/* Gone, or not reading: it asks again after its
			 * timeout. */
			r->p->stats.replies_dropped++;
			r->failed = 1;
		}
		free(buf);
	}
	for (size_t i = 0; i < r->n; i++)
		tiendo__alert__free_unpacked(r->alerts[i], NULL);
	r->n = 0;
	return rc;
}

static int
snap_add(void *arg, const void *body, size_t len)
{
	struct snap_reply *r = arg;
	Tiendo__Alert *a = tiendo__alert__unpack(NULL, len, body);

	if (a == NULL) {
		log_err("publish: a stored alert does not decode; skipped");
		return 0;
	}
	r->alerts[r->n++] = a;
	if (r->n == SNAP_CHUNK && snap_send(r, 0, NULL) < 0)
		return -1;
	return r->failed;
}

static void
publish_answer(struct publish *p, const void *rid, size_t rid_len,
               const void *data, size_t len)
{
	struct snap_reply r = { .p = p, .rid = rid, .rid_len = rid_len,
	                        .seq = p->seq };
	Tiendo__SnapshotRequest *req = tiendo__snapshot_request__unpack(NULL, len,
	                                                                data);
	int rc;

	p->stats.snapshots++;
	if (req == NULL || req->version != 1) {
		snap_send(&r, 1, req ? "unsupported version: send 1"
		                     : "not a tiendo.SnapshotRequest");
		tiendo__snapshot_request__free_unpacked(req, NULL);
		return;
	}
	/* N is what the store holds, not what was published: a commit's
	 * events are stored before its answer publishes them, and the reply
	 * reads the store.  (The first read waits for a commit in flight;
	 * none can start until this reply is sent.)  Its subscriber then
	 * drops those events when they come live, as 4.4 says. */
	if (alertstore_last_seq(p->as, &r.seq) < 0) {
		log_err("publish: snapshot: %s", alertstore_errmsg(p->as));
		r.seq = p->seq;
		snap_send(&r, 1, "storage error; ask again");
		tiendo__snapshot_request__free_unpacked(req, NULL);
		return;
	}
	if (r.seq < p->seq)
		r.seq = p->seq;
	/* Replay what it missed when that is short; otherwise (new, too far
	 * behind, or ahead of a restored database) the active set. */
	if (req->since > 0 && req->since <= r.seq &&
	    r.seq - req->since <= PUBLISH_REPLAY_MAX) {
		struct alertstore_filter f = { .since = req->since };
		r.replay = 1;
		rc = alertstore_history(p->as, &f, snap_add, &r);
	} else {
		rc = alertstore_active(p->as, snap_add, &r);
	}
	tiendo__snapshot_request__free_unpacked(req, NULL);
	if (rc < 0) {
		log_err("publish: snapshot: %s", alertstore_errmsg(p->as));
		for (size_t i = 0; i < r.n; i++)
			tiendo__alert__free_unpacked(r.alerts[i], NULL);
		r.n = 0;
		snap_send(&r, 1, "storage error; ask again");
		return;
	}
	snap_send(&r, 1, NULL);
}

/* The key a snapshot requester is counted under: who it authenticated as,
 * or (plain mode) its connection. */
static const char *
publish_requester(struct publish *p, zmq_msg_t *id, zmq_msg_t *body,
                  char *buf, size_t n)
{
	const char *uid = curve_user_id(p->curve, body);
	const unsigned char *rid = zmq_msg_data(id);
	size_t len = zmq_msg_size(id), k = 0;

	if (uid)
		return uid;
	buf[k++] = '#';
	for (size_t i = 0; i < len && k + 3 < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%02x", rid[i]);
	buf[k] = '\0';
	return buf;
}

static void
publish_drain(evutil_socket_t fd, short what, void *arg)
{
	struct publish *p = arg;
	uint32_t events = 0;
	size_t elen = sizeof events;
	int n, answered = 0;

	for (n = 0; n < SNAP_DRAIN && answered < SNAP_ANSWERS; n++) {
		zmq_msg_t id, body;
		int more;
		char key[96];
		uint64_t suppressed;

		zmq_msg_init(&id);
		if (zmq_msg_recv(&id, p->snap, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&id);
			break;
		}
		zmq_msg_init(&body);
		more = zmq_msg_more(&id) && zmq_msg_recv(&body, p->snap, 0) >= 0;
		/* Extra frames: drop them, answer the first body. */
		while (zmq_msg_more(more ? &body : &id)) {
			zmq_msg_t junk;
			zmq_msg_init(&junk);
			if (zmq_msg_recv(&junk, p->snap, 0) < 0 ||
			    !zmq_msg_more(&junk)) {
				zmq_msg_close(&junk);
				break;
			}
			zmq_msg_close(&junk);
		}
		if (ratelimit_allow(p->snap_rl, publish_requester(p, &id,
		                    more ? &body : &id, key, sizeof key),
		                    when_now(), &suppressed)) {
			publish_answer(p, zmq_msg_data(&id), zmq_msg_size(&id),
			               more ? zmq_msg_data(&body) : "",
			               more ? zmq_msg_size(&body) : 0);
			answered++;
		} else {
			p->stats.snapshots_refused++;
		}
		zmq_msg_close(&body);
		zmq_msg_close(&id);
	}
	/* Sending may have eaten the edge that announced more requests; a
	 * bounded turn yields to ingest and HTTP before the next. */
	if (n == SNAP_DRAIN || answered == SNAP_ANSWERS ||
	    (zmq_getsockopt(p->snap, ZMQ_EVENTS, &events, &elen) == 0 &&
	     (events & ZMQ_POLLIN)))
		event_active(p->ev_more, 0, 0);
}

static int
publish_bind(void *sock, const char *ep, char *out, size_t n, char **err)
{
	size_t len = n;

	if (zmq_bind(sock, ep) < 0) {
		if (asprintf(err, "publish: cannot bind %s: %s", ep,
		             zmq_strerror(errno)) < 0)
			*err = NULL;
		return -1;
	}
	if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, out, &len) < 0)
		snprintf(out, n, "%s", ep);
	return 0;
}

struct publish *
publish_new(struct event_base *base, void *zctx, const char *pub,
            const char *snapshot, struct alertstore *as, uint64_t seq,
            const struct curve *curve, char **err)
{
	struct publish *p = calloc(1, sizeof *p);
	int hwm = PUB_HWM, linger = 1000, one = 1, fd;
	size_t len = sizeof fd;
	struct timeval second = { 1, 0 };

	*err = NULL;
	if (p == NULL)
		goto nomem;
	p->as = as;
	p->seq = seq;
	p->curve = curve;
	if ((p->snap_rl = ratelimit_new(SNAP_PER_WINDOW, SNAP_WINDOW_MS)) == NULL ||
	    (p->ev_trim = evtimer_new(base, publish_trim, p)) == NULL)
		goto nomem;
	if ((p->pub = zmq_socket(zctx, ZMQ_PUB)) == NULL ||
	    (p->snap = zmq_socket(zctx, ZMQ_ROUTER)) == NULL) {
		if (asprintf(err, "publish: socket: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	if (zmq_setsockopt(p->pub, ZMQ_SNDHWM, &hwm, sizeof hwm) < 0 ||
	    zmq_setsockopt(p->pub, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    zmq_setsockopt(p->snap, ZMQ_SNDHWM, &hwm, sizeof hwm) < 0 ||
	    zmq_setsockopt(p->snap, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    zmq_setsockopt(p->snap, ZMQ_ROUTER_MANDATORY, &one, sizeof one) < 0) {
		if (asprintf(err, "publish: setsockopt: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	/* Subscribers send only subscriptions, and snapshot requests are
	 * small: 8 KiB bounds both, and the CURVE handshake's commands, and
	 * so what an unauthenticated peer makes us hold. */
	if (curve_server_setup(curve, p->pub, 8 * 1024, PUB_HWM, err) < 0 ||
	    curve_server_setup(curve, p->snap, 8 * 1024, SNAP_HWM, err) < 0 ||
	    publish_monitor(p, base, zctx, 0, err) < 0 ||
	    publish_monitor(p, base, zctx, 1, err) < 0 ||
	    publish_bind(p->pub, pub, p->pub_ep, sizeof p->pub_ep, err) < 0 ||
	    publish_bind(p->snap, snapshot, p->snap_ep, sizeof p->snap_ep, err) < 0)
		goto fail;
	if ((p->pub_fds = connfds_new(p->pub_ep)) == NULL ||
	    (p->snap_fds = connfds_new(p->snap_ep)) == NULL)
		goto nomem;
	curve_check_bind(curve, "alerts", p->pub_ep);
	curve_check_bind(curve, "snapshot", p->snap_ep);
	if (zmq_getsockopt(p->snap, ZMQ_FD, &fd, &len) < 0) {
		if (asprintf(err, "publish: ZMQ_FD: %s", zmq_strerror(errno)) < 0)
			*err = NULL;
		goto fail;
	}
	p->ev_snap = event_new(base, fd, EV_READ | EV_PERSIST, publish_drain, p);
	p->ev_more = event_new(base, -1, 0, publish_drain, p);
	p->ev_hb = event_new(base, -1, EV_PERSIST, publish_heartbeat, p);
	if (!p->ev_snap || !p->ev_more || !p->ev_hb ||
	    event_add(p->ev_snap, NULL) < 0 || event_add(p->ev_hb, &second) < 0)
		goto nomem;
	event_active(p->ev_more, 0, 0);
	return p;
nomem:
	if (*err == NULL && asprintf(err, "publish: out of memory") < 0)
		*err = NULL;
fail:
	publish_free(p);
	return NULL;
}

void
publish_free(struct publish *p)
{
	if (p == NULL)
		return;
	if (p->ev_snap)
		event_free(p->ev_snap);
	if (p->ev_more)
		event_free(p->ev_more);
	if (p->ev_hb)
		event_free(p->ev_hb);
	if (p->ev_mon)
		event_free(p->ev_mon);
	if (p->ev_snap_mon)
		event_free(p->ev_snap_mon);
	if (p->ev_trim)
		event_free(p->ev_trim);
	if (p->pub) {
		zmq_socket_monitor(p->pub, NULL, 0);
		zmq_close(p->pub);
	}
	if (p->mon) {
		int zero = 0;
		zmq_setsockopt(p->mon, ZMQ_LINGER, &zero, sizeof zero);
		zmq_close(p->mon);
	}
	if (p->snap) {
		zmq_socket_monitor(p->snap, NULL, 0);
		zmq_close(p->snap);
	}
	if (p->snap_mon) {
		int zero = 0;
		zmq_setsockopt(p->snap_mon, ZMQ_LINGER, &zero, sizeof zero);
		zmq_close(p->snap_mon);
	}
	connfds_free(p->pub_fds);
	connfds_free(p->snap_fds);
	ratelimit_free(p->snap_rl);
	free(p);
}

const char *
publish_pub_endpoint(const struct publish *p)
{
	return p->pub_ep;
}

const char *
publish_snapshot_endpoint(const struct publish *p)
{
	return p->snap_ep;
}

uint64_t
publish_seq(const struct publish *p)
{
	return p->seq;
}

const struct publish_stats *
publish_stats(const struct publish *p)
{
	return &p->stats;
}

size_t
publish_revoke(const struct publish *p)
{
	size_t cut = connfds_cut_all(p->pub_fds) + connfds_cut_all(p->snap_fds);

	log_notice("publish: a key was revoked: %zu subscriber connections cut; "
	           "the others reconnect and pass ZAP again", cut);
	return cut;
}

void
publish_metrics(void *arg, struct evbuffer *out)
{
	const struct publish *p = arg;

	evbuffer_add_printf(out,
	    "# HELP tiendo_snapshot_requests_refused_total Snapshot requests "
	    "dropped: over the requester's rate (%d per %d s).\n"
	    "# TYPE tiendo_snapshot_requests_refused_total counter\n"
	    "tiendo_snapshot_requests_refused_total %llu\n"
	    "# HELP tiendo_snapshot_connections Connections to the snapshot "
	    "socket now.\n"
	    "# TYPE tiendo_snapshot_connections gauge\n"
	    "tiendo_snapshot_connections %zu\n",
	    SNAP_PER_WINDOW, SNAP_WINDOW_MS / 1000,
	    (unsigned long long)p->stats.snapshots_refused,
	    connfds_count(p->snap_fds));
}
