/*
 * histogram.h - a latency histogram with fixed buckets, in seconds, in the
 * shape Prometheus wants (cumulative buckets, sum, count).
 */
#ifndef TIENDO_HISTOGRAM_H
#define TIENDO_HISTOGRAM_H

#include <stdint.h>

/* From 100 µs (one fast commit) to 10 s (a disk in trouble). */
#define HISTOGRAM_BUCKETS 16
extern const double histogram_bounds[HISTOGRAM_BUCKETS];

struct histogram {
	uint64_t counts[HISTOGRAM_BUCKETS]; /* not cumulative: per bucket */
	uint64_t count;                     /* also those above the last bound */
	double sum;
};

void histogram_observe(struct histogram *h, double seconds);

/* CLOCK_MONOTONIC in seconds, for timing what is observed. */
double histogram_clock(void);

#endif
