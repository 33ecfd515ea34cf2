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

#endif
