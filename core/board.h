/*
 * board.h - every tally of a plan, and the roll-ups up the unit tree.
 * Pure: no I/O, no clock.
 *
 * One struct tally per plan target (same index as plan->targets), so looking
 * one up after validation is an array access.
 */
#ifndef TIENDO_BOARD_H
#define TIENDO_BOARD_H

#include "plan.h"
#include "tally.h"

struct board {
	const struct plan *plan; /* borrowed; outlives the board */
	struct tally *tallies;   /* plan->n_targets of them */
	/* Per task: the sum of |actual| over its tallies.  board_try keeps it
	 * <= INT64_MAX, so that no roll-up (a sum of some of them) can leave
	 * the int64 range: a report that would is refused, not half-counted. */
	uint64_t *task_abs;
};

struct board *board_new(const struct plan *plan);
void board_free(struct board *b);

/* What the tally of `target` would be after report r, in *out; the board is
 * untouched.  TALLY_OVERFLOW also when the task's sum of |actual| would
 * pass INT64_MAX (see task_abs). */
enum tally_result board_try(const struct board *b, int target,
                            const struct tally_report *r, struct tally *out);
/* The same for a refold of `target` from all of its reports. */
enum tally_result board_try_fold(const struct board *b, int target,
                                 const struct tally_report *r, size_t n,
                                 struct tally *out);
/* Replaces the tally of `target` (a board_try result, or one saved before). */
void board_set(struct board *b, int target, const struct tally *t);

/* Applies a report to the tally of plan target `target`: board_try, then
 * board_set when it is TALLY_OK. */
enum tally_result board_apply(struct board *b, int target,
                              const struct tally_report *r);

/* Replaces the tally of target `target` with the fold of `r` (a recount). */
enum tally_result board_refold(struct board *b, int target,
                               const struct tally_report *r, size_t n);

/* The view of one target at `now`. */
void board_view(const struct board *b, int target, when_t now,
                struct tally_view *out);

/*
 * Roll-up of task `task` over unit `unit` and everything below it: actual
 * and target are the sums over the targets of that task held by `unit` or
 * its descendants, as its kind reads them (indicator_rollup: a rate's
 * target weighted by its units' denominators, a level in percent as
 * means); percent, expected, lag and status are computed from those as
 * for one tally (last report: the latest of them).  *n_units is the
 * number of targets summed.  Returns 0, or -1 when none is (no view).
 */
int board_rollup(const struct board *b, int task, int unit, when_t now,
                 struct tally_view *out, size_t *n_units);

#endif
