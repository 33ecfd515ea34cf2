/*
 * notify.h - tells systemd how the daemon is doing (sd_notify(3)):
 * READY=1 once the database is open, the plan loaded and every socket
 * bound; STATUS= lines for `systemctl status`; WATCHDOG=1 from a timer of
 * the main loop, so the pings stop when the loop stops turning;
 * RELOADING=1 and READY=1 around a reload; STOPPING=1 on the way out.
 *
 * Outside systemd (no $NOTIFY_SOCKET) every call is a no-op.
 */
#ifndef TIENDO_NOTIFY_H
#define TIENDO_NOTIFY_H

#include <stddef.h>

#include <event2/event.h>

struct notify;

/* Writes the current one-line status into buf. */
typedef void (*notify_status_fn)(void *arg, char *buf, size_t n);

/* Arms the watchdog timer (half of $WATCHDOG_USEC) and the status timer
 * on `base`.  NULL when out of memory. */
struct notify *notify_new(struct event_base *base, notify_status_fn status,
                          void *arg);
void notify_free(struct notify *n);

void notify_ready(struct notify *n);
/* RELOADING=1 with MONOTONIC_USEC, as systemd.service(5) asks. */
void notify_reloading(struct notify *n);
void notify_stopping(struct notify *n);

/* Watchdog interval in µs, 0 when systemd does not watch us. */
unsigned long long notify_watchdog_usec(const struct notify *n);

#endif
