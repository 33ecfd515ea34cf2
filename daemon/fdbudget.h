/*
 * fdbudget.h - the daemon's descriptor budget.  The soft RLIMIT_NOFILE is
 * raised to the hard one at start; HTTP gets a share of it well below the
 * limit, so that browsers and scrapers, however many, cannot starve ZeroMQ
 * (each peer a descriptor) or SQLite (the database, its -wal and -shm,
 * temporary files) of the descriptors they need.
 */
#ifndef TIENDO_FDBUDGET_H
#define TIENDO_FDBUDGET_H

/* Never handed to HTTP: SQLite, libzmq's own (listeners, mailboxes,
 * epoll), the log, the signals, libevent. */
#define FDBUDGET_RESERVE 256
/* The default HTTP cap never goes above this. */
#define FDBUDGET_HTTP_DEFAULT_MAX 4096

/* Raises the soft limit to the hard one (a sandbox may forbid it: then the
 * limit stays).  Returns the soft limit now in force. */
long fdbudget_raise(void);

/* HTTP connections allowed under `nofile` descriptors: `wanted` (0: a
 * quarter of what the reserve leaves, at most FDBUDGET_HTTP_DEFAULT_MAX),
 * never more than half of what the reserve leaves, never under 8.  *clamped
 * is set when `wanted` had to be lowered. */
int fdbudget_http(long nofile, int wanted, int *clamped);

#endif
