/*
 * standby.c - waiting for the active lock.
 *
 * Why poll, not block in pg_advisory_lock: a blocked call would not notice
 * SIGTERM, nor feed systemd's watchdog, nor reconnect after the server
 * restarts.  A try every STANDBY_POLL_MS costs the server nothing and bounds
 * the takeover's first step.  systemd hears from here directly (the event
 * loop and notify.c's timers do not run yet): READY=1 with a standby
 * STATUS, so that `systemctl start` of a standby returns, and WATCHDOG=1 at
 * every try.
 */
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "standby.h"
#include "store_pg.h"

#define STANDBY_POLL_MS 200

int
standby_wait(struct store *s, volatile int *stop)
{
	struct timespec nap = { 0, STANDBY_POLL_MS * 1000000L };
	int said = 0, failing = 0, held;

	if (strcmp(store_kind(s), "postgresql") != 0)
		return 0;
	while (!*stop) {
		held = store_pg_lock(s, 0);
		if (held == 1) {
			if (said)
				log_notice("standby: the lock is ours: taking over");
			return 0;
		}
		if (held < 0 && !failing) {
			log_warn("standby: %s; trying again", store_errmsg(s));
			failing = 1;
		} else if (held == 0) {
			failing = 0;
		}
		if (!said) {
			log_notice("standby: another tiendod is active on this "
			           "database; waiting for its lock");
			said = 1;
		}
		sd_notify(0, "READY=1\nSTATUS=standby: waiting for the active "
		             "tiendod's lock\nWATCHDOG=1");
		nanosleep(&nap, NULL);
	}
	return -1;
}
