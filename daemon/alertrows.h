/*
 * alertrows.h - reading stored alert events by seq: the bodies of a page
 * of active alerts chosen in memory (core/alertquery.c).  On the store's
 * handle, in each room (store_views.h).
 */
#ifndef TIENDO_ALERTROWS_H
#define TIENDO_ALERTROWS_H

#include <stddef.h>
#include <stdint.h>

#include "alertstore.h"
#include "store.h"

/* fn(arg, body, len) for each stored event of seqs[0..n), in that order
 * (a seq with no row is skipped).  Stops at fn's non-zero value and
 * returns it; -1 on a database error, with the reason in err. */
int alertrows_by_seq(struct store *s, const uint64_t *seqs, size_t n,
                     alertstore_body_fn fn, void *arg, char *err,
                     size_t errlen);

#endif
