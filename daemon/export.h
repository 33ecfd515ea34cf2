/*
 * export.h - the tallies and the ranking as files for a spreadsheet:
 * CSV (UTF-8 with a BOM, so that Excel reads Vietnamese right) and XLSX
 * (libxlsxwriter).
 *
 *   /v1/export/tallies.csv   /v1/export/tallies.xlsx   [?at=]
 *   /v1/export/ranking.csv   /v1/export/ranking.xlsx   [?at=]
 *
 * The tallies CSV is streamed in chunks, like /v1/tallies.  An XLSX is
 * built whole in a temporary file, so it is refused (413, use the CSV)
 * above EXPORT_XLSX_MAX_ROWS rows.
 */
#ifndef TIENDO_EXPORT_H
#define TIENDO_EXPORT_H

#include "book.h"
#include "http.h"

#define EXPORT_XLSX_MAX_ROWS 100000
#define EXPORT_CHUNK_BYTES (256 * 1024)

/* Routes the four on h; `language` 0 vi, 1 en (column titles).  0/-1. */
int export_route(struct http *h, struct book **book, int language);

/* The XLSX writers (export_xlsx.c): a malloc'd file body in *out.
 * 0; -1 on failure; -2 when there are too many rows. */
struct export_iter;
struct ranking_row;
int export_xlsx_tallies(struct export_iter *it, int language,
                        unsigned char **out, size_t *len);
int export_xlsx_ranking(const struct plan *p, const struct ranking_row *rows,
                        size_t n, int language, unsigned char **out,
                        size_t *len);

#endif
