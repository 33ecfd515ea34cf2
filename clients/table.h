/*
 * table.h - a terminal table whose columns line up by display width, so
 * that Vietnamese names ("Thị trấn Hợp Hòa", precomposed or with combining
 * marks) align: widths come from mbstowcs + wcswidth in the caller's
 * locale, which must be a UTF-8 one (setlocale(LC_ALL, "") and, failing
 * that, C.UTF-8).
 */
#ifndef TIENDO_TABLE_H
#define TIENDO_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum table_align { TABLE_LEFT = 0, TABLE_RIGHT = 1 };

struct table;

/* A table of ncols columns with these headings and alignments. */
struct table *table_new(size_t ncols, const char *const *headings,
                        const enum table_align *align);
void table_free(struct table *t);

/* Starts a row.  sgr: ANSI SGR parameters for the whole row ("1" bold), or
 * NULL.  0 or -1 (out of memory). */
int table_row(struct table *t, const char *sgr);

/* Sets cell `col` of the current row to a copy of text, with its own SGR
 * parameters ("33" yellow) or NULL.  0 or -1. */
int table_cell(struct table *t, size_t col, const char *text, const char *sgr);

/* Prints headings and rows; SGR sequences only when `color`. */
void table_print(const struct table *t, FILE *out, int color);

/* Columns a string takes on a terminal.  Falls back to counting code
 * points when the string cannot be converted in the current locale. */
size_t table_width(const char *s);

/* The blanks that bring s to `width` columns (0 when it is as wide or
 * wider): printf("%s%*s", s, table_fill(s, w), "") pads by display width,
 * where "%-12s" pads bytes. */
int table_fill(const char *s, size_t width);

/* Colours on standard output: a terminal, and $NO_COLOR unset or empty
 * (no-color.org). */
int table_color(void);

#endif
