/*
 * table.c - display-width aware terminal table; see table.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "table.h"

struct table_cell {
	char *text;
	const char *sgr; /* static strings from the caller */
	size_t width;
};

struct table_row {
	const char *sgr;
	struct table_cell *cells;
};

struct table {
	size_t ncols;
	char **headings;
	enum table_align *align;
	size_t *widths;
	struct table_row *rows;
	size_t nrows, cap;
};

size_t
table_width(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0), cps = 0;
	wchar_t *w;
	int width = -1;

	if (n != (size_t)-1 && (w = malloc((n + 1) * sizeof(*w))) != NULL) {
		if (mbstowcs(w, s, n + 1) == n)
			width = wcswidth(w, n);
		free(w);
	}
	if (width >= 0)
		return (size_t)width;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			cps++;
	return cps;
}

struct table *
table_new(size_t ncols, const char *const *headings,
          const enum table_align *align)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	if ((t->headings = calloc(ncols, sizeof(*t->headings))) == NULL ||
	    (t->align = calloc(ncols, sizeof(*t->align))) == NULL ||
	    (t->widths = calloc(ncols, sizeof(*t->widths))) == NULL)
		goto fail;
	for (size_t i = 0; i < ncols; i++) {
		if ((t->headings[i] = strdup(headings[i])) == NULL)
			goto fail;
		t->align[i] = align ? align[i] : TABLE_LEFT;
		t->widths[i] = table_width(headings[i]);
	}
	return t;
fail:
	table_free(t);
	return NULL;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[r].cells[c].text);
		free(t->rows[r].cells);
	}
	free(t->rows);
	if (t->headings != NULL)
		for (size_t i = 0; i < t->ncols; i++)
			free(t->headings[i]);
	free(t->headings);
	free(t->align);
	free(t->widths);
	free(t);
}

int
table_row(struct table *t, const char *sgr)
{
	struct table_row *row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct table_row *nr = realloc(t->rows, cap * sizeof(*nr));

		if (nr == NULL)
			return -1;
		t->rows = nr;
		t->cap = cap;
	}
	row = &t->rows[t->nrows];
	row->sgr = sgr;
	if ((row->cells = calloc(t->ncols, sizeof(*row->cells))) == NULL)
		return -1;
	t->nrows++;
	return 0;
}

int
table_cell(struct table *t, size_t col, const char *text, const char *sgr)
{
	struct table_cell *cell;
	char *copy;

	if (t->nrows == 0 || col >= t->ncols)
		return -1;
	if ((copy = strdup(text)) == NULL)
		return -1;
	cell = &t->rows[t->nrows - 1].cells[col];
	free(cell->text);
	cell->text = copy;
	cell->sgr = sgr;
	cell->width = table_width(copy);
	if (cell->width > t->widths[col])
		t->widths[col] = cell->width;
	return 0;
}

static void
table_pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void
table_put(const struct table *t, FILE *out, size_t col, const char *text,
          size_t width, const char *row_sgr, const char *cell_sgr, int color)
{
	size_t pad = t->widths[col] > width ? t->widths[col] - width : 0;
	int last = col + 1 == t->ncols;
	int styled = color && (row_sgr != NULL || cell_sgr != NULL);

	if (col > 0)
		fputs("  ", out);
	if (t->align[col] == TABLE_RIGHT)
		table_pad(out, pad);
	if (styled)
		fprintf(out, "\033[%s%s%sm", row_sgr ? row_sgr : "",
		    row_sgr && cell_sgr ? ";" : "", cell_sgr ? cell_sgr : "");
	fputs(text, out);
	if (styled)
		fputs("\033[0m", out);
	/* no trailing blanks after the last column */
	if (t->align[col] == TABLE_LEFT && !last)
		table_pad(out, pad);
}

void
table_print(const struct table *t, FILE *out, int color)
{
	for (size_t c = 0; c < t->ncols; c++)
		table_put(t, out, c, t->headings[c],
		    table_width(t->headings[c]), "1", NULL, color);
	fputc('\n', out);
	for (size_t r = 0; r < t->nrows; r++) {
		const struct table_row *row = &t->rows[r];

		for (size_t c = 0; c < t->ncols; c++) {
			const struct table_cell *cell = &row->cells[c];

			table_put(t, out, c, cell->text ? cell->text : "",
			    cell->text ? cell->width : 0, row->sgr, cell->sgr,
			    color);
		}
		fputc('\n', out);
	}
}

int
table_fill(const char *s, size_t width)
{
	size_t w = table_width(s);

	return (int)(w < width ? width - w : 0);
}

int
table_color(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
}
