/*
 * export_xlsx.c - the XLSX files of export.h, with libxlsxwriter.
 *
 * libxlsxwriter 1.1 writes to a file only: the workbook goes to a
 * temporary file, which is read back and removed.  Numbers are written as
 * numbers (a spreadsheet can sum them), codes and names as text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "export.h"
#include "export_rows.h"
#include "log.h"
#include "ranking.h"

/* A fresh temporary name; the caller unlinks it.  0 or -1. */
static int
xlsx_tmpname(char *path, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, n, "%s/tiendo-export.XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	return 0;
}

/* Closes wb (writing the file) and reads it into *out.  0 or -1. */
static int
xlsx_finish(lxw_workbook *wb, const char *path, unsigned char **out,
            size_t *len)
{
	lxw_error err = workbook_close(wb);
	struct stat st;
	FILE *f = NULL;
	int rc = -1;

	if (err != LXW_NO_ERROR) {
		log_err("export: XLSX: %s", lxw_strerror(err));
		goto out;
	}
	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) < 0 ||
	    (*out = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	*len = fread(*out, 1, (size_t)st.st_size, f);
	if (*len != (size_t)st.st_size) {
		free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	if (rc < 0 && err == LXW_NO_ERROR)
		log_err("export: XLSX: %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
	unlink(path);
	return rc;
}

static void
xlsx_head(lxw_worksheet *ws, lxw_format *bold, const char *const *cols,
          size_t n)
{
	for (size_t i = 0; i < n; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, cols[i], bold);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_column(ws, 0, (lxw_col_t)(n - 1), 14, NULL);
}

int
export_xlsx_tallies(struct export_iter *it, int language, unsigned char **out,
                    size_t *len)
{
	const struct plan *p = it->book->plan;
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *pct;
	struct export_row r;
	char path[4096];
	lxw_row_t row = 1;

	if (xlsx_tmpname(path, sizeof path) < 0) {
		log_err("export: XLSX: temporary file: %s", strerror(errno));
		return -1;
	}
	if ((wb = workbook_new_opt(path, &opt)) == NULL) {
		unlink(path);
		return -1;
	}
	ws = workbook_add_worksheet(wb, language ? "Tallies" : "Tiến độ");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	pct = workbook_add_format(wb);
	format_set_num_format(pct, "0.00");
	xlsx_head(ws, bold, export_tally_head[language ? 1 : 0], EXPORT_TALLY_COLS);
	while (export_iter_next(it, &r) == 1) {
		const struct plan_task *t = &p->tasks[r.task];
		const struct plan_unit *u = &p->units[r.unit];

		if (row > EXPORT_XLSX_MAX_ROWS) {
			workbook_close(wb);
			unlink(path);
			return -2;
		}
		worksheet_write_string(ws, row, 0, t->code, NULL);
		worksheet_write_string(ws, row, 1, t->title, NULL);
		worksheet_write_string(ws, row, 2, u->code, NULL);
		worksheet_write_string(ws, row, 3, u->name, NULL);
		worksheet_write_string(ws, row, 4, u->kind, NULL);
		worksheet_write_number(ws, row, 5, r.rollup, NULL);
		/* Thousandths to a double: exact enough for a sheet's display;
		 * the CSV keeps the exact decimal. */
		worksheet_write_number(ws, row, 6, (double)r.v.actual / 1000, NULL);
		worksheet_write_number(ws, row, 7, (double)r.v.target / 1000, NULL);
		worksheet_write_string(ws, row, 8, t->measure, NULL);
		worksheet_write_number(ws, row, 9, r.v.percent, pct);
		worksheet_write_number(ws, row, 10, r.v.expected, pct);
		worksheet_write_number(ws, row, 11, r.v.lag, pct);
		worksheet_write_string(ws, row, 12, tally_status_name(r.v.status), NULL);
		worksheet_write_number(ws, row, 13, r.reports, NULL);
		row++;
	}
	return xlsx_finish(wb, path, out, len);
}

int
export_xlsx_ranking(const struct plan *p, const struct ranking_row *rows,
                    size_t n, int language, unsigned char **out, size_t *len)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	char path[4096];

	if (n > EXPORT_XLSX_MAX_ROWS)
		return -2;
	if (xlsx_tmpname(path, sizeof path) < 0) {
		log_err("export: XLSX: temporary file: %s", strerror(errno));
		return -1;
	}
	if ((wb = workbook_new_opt(path, &opt)) == NULL) {
		unlink(path);
		return -1;
	}
	ws = workbook_add_worksheet(wb, language ? "Ranking" : "Thi đua");
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	xlsx_head(ws, bold, export_rank_head[language ? 1 : 0], EXPORT_RANK_COLS);
	for (size_t i = 0; i < n; i++) {
		const struct plan_unit *u = &p->units[rows[i].unit];
		lxw_row_t row = (lxw_row_t)i + 1;

		worksheet_write_string(ws, row, 0, u->kind, NULL);
		worksheet_write_number(ws, row, 1, rows[i].rank, NULL);
		worksheet_write_string(ws, row, 2, u->code, NULL);
		worksheet_write_string(ws, row, 3, u->name, NULL);
		worksheet_write_number(ws, row, 4, rows[i].score, NULL);
		worksheet_write_number(ws, row, 5, (double)rows[i].tasks, NULL);
		worksheet_write_number(ws, row, 6, (double)rows[i].done, NULL);
		worksheet_write_number(ws, row, 7, (double)rows[i].behind, NULL);
	}
	return xlsx_finish(wb, path, out, len);
}
