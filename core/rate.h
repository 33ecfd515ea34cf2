/*
 * rate.h - the tallies of rate tasks.  A rate has no reports of its own:
 * its tally is derived from the tallies of its numerator and denominator
 * tasks for the same unit (numerator in `actual`, denominator in `base`),
 * so that every roll-up, which sums tallies, sums both and divides once.
 * Pure.
 */
#ifndef TIENDO_RATE_H
#define TIENDO_RATE_H

#include "plan.h"
#include "tally.h"

/* Derives every rate target's tally; tallies[] is indexed like
 * p->targets. */
void rate_derive_all(const struct plan *p, struct tally *tallies);

/* After tallies[target] changed: derives again the rate targets that read
 * it.  Returns how many. */
size_t rate_follow(const struct plan *p, struct tally *tallies, int target);

/* The rate targets that read target `target` (as numerator or
 * denominator), at most cap of them into out.  Returns how many. */
size_t rate_readers(const struct plan *p, int target, int *out, size_t cap);

/*
 * The target of a roll-up of a rate.  Its units' targets are percentages,
 * whose sum is no target (95% in two communes is not 190%): the roll-up
 * must reach what its units' targets ask of their denominators together,
 * sum(target x base) out of sum(base), so their targets weighted by their
 * denominators (95% everywhere is 95%; 95% of 100 dossiers and 80% of 10
 * is 103 of 110, 93.636%).  Before any denominator is reported, their
 * mean.  rate_goal_add() once per target summed, from a zeroed struct.
 */
struct rate_goal {
	__int128 weighted; /* sum of target x base, over the bases > 0 */
	dec_t base;        /* sum of those bases */
	dec_t sum;         /* sum of the targets, for the mean */
	uint32_t n;
};

void rate_goal_add(struct rate_goal *g, dec_t target, dec_t base);
dec_t rate_goal_target(const struct rate_goal *g);

#endif
