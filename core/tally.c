/*
 * tally.c - the running total of one (task, unit) pair.
 *
 * tally_apply() runs once per ingested report, so it does no allocation and
 * touches only the struct.  Every path either commits the whole new state or
 * leaves the tally exactly as it was (overflow, recount), so a caller can
 * never observe half a report.
 */
#include <assert.h>
#include <string.h>

#include "pacing.h"
#include "indicator.h"
#include "tally.h"

void
tally_init(struct tally *t)
{
	memset(t, 0, sizeof(*t));
}

/* 1 if report r (a set) sorts after the tally's current set. */
static int
set_newer(const struct tally *t, const struct tally_report *r)
{
	if (!t->has_set)
		return 1;
	if (r->observed_at != t->set_at)
		return r->observed_at > t->set_at;
	if (r->seq != t->set_seq)
		return r->seq > t->set_seq;
	return r->client_hash > t->set_client;
}

/* Bookkeeping every accepted report does, whether it moves the total. */
static void
count(struct tally *t, const struct tally_report *r)
{
	/* Saturate rather than wrap: a wrapped count would claim silence. */
	t->n_reports += t->n_reports != UINT32_MAX;
	if (r->observed_at > t->last_report_at)
		t->last_report_at = r->observed_at;
	if (r->kind != REPORT_SET && r->observed_at > t->last_add_at)
		t->last_add_at = r->observed_at;
}

enum tally_result
tally_apply(struct tally *t, const struct tally_report *r)
{
	dec_t adds, actual;

	assert(r->kind == REPORT_ADD || r->kind == REPORT_SET);
	if (r->kind == REPORT_SET) {
		if (!set_newer(t, r)) {
			count(t, r);
			return TALLY_OK;
		}
		if (t->has_set && r->observed_at == t->set_at) {
			/* Same instant, later tie-break: the adds strictly
			 * after it are the same adds, so they carry over. */
			adds = t->adds_after;
		} else if (t->last_add_at > r->observed_at) {
			/* Some add lies after the new set, and which of them
			 * also lie after it is not known here. */
			return TALLY_RECOUNT;
		} else {
			adds = 0;
		}
		if (dec_add(r->value, adds, &actual) == -1)
			return TALLY_OVERFLOW;
		t->has_set = true;
		t->set_value = r->value;
		t->set_at = r->observed_at;
		t->set_seq = r->seq;
		t->set_client = r->client_hash;
		t->adds_after = adds;
		t->actual = actual;
		count(t, r);
		return TALLY_OK;
	}

	/* An add at or before the set is already inside the set's total. */
	if (!t->has_set || r->observed_at > t->set_at) {
		if (dec_add(t->adds_after, r->value, &adds) == -1 ||
		    dec_add(t->has_set ? t->set_value : 0, adds, &actual) == -1)
			return TALLY_OVERFLOW;
		t->adds_after = adds;
		t->actual = actual;
	}
	count(t, r);
	return TALLY_OK;
}

enum tally_result
tally_fold(struct tally *t, const struct tally_report *r, size_t n)
{
	struct tally nt;
	const struct tally_report *best = NULL;
	size_t i;

	tally_init(&nt);
	for (i = 0; i < n; i++) {
		if (r[i].kind != REPORT_SET)
			continue;
		if (best == NULL || r[i].observed_at > best->observed_at ||
		    (r[i].observed_at == best->observed_at &&
		     (r[i].seq > best->seq ||
		      (r[i].seq == best->seq &&
		       r[i].client_hash > best->client_hash))))
			best = &r[i];
	}
	if (best != NULL) {
		nt.has_set = true;
		nt.set_value = best->value;
		nt.set_at = best->observed_at;
		nt.set_seq = best->seq;
		nt.set_client = best->client_hash;
	}
	for (i = 0; i < n; i++) {
		assert(r[i].kind == REPORT_ADD || r[i].kind == REPORT_SET);
		if (r[i].observed_at > nt.last_report_at)
			nt.last_report_at = r[i].observed_at;
		if (r[i].kind == REPORT_SET)
			continue;
		if (r[i].observed_at > nt.last_add_at)
			nt.last_add_at = r[i].observed_at;
		if ((best == NULL || r[i].observed_at > best->observed_at) &&
		    dec_add(nt.adds_after, r[i].value, &nt.adds_after) == -1)
			return TALLY_OVERFLOW;
	}
	if (dec_add(nt.set_value, nt.adds_after, &nt.actual) == -1)
		return TALLY_OVERFLOW;
	nt.n_reports = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	*t = nt;
	return TALLY_OK;
}

uint64_t
tally_client_hash(const char *client)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p = (const unsigned char *)client;

	if (p == NULL)
		return h;
	while (*p != '\0') {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *const status_names[] = {
	[STATUS_NOT_STARTED] = "not_started",
	[STATUS_ON_TRACK] = "on_track",
	[STATUS_LAGGING] = "lagging",
	[STATUS_CRITICAL] = "critical",
	[STATUS_SILENT] = "silent",
	[STATUS_OVERDUE] = "overdue",
	[STATUS_DONE] = "done",
	[STATUS_MISSING] = "missing_report",
};

const char *
tally_status_name(enum tally_status s)
{
	if ((unsigned)s >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown";
	return status_names[s];
}

int
tally_has_value(const struct tally *t)
{
	return t->last_report_at != 0 || t->n_reports > 0;
}

void
tally_view(const struct tally *t, const struct plan_task *task,
           dec_t target, when_t now, struct tally_view *out)
{
	if (task->kind != PLAN_KIND_QUANTITY) {
		indicator_view(t, task, target, now, out);
		return;
	}
	out->actual = t->actual;
	out->target = target;
	out->percent = dec_percent(t->actual, target);
	out->expected = pacing_expected(task, now);
	out->lag = out->expected - out->percent;

	if (t->actual >= target)
		out->status = STATUS_DONE;
	else if (now >= task->deadline)
		out->status = STATUS_OVERDUE;
	else if (now < task->start)
		out->status = STATUS_NOT_STARTED;
	else if (indicator_quiet(t, task, now, &out->status))
		return;
	else if (out->lag >= task->critical)
		out->status = STATUS_CRITICAL;
	else if (out->lag >= task->warn)
		out->status = STATUS_LAGGING;
	else
		out->status = STATUS_ON_TRACK;
}
