/*
 * push_new.c - the new reports of one run: checked, then queued.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "outbox.h"
#include "push.h"
#include "push_new.h"
#include "utf8.h"
#include "when.h"
#include "wire.h"

void
push_new_item_clear(struct outbox_item *it)
{
	free(it->unit);
	free(it->task);
	free(it->value);
	free(it->reporter);
	free(it->note);
	free(it->code);
	free(it->reason);
	free(it->void_reason);
	memset(it, 0, sizeof(*it));
}

void
push_new_free(struct push_new *nw)
{
	for (size_t i = 0; i < nw->n; i++)
		push_new_item_clear(&nw->v[i]);
	free(nw->v);
	nw->v = NULL;
	nw->n = nw->cap = 0;
}

/* A string field: present (unless optional), within max bytes, UTF-8. */
const char *
push_new_check_text(const char *s, size_t max, int optional)
{
	size_t len = strlen(s);

	if (len == 0 && !optional)
		return "is empty";
	if (len > max)
		return max == WIRE_CODE_MAX ? "is longer than 64 bytes" :
		    max == WIRE_REPORTER_MAX ? "is longer than 100 bytes" :
		    "is longer than 1000 bytes";
	if (utf8_check(s, len) >= 0)
		return "is not valid UTF-8";
	return NULL;
}

/*
 * Checks one report and appends it to nw.  `at` NULL or "" means now.
 * On a bad field writes "FIELD: why" into err and returns 1; -1 when out
 * of memory; 0 when added.
 */
int
push_new_add(struct push_new *nw, const char *unit, const char *task,
             enum outbox_kind kind, const char *value, const char *at,
             const char *reporter, const char *note, const char *tz,
             when_t now, char *err, size_t errlen, const char *const *names)
{
	struct outbox_item it;
	const char *why;
	char buf[DEC_BUFSZ];
	when_t t = now;
	dec_t v;

	/* names: what to call unit, task, value, at, reporter, note */
	if ((why = push_new_check_text(unit, WIRE_CODE_MAX, 0)) != NULL) {
		snprintf(err, errlen, "%s %s", names[0], why);
		return 1;
	}
	if ((why = push_new_check_text(task, WIRE_CODE_MAX, 0)) != NULL) {
		snprintf(err, errlen, "%s %s", names[1], why);
		return 1;
	}
	if (dec_parse(value, &v, &why) != 0) {
		snprintf(err, errlen, "%s \"%.40s\": %s", names[2], value, why);
		return 1;
	}
	if (kind == OUTBOX_SET && v < 0) {
		snprintf(err, errlen, "%s \"%.40s\": a total cannot be negative",
		    names[2], value);
		return 1;
	}
	if (at != NULL && at[0] != '\0') {
		if (when_parse(at, tz, &t, NULL, &why) != 0) {
			snprintf(err, errlen, "%s \"%.60s\": %s", names[3], at,
			    why);
			return 1;
		}
		if (t < PUSH_MIN_TIME) {
			snprintf(err, errlen, "%s \"%.60s\": before 2000-01-01",
			    names[3], at);
			return 1;
		}
	}
	if ((why = push_new_check_text(reporter, WIRE_REPORTER_MAX, 1)) != NULL) {
		snprintf(err, errlen, "%s %s", names[4], why);
		return 1;
	}
	if ((why = push_new_check_text(note, WIRE_NOTE_MAX, 1)) != NULL) {
		snprintf(err, errlen, "%s %s", names[5], why);
		return 1;
	}

	if (nw->n == nw->cap) {
		size_t cap = nw->cap ? nw->cap * 2 : 16;
		struct outbox_item *nv = realloc(nw->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		nw->v = nv;
		nw->cap = cap;
	}
	memset(&it, 0, sizeof(it));
	it.kind = kind;
	it.observed_at = t;
	it.unit = strdup(unit);
	it.task = strdup(task);
	it.value = strdup(dec_format(v, buf, sizeof(buf)));
	it.reporter = strdup(reporter);
	it.note = strdup(note);
	if (it.unit == NULL || it.task == NULL || it.value == NULL ||
	    it.reporter == NULL || it.note == NULL) {
		push_new_item_clear(&it);
		return -1;
	}
	nw->v[nw->n++] = it;
	return 0;
}

int
push_new_queue(struct outbox *ob, struct push_new *nw)
{
	if (nw->n == 0)
		return 0;
	if (outbox_begin(ob) != 0)
		goto fail;
	for (size_t i = 0; i < nw->n; i++)
		if (outbox_add(ob, &nw->v[i], &nw->v[i].seq) != 0)
			goto fail;
	if (outbox_commit(ob) != 0)
		goto fail;
	return 0;
fail:
	push_warn("outbox: %s; nothing queued", outbox_errmsg(ob));
	outbox_rollback(ob);
	return -1;
}
