/*
 * plan_build.c - the plan builder's arrays, code map and error list.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fnv.h"
#include "planb.h"
#include "utf8.h"


int
planb_grow(void *arrp, size_t *cap, size_t n, size_t size)
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
	return fnv_str(FNV_BASIS, s);
}

int
planb_map_get(const struct map *m, const char *k)
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

int
planb_map_put(struct map *m, const char *k, int v)
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
			if (m->keys[i] && planb_map_put(&big, m->keys[i], m->vals[i]))
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

void
planb_map_free(struct map *m)
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

void
planb_errf(struct build *b, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0 || planb_grow(&b->errs, &b->cap_errs, b->n_errs,
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


int
planb_errs_append(struct plan_errors *errs, char *msg)
{
	char **p;

	if ((p = reallocarray(errs->msgs, errs->n + 1, sizeof(*p))) == NULL)
		return -1;
	errs->msgs = p;
	errs->msgs[errs->n++] = msg;
	return 0;
}

void
planb_errs_appendf(struct plan_errors *errs, const char *fmt, ...)
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
	if (planb_errs_append(errs, msg) != 0)
		free(msg);
}

/* ---- codes and words ---- */

/* NULL if `s` is a valid code, else why not. */
const char *
planb_code_problem(const char *s)
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

int
planb_kind_valid(const char *s)
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

void
planb_build_free(struct build *b)
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
	for (i = 0; i < b->n_targets; i++) {
		free(b->targets[i].unit);
		free(b->targets[i].from_text);
		free(b->targets[i].by_text);
	}
	free(b->targets);
	for (i = 0; i < b->n_scheds; i++) {
		struct bsched *s = &b->scheds[i];

		free(s->key);
		free(s->task);
		free(s->unit);
		for (k = 0; k < S_NKEYS; k++)
			free(s->f[k].val);
		for (k = 0; k < s->n_ms; k++)
			free(s->ms[k].val);
		free(s->ms);
		free(s->parsed);
	}
	free(b->scheds);
	planb_map_free(&b->sched_map);
	for (i = 0; i < b->n_dates; i++)
		free(b->dates[i].key);
	free(b->dates);
	planb_map_free(&b->date_map);
	planb_map_free(&b->unit_map);
	planb_map_free(&b->task_map);
	planb_map_free(&b->sect_map);
	for (i = 0; i < b->n_errs; i++)
		free(b->errs[i].msg);
	free(b->errs);
}
