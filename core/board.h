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
};

struct board *board_new(const struct plan *plan);
void board_free(struct board *b);

/* Applies a report to the tally of plan target `target`. */
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
 * its descendants; percent, expected, lag and status are computed from those
 * sums as for one tally (last report: the latest of them).  *n_units is the
 * number of targets summed.  Returns 0, or -1 when none is (no view).
 */
int board_rollup(const struct board *b, int task, int unit, when_t now,
                 struct tally_view *out, size_t *n_units);

#endif
