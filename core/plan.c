/*
 * plan.c - reads and checks a district's plan (an INI file, via libinih).
 *
 * The format, for the clerk who edits it:
 *
 *   ; A comment starts a line with ';' or '#'.  After a value, a comment
 *   ; starts with " ;" (a space, then a semicolon); '#' after a value is
 *   ; part of the value.  Leading spaces are ignored; a value never
 *   ; continues on the next line.  A line may be at most 199 bytes long.
 *   ; The file is UTF-8 (a byte-order mark is allowed).
 *
 *   [plan]                          ; optional
 *   name = Huyện Tam Dương — kế hoạch năm 2021
 *   timezone = Asia/Ho_Chi_Minh     ; tz database name; this is the default
 *
 *   [unit tam-duong]                ; one section per unit
 *   name = Huyện Tam Dương          ; required
 *   kind = district                 ; required; one lowercase word
 *                                   ; no parent: a root
 *   [unit hop-hoa]
 *   name = Thị trấn Hợp Hòa
 *   kind = town
 *   parent = tam-duong              ; may be defined later in the file
 *
 *   [task trong-cay]                ; one section per task
 *   title = Tết trồng cây ...       ; required
 *   measure = cây                   ; required: what the numbers count
 *   owner = phong-nn                ; optional: a unit code
 *   start = 2021-02-17              ; required; a bare date is the local
 *                                   ; midnight that starts that day
 *   deadline = 2021-04-30           ; required; a bare date is the END of
 *                                   ; that day; must be after start
 *   pacing = milestones             ; linear or milestones; when absent,
 *                                   ; milestones if any are given
 *   milestone = 2021-03-15 30       ; repeatable: "DATE PERCENT", a bare
 *                                   ; date is the end of that day; a
 *                                   ; trailing % is allowed; dates and
 *                                   ; percents strictly increasing,
 *                                   ; inside (start, deadline), (0, 100)
 *   warn = 10                       ; lag in points for "lagging"; 10
 *   critical = 25                   ; lag for "critical", >= warn; 25
 *   stale_after = 7d                ; silence that makes "silent": 90s,
 *                                   ; 45m, 36h, 7d, 2w, bare = days;
 *                                   ; 0 = never; default 7d
 *
 *   [targets trong-cay]             ; one section per task: UNIT = VALUE
 *   hop-hoa = 5000                  ; decimal > 0, at most 3 decimals
 *   an-hoa = 4000
 *
 * Dates may also carry a time ("2021-02-17 08:30") or an offset
 * ("2021-02-17T08:30+07:00"); see when_parse().  Codes are 1 to 64 of
 * a-z, 0-9 and '-', not starting with '-'.  Every task needs at least
 * one target.  Sections may come in any order.
 *
 * How it is read.  Debian's libinih has no line numbers in its handler,
 * splits long lines silently and reports only its first syntax error, so
 * our reader callback does the line work: it counts lines, refuses long
 * ones and bad UTF-8, skips comments, opens sections itself (so that a
 * section with no keys is still seen, and a long code is not truncated to
 * inih's 50-byte section buffer) and strips leading blanks (so that an
 * indented key is not taken as a continuation of the previous value).
 * inih then only splits "key = value" and strips comments.  Every value is
 * kept with its line and checked once the whole file is read, because
 * parents, owners and targets may refer to things defined further down.
 * Errors are collected, sorted by line and returned all at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ini.h>

#include "plan.h"
#include "utf8.h"

#define DEFAULT_WARN 10.0
#define DEFAULT_CRITICAL 25.0
#define DEFAULT_STALE (7 * WHEN_DAY)
#define KIND_MAX 32
/* A milestone whose date could not be read, or was refused. */
#define NO_TIME INT64_MIN
/* A plan for the whole country is ~15 MB; anything far larger is a mistake
 * (a database dump, a log) that should not be read into memory. */
#define PLAN_FILE_MAX ((size_t)256 << 20)

/* A value as written, and where. */
struct field {
	char *val;
	int line;
};

enum { P_NAME, P_TZ, P_NKEYS };
static const char *const plan_keys[] = {"name", "timezone", NULL};

enum { U_NAME, U_KIND, U_PARENT, U_NKEYS };
static const char *const unit_keys[] = {"name", "kind", "parent", NULL};

enum {
	T_TITLE, T_MEASURE, T_OWNER, T_START, T_DEADLINE, T_PACING, T_WARN,
	T_CRITICAL, T_STALE, T_NKEYS
};
static const char *const task_keys[] = {
	"title", "measure", "owner", "start", "deadline", "pacing", "warn",
	"critical", "stale_after", NULL
};

struct bunit {
	char *code;
	int line;
	struct field f[U_NKEYS];
};

struct btask {
	char *code;
	int line;
	struct field f[T_NKEYS];
	struct field *ms; /* milestone lines */
	size_t n_ms, cap_ms;
	int n_targets;    /* target lines seen, valid or not */
};

struct bsect { /* a [targets CODE] section */
	char *task;
	int line;
};

struct btarget {
	int sect;
	char *unit;
	dec_t value;
	int ok; /* value parsed */
	int line;
	int task_i, unit_i; /* resolved */
};

struct berr {
	int line;
	size_t seq;
	char *msg;
};

/* Code -> index, open addressing; keys are borrowed. */
struct map {
	const char **keys;
	int *vals;
	size_t cap, n;
};

enum sec_kind { SEC_NONE, SEC_SKIP, SEC_PLAN, SEC_UNIT, SEC_TASK, SEC_TARGETS };

struct build {
	const char *name; /* file name for messages */
	const char *text;
	size_t len, pos;
	int lineno;
	int oom;

	enum sec_kind sec;
	int cur;
	int plan_line;
	struct field pf[P_NKEYS];

	struct bunit *units;
	size_t n_units, cap_units;
	struct btask *tasks;
	size_t n_tasks, cap_tasks;
	struct bsect *sects;
	size_t n_sects, cap_sects;
	struct btarget *targets;
	size_t n_targets, cap_targets;
	struct map unit_map, task_map, sect_map;

	struct berr *errs;
	size_t n_errs, cap_errs;
};

static int
grow(void *arrp, size_t *cap, size_t n, size_t size)
{
	void **arr = arrp;
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((p = reallocarray(*arr, ncap, size)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- map ---- */

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int
map_get(const struct map *m, const char *k)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	for (i = hash_str(k) & (m->cap - 1); m->keys[i];
	     i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], k) == 0)
			return m->vals[i];
	return -1;
}

static int
map_put(struct map *m, const char *k, int v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct map big = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};

		big.keys = calloc(big.cap, sizeof(*big.keys));
		big.vals = calloc(big.cap, sizeof(*big.vals));
		if (big.keys == NULL || big.vals == NULL) {
			free(big.keys);
			free(big.vals);
			return -1;
		}
		for (i = 0; i < m->cap; i++)
			if (m->keys[i] && map_put(&big, m->keys[i], m->vals[i]))
				return -1; /* cannot happen: big is large enough */
		free(m->keys);
		free(m->vals);
		*m = big;
	}
	for (i = hash_str(k) & (m->cap - 1); m->keys[i];
	     i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = k;
	m->vals[i] = v;
	m->n++;
	return 0;
}

static void
map_free(struct map *m)
{
	free(m->keys);
	free(m->vals);
}

/* ---- errors ---- */

/* Messages quote what the clerk wrote; a stray byte from a legacy encoding
 * must not make the message itself invalid UTF-8. */
static void
sanitize(char *s)
{
	size_t len = strlen(s), off = 0;
	long bad;

	while ((bad = utf8_check(s + off, len - off)) >= 0) {
		s[off + (size_t)bad] = '?';
		off += (size_t)bad + 1;
	}
}

static void
errf(struct build *b, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(struct build *b, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0 || grow(&b->errs, &b->cap_errs, b->n_errs,
	                  sizeof(*b->errs)) != 0) {
		if (r >= 0)
			free(msg);
		b->oom = 1;
		return;
	}
	sanitize(msg);
	b->errs[b->n_errs].line = line;
	b->errs[b->n_errs].seq = b->n_errs;
	b->errs[b->n_errs].msg = msg;
	b->n_errs++;
}

static int
err_cmp(const void *a, const void *b)
{
	const struct berr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
errs_append(struct plan_errors *errs, char *msg)
{
	char **p;

	if ((p = reallocarray(errs->msgs, errs->n + 1, sizeof(*p))) == NULL)
		return -1;
	errs->msgs = p;
	errs->msgs[errs->n++] = msg;
	return 0;
}

static void
errs_appendf(struct plan_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
errs_appendf(struct plan_errors *errs, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	if (errs == NULL)
		return;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	sanitize(msg);
	if (errs_append(errs, msg) != 0)
		free(msg);
}

/* ---- codes and words ---- */

/* NULL if `s` is a valid code, else why not. */
static const char *
code_problem(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0)
		return "is empty";
	if (n > PLAN_CODE_MAX)
		return "is longer than 64 bytes";
	if (s[0] == '-')
		return "must not start with '-'";
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return "may only use a-z, 0-9 and '-' (lowercase, "
			       "no spaces, no accents)";
	return NULL;
}

static int
kind_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > KIND_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

/* ---- sections (opened by the reader) ---- */

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void
open_section(struct build *b, const char *hdr, size_t n)
{
	char word[16], *code;
	const char *what;
	size_t wl = 0, cl;
	int line = b->lineno, prev;

	b->sec = SEC_SKIP;
	while (n > 0 && is_blank(*hdr))
		hdr++, n--;
	while (n > 0 && is_blank(hdr[n - 1]))
		n--;
	while (wl < n && !is_blank(hdr[wl]))
		wl++;
	cl = wl;
	while (cl < n && is_blank(hdr[cl]))
		cl++;
	if (wl >= sizeof(word) ||
	    !((wl == 4 && memcmp(hdr, "plan", 4) == 0) ||
	      (wl == 4 && memcmp(hdr, "unit", 4) == 0) ||
	      (wl == 4 && memcmp(hdr, "task", 4) == 0) ||
	      (wl == 7 && memcmp(hdr, "targets", 7) == 0))) {
		errf(b, line, "unknown section [%.*s]; expected [plan], "
		     "[unit CODE], [task CODE] or [targets CODE]", (int)n, hdr);
		return;
	}
	memcpy(word, hdr, wl);
	word[wl] = '\0';
	if (strcmp(word, "plan") == 0) {
		if (cl < n) {
			errf(b, line, "[plan] takes no code; found [%.*s]",
			     (int)n, hdr);
			return;
		}
		if (b->plan_line) {
			errf(b, line, "[plan] is given twice; the first is on "
			     "line %d", b->plan_line);
			return;
		}
		b->plan_line = line;
		b->sec = SEC_PLAN;
		return;
	}
	if (cl >= n) {
		errf(b, line, "section [%s] needs a code, as in [%s hoang-dan]",
		     word, word);
		return;
	}
	if ((code = strndup(hdr + cl, n - cl)) == NULL) {
		b->oom = 1;
		return;
	}
	if ((what = code_problem(code)) != NULL) {
		errf(b, line, "%s code '%s' %s", word, code, what);
		free(code);
		return;
	}
	if (word[1] == 'n') { /* unit */
		struct bunit *u;

		if ((prev = map_get(&b->unit_map, code)) >= 0) {
			errf(b, line, "unit '%s' is defined twice; the first "
			     "is on line %d", code, b->units[prev].line);
			free(code);
			return;
		}
		if (grow(&b->units, &b->cap_units, b->n_units,
		         sizeof(*b->units)) != 0 ||
		    map_put(&b->unit_map, code, (int)b->n_units) != 0) {
			free(code);
			b->oom = 1;
			return;
		}
		u = &b->units[b->n_units];
		memset(u, 0, sizeof(*u));
		u->code = code;
		u->line = line;
		b->cur = (int)b->n_units++;
		b->sec = SEC_UNIT;
	} else if (word[1] == 'a' && word[2] == 's') { /* task */
		struct btask *t;

		if ((prev = map_get(&b->task_map, code)) >= 0) {
			errf(b, line, "task '%s' is defined twice; the first "
			     "is on line %d", code, b->tasks[prev].line);
			free(code);
			return;
		}
		if (grow(&b->tasks, &b->cap_tasks, b->n_tasks,
		         sizeof(*b->tasks)) != 0 ||
		    map_put(&b->task_map, code, (int)b->n_tasks) != 0) {
			free(code);
			b->oom = 1;
			return;
		}
		t = &b->tasks[b->n_tasks];
		memset(t, 0, sizeof(*t));
		t->code = code;
		t->line = line;
		b->cur = (int)b->n_tasks++;
		b->sec = SEC_TASK;
	} else { /* targets */
		if ((prev = map_get(&b->sect_map, code)) >= 0) {
			errf(b, line, "targets of task '%s' are given twice; "
			     "the first [targets %s] is on line %d", code,
			     code, b->sects[prev].line);
			free(code);
			return;
		}
		if (grow(&b->sects, &b->cap_sects, b->n_sects,
		         sizeof(*b->sects)) != 0 ||
		    map_put(&b->sect_map, code, (int)b->n_sects) != 0) {
			free(code);
			b->oom = 1;
			return;
		}
		b->sects[b->n_sects].task = code;
		b->sects[b->n_sects].line = line;
		b->cur = (int)b->n_sects++;
		b->sec = SEC_TARGETS;
	}
}

/* ---- the reader: one line per call, as fgets would ---- */

static char *
read_line(char *str, int num, void *stream)
{
	struct build *b = stream;

	for (;;) {
		const char *line, *nl, *s, *p;
		size_t n, i;
		long bad;

		if (b->pos >= b->len || b->oom)
			return NULL;
		line = b->text + b->pos;
		nl = memchr(line, '\n', b->len - b->pos);
		n = nl ? (size_t)(nl - line) : b->len - b->pos;
		b->pos += n + (nl != NULL);
		b->lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (b->lineno == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3, n -= 3;
		if (memchr(line, '\0', n) != NULL) {
			errf(b, b->lineno, "line contains a NUL byte; is this "
			     "a text file?");
			continue;
		}
		if ((bad = utf8_check(line, n)) >= 0)
			errf(b, b->lineno, "line is not valid UTF-8 (byte %ld); "
			     "save the file as UTF-8", bad + 1);
		if (n > (size_t)num - 1) {
			errf(b, b->lineno, "line longer than %d bytes (it has "
			     "%zu); shorten it, or move its comment to a line "
			     "of its own", num - 1, n);
			for (s = line; s < line + n && is_blank(*s); s++)
				;
			if (*s == '[') /* its keys must not join the last one */
				b->sec = SEC_SKIP;
			continue;
		}
		for (s = line; s < line + n && is_blank(*s); s++)
			;
		n -= (size_t)(s - line);
		if (n == 0 || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			const char *end = memchr(s, ']', n);

			if (end == NULL) {
				errf(b, b->lineno, "section header '%.*s' has "
				     "no closing ']'", (int)n, s);
				b->sec = SEC_SKIP;
				continue;
			}
			for (p = end + 1; p < s + n && is_blank(*p); p++)
				;
			if (p < s + n && *p != ';' && *p != '#') {
				errf(b, b->lineno, "unexpected text '%.*s' "
				     "after the section header",
				     (int)(s + n - p), p);
				b->sec = SEC_SKIP;
				continue;
			}
			open_section(b, s + 1, (size_t)(end - s - 1));
			continue;
		}
		/* Mirror inih's split: the first '=' or ':' unless an inline
		 * comment (" ;") comes first. */
		for (i = 0; i < n; i++)
			if (s[i] == '=' || s[i] == ':' ||
			    (s[i] == ';' && i > 0 && is_blank(s[i - 1])))
				break;
		if (i == n || s[i] == ';') {
			errf(b, b->lineno, "expected 'key = value', a [section] "
			     "or a comment, found '%.*s'", (int)n, s);
			continue;
		}
		if (i == 0) {
			errf(b, b->lineno, "missing key before '%c'", s[0]);
			continue;
		}
		memcpy(str, s, n);
		str[n] = '\0';
		return str;
	}
}

/* ---- the handler: one key = value ---- */

static const char *
section_label(const struct build *b, char *buf, size_t n)
{
	switch (b->sec) {
	case SEC_UNIT:
		snprintf(buf, n, "[unit %s]", b->units[b->cur].code);
		break;
	case SEC_TASK:
		snprintf(buf, n, "[task %s]", b->tasks[b->cur].code);
		break;
	default:
		snprintf(buf, n, "[plan]");
		break;
	}
	return buf;
}

static void
set_field(struct build *b, const char *const *keys, struct field *f,
          const char *key, const char *value, const char *expected)
{
	char label[PLAN_CODE_MAX + 16];
	size_t i;

	for (i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			break;
	if (keys[i] == NULL) {
		errf(b, b->lineno, "unknown key '%s' in %s; expected %s", key,
		     section_label(b, label, sizeof(label)), expected);
		return;
	}
	if (f[i].val != NULL) {
		errf(b, b->lineno, "'%s' is given twice in %s; the first is on "
		     "line %d", key, section_label(b, label, sizeof(label)),
		     f[i].line);
		return;
	}
	if ((f[i].val = strdup(value)) == NULL) {
		b->oom = 1;
		return;
	}
	f[i].line = b->lineno;
}

static void
add_target(struct build *b, const char *key, const char *value)
{
	struct btarget *t;
	const char *why;

	if (grow(&b->targets, &b->cap_targets, b->n_targets,
	         sizeof(*b->targets)) != 0) {
		b->oom = 1;
		return;
	}
	t = &b->targets[b->n_targets];
	memset(t, 0, sizeof(*t));
	if ((t->unit = strdup(key)) == NULL) {
		b->oom = 1;
		return;
	}
	t->sect = b->cur;
	t->line = b->lineno;
	t->task_i = t->unit_i = -1;
	if (dec_parse(value, &t->value, &why) != 0)
		errf(b, t->line, "target '%s' for unit '%s' is not a valid "
		     "number (%s); write it like 5000 or 12.5", value, key, why);
	else if (t->value <= 0)
		errf(b, t->line, "target '%s' for unit '%s' must be greater "
		     "than zero", value, key);
	else
		t->ok = 1;
	b->n_targets++;
}

static int
handle(void *user, const char *section, const char *key, const char *value)
{
	struct build *b = user;
	struct btask *t;

	(void)section; /* ours is in b->sec: see read_line() */
	switch (b->sec) {
	case SEC_NONE:
		errf(b, b->lineno, "'%s' is outside any section; put it under "
		     "[plan], [unit CODE], [task CODE] or [targets CODE]", key);
		break;
	case SEC_SKIP:
		break; /* the section header was already reported */
	case SEC_PLAN:
		set_field(b, plan_keys, b->pf, key, value,
		          "name or timezone");
		break;
	case SEC_UNIT:
		set_field(b, unit_keys, b->units[b->cur].f, key, value,
		          "name, kind or parent");
		break;
	case SEC_TASK:
		t = &b->tasks[b->cur];
		if (strcmp(key, "milestone") != 0) {
			set_field(b, task_keys, t->f, key, value,
			          "title, measure, owner, start, deadline, "
			          "pacing, milestone, warn, critical or "
			          "stale_after");
			break;
		}
		if (grow(&t->ms, &t->cap_ms, t->n_ms, sizeof(*t->ms)) != 0 ||
		    (t->ms[t->n_ms].val = strdup(value)) == NULL) {
			b->oom = 1;
			break;
		}
		t->ms[t->n_ms++].line = b->lineno;
		break;
	case SEC_TARGETS:
		add_target(b, key, value);
		break;
	}
	return 1;
}

/* ---- checks once everything is read ---- */

/* Parses a plan date; a bare date means the end of that day when
 * end_of_day, i.e. the local midnight that starts the next day. */
static int
parse_date(const char *s, const char *tz, int end_of_day, when_t *out,
           const char **why)
{
	struct tm tm;
	char next[48];
	int date_only, y, m, d;
	time_t t;

	if (when_parse(s, tz, out, &date_only, why) != 0)
		return -1;
	if (!end_of_day || !date_only)
		return 0;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3) {
		*why = "not a date";
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + 1;
	t = timegm(&tm); /* normalizes 32 January into 1 February */
	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    tm.tm_year + 1900 > 9999) {
		*why = "out of range";
		return -1;
	}
	snprintf(next, sizeof(next), "%04d-%02d-%02d", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday);
	return when_parse(next, tz, out, NULL, why);
}

/* Lag thresholds, in percentage points. */
static int
parse_points(const char *s, double *out)
{
	const char *why;
	dec_t v;

	if (dec_parse(s, &v, &why) != 0 || v <= 0 || v > 100 * DEC_SCALE)
		return -1;
	*out = (double)v / DEC_SCALE;
	return 0;
}

static void
check_required(struct build *b, const struct field *f, const char *key,
               const char *what, const char *code, int line)
{
	if (f->val == NULL)
		errf(b, line, "%s '%s' has no %s; add '%s = ...'", what, code,
		     key, key);
	else if (f->val[0] == '\0')
		errf(b, f->line, "%s of %s '%s' is empty", key, what, code);
}

/* Finds parent cycles; reports each once, at the parent line of its
 * earliest unit. */
static void
check_cycles(struct build *b, const int *parent)
{
	size_t n = b->n_units, i, k;
	int *state, *path;

	state = calloc(n ? n : 1, sizeof(*state)); /* 0 new, 1 on path, 2 done */
	path = calloc(n ? n : 1, sizeof(*path));
	if (state == NULL || path == NULL) {
		free(state);
		free(path);
		b->oom = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		size_t len = 0;
		int u = (int)i;

		while (u >= 0 && state[u] == 0) {
			state[u] = 1;
			path[len++] = u;
			u = parent[u];
		}
		if (u >= 0 && state[u] == 1) {
			/* path[start..len) is the cycle; list it from its
			 * earliest unit, following parents. */
			size_t start = 0, first, off = 0;
			char *list;

			while (path[start] != u)
				start++;
			first = start;
			for (k = start; k < len; k++)
				if (path[k] < path[first])
					first = k;
			if (len - start == 1) {
				errf(b, b->units[u].f[U_PARENT].line,
				     "unit '%s' is its own parent",
				     b->units[u].code);
			} else if ((list = malloc((len - start + 1) *
			                          (PLAN_CODE_MAX + 4))) == NULL) {
				b->oom = 1;
			} else {
				for (k = 0; k <= len - start; k++) {
					size_t j = start + (first - start + k) %
					                       (len - start);

					off += (size_t)sprintf(list + off, "%s%s",
					                       k ? " -> " : "",
					                       b->units[path[j]].code);
				}
				errf(b, b->units[path[first]].f[U_PARENT].line,
				     "units form a cycle of parents: %s", list);
				free(list);
			}
		}
		for (k = 0; k < len; k++)
			state[path[k]] = 2;
	}
	free(state);
	free(path);
}

static void
check_units(struct build *b, int *parent)
{
	size_t i;

	for (i = 0; i < b->n_units; i++) {
		struct bunit *u = &b->units[i];
		struct field *pf = &u->f[U_PARENT];

		check_required(b, &u->f[U_NAME], "name", "unit", u->code,
		               u->line);
		check_required(b, &u->f[U_KIND], "kind", "unit", u->code,
		               u->line);
		if (u->f[U_KIND].val && u->f[U_KIND].val[0] &&
		    !kind_valid(u->f[U_KIND].val))
			errf(b, u->f[U_KIND].line, "kind '%s' of unit '%s' must "
			     "be one lowercase word in plain letters, such as "
			     "commune, town or department", u->f[U_KIND].val,
			     u->code);
		parent[i] = -1;
		if (pf->val == NULL)
			continue;
		if ((parent[i] = map_get(&b->unit_map, pf->val)) < 0)
			errf(b, pf->line, "parent '%s' of unit '%s' is not a "
			     "unit of this plan (no [unit %s] section)",
			     pf->val, u->code, pf->val);
	}
	check_cycles(b, parent);
}

/* Parses each "DATE PERCENT" line; an unreadable one gets at = NO_TIME
 * or percent = -1 so that the order checks skip it. */
static void
parse_milestones(struct build *b, struct btask *t, const char *tz,
                 struct plan_milestone *out)
{
	size_t i;

	for (i = 0; i < t->n_ms; i++) {
		int line = t->ms[i].line;
		char *v, *sp, *pct;
		const char *why;
		size_t pl;
		dec_t p;

		out[i].at = NO_TIME;
		out[i].percent = -1;
		if ((v = strdup(t->ms[i].val)) == NULL) {
			b->oom = 1;
			return;
		}
		sp = strrchr(v, ' ');
		if (sp == NULL)
			sp = strrchr(v, '\t');
		if (sp == NULL) {
			errf(b, line, "milestone '%s' of task '%s' must be a "
			     "date and a percent, as in '2021-03-15 30'", v,
			     t->code);
			free(v);
			continue;
		}
		pct = sp + 1;
		while (sp > v && is_blank(sp[-1]))
			sp--;
		*sp = '\0';
		pl = strlen(pct);
		if (pl > 0 && pct[pl - 1] == '%')
			pct[pl - 1] = '\0';
		if (parse_date(v, tz, 1, &out[i].at, &why) != 0) {
			errf(b, line, "milestone date '%s' of task '%s' is not "
			     "a valid date (%s); write it as YYYY-MM-DD", v,
			     t->code, why);
			out[i].at = NO_TIME;
		}
		if (dec_parse(pct, &p, &why) != 0)
			errf(b, line, "milestone percent '%s' of task '%s' is "
			     "not a number (%s)", pct, t->code, why);
		else if (p <= 0 || p >= 100 * DEC_SCALE)
			errf(b, line, "milestone percent '%s' of task '%s' must "
			     "be between 0 and 100, both excluded", pct,
			     t->code);
		else
			out[i].percent = (double)p / DEC_SCALE;
		free(v);
	}
}

/* Milestones lie strictly inside (start, deadline) and grow in both date
 * and percent; each is compared with the last one that was readable. */
static void
check_milestone_order(struct build *b, const struct btask *t,
                      struct plan_task *pt, int start_ok, int deadline_ok)
{
	const struct plan_milestone *prev = NULL;
	size_t k;

	for (k = 0; k < pt->n_milestones; k++) {
		struct plan_milestone *m = &pt->milestones[k];
		const char *text = t->ms[k].val;
		int line = t->ms[k].line;

		if (m->at == NO_TIME)
			continue;
		if ((start_ok && m->at <= pt->start) ||
		    (deadline_ok && m->at >= pt->deadline)) {
			errf(b, line, "milestone '%s' of task '%s' is not "
			     "between its start %s and deadline %s", text,
			     t->code, t->f[T_START].val, t->f[T_DEADLINE].val);
			continue;
		}
		if (prev && m->at <= prev->at)
			errf(b, line, "milestone '%s' of task '%s' is not after "
			     "the one before it; list milestones in date order",
			     text, t->code);
		else if (prev && m->percent >= 0 && prev->percent >= 0 &&
		         m->percent <= prev->percent)
			errf(b, line, "milestone percent of task '%s' must grow: "
			     "%g%% on this line is not more than %g%% before it",
			     t->code, m->percent, prev->percent);
		prev = m;
	}
}

static void
check_tasks(struct build *b, const char *tz, struct plan_task *out)
{
	size_t i;

	for (i = 0; i < b->n_tasks; i++) {
		struct btask *t = &b->tasks[i];
		struct plan_task *pt = &out[i];
		struct field *f = t->f;
		const char *why;
		int start_ok = 0, deadline_ok = 0, points_ok;

		check_required(b, &f[T_TITLE], "title", "task", t->code,
		               t->line);
		check_required(b, &f[T_MEASURE], "measure", "task", t->code,
		               t->line);
		check_required(b, &f[T_START], "start", "task", t->code,
		               t->line);
		check_required(b, &f[T_DEADLINE], "deadline", "task", t->code,
		               t->line);
		pt->owner = -1;
		if (f[T_OWNER].val &&
		    (pt->owner = map_get(&b->unit_map, f[T_OWNER].val)) < 0)
			errf(b, f[T_OWNER].line, "owner '%s' of task '%s' is not "
			     "a unit of this plan (no [unit %s] section)",
			     f[T_OWNER].val, t->code, f[T_OWNER].val);
		if (f[T_START].val && f[T_START].val[0]) {
			if (parse_date(f[T_START].val, tz, 0, &pt->start,
			               &why) != 0)
				errf(b, f[T_START].line, "start '%s' of task "
				     "'%s' is not a valid date (%s); write it "
				     "as YYYY-MM-DD", f[T_START].val, t->code,
				     why);
			else
				start_ok = 1;
		}
		if (f[T_DEADLINE].val && f[T_DEADLINE].val[0]) {
			if (parse_date(f[T_DEADLINE].val, tz, 1, &pt->deadline,
			               &why) != 0)
				errf(b, f[T_DEADLINE].line, "deadline '%s' of "
				     "task '%s' is not a valid date (%s); write "
				     "it as YYYY-MM-DD", f[T_DEADLINE].val,
				     t->code, why);
			else
				deadline_ok = 1;
		}
		if (start_ok && deadline_ok && pt->deadline <= pt->start) {
			errf(b, f[T_DEADLINE].line, "deadline %s of task '%s' "
			     "is not after its start %s", f[T_DEADLINE].val,
			     t->code, f[T_START].val);
			deadline_ok = 0;
		}

		/* Pacing, and milestones that must agree with it. */
		pt->pacing = t->n_ms ? PACING_MILESTONES : PACING_LINEAR;
		if (f[T_PACING].val) {
			if (strcmp(f[T_PACING].val, "linear") == 0)
				pt->pacing = PACING_LINEAR;
			else if (strcmp(f[T_PACING].val, "milestones") == 0)
				pt->pacing = PACING_MILESTONES;
			else
				errf(b, f[T_PACING].line, "pacing '%s' of task "
				     "'%s' must be 'linear' or 'milestones'",
				     f[T_PACING].val, t->code);
		}
		if (pt->pacing == PACING_LINEAR && t->n_ms > 0 &&
		    f[T_PACING].val && strcmp(f[T_PACING].val, "linear") == 0)
			errf(b, t->ms[0].line, "task '%s' has milestones but "
			     "pacing = linear (line %d); write 'pacing = "
			     "milestones' or remove the milestones", t->code,
			     f[T_PACING].line);
		if (pt->pacing == PACING_MILESTONES && t->n_ms == 0)
			errf(b, f[T_PACING].line, "task '%s' has pacing = "
			     "milestones but no milestone lines; add some, as "
			     "in 'milestone = 2021-03-15 30'", t->code);
		if (t->n_ms > 0) {
			pt->milestones = calloc(t->n_ms, sizeof(*pt->milestones));
			if (pt->milestones == NULL) {
				b->oom = 1;
				return;
			}
			pt->n_milestones = t->n_ms;
			parse_milestones(b, t, tz, pt->milestones);
			check_milestone_order(b, t, pt, start_ok, deadline_ok);
		}

		pt->warn = DEFAULT_WARN;
		pt->critical = DEFAULT_CRITICAL;
		points_ok = 1;
		if (f[T_WARN].val && parse_points(f[T_WARN].val, &pt->warn)) {
			errf(b, f[T_WARN].line, "warn '%s' of task '%s' must be "
			     "a number of percentage points above 0 and at "
			     "most 100, such as 10", f[T_WARN].val, t->code);
			points_ok = 0;
		}
		if (f[T_CRITICAL].val &&
		    parse_points(f[T_CRITICAL].val, &pt->critical)) {
			errf(b, f[T_CRITICAL].line, "critical '%s' of task '%s' "
			     "must be a number of percentage points above 0 "
			     "and at most 100, such as 25", f[T_CRITICAL].val,
			     t->code);
			points_ok = 0;
		}
		if (points_ok && pt->critical < pt->warn)
			errf(b, f[T_CRITICAL].val ? f[T_CRITICAL].line :
			                            f[T_WARN].line,
			     "critical (%g) of task '%s' is below warn (%g); "
			     "critical must be at least warn", pt->critical,
			     t->code, pt->warn);

		pt->stale_after = DEFAULT_STALE;
		if (f[T_STALE].val &&
		    when_parse_duration(f[T_STALE].val, &pt->stale_after,
		                        &why) != 0)
			errf(b, f[T_STALE].line, "stale_after '%s' of task '%s' "
			     "is not a duration (%s); write it like 7d, 36h or "
			     "0 for never", f[T_STALE].val, t->code, why);
	}
}

static int
target_cmp(const void *a, const void *b)
{
	const struct btarget *x = a, *y = b;

	if (x->task_i != y->task_i)
		return x->task_i < y->task_i ? -1 : 1;
	if (x->unit_i != y->unit_i)
		return x->unit_i < y->unit_i ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Resolves targets; returns how many are complete and unique. */
static size_t
check_targets(struct build *b)
{
	size_t i, good = 0;
	int *sect_task;

	sect_task = calloc(b->n_sects ? b->n_sects : 1, sizeof(*sect_task));
	if (sect_task == NULL) {
		b->oom = 1;
		return 0;
	}
	for (i = 0; i < b->n_sects; i++) {
		const char *code = b->sects[i].task;

		if ((sect_task[i] = map_get(&b->task_map, code)) < 0)
			errf(b, b->sects[i].line, "targets for unknown task "
			     "'%s'; there is no [task %s] section", code, code);
	}
	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i];

		t->task_i = sect_task[t->sect];
		if (t->task_i >= 0)
			b->tasks[t->task_i].n_targets++;
		t->unit_i = map_get(&b->unit_map, t->unit);
		if (t->unit_i < 0)
			errf(b, t->line, "target for unknown unit '%s' in "
			     "[targets %s]; there is no [unit %s] section",
			     t->unit, b->sects[t->sect].task, t->unit);
	}
	free(sect_task);
	if (b->n_targets > 0)
		qsort(b->targets, b->n_targets, sizeof(*b->targets),
		      target_cmp);
	for (i = 0; i < b->n_targets; i++) {
		struct btarget *t = &b->targets[i], *p = i ? t - 1 : NULL;

		if (t->task_i < 0 || t->unit_i < 0)
			continue;
		if (p && p->task_i == t->task_i && p->unit_i == t->unit_i) {
			errf(b, t->line, "target for unit '%s' of task '%s' is "
			     "given twice; the first is on line %d", t->unit,
			     b->tasks[t->task_i].code, p->line);
			t->ok = 0;
			continue;
		}
		good += t->ok;
	}
	for (i = 0; i < b->n_tasks; i++)
		if (b->tasks[i].n_targets == 0)
			errf(b, b->tasks[i].line, "task '%s' has no targets; "
			     "add a [targets %s] section with lines like "
			     "'unit-code = 100'", b->tasks[i].code,
			     b->tasks[i].code);
	return good;
}

/* ---- assembling the result ---- */

static int
unit_code_cmp(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;

	return strcmp(p->units[*(const int *)a].code,
	              p->units[*(const int *)b].code);
}

static int
task_code_cmp(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;

	return strcmp(p->tasks[*(const int *)a].code,
	              p->tasks[*(const int *)b].code);
}

static void
build_free(struct build *b)
{
	size_t i, k;

	for (i = 0; i < P_NKEYS; i++)
		free(b->pf[i].val);
	for (i = 0; i < b->n_units; i++) {
		free(b->units[i].code);
		for (k = 0; k < U_NKEYS; k++)
			free(b->units[i].f[k].val);
	}
	free(b->units);
	for (i = 0; i < b->n_tasks; i++) {
		free(b->tasks[i].code);
		for (k = 0; k < T_NKEYS; k++)
			free(b->tasks[i].f[k].val);
		for (k = 0; k < b->tasks[i].n_ms; k++)
			free(b->tasks[i].ms[k].val);
		free(b->tasks[i].ms);
	}
	free(b->tasks);
	for (i = 0; i < b->n_sects; i++)
		free(b->sects[i].task);
	free(b->sects);
	for (i = 0; i < b->n_targets; i++)
		free(b->targets[i].unit);
	free(b->targets);
	map_free(&b->unit_map);
	map_free(&b->task_map);
	map_free(&b->sect_map);
	for (i = 0; i < b->n_errs; i++)
		free(b->errs[i].msg);
	free(b->errs);
}

/* Moves a string out of the builder. */
static char *
take(char **s)
{
	char *r = *s;

	*s = NULL;
	return r;
}

/* Iterative: a clerk's plan may chain thousands of levels deep in error
 * but not in a way that should exhaust the stack. */
static void
set_depths(struct plan *p, int *path)
{
	size_t i, len;
	int u, d;

	for (i = 0; i < p->n_units; i++) {
		len = 0;
		for (u = (int)i; u >= 0 && p->units[u].depth < 0;
		     u = p->units[u].parent)
			path[len++] = u;
		d = u >= 0 ? p->units[u].depth : -1;
		while (len > 0)
			p->units[path[--len]].depth = ++d;
	}
}

static struct plan *
assemble(struct build *b, const int *parent, struct plan_task *tasks,
         size_t n_good)
{
	struct plan *p;
	size_t i, k;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->units = calloc(b->n_units ? b->n_units : 1, sizeof(*p->units));
	p->targets = calloc(n_good ? n_good : 1, sizeof(*p->targets));
	p->unit_order = calloc(b->n_units ? b->n_units : 1, sizeof(int));
	p->task_order = calloc(b->n_tasks ? b->n_tasks : 1, sizeof(int));
	p->path = strdup(b->name);
	p->name = b->pf[P_NAME].val ? take(&b->pf[P_NAME].val) : strdup("");
	p->timezone = b->pf[P_TZ].val ? take(&b->pf[P_TZ].val) :
	                                strdup(WHEN_DEFAULT_TZ);
	if (p->units == NULL || p->targets == NULL || p->unit_order == NULL ||
	    p->task_order == NULL || p->path == NULL || p->name == NULL ||
	    p->timezone == NULL) {
		plan_free(p);
		return NULL;
	}
	p->tasks = tasks;
	p->n_tasks = b->n_tasks;
	for (i = 0; i < b->n_units; i++) {
		struct plan_unit *u = &p->units[i];

		u->code = take(&b->units[i].code);
		u->name = take(&b->units[i].f[U_NAME].val);
		u->kind = take(&b->units[i].f[U_KIND].val);
		u->parent = parent[i];
		u->depth = -1;
		u->line = b->units[i].line;
	}
	p->n_units = b->n_units;
	set_depths(p, p->unit_order);
	for (i = 0; i < b->n_tasks; i++) {
		struct plan_task *t = &p->tasks[i];
		struct btask *bt = &b->tasks[i];

		t->code = take(&bt->code);
		t->title = take(&bt->f[T_TITLE].val);
		t->measure = take(&bt->f[T_MEASURE].val);
		t->line = bt->line;
		p->task_order[i] = (int)i;
	}
	for (i = 0; i < b->n_units; i++)
		p->unit_order[i] = (int)i;
	for (i = 0, k = 0; i < b->n_targets; i++) {
		const struct btarget *bt = &b->targets[i];

		if (!bt->ok || bt->task_i < 0 || bt->unit_i < 0)
			continue;
		p->targets[k].task = bt->task_i;
		p->targets[k].unit = bt->unit_i;
		p->targets[k].value = bt->value;
		p->targets[k].line = bt->line;
		k++;
	}
	p->n_targets = k;
	qsort_r(p->unit_order, p->n_units, sizeof(int), unit_code_cmp, p);
	qsort_r(p->task_order, p->n_tasks, sizeof(int), task_code_cmp, p);
	return p;
}

struct plan *
plan_parse(const char *text, size_t len, const char *name,
           struct plan_errors *errs)
{
	struct build b;
	struct plan_task *tasks = NULL;
	struct plan *p = NULL;
	const char *tz;
	int *parent = NULL, r;
	size_t i, n_good;

	memset(&b, 0, sizeof(b));
	b.name = name ? name : "plan";
	b.text = text;
	b.len = text ? len : 0;
	r = ini_parse_stream(read_line, &b, handle, &b);
	if (r != 0 && !b.oom)
		/* Cannot happen: read_line only passes lines inih accepts. */
		errf(&b, r > 0 ? r : 0, "cannot be read (libinih error %d)", r);
	if (b.oom)
		goto oom;

	tz = b.pf[P_TZ].val ? b.pf[P_TZ].val : WHEN_DEFAULT_TZ;
	if (!when_zone_valid(tz)) {
		errf(&b, b.pf[P_TZ].line, "unknown time zone '%s'; use a name "
		     "from the tz database, such as Asia/Ho_Chi_Minh", tz);
		tz = WHEN_DEFAULT_TZ; /* still check the dates' form */
	}
	parent = calloc(b.n_units ? b.n_units : 1, sizeof(*parent));
	tasks = calloc(b.n_tasks ? b.n_tasks : 1, sizeof(*tasks));
	if (parent == NULL || tasks == NULL)
		goto oom;
	if (b.n_units == 0 && b.n_tasks == 0 && b.n_errs == 0)
		errf(&b, 0, "the plan has no units and no tasks; is this the "
		     "right file?");
	check_units(&b, parent);
	check_tasks(&b, tz, tasks);
	n_good = check_targets(&b);
	if (b.oom)
		goto oom;
	if (b.n_errs == 0) {
		if ((p = assemble(&b, parent, tasks, n_good)) == NULL)
			goto oom;
		tasks = NULL; /* now p's */
	}

	if (b.n_errs > 0)
		qsort(b.errs, b.n_errs, sizeof(*b.errs), err_cmp);
	for (i = 0; i < b.n_errs && errs; i++) {
		char *msg;

		if (b.errs[i].line > 0)
			r = asprintf(&msg, "%s:%d: %s", b.name, b.errs[i].line,
			             b.errs[i].msg);
		else
			r = asprintf(&msg, "%s: %s", b.name, b.errs[i].msg);
		if (r < 0)
			break;
		if (errs_append(errs, msg) != 0) {
			free(msg);
			break;
		}
	}
	goto out;
oom:
	errs_appendf(errs, "%s: out of memory", b.name);
	p = NULL;
out:
	if (tasks) {
		for (i = 0; i < b.n_tasks; i++)
			free(tasks[i].milestones);
		free(tasks);
	}
	free(parent);
	build_free(&b);
	return p;
}

struct plan *
plan_load(const char *path, struct plan_errors *errs)
{
	struct plan *p;
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		errs_appendf(errs, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *t;

			if (cap >= PLAN_FILE_MAX) {
				errs_appendf(errs, "%s: file is larger than %zu "
				             "MB; is it really a plan?", path,
				             PLAN_FILE_MAX >> 20);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if ((t = realloc(text, cap)) == NULL) {
				errs_appendf(errs, "%s: out of memory", path);
				goto fail;
			}
			text = t;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				errs_appendf(errs, "%s: cannot read: %s", path,
				             strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	p = plan_parse(text, len, path, errs);
	free(text);
	return p;
fail:
	fclose(f);
	free(text);
	return NULL;
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_units; i++) {
		free(p->units[i].code);
		free(p->units[i].name);
		free(p->units[i].kind);
	}
	free(p->units);
	for (i = 0; i < p->n_tasks; i++) {
		free(p->tasks[i].code);
		free(p->tasks[i].title);
		free(p->tasks[i].measure);
		free(p->tasks[i].milestones);
	}
	free(p->tasks);
	free(p->targets);
	free(p->path);
	free(p->name);
	free(p->timezone);
	free(p->unit_order);
	free(p->task_order);
	free(p);
}

void
plan_errors_clear(struct plan_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/* Binary search of `order` (indexes sorted by code); a linear scan when a
 * hand-made plan has no index.  `items` are plan_units or plan_tasks, both
 * of which start with their code. */
_Static_assert(offsetof(struct plan_unit, code) == 0 &&
                   offsetof(struct plan_task, code) == 0,
               "find_code() reads the code at the start of an item");

static int
find_code(const int *order, size_t n, const void *items, size_t size,
          const char *code)
{
	size_t lo = 0, hi = n, i;

#define CODE_AT(i) (*(char *const *)((const char *)items + (size_t)(i) * size))
	if (order == NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(CODE_AT(i), code) == 0)
				return (int)i;
		return -1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, CODE_AT(order[mid]));

		if (c == 0)
			return order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
#undef CODE_AT
}

int
plan_unit_find(const struct plan *p, const char *code)
{
	return find_code(p->unit_order, p->n_units, p->units,
	                 sizeof(*p->units), code);
}

int
plan_task_find(const struct plan *p, const char *code)
{
	return find_code(p->task_order, p->n_tasks, p->tasks,
	                 sizeof(*p->tasks), code);
}

int
plan_target_find(const struct plan *p, int task, int unit)
{
	size_t lo = 0, hi = p->n_targets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct plan_target *t = &p->targets[mid];

		if (t->task == task && t->unit == unit)
			return (int)mid;
		if (t->task < task || (t->task == task && t->unit < unit))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
plan_unit_within(const struct plan *p, int u, int ancestor)
{
	if (u < 0 || (size_t)u >= p->n_units || ancestor < 0 ||
	    (size_t)ancestor >= p->n_units)
		return 0;
	for (; u >= 0; u = p->units[u].parent)
		if (u == ancestor)
			return 1;
	return 0;
}

size_t
plan_task_first_target(const struct plan *p, int task)
{
	size_t lo = 0, hi = p->n_targets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->targets[mid].task < task)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
