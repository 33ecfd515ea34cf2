/*
 * store_sqlite.h - what the SQLite room's files share: the rooms of one
 * feature (alertstore_sqlite.c) use the store's handle, in the same
 * transactions.
 */
#ifndef TIENDO_STORE_SQLITE_H
#define TIENDO_STORE_SQLITE_H

#include "store.h"

/* The sqlite3 handle of a store opened by store_sqlite_open. */
void *store_sqlite_db(struct store *s);

/* The SQLite library's version, for /metrics' build info. */
const char *store_sqlite_version(void);

struct alertstore *alertstore_sqlite_new(struct store *s, char **err);

#endif
