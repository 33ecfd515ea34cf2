/*
 * export_rows.h - the rows the exports write: the tallies as /v1/tallies
 * lists them (per task, units in tree order, a roll-up row where a unit
 * sums more than its own target), one at a time, so that a writer can
 * stop after a chunk and come back.
 */
#ifndef TIENDO_EXPORT_ROWS_H
#define TIENDO_EXPORT_ROWS_H

#include "book.h"
#include "rollup.h"

struct export_row {
	int task, unit;
	int rollup;               /* 1: the sum of the unit's subtree */
	uint32_t units;           /* targets summed */
	struct tally_view v;
	uint32_t reports;
	when_t last_report;
};

struct export_iter {
	const struct book *book;
	const struct board *board;   /* the book's, or one of the past */
	struct rollup *ru;           /* owned */
	when_t now;
	int (*keep)(void *arg, int task, int unit);  /* a scope; NULL: all */
	void *keep_arg;
	size_t ti, ui;
	int phase;                   /* 0 roll-up row next, 1 own row next */
};

/* 0, or -1 when out of memory.  `board` NULL: the book's. */
int export_iter_init(struct export_iter *it, const struct book *book,
                     const struct board *board, when_t now);
void export_iter_free(struct export_iter *it);
/* 1 with *r filled, 0 at the end. */
int export_iter_next(struct export_iter *it, struct export_row *r);

/* Column titles in the dashboard's language (0 vi, 1 en), and the
 * number of columns. */
#define EXPORT_TALLY_COLS 14
extern const char *const export_tally_head[2][EXPORT_TALLY_COLS];
#define EXPORT_RANK_COLS 8
extern const char *const export_rank_head[2][EXPORT_RANK_COLS];

#endif
