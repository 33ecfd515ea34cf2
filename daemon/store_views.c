/*
 * store_views.c - the views' reads, to the store's room (store_views.h).
 */
#include "store_views.h"

int
alertrows_by_seq(struct store *s, const uint64_t *seqs, size_t n,
                 alertstore_body_fn fn, void *arg, char *err, size_t errlen)
{
	return s->ops->views->alertrows(s, seqs, n, fn, arg, err, errlen);
}

int
store_list(struct store *s, const struct store_list_filter *f,
           store_list_fn fn, void *arg, char *err, size_t n)
{
	return s->ops->views->list(s, f, fn, arg, err, n);
}

int
store_series_scan(struct store *s, const char *task, when_t until,
                  store_series_fn fn, void *arg)
{
	return s->ops->views->series(s, task, until, fn, arg);
}
