/*
 * standby.h - two tiendod on one PostgreSQL database: exactly one is
 * active, the one holding the store's advisory lock (store_pg.h) on its
 * session.  The other waits here, before it rebuilds anything or binds a
 * socket, and takes over when the active one's session ends.
 */
#ifndef TIENDO_STANDBY_H
#define TIENDO_STANDBY_H

#include "store.h"

/* Returns 0 once this daemon holds the lock (at once when nobody else
 * does, and always at once on SQLite, which has one daemon by
 * construction).  Waits otherwise, trying every STANDBY_POLL_MS, through
 * lost connections and server restarts, telling systemd (STATUS=,
 * WATCHDOG=1) and answering /healthz and /metrics on http_addr (NULL:
 * not).  1 when SIGTERM or SIGINT came first; -1 when the wait itself
 * failed (logged). */
int standby_wait(struct store *s, const char *http_addr);

#endif
