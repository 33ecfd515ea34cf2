/*
 * silence.h - which alert events a silence holds back.  Pure: the
 * silences are given, `now` is passed in.
 *
 * A silence covers the events of one task (or every task) for one unit and
 * every unit below it (or every unit), from its creation until `until` or
 * until it is expired by hand.  A covered event is still stored and
 * counted; it is only not pushed to subscribers (alerts.c).
 */
#ifndef TIENDO_SILENCE_H
#define TIENDO_SILENCE_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "when.h"

struct silence {
	uint64_t id;
	int task;      /* task index, -1: every task */
	int unit;      /* unit index (and below), -1: every unit */
	when_t until;  /* ends then (or at expiry by hand: until <= now) */
};

/* The id of the first silence in s[0..n) covering (task, unit) at `now`,
 * or 0. */
uint64_t silence_covering(const struct plan *p, const struct silence *s,
                          size_t n, int task, int unit, when_t now);

/* Checks a new silence: 0, or -1 with a static reason in *why. */
int silence_check(const struct silence *s, when_t now, const char **why);

#endif
