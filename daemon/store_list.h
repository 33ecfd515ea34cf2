/*
 * store_list.h - the stored reports of a pair, as they came: the audit
 * trail a clerk reads (who reported, the note, what was voided and why).
 * Its SQL is here, apart from store.c's, so that another store can give
 * the same list.
 */
#ifndef TIENDO_STORE_LIST_H
#define TIENDO_STORE_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct store_list_filter {
	const char *task;  /* NULL: any */
	const char *unit;  /* NULL: any */
	int64_t after_id;  /* rows with a greater id only (paging) */
	int64_t before_id; /* newest first: rows with a smaller id only, 0 none */
	int newest;        /* 1: newest first (a unit's latest reports) */
	int64_t limit;     /* at most this many rows */
};

/* One row: a report or a correction, with how it stands now. */
struct store_list_row {
	int64_t id;              /* the row's order of arrival */
	struct store_report r;   /* voids_seq/void_reason for a correction */
	uint64_t voided_by;      /* non-zero: voided by that seq */
	when_t voided_at;
};

typedef int (*store_list_fn)(void *arg, const struct store_list_row *row);

/* Calls fn for each row in id order (descending with f->newest); fn
 * returning non-zero stops it.  0,
 * or -1 with the database's reason in err. */
int store_list(struct store *s, const struct store_list_filter *f,
               store_list_fn fn, void *arg, char *err, size_t n);

#endif
