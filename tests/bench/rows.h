/*
 * rows.h - the report rows every benchmark writes: the ceiling (straight
 * into the store) and the load generator (over the wire) must insert the
 * same rows for their ratio to mean anything, so both take them from here.
 */
#ifndef TIENDO_BENCH_ROWS_H
#define TIENDO_BENCH_ROWS_H

#include <stdint.h>
#include <time.h>

static const char *const bench_values[] = {
	"12.5", "3", "150", "0.25", "40", "7.125", "1", "25",
};
static const char *const bench_notes[] = {
	"", "đợt 2", "báo cáo tuần", "theo biên bản nghiệm thu", "",
	"số liệu xã", "",
};
static const char *const bench_reporters[] = {
	"Nguyễn Văn An", "Trần Thị Bình", "", "Văn phòng UBND xã",
};
#define BENCH_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Nanoseconds on the monotonic clock, for durations. */
static inline int64_t
bench_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
