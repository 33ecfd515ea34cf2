/*
 * store_recent.h - the latest reports of a unit (and optionally a task),
 * with reporter and note, for the dashboard's unit page.  Its own room so
 * that the PostgreSQL store can port one query.
 */
#ifndef TIENDO_STORE_RECENT_H
#define TIENDO_STORE_RECENT_H

#include "store.h"

/* Calls fn for the `limit` latest reports and corrections (by observed_at,
 * newest first) of `unit` (NULL: any) and `task` (NULL: any); a voided
 * report has voids_seq 0 and void_reason "voided" in r->void_reason.
 * Returns fn's non-zero value, or -1 on a database error, logged here. */
int store_recent(struct store *s, const char *unit, const char *task,
                 int limit, store_scan_fn fn, void *arg);

#endif
