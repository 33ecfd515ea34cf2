/*
 * standby.c - waiting for the active lock.
 *
 * Why poll, not block in pg_advisory_lock: a blocked call would not notice
 * SIGTERM, nor feed systemd's watchdog, nor answer the monitoring, nor
 * reconnect after the server restarts.  A try every STANDBY_POLL_MS costs
 * the server nothing and bounds the takeover's first step.
 *
 * While it waits, the standby answers on its HTTP address, and only there:
 * /healthz says 503 "standby" (so that a load balancer or a health check
 * sends nobody here, and a monitor sees the standby alive), /metrics says
 * tiendo_standby 1, anything else is a 503 naming the reason.  Nothing
 * else is bound: clients with both servers in their list find the active
 * one.  The listener is let go before the takeover binds the daemon's own
 * on the same address.  systemd hears from here directly (notify.c's timers
 * do not run yet): READY=1 with a standby STATUS, so that `systemctl start`
 * of a standby returns, and WATCHDOG=1 at every try.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <systemd/sd-daemon.h>

#include "hostport.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "standby.h"
#include "store_pg.h"

#define STANDBY_POLL_MS 200

struct standby {
	struct store *store;
	struct event_base *base;
	struct evhttp *evh;
	struct event *tick, *term, *intr;
	int said, failing, held, stopped;
};

static void
standby_http(struct evhttp_request *req, void *arg)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	(void)arg;
	if (path && strcmp(path, "/healthz") == 0) {
		http_reply(req, 503, json_pack("{s:s, s:s}", "status", "standby",
			"reason", "another tiendod holds the active lock on this "
			"database; this one takes over when it lets go"));
	} else if (path && strcmp(path, "/metrics") == 0) {
		metrics_on_standby(req);
	} else {
		http_error(req, 503, "standby: another tiendod is active on "
		           "this database; ask it");
	}
}

/* The HTTP listener of the standby.  Not fatal when it cannot bind: an
 * active daemon on the same machine may hold the address. */
static void
standby_listen(struct standby *sb, const char *addr)
{
	char host[64];
	int port;

	if (addr == NULL || hostport_split(addr, host, sizeof host, &port) < 0)
		return;
	if ((sb->evh = evhttp_new(sb->base)) == NULL) {
		log_warn("standby: http: out of memory; not answering /healthz");
		return;
	}
	evhttp_set_timeout(sb->evh, 10);
	evhttp_set_gencb(sb->evh, standby_http, sb);
	if (evhttp_bind_socket(sb->evh, host, (ev_uint16_t)port) < 0) {
		log_warn("standby: cannot listen on %s; not answering /healthz "
		         "until the takeover", addr);
		evhttp_free(sb->evh);
		sb->evh = NULL;
	}
}

static void
standby_try(evutil_socket_t fd, short what, void *arg)
{
	struct standby *sb = arg;
	int held = store_pg_lock(sb->store, 0);

	(void)fd;
	(void)what;
	if (held == 1) {
		if (sb->said)
			log_notice("standby: the lock is ours: taking over");
		sb->held = 1;
		event_base_loopbreak(sb->base);
		return;
	}
	if (held < 0 && !sb->failing) {
		log_warn("standby: %s; trying again", store_errmsg(sb->store));
		sb->failing = 1;
	} else if (held == 0) {
		sb->failing = 0;
	}
	if (!sb->said) {
		log_notice("standby: another tiendod is active on this "
		           "database; waiting for its lock");
		sb->said = 1;
	}
	sd_notify(0, "READY=1\nSTATUS=standby: waiting for the active "
	             "tiendod's lock\nWATCHDOG=1");
}

static void
standby_signal(evutil_socket_t sig, short what, void *arg)
{
	struct standby *sb = arg;

	(void)what;
	log_notice("standby: %s: stopping", strsignal((int)sig));
	sb->stopped = 1;
	event_base_loopbreak(sb->base);
}

static void
standby_free(struct standby *sb)
{
	if (sb->evh)
		evhttp_free(sb->evh);
	if (sb->tick)
		event_free(sb->tick);
	if (sb->term)
		event_free(sb->term);
	if (sb->intr)
		event_free(sb->intr);
	if (sb->base)
		event_base_free(sb->base);
}

int
standby_wait(struct store *s, const char *http_addr)
{
	struct standby sb = { .store = s };
	struct timeval poll = { 0, STANDBY_POLL_MS * 1000 };
	int rc;

	if (strcmp(store_kind(s), "postgresql") != 0 || store_pg_lock(s, 0) == 1)
		return 0;
	if ((sb.base = event_base_new()) == NULL ||
	    (sb.tick = event_new(sb.base, -1, EV_PERSIST, standby_try, &sb)) == NULL ||
	    (sb.term = evsignal_new(sb.base, SIGTERM, standby_signal, &sb)) == NULL ||
	    (sb.intr = evsignal_new(sb.base, SIGINT, standby_signal, &sb)) == NULL ||
	    event_add(sb.tick, &poll) < 0 || event_add(sb.term, NULL) < 0 ||
	    event_add(sb.intr, NULL) < 0) {
		log_err("standby: cannot set up the event loop");
		standby_free(&sb);
		return -1;
	}
	standby_listen(&sb, http_addr);
	standby_try(-1, 0, &sb);
	if (!sb.held && event_base_dispatch(sb.base) < 0)
		log_err("standby: the event loop failed");
	rc = sb.held ? 0 : sb.stopped ? 1 : -1;
	standby_free(&sb);
	return rc;
}
