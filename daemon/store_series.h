/*
 * store_series.h - the reports of one task with the instant each was
 * voided, for /v1/series (core/series.h).  Its own room so that the
 * PostgreSQL store can port one query.
 */
#ifndef TIENDO_STORE_SERIES_H
#define TIENDO_STORE_SERIES_H

#include "store.h"
#include "tally.h"

struct store_series_row {
	const char *unit;           /* lives until fn returns */
	struct tally_report r;
	when_t voided_at;           /* 0: not voided */
};

/* Calls fn for every report (not correction) of `task` observed at or
 * before `until`, with the instant its correction took effect, if any.
 * Stops and returns fn's value when non-zero; -1 on a database error,
 * logged here. */
typedef int (*store_series_fn)(void *arg, const struct store_series_row *r);
int store_series_scan(struct store *s, const char *task, when_t until,
                      store_series_fn fn, void *arg);

#endif
