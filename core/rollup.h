/*
 * rollup.h - every roll-up of one task in one pass.  Pure.
 *
 * board_rollup() answers one (task, unit) in O(targets of the task); a
 * table of all units would make that quadratic, which a country-sized plan
 * (3,300 units) cannot afford.  Here each target's tally is added to its
 * unit and to every ancestor: O(targets x depth) for the whole tree.
 */
#ifndef TIENDO_ROLLUP_H
#define TIENDO_ROLLUP_H

#include "board.h"
#include "indicator.h"

struct rollup_cell {
	struct tally sum; /* actual, n_reports, last_report_at summed/maxed */
	dec_t target;     /* sum of the targets */
	struct indicator_acc acc; /* a rate's goal, a level's values */
	uint32_t n;       /* targets summed: the unit's own and those below */
};

struct rollup {
	const struct plan *plan;    /* borrowed */
	struct rollup_cell *cells;  /* one per unit */
};

struct rollup *rollup_new(const struct plan *p);
void rollup_free(struct rollup *r);

/* Recomputes every unit's cell for `task` from the board, with the targets
 * as revised by `at` (the instant the cells will be viewed at: a roll-up
 * of May keeps May's targets). */
void rollup_task(struct rollup *r, const struct board *b, int task,
                 when_t at);

/* The cell of unit `u` as a view at `now`.  Returns the number of targets
 * summed (0: nothing below u has a target for the task; *out untouched). */
uint32_t rollup_view(const struct rollup *r, int task, int u, when_t now,
                     struct tally_view *out);

#endif
