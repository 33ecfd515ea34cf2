/*
 * histogram.c - see histogram.h.
 */
#include <time.h>

#include "histogram.h"

const double histogram_bounds[HISTOGRAM_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

void
histogram_observe(struct histogram *h, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	for (int i = 0; i < HISTOGRAM_BUCKETS; i++)
		if (seconds <= histogram_bounds[i]) {
			h->counts[i]++;
			break;
		}
	h->count++;
	h->sum += seconds;
}

double
histogram_clock(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
