/*
 * notify.c - sd_notify from the main loop; see notify.h.
 *
 * The watchdog ping is a libevent timer on the same loop as ingest and
 * HTTP, not a thread: if a callback wedges the loop, the pings stop and
 * systemd restarts the daemon, which is the point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

/* systemctl status shows the last STATUS=; every few seconds is plenty. */
#define NOTIFY_STATUS_SEC 2

struct notify {
	int enabled;                /* $NOTIFY_SOCKET is set */
	uint64_t watchdog_usec;
	struct event *ev_watchdog;
	struct event *ev_status;
	notify_status_fn status;
	void *arg;
	char last[512];
};

static void
notify_send(struct notify *n, const char *msg)
{
	int rc;

	if (!n->enabled)
		return;
	if ((rc = sd_notify(0, msg)) < 0)
		log_warn("sd_notify: %s", strerror(-rc));
}

static void
notify_status(struct notify *n, int force)
{
	char buf[sizeof n->last], msg[sizeof n->last + 16];

	if (!n->enabled || n->status == NULL)
		return;
	n->status(n->arg, buf, sizeof buf);
	if (!force && strcmp(buf, n->last) == 0)
		return;
	memcpy(n->last, buf, sizeof buf);
	snprintf(msg, sizeof msg, "STATUS=%s", buf);
	notify_send(n, msg);
}

static void
notify_on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	notify_send(arg, "WATCHDOG=1");
}

static void
notify_on_status(evutil_socket_t fd, short what, void *arg)
{
	notify_status(arg, 0);
}

struct notify *
notify_new(struct event_base *base, notify_status_fn status, void *arg)
{
	struct notify *n = calloc(1, sizeof *n);
	const char *sock = getenv("NOTIFY_SOCKET");
	struct timeval tv;
	uint64_t usec = 0;

	if (n == NULL)
		return NULL;
	n->enabled = sock != NULL && *sock != '\0';
	n->status = status;
	n->arg = arg;
	if (!n->enabled)
		return n;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		n->watchdog_usec = usec;
		tv.tv_sec = (time_t)(usec / 2 / 1000000);
		tv.tv_usec = (suseconds_t)(usec / 2 % 1000000);
		n->ev_watchdog = event_new(base, -1, EV_PERSIST, notify_on_watchdog, n);
		if (n->ev_watchdog == NULL || event_add(n->ev_watchdog, &tv) < 0)
			goto fail;
	}
	tv.tv_sec = NOTIFY_STATUS_SEC;
	tv.tv_usec = 0;
	n->ev_status = event_new(base, -1, EV_PERSIST, notify_on_status, n);
	if (n->ev_status == NULL || event_add(n->ev_status, &tv) < 0)
		goto fail;
	return n;
fail:
	notify_free(n);
	return NULL;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	if (n->ev_watchdog)
		event_free(n->ev_watchdog);
	if (n->ev_status)
		event_free(n->ev_status);
	free(n);
}

void
notify_ready(struct notify *n)
{
	notify_send(n, "READY=1");
	notify_status(n, 1);
}

void
notify_reloading(struct notify *n)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL +
	         (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(n, msg);
}

void
notify_stopping(struct notify *n)
{
	notify_send(n, "STOPPING=1");
}

unsigned long long
notify_watchdog_usec(const struct notify *n)
{
	return n->watchdog_usec;
}
