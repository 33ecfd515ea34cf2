/*
 * plan_read.c - the INI reader (one line per call) and the key handler;
 * see plan.c for why we read lines ourselves.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "planb.h"
#include "utf8.h"

static const char *const plan_keys[] = {"name", "timezone", NULL};
static const char *const unit_keys[] = {"name", "kind", "parent", NULL};
static const char *const task_keys[] = {
	"title", "measure", "owner", "start", "deadline", "pacing", "warn",
	"critical", "stale_after", "kind", "hold", "integer", "negative_adds",
	"numerator", "denominator", "report_every", "report_due",
	"parent_targets", "indicators", "critical_after", NULL
};

/* ---- sections (opened by the reader) ---- */

int
planb_is_blank(char c)
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
	while (n > 0 && planb_is_blank(*hdr))
		hdr++, n--;
	while (n > 0 && planb_is_blank(hdr[n - 1]))
		n--;
	while (wl < n && !planb_is_blank(hdr[wl]))
		wl++;
	cl = wl;
	while (cl < n && planb_is_blank(hdr[cl]))
		cl++;
	if (wl >= sizeof(word) ||
	    !((wl == 4 && memcmp(hdr, "plan", 4) == 0) ||
	      (wl == 4 && memcmp(hdr, "unit", 4) == 0) ||
	      (wl == 4 && memcmp(hdr, "task", 4) == 0) ||
	      (wl == 7 && memcmp(hdr, "targets", 7) == 0) ||
	      (wl == 8 && memcmp(hdr, "schedule", 8) == 0))) {
		planb_errf(b, line, "unknown section [%.*s]; expected [plan], "
		     "[unit CODE], [task CODE], [targets CODE] or [schedule "
		     "TASK UNIT]", (int)n, hdr);
		return;
	}
	memcpy(word, hdr, wl);
	word[wl] = '\0';
	if (strcmp(word, "plan") == 0) {
		if (cl < n) {
			planb_errf(b, line, "[plan] takes no code; found [%.*s]",
			     (int)n, hdr);
			return;
		}
		if (b->plan_line) {
			planb_errf(b, line, "[plan] is given twice; the first is on "
			     "line %d", b->plan_line);
			return;
		}
		b->plan_line = line;
		b->sec = SEC_PLAN;
		return;
	}
	if (word[1] == 'c') { /* schedule: two codes, plan_sched.c */
		planb_open_schedule(b, hdr + cl, n - cl, line);
		return;
	}
	if (cl >= n) {
		planb_errf(b, line, "section [%s] needs a code, as in [%s hoang-dan]",
		     word, word);
		return;
	}
	if ((code = strndup(hdr + cl, n - cl)) == NULL) {
		b->oom = 1;
		return;
	}
	if ((what = planb_code_problem(code)) != NULL) {
		planb_errf(b, line, "%s code '%s' %s", word, code, what);
		free(code);
		return;
	}
	if (word[1] == 'n') { /* unit */
		struct bunit *u;

		if ((prev = planb_map_get(&b->unit_map, code)) >= 0) {
			planb_errf(b, line, "unit '%s' is defined twice; the first "
			     "is on line %d", code, b->units[prev].line);
			free(code);
			return;
		}
		if (planb_grow(&b->units, &b->cap_units, b->n_units,
		         sizeof(*b->units)) != 0 ||
		    planb_map_put(&b->unit_map, code, (int)b->n_units) != 0) {
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

		if ((prev = planb_map_get(&b->task_map, code)) >= 0) {
			planb_errf(b, line, "task '%s' is defined twice; the first "
			     "is on line %d", code, b->tasks[prev].line);
			free(code);
			return;
		}
		if (planb_grow(&b->tasks, &b->cap_tasks, b->n_tasks,
		         sizeof(*b->tasks)) != 0 ||
		    planb_map_put(&b->task_map, code, (int)b->n_tasks) != 0) {
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
		if ((prev = planb_map_get(&b->sect_map, code)) >= 0) {
			planb_errf(b, line, "targets of task '%s' are given twice; "
			     "the first [targets %s] is on line %d", code,
			     code, b->sects[prev].line);
			free(code);
			return;
		}
		if (planb_grow(&b->sects, &b->cap_sects, b->n_sects,
		         sizeof(*b->sects)) != 0 ||
		    planb_map_put(&b->sect_map, code, (int)b->n_sects) != 0) {
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

char *
planb_read_line(char *str, int num, void *stream)
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
			planb_errf(b, b->lineno, "line contains a NUL byte; is this "
			     "a text file?");
			continue;
		}
		if ((bad = utf8_check(line, n)) >= 0)
			planb_errf(b, b->lineno, "line is not valid UTF-8 (byte %ld); "
			     "save the file as UTF-8", bad + 1);
		if (n > (size_t)num - 1) {
			planb_errf(b, b->lineno, "line longer than %d bytes (it has "
			     "%zu); shorten it, or move its comment to a line "
			     "of its own", num - 1, n);
			for (s = line; s < line + n && planb_is_blank(*s); s++)
				;
			if (*s == '[') /* its keys must not join the last one */
				b->sec = SEC_SKIP;
			continue;
		}
		for (s = line; s < line + n && planb_is_blank(*s); s++)
			;
		n -= (size_t)(s - line);
		if (n == 0 || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			const char *end = memchr(s, ']', n);

			if (end == NULL) {
				planb_errf(b, b->lineno, "section header '%.*s' has "
				     "no closing ']'", (int)n, s);
				b->sec = SEC_SKIP;
				continue;
			}
			for (p = end + 1; p < s + n && planb_is_blank(*p); p++)
				;
			if (p < s + n && *p != ';' && *p != '#') {
				planb_errf(b, b->lineno, "unexpected text '%.*s' "
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
			    (s[i] == ';' && i > 0 && planb_is_blank(s[i - 1])))
				break;
		if (i == n || s[i] == ';') {
			planb_errf(b, b->lineno, "expected 'key = value', a [section] "
			     "or a comment, found '%.*s'", (int)n, s);
			continue;
		}
		if (i == 0) {
			planb_errf(b, b->lineno, "missing key before '%c'", s[0]);
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
	case SEC_SCHEDULE:
		snprintf(buf, n, "[schedule %s]", b->scheds[b->cur].key);
		break;
	default:
		snprintf(buf, n, "[plan]");
		break;
	}
	return buf;
}

void
planb_set_field(struct build *b, const char *const *keys, struct field *f,
                const char *key, const char *value, const char *expected)
{
	char label[2 * PLAN_CODE_MAX + 16];
	size_t i;

	for (i = 0; keys[i]; i++)
		if (strcmp(keys[i], key) == 0)
			break;
	if (keys[i] == NULL) {
		planb_errf(b, b->lineno, "unknown key '%s' in %s; expected %s", key,
		     section_label(b, label, sizeof(label)), expected);
		return;
	}
	if (f[i].val != NULL) {
		planb_errf(b, b->lineno, "'%s' is given twice in %s; the first is on "
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
	char *v, *from;

	if (planb_grow(&b->targets, &b->cap_targets, b->n_targets,
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
	t->task_i = t->unit_i = t->sched = -1;
	b->n_targets++; /* owns t->unit from here, whatever follows */
	if ((v = strdup(value)) == NULL) {
		b->oom = 1;
		return;
	}
	if ((from = planb_split_by(v)) != NULL &&
	    (t->by_text = strdup(from)) == NULL) {
		free(v);
		b->oom = 1;
		return;
	}
	if ((from = planb_split_from(v)) != NULL &&
	    (t->from_text = strdup(from)) == NULL) {
		free(v);
		b->oom = 1;
		return;
	}
	value = v;
	if (dec_parse(value, &t->value, &why) != 0)
		planb_errf(b, t->line, "target '%s' for unit '%s' is not a valid "
		     "number (%s); write it like 5000 or 12.5", value, key, why);
	else /* its range depends on the task: planb_check_target_value */
		t->ok = 1;
	free(v);
}

int
planb_handle(void *user, const char *section, const char *key, const char *value)
{
	struct build *b = user;
	struct btask *t;

	(void)section; /* ours is in b->sec: see planb_read_line() */
	switch (b->sec) {
	case SEC_NONE:
		planb_errf(b, b->lineno, "'%s' is outside any section; put it under "
		     "[plan], [unit CODE], [task CODE], [targets CODE] or "
		     "[schedule TASK UNIT]", key);
		break;
	case SEC_SKIP:
		break; /* the section header was already reported */
	case SEC_PLAN:
		planb_set_field(b, plan_keys, b->pf, key, value,
		                "name or timezone");
		break;
	case SEC_UNIT:
		planb_set_field(b, unit_keys, b->units[b->cur].f, key, value,
		                "name, kind or parent");
		break;
	case SEC_TASK:
		t = &b->tasks[b->cur];
		if (strcmp(key, "milestone") != 0) {
			planb_set_field(b, task_keys, t->f, key, value,
			                "title, measure, owner, start, deadline, "
			                "pacing, milestone, warn, critical or "
			                "stale_after, kind, hold, integer, "
			                "negative_adds, numerator, denominator, "
			                "report_every, report_due, parent_targets, "
			                "indicators or critical_after");
			break;
		}
		planb_add_milestone(b, &t->ms, &t->n_ms, &t->cap_ms, value);
		break;
	case SEC_TARGETS:
		add_target(b, key, value);
		break;
	case SEC_SCHEDULE:
		planb_schedule_key(b, key, value);
		break;
	}
	return 1;
}
