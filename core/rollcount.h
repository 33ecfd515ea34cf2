/*
 * rollcount.h - how many targets under each unit stand in each status,
 * for one task, and the rule that keeps a roll-up from hiding its
 * laggards.  Pure: `now` is passed in.
 *
 * The rule: a roll-up whose own status (from its sums) would be on_track
 * or done is reported as `lagging` while at least `critical_share` of the
 * targets under it are critical or overdue; a province at 103 % with a
 * tenth of its communes far behind is not "done".  critical_share is a
 * fraction, 0 < share <= 1; 0 turns the rule off.
 */
#ifndef TIENDO_ROLLCOUNT_H
#define TIENDO_ROLLCOUNT_H

#include <stdint.h>

#include "board.h"

struct rollcount {
	const struct plan *plan;                 /* borrowed */
	uint32_t (*n)[STATUS_N];                 /* per unit */
};

struct rollcount *rollcount_new(const struct plan *p);
void rollcount_free(struct rollcount *rc);

/* Counts every target of `task` at `now` in its unit and every ancestor. */
void rollcount_task(struct rollcount *rc, const struct board *b, int task,
                    when_t now);

/* The counts of unit u (indexed by enum tally_status). */
const uint32_t *rollcount_of(const struct rollcount *rc, int u);

/* The status a roll-up shows: `own`, or lagging by the rule above. */
enum tally_status rollcount_status(enum tally_status own,
                                   const uint32_t *counts,
                                   double critical_share);

#endif
