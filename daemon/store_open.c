/*
 * store_open.c - picks the store's room from the `store =` setting.
 */
#include <stdlib.h>
#include <string.h>

#include "store.h"

int
store_spec_is_pg(const char *spec)
{
	return strncmp(spec, "postgresql://", 13) == 0 ||
	       strncmp(spec, "postgres://", 11) == 0;
}

struct store *
store_open(const char *spec, enum store_sync sync, char **err)
{
	if (store_spec_is_pg(spec))
		return store_pg_open(spec, sync, err);
	if (strncmp(spec, "sqlite:", 7) == 0)
		spec += 7;
	if (*spec == '\0') {
		*err = strdup("store: empty path; write sqlite:/path/to/tiendo.db "
		              "or postgresql://...");
		return NULL;
	}
	return store_sqlite_open(spec, sync, err);
}
