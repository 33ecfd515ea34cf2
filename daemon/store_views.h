/*
 * store_views.h - the reads behind the HTTP views (alertrows.h,
 * store_list.h, store_series.h): a per-feature interface of the store
 * (store.h), one room per database (store_views_sqlite.c,
 * store_views_pg.c).  The public functions are in their own headers;
 * store_views.c dispatches them to the store's room.
 */
#ifndef TIENDO_STORE_VIEWS_H
#define TIENDO_STORE_VIEWS_H

#include "alertrows.h"
#include "store_list.h"
#include "store_series.h"

struct store_views_ops {
	int (*alertrows)(struct store *s, const uint64_t *seqs, size_t n,
	                 alertstore_body_fn fn, void *arg, char *err,
	                 size_t errlen);
	int (*list)(struct store *s, const struct store_list_filter *f,
	            store_list_fn fn, void *arg, char *err, size_t n);
	int (*series)(struct store *s, const char *task, when_t until,
	              store_series_fn fn, void *arg);
};

extern const struct store_views_ops store_views_sqlite, store_views_pg;

#endif
