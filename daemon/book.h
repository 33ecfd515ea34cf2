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
/* The same from a tally snapshot (tallysnap.h): snap's tallies (one per
 * target of plan) and the rows stored after row `after` folded onto them. */
struct book *book_new_from(struct plan *plan, struct store *store,
                           const struct tally *snap, int64_t after);
void book_free(struct book *b);

/*
 * Counting a report is two steps, so that one that cannot be counted is
 * refused before it is acknowledged: book_try says what the pair's tally
 * would become (TALLY_OVERFLOW: it cannot be counted; TALLY_RECOUNT: ask
 * book_try_refold), and book_put makes it so.  book_try_refold folds the
 * pair anew from the store, which must already hold the report (inside
 * the batch's transaction): for corrections and out-of-order sets.
 * book_try_refold returns 0 and sets *rc, or -1 on a store error.
 */
enum tally_result book_try(const struct book *b, const struct valid_report *v,
                           struct tally *out);
int book_try_refold(struct book *b, int target, struct tally *out,
                    enum tally_result *rc);
void book_put(struct book *b, int target, const struct tally *t);


/* A board as of instant `until` (reports observed up to then), for `at=`
 * queries; the caller frees it.  NULL on a store error. */
struct board *book_board_at(struct book *b, when_t until);

/* Units with at least one report counted, and units with any target. */
void book_units_reporting(const struct book *b, size_t *reporting,
                          size_t *with_targets);

#endif
