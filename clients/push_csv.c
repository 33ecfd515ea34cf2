/*
 * push_csv.c - tiendo-push --csv: a header row names the columns (unit,
 * task, kind, value, observed_at, reporter, note); every line is checked
 * and nothing is queued unless all are good.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "csv.h"
#include "push.h"
#include "push_csv.h"
#include "push_new.h"
#include "when.h"

#define PUSH_CSV_MAX (256L << 20)  /* bytes of one CSV file */

enum { COL_UNIT, COL_TASK, COL_KIND, COL_VALUE, COL_AT, COL_REPORTER,
       COL_NOTE, COL_N };

static const char *const push_col_names[COL_N] = {
	"unit", "task", "kind", "value", "observed_at", "reporter", "note",
};

struct push_csv {
	const char *name; /* for messages */
	const char *tz;
	when_t now;
	struct push_new *nw;
	int seen_header;
	int header_ok;
	size_t ncols;
	int col[COL_N];   /* column of each known field, or -1 */
	size_t errors;
	int nomem;
};

static void
push_csv_error(void *arg, size_t line, const char *msg)
{
	struct push_csv *c = arg;

	fprintf(stderr, "%s:%zu: %s\n", c->name, line, msg);
	c->errors++;
	c->seen_header = 1; /* a bad first record is a bad header */
}

/* Copies s without surrounding blanks (spreadsheets leave them). */
static char *
push_trim(const char *s, char *buf, size_t n)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

static int
push_csv_header(struct push_csv *c, const struct csv_record *rec)
{
	char name[CSV_FIELD_MAX + 1];
	int ok = 1;

	for (int k = 0; k < COL_N; k++)
		c->col[k] = -1;
	c->ncols = rec->n;
	for (size_t i = 0; i < rec->n; i++) {
		int k;

		push_trim(rec->fields[i], name, sizeof(name));
		for (k = 0; k < COL_N; k++)
			if (strcasecmp(name, push_col_names[k]) == 0)
				break;
		if (k == COL_N) {
			fprintf(stderr, "%s:%zu: unknown column \"%.64s\" "
			    "(known: unit, task, kind, value, observed_at, "
			    "reporter, note)\n", c->name, rec->line, name);
			ok = 0;
		} else if (c->col[k] >= 0) {
			fprintf(stderr, "%s:%zu: column \"%s\" appears twice\n",
			    c->name, rec->line, push_col_names[k]);
			ok = 0;
		} else {
			c->col[k] = (int)i;
		}
	}
	for (int k = COL_UNIT; k <= COL_VALUE; k++) {
		if (c->col[k] < 0) {
			fprintf(stderr, "%s:%zu: missing column \"%s\"\n",
			    c->name, rec->line, push_col_names[k]);
			ok = 0;
		}
	}
	if (!ok)
		c->errors++;
	return ok;
}

static int
push_csv_record(void *arg, const struct csv_record *rec)
{
	static const char *const names[] = {
		"unit", "task", "value", "observed_at", "reporter", "note",
	};
	struct push_csv *c = arg;
	char f[COL_N][CSV_FIELD_MAX + 1], err[256];
	enum outbox_kind kind;
	int rc;

	if (!c->seen_header) {
		c->seen_header = 1;
		c->header_ok = push_csv_header(c, rec);
		return 0;
	}
	if (!c->header_ok)
		return 0; /* rows cannot be read without their header */
	if (rec->n != c->ncols) {
		fprintf(stderr, "%s:%zu: %zu fields, but the header has %zu\n",
		    c->name, rec->line, rec->n, c->ncols);
		c->errors++;
		return 0;
	}
	for (int k = 0; k < COL_N; k++) {
		if (c->col[k] < 0)
			f[k][0] = '\0';
		else if (k == COL_NOTE)
			snprintf(f[k], sizeof(f[k]), "%s",
			    rec->fields[c->col[k]]);
		else
			push_trim(rec->fields[c->col[k]], f[k], sizeof(f[k]));
	}
	if (strcasecmp(f[COL_KIND], "add") == 0) {
		kind = OUTBOX_ADD;
	} else if (strcasecmp(f[COL_KIND], "set") == 0) {
		kind = OUTBOX_SET;
	} else {
		fprintf(stderr, "%s:%zu: kind \"%.20s\": neither add nor set\n",
		    c->name, rec->line, f[COL_KIND]);
		c->errors++;
		return 0;
	}
	rc = push_new_add(c->nw, f[COL_UNIT], f[COL_TASK], kind, f[COL_VALUE],
	    f[COL_AT], f[COL_REPORTER], f[COL_NOTE], c->tz, c->now, err,
	    sizeof(err), names);
	if (rc < 0) {
		c->nomem = 1;
		return 1;
	}
	if (rc > 0) {
		fprintf(stderr, "%s:%zu: %s\n", c->name, rec->line, err);
		c->errors++;
	}
	return 0;
}

/* Reads a whole file (or stdin for "-"); malloc'd.  -1 reported. */
static int
push_slurp(const char *path, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		push_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (cap >= (size_t)PUSH_CSV_MAX) {
				push_warn("%s: larger than %ld MiB", path,
				    PUSH_CSV_MAX >> 20);
				goto fail;
			}
			if ((nb = realloc(buf, ncap)) == NULL) {
				push_warn("out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		push_warn("%s: read error", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*out = buf;
	*len = n;
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return -1;
}

/* Reads the CSV into nw; returns an exit status (EX_OK when all good). */
int
push_csv_read(const char *path, const char *tz, when_t now,
              struct push_new *nw)
{
	struct push_csv c;
	char *buf;
	size_t len;
	int rc;

	if (push_slurp(path, &buf, &len) != 0)
		return strcmp(path, "-") == 0 ? EX_IOERR : EX_NOINPUT;
	memset(&c, 0, sizeof(c));
	c.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	c.tz = tz;
	c.now = now;
	c.nw = nw;
	rc = csv_parse(buf, len, push_csv_record, push_csv_error, &c);
	free(buf);
	if (rc == -2 || c.nomem) {
		push_warn("out of memory");
		return EX_OSERR;
	}
	if (!c.seen_header) {
		fprintf(stderr, "%s:1: no header row (unit,task,kind,value,...)"
		    "\n", c.name);
		c.errors++;
	}
	if (c.errors > 0) {
		push_warn("%s: %zu error%s, nothing queued", c.name, c.errors,
		    c.errors == 1 ? "" : "s");
		return EX_DATAERR;
	}
	return EX_OK;
}
