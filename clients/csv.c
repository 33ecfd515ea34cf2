/*
 * csv.c - RFC 4180 reader; see csv.h.
 *
 * One pass, one byte at a time, through a four-state machine.  A record is
 * collected into one growing buffer (fields NUL-separated) and handed over
 * only once it is complete and good; an error marks the record bad but the
 * machine keeps tracking quotes, so the next record starts where a
 * spreadsheet would say it does.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "utf8.h"

enum csv_state {
	CSV_FIELD_START, /* nothing of the current field seen yet */
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_QUOTE_SEEN,  /* a '"' inside a quoted field: end or escape */
};

struct csv_reader {
	char *buf;      /* the current record's fields, NUL-separated */
	size_t len, cap;
	size_t off[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
	size_t n;             /* fields completed */
	size_t field_start;   /* offset of the field being read */
	int field_quoted;     /* the field being read began with '"' */
	size_t line;          /* line of the byte being read */
	size_t rec_line;      /* line the current record started on */
	const char *bad;      /* first error of the current record, or NULL */
	int nomem;
};

static void
csv_mark_bad(struct csv_reader *r, const char *msg)
{
	if (r->bad == NULL)
		r->bad = msg;
}

/* Room for one more byte; 0 or -1 (out of memory, record marked bad). */
static int
csv_grow(struct csv_reader *r)
{
	size_t cap;
	char *nb;

	if (r->len < r->cap)
		return 0;
	cap = r->cap ? r->cap * 2 : 256;
	if ((nb = realloc(r->buf, cap)) == NULL) {
		r->nomem = 1;
		csv_mark_bad(r, "out of memory");
		return -1;
	}
	r->buf = nb;
	r->cap = cap;
	return 0;
}

static void
csv_put(struct csv_reader *r, char c)
{
	if (r->bad != NULL)
		return; /* the record is lost anyway: keep memory bounded */
	if (r->len - r->field_start >= CSV_FIELD_MAX) {
		csv_mark_bad(r, "field longer than 4096 bytes");
		return;
	}
	if (csv_grow(r) == 0)
		r->buf[r->len++] = c;
}

static void
csv_end_field(struct csv_reader *r)
{
	size_t flen = r->len - r->field_start;

	if (r->bad == NULL && r->n == CSV_FIELDS_MAX)
		csv_mark_bad(r, "more than 64 fields");
	/* buf is still NULL when every field so far was empty */
	if (r->bad == NULL && flen > 0 &&
	    (utf8_check(r->buf + r->field_start, flen) >= 0 ||
	     memchr(r->buf + r->field_start, '\0', flen) != NULL))
		csv_mark_bad(r, "invalid UTF-8 (or a NUL byte)");
	if (r->bad == NULL && csv_grow(r) == 0) {
		r->buf[r->len++] = '\0';
		r->off[r->n] = r->field_start;
		r->lens[r->n] = flen;
		r->n++;
	}
	r->field_start = r->len;
}

/* Finishes the record; returns what the callback said (0 to go on). */
static int
csv_end_record(struct csv_reader *r, csv_record_fn on_record,
               csv_error_fn on_error, void *arg, int *errors)
{
	int rc = 0;

	if (r->bad != NULL) {
		(*errors)++;
		if (on_error != NULL)
			on_error(arg, r->rec_line, r->bad);
	} else if (r->n == 1 && r->lens[0] == 0 && !r->field_quoted) {
		/* a blank line: not a record */
	} else {
		const char *fields[CSV_FIELDS_MAX];
		struct csv_record rec = {
			.line = r->rec_line, .n = r->n,
			.fields = fields, .lens = r->lens,
		};

		for (size_t i = 0; i < r->n; i++)
			fields[i] = r->buf + r->off[i];
		if (on_record != NULL)
			rc = on_record(arg, &rec);
	}
	r->len = r->field_start = 0;
	r->n = 0;
	r->bad = NULL;
	r->field_quoted = 0;
	return rc;
}

int
csv_parse(const char *buf, size_t len, csv_record_fn on_record,
          csv_error_fn on_error, void *arg)
{
	struct csv_reader r;
	enum csv_state st = CSV_FIELD_START;
	int errors = 0, rc = 0;
	size_t i = 0;

	memset(&r, 0, sizeof(r));
	r.line = r.rec_line = 1;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;

	for (; i < len && rc == 0 && !r.nomem; i++) {
		char c = buf[i];
		int eol = 0;

		switch (st) {
		case CSV_FIELD_START:
		case CSV_UNQUOTED:
			if (c == '"' && st == CSV_FIELD_START) {
				st = CSV_QUOTED;
				r.field_quoted = 1;
			} else if (c == ',') {
				csv_end_field(&r);
				r.field_quoted = 0;
				st = CSV_FIELD_START;
			} else if (c == '\n' || c == '\r') {
				eol = 1;
			} else {
				if (c == '"')
					csv_mark_bad(&r, "quote inside an "
					    "unquoted field");
				csv_put(&r, c);
				st = CSV_UNQUOTED;
			}
			break;
		case CSV_QUOTED:
			if (c == '"') {
				st = CSV_QUOTE_SEEN;
			} else {
				if (c == '\n')
					r.line++;
				csv_put(&r, c);
			}
			break;
		case CSV_QUOTE_SEEN:
			if (c == '"') {
				csv_put(&r, '"');
				st = CSV_QUOTED;
			} else if (c == ',') {
				csv_end_field(&r);
				r.field_quoted = 0;
				st = CSV_FIELD_START;
			} else if (c == '\n' || c == '\r') {
				eol = 1;
			} else {
				csv_mark_bad(&r, "text after a closing quote");
				csv_put(&r, c);
				st = CSV_UNQUOTED;
			}
			break;
		}
		if (eol) {
			/* CRLF is one line end; a bare CR counts as one too */
			if (c == '\r' && i + 1 < len && buf[i + 1] == '\n')
				i++;
			csv_end_field(&r);
			rc = csv_end_record(&r, on_record, on_error, arg,
			    &errors);
			r.line++;
			r.rec_line = r.line;
			st = CSV_FIELD_START;
		}
	}

	if (rc == 0 && !r.nomem) {
		if (st == CSV_QUOTED) {
			csv_mark_bad(&r, "quoted field never closed");
			rc = csv_end_record(&r, on_record, on_error, arg,
			    &errors);
		} else if (st != CSV_FIELD_START || r.n > 0) {
			csv_end_field(&r);
			rc = csv_end_record(&r, on_record, on_error, arg,
			    &errors);
		}
	}
	free(r.buf);
	if (r.nomem)
		return -2;
	if (rc != 0)
		return rc;
	return errors ? -1 : 0;
}
