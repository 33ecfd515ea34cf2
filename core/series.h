/*
 * series.h - a tally through time, for the dashboard's burn-up charts.
 * Pure: no I/O, no clock.
 *
 * The actual of a pair at instant t is what book_board_at(t) would count:
 * the fold (tally.h) of the pair's reports observed at or before t, less
 * those a correction observed at or before t voids.  So the last point of
 * a series ending now equals the live tally, corrections included.
 */
#ifndef TIENDO_SERIES_H
#define TIENDO_SERIES_H

#include <stddef.h>

#include "tally.h"

struct series_report {
	struct tally_report r;
	when_t voided_at;  /* observed_at of the correction voiding it; 0: none */
};

/* The actual at t of one pair whose reports are rs[0..n) (any order).
 * scratch holds n reports.  TALLY_OK or TALLY_OVERFLOW. */
enum tally_result series_actual_at(const struct series_report *rs, size_t n,
                                   when_t t, struct tally_report *scratch,
                                   dec_t *actual);

/* Instants from `from` to `to` every `step` ms, `to` always the last:
 * how many there are (0 when to < from or step <= 0). */
size_t series_points(when_t from, when_t to, int64_t step);
when_t series_point(when_t from, when_t to, int64_t step, size_t i);

#endif
