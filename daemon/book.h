/*
 * book.h - the ledger: the plan in force, the reports store, and the tallies
 * derived from them.
 *
 * The store is the truth; the board is a cache of it that is rebuilt at
 * start and kept current as batches commit.  Keeping them in one place is
 * what makes "tallies identical before and after a restart" checkable.
 */
#ifndef TIENDO_BOOK_H
#define TIENDO_BOOK_H

#include "board.h"
#include "plan.h"
#include "store.h"
#include "validate.h"

struct book {
	struct plan *plan;    /* owned */
	struct board *board;  /* owned */
	struct store *store;  /* borrowed */
	int *preorder;        /* unit indices, parents before children */
	int64_t recounts;     /* pairs refolded from the store */
	uint64_t generation;  /* distinct for every book made: readers that
	                         span loop turns notice a swap */
};

/* Takes ownership of plan; rebuilds every tally from the store.  NULL on a
 * store error (logged). */
struct book *book_new(struct plan *plan, struct store *store);
void book_free(struct book *b);

/* Counts a committed report. */
void book_apply(struct book *b, const struct valid_report *v);

/* Refolds one pair from the store again: what it holds, counted once each
 * (not counted in recounts: the caller's book_apply was). */
void book_recount(struct book *b, int target);

/* A board as of instant `until` (reports observed up to then), for `at=`
 * queries; the caller frees it.  NULL on a store error. */
struct board *book_board_at(struct book *b, when_t until);

/* Units with at least one report counted, and units with any target. */
void book_units_reporting(const struct book *b, size_t *reporting,
                          size_t *with_targets);

#endif
