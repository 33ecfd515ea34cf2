/*
 * store_pg.h - what the PostgreSQL room's files share, and what the daemon
 * needs of it beyond store.h: the advisory lock that makes one tiendod of
 * several on a database the active one.
 */
#ifndef TIENDO_STORE_PG_H
#define TIENDO_STORE_PG_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The PGconn of a store opened by store_pg_open (the same session, hence
 * the same transactions). */
void *store_pg_conn(struct store *s);
/* The session's seq marks (seqmark.h): store_pg_many.c reads and raises
 * them, store_pg.c forgets them with each new session or lock. */
struct seqmark *store_pg_marks(struct store *s);
const char *store_pg_errmsg(struct store *s);

/* "what: the server's message" on one line into err: the result's
 * message, else the connection's, else (res NULL: the call never ran) the
 * store's last error.  The
 * rooms (alertstore_pg.c, silences_pg.c, ...) all report this way.
 * Returns -1. */
struct pg_result;
int store_pg_error(struct store *s, const char *what,
                   const struct pg_result *res, char *err, size_t n);

/* PQexecParams with text parameters on a (re)connected session; format 1
 * asks for binary results.  NULL when it cannot reconnect (the reason in
 * store_pg_errmsg). */
struct pg_result *store_pg_exec(struct store *s, const char *sql, int n,
                                const char *const *v, int format);

/* Records the error of a failed call as the store's own (store_errmsg):
 * store_pg_error's text, or a printf-style one.  Both return -1. */
int store_pg_fail(struct store *s, const char *what,
                  const struct pg_result *res);
int store_pg_seterr(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* store.h's exists_many and insert_many (store_pg_many.c). */
int store_pg_exists_many(struct store *s, const char *const *clients,
                         const uint64_t *seqs, size_t n,
                         unsigned char *found);
int store_pg_insert_many(struct store *s, const struct store_report *rows,
                         size_t n);

/* store_pg_many.c sent a COPY of n rows whole; its answer is read later,
 * before the next statement or, for a COMMIT, on the loop: a failure
 * fails the transaction's commit with its own reason. */
void store_pg_copy_sent(struct store *s, size_t n);

/* store.h's scan and scan_tail (store_pg_scan.c). */
int store_pg_scan(struct store *s, const char *task, const char *unit,
                  when_t until, store_scan_fn fn, void *arg);
int store_pg_scan_tail(struct store *s, int64_t after, store_scan_fn fn,
                       void *arg);

/* Reconnects when the connection was lost (not inside a transaction), as
 * the store's own calls do; the reason in store_pg_errmsg.  0 or -1. */
int store_pg_ready(struct store *s);

/* Takes the active daemon's advisory lock on this session: wait = 1 blocks
 * until it is free.  From then on a reconnection takes it again, and when
 * another daemon holds it by then every write fails and store_pg_lost
 * says 1.  1 held, 0 held by another, -1 error. */
int store_pg_lock(struct store *s, int wait);
int store_pg_lost(struct store *s);

struct alertstore *alertstore_pg_new(struct store *s, char **err);

#endif
