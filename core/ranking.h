/*
 * ranking.h - the emulation table (thi đua): units ranked by how well
 * they keep pace with their own targets.  Pure: `now` is passed in.
 *
 * The rule (written on the dashboard's ranking page too): for each of a
 * unit's own targets whose task has started (expected > 0 at now), the
 * ratio of its percent done to the percent expected by now, capped at
 * RANKING_CAP (so that one task far ahead cannot hide the others); for a
 * target that must not be exceeded (a ceiling, a level or a rate held
 * at_most), 1 within it and target / actual above it; the
 * score is the mean of those ratios times 100.  A unit with no started
 * target is not ranked.  Units are ranked within their kind (communes with
 * communes, departments with departments); equal scores share a rank
 * (1, 2, 2, 4), then go by unit code.
 */
#ifndef TIENDO_RANKING_H
#define TIENDO_RANKING_H

#include <stddef.h>

#include "board.h"

#define RANKING_CAP 1.2

struct ranking_row {
	int unit;
	double score;      /* 0 .. RANKING_CAP * 100 */
	size_t tasks;      /* started targets scored */
	size_t done;       /* of which done */
	size_t behind;     /* of which lagging, critical, overdue, silent or
	                      missing_report */
	int rank;          /* 1-based, within the unit's kind */
};

/* One target's ratio, before the cap: its percent done over its percent
 * expected by now; for what must stay at or under its target, 1 within
 * it and target / actual above it. */
double ranking_ratio(const struct plan_task *t, const struct tally_view *v);

/* Fills rows[] (room for plan->n_units) sorted by kind, then rank, and
 * *ranked with how many units are ranked; -1 when out of memory.
 * keep(arg, task, unit) may leave targets out (a unit is then scored on
 * the targets kept: a department's owned tasks, rankview.c); NULL keeps
 * all. */
int ranking_compute(const struct board *b, when_t now,
                    int (*keep)(void *arg, int task, int unit), void *arg,
                    struct ranking_row *rows, size_t *ranked);

#endif
