/*
 * series.c - a tally through time (series.h).
 */
#include "series.h"

enum tally_result
series_actual_at(const struct series_report *rs, size_t n, when_t t,
                 struct tally_report *scratch, dec_t *actual)
{
	struct tally tl;
	enum tally_result rc;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (rs[i].r.observed_at <= t &&
		    (rs[i].voided_at == 0 || rs[i].voided_at > t))
			scratch[k++] = rs[i].r;
	rc = tally_fold(&tl, scratch, k);
	*actual = rc == TALLY_OK ? tl.actual : 0;
	return rc;
}

size_t
series_points(when_t from, when_t to, int64_t step)
{
	if (to < from || step <= 0)
		return 0;
	/* Every whole step, and `to` itself unless it falls on one. */
	return (size_t)((to - from) / step) + 1 + ((to - from) % step != 0);
}

when_t
series_point(when_t from, when_t to, int64_t step, size_t i)
{
	when_t t = from + (when_t)i * step;

	return t > to ? to : t;
}
