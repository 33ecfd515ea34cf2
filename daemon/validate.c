/*
 * validate.c - the gate between the network and the ledger.
 *
 * Checks are ordered from cheapest and most basic (is it text at all) to
 * the plan (does this unit have this target), so the reason given is the
 * most fundamental thing wrong with a report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "utf8.h"
#include "indicator.h"
#include "validate.h"

int
validate_client(const char *client)
{
	size_t len = strlen(client);

	if (len == 0 || len > LIMIT_CLIENT)
		return 0;
	return strspn(client, "abcdefghijklmnopqrstuvwxyz"
	                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

Tiendo__BatchError
validate_batch(const Tiendo__Batch *b, char *reason, size_t n)
{
	return validate_batch_as(b, b->client, reason, n);
}

Tiendo__BatchError
validate_batch_as(const Tiendo__Batch *b, const char *client, char *reason,
                  size_t n)
{
	if (b->version != PROTOCOL_VERSION) {
		snprintf(reason, n, "protocol version %" PRIu32
		         " is not supported (this server speaks %d)",
		         b->version, PROTOCOL_VERSION);
		return TIENDO__BATCH_ERROR__BATCH_VERSION;
	}
	if (!validate_client(client)) {
		snprintf(reason, n, "client identity is missing or not 1 to %d "
		         "of [A-Za-z0-9._-]", LIMIT_CLIENT);
		return TIENDO__BATCH_ERROR__BATCH_BAD_CLIENT;
	}
	if (b->n_reports == 0) {
		snprintf(reason, n, "batch holds no reports");
		return TIENDO__BATCH_ERROR__BATCH_EMPTY;
	}
	if (b->n_reports > LIMIT_BATCH_REPORTS) {
		snprintf(reason, n, "batch holds %zu reports; the limit is %d",
		         b->n_reports, LIMIT_BATCH_REPORTS);
		return TIENDO__BATCH_ERROR__BATCH_TOO_MANY;
	}
	return TIENDO__BATCH_ERROR__BATCH_NONE;
}

/* Checks length and encoding of one string field. */
static Tiendo__Reject
validate_text(const char *field, const char *s, size_t max, char *reason,
              size_t n)
{
	size_t len = strlen(s);
	long bad;

	if (len > max) {
		snprintf(reason, n, "%s is %zu bytes long; the limit is %zu",
		         field, len, max);
		return TIENDO__REJECT__REJECT_TOO_LONG;
	}
	if ((bad = utf8_check(s, len)) >= 0) {
		snprintf(reason, n, "%s is not valid UTF-8 (bad byte 0x%02x at "
		         "offset %ld)", field, (unsigned char)s[bad], bad);
		return TIENDO__REJECT__REJECT_BAD_UTF8;
	}
	return TIENDO__REJECT__REJECT_NONE;
}

/* observed_at, of a report or of a correction (for a correction, when the
 * void takes effect for at= queries). */
static Tiendo__Reject
validate_time(const Tiendo__Report *r, when_t now, int64_t max_future,
              char *reason, size_t n)
{
	if (r->observed_at < LIMIT_EARLIEST) {
		snprintf(reason, n, "observed_at %" PRId64 " is %s; give ms "
		         "since the Unix epoch", r->observed_at,
		         r->observed_at == 0 ? "missing" : "before 2000-01-01");
		return TIENDO__REJECT__REJECT_BAD_TIME;
	}
	if (r->observed_at > now + max_future) {
		snprintf(reason, n, "observed_at is %" PRId64 " s ahead of the "
		         "server clock (at most %" PRId64 " s allowed)",
		         (r->observed_at - now) / 1000, max_future / 1000);
		return TIENDO__REJECT__REJECT_FUTURE;
	}
	return TIENDO__REJECT__REJECT_NONE;
}

Tiendo__Reject
validate_report(const struct plan *p, const Tiendo__Report *r,
                const char *client, when_t now, int64_t max_future,
                struct valid_report *out, char *reason, size_t n)
{
	static const struct { const char *name; size_t max; size_t off; } texts[] = {
		{ "unit", LIMIT_CODE, offsetof(Tiendo__Report, unit) },
		{ "task", LIMIT_CODE, offsetof(Tiendo__Report, task) },
		{ "value", LIMIT_VALUE, offsetof(Tiendo__Report, value) },
		{ "reporter", LIMIT_REPORTER, offsetof(Tiendo__Report, reporter) },
		{ "note", LIMIT_NOTE, offsetof(Tiendo__Report, note) },
	};
	Tiendo__Reject code;
	const char *why;
	int task, unit;

	if (r->seq == 0) {
		snprintf(reason, n, "seq must be greater than 0");
		return TIENDO__REJECT__REJECT_BAD_SEQ;
	}
	out->voids_seq = r->voids_seq;
	if (r->voids_seq != 0)
		return validate_correction(p, r, now, max_future, out, reason, n);
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *s = *(char *const *)((const char *)r + texts[i].off);
		code = validate_text(texts[i].name, s, texts[i].max, reason, n);
		if (code != TIENDO__REJECT__REJECT_NONE)
			return code;
	}
	if ((unit = plan_unit_find(p, r->unit)) < 0) {
		snprintf(reason, n, "unit \"%s\" is not in the plan", r->unit);
		return TIENDO__REJECT__REJECT_UNKNOWN_UNIT;
	}
	if ((task = plan_task_find(p, r->task)) < 0) {
		snprintf(reason, n, "task \"%s\" is not in the plan", r->task);
		return TIENDO__REJECT__REJECT_UNKNOWN_TASK;
	}
	if ((out->target = plan_target_find(p, task, unit)) < 0) {
		snprintf(reason, n, "unit \"%s\" has no target for task \"%s\"",
		         r->unit, r->task);
		return TIENDO__REJECT__REJECT_NO_TARGET;
	}
	if (r->kind != TIENDO__KIND__KIND_ADD && r->kind != TIENDO__KIND__KIND_SET) {
		snprintf(reason, n, "kind %d is neither ADD (1) nor SET (2)",
		         (int)r->kind);
		return TIENDO__REJECT__REJECT_BAD_KIND;
	}
	if (dec_parse(r->value, &out->tally.value, &why) < 0) {
		snprintf(reason, n, "value \"%s\": %s", r->value, why);
		return TIENDO__REJECT__REJECT_BAD_VALUE;
	}
	if (r->kind == TIENDO__KIND__KIND_SET && out->tally.value < 0) {
		snprintf(reason, n, "value \"%s\": a total (SET) cannot be "
		         "negative", r->value);
		return TIENDO__REJECT__REJECT_BAD_VALUE;
	}
	if ((why = indicator_check_value(&p->tasks[task],
	                                 r->kind == TIENDO__KIND__KIND_ADD ?
	                                 REPORT_ADD : REPORT_SET,
	                                 out->tally.value)) != NULL) {
		snprintf(reason, n, "value \"%s\": %s", r->value, why);
		return TIENDO__REJECT__REJECT_BAD_VALUE;
	}
	if ((code = validate_time(r, now, max_future, reason, n)) !=
	    TIENDO__REJECT__REJECT_NONE)
		return code;
	if (r->void_reason[0] != '\0') {
		snprintf(reason, n, "void_reason is given but voids_seq is 0");
		return TIENDO__REJECT__REJECT_BAD_CORRECTION;
	}
	out->tally.kind = r->kind == TIENDO__KIND__KIND_ADD ? REPORT_ADD
	                                                    : REPORT_SET;
	out->tally.observed_at = r->observed_at;
	out->tally.seq = r->seq;
	out->tally.client_hash = tally_client_hash(client);
	return TIENDO__REJECT__REJECT_NONE;
}


Tiendo__Reject
validate_correction(const struct plan *p, const Tiendo__Report *r,
                    when_t now, int64_t max_future, struct valid_report *out,
                    char *reason, size_t n)
{
	static const struct { const char *name; size_t max; size_t off; } texts[] = {
		{ "unit", LIMIT_CODE, offsetof(Tiendo__Report, unit) },
		{ "task", LIMIT_CODE, offsetof(Tiendo__Report, task) },
		{ "value", LIMIT_VALUE, offsetof(Tiendo__Report, value) },
		{ "reporter", LIMIT_REPORTER, offsetof(Tiendo__Report, reporter) },
		{ "note", LIMIT_NOTE, offsetof(Tiendo__Report, note) },
		{ "void_reason", LIMIT_NOTE, offsetof(Tiendo__Report, void_reason) },
	};
	Tiendo__Reject code;

	out->target = -1;
	out->voids_seq = r->voids_seq;
	if (r->voids_seq == r->seq) {
		snprintf(reason, n, "correction %" PRIu64 " voids itself",
		         r->seq);
		return TIENDO__REJECT__REJECT_BAD_CORRECTION;
	}
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const char *s = *(char *const *)((const char *)r + texts[i].off);
		code = validate_text(texts[i].name, s, texts[i].max, reason, n);
		if (code != TIENDO__REJECT__REJECT_NONE)
			return code;
	}
	/* unit and task may be left empty; given, they must name something,
	 * and ingest checks that they match the voided report. */
	if (r->unit[0] && plan_unit_find(p, r->unit) < 0) {
		snprintf(reason, n, "unit \"%s\" is not in the plan", r->unit);
		return TIENDO__REJECT__REJECT_UNKNOWN_UNIT;
	}
	if (r->task[0] && plan_task_find(p, r->task) < 0) {
		snprintf(reason, n, "task \"%s\" is not in the plan", r->task);
		return TIENDO__REJECT__REJECT_UNKNOWN_TASK;
	}
	if (r->void_reason[0] == '\0') {
		snprintf(reason, n, "correction of seq %" PRIu64 " gives no "
		         "void_reason", r->voids_seq);
		return TIENDO__REJECT__REJECT_BAD_CORRECTION;
	}
	if ((code = validate_time(r, now, max_future, reason, n)) !=
	    TIENDO__REJECT__REJECT_NONE)
		return code;
	out->tally.kind = REPORT_ADD;
	out->tally.value = 0;
	out->tally.observed_at = r->observed_at;
	out->tally.seq = r->seq;
	out->tally.client_hash = 0;
	return TIENDO__REJECT__REJECT_NONE;
}

const char *
validate_reject_name(Tiendo__Reject code)
{
	switch (code) {
	case TIENDO__REJECT__REJECT_NONE: return "none";
	case TIENDO__REJECT__REJECT_UNKNOWN_UNIT: return "unknown_unit";
	case TIENDO__REJECT__REJECT_UNKNOWN_TASK: return "unknown_task";
	case TIENDO__REJECT__REJECT_NO_TARGET: return "no_target";
	case TIENDO__REJECT__REJECT_BAD_VALUE: return "bad_value";
	case TIENDO__REJECT__REJECT_BAD_KIND: return "bad_kind";
	case TIENDO__REJECT__REJECT_BAD_TIME: return "bad_time";
	case TIENDO__REJECT__REJECT_FUTURE: return "future";
	case TIENDO__REJECT__REJECT_TOO_LONG: return "too_long";
	case TIENDO__REJECT__REJECT_BAD_UTF8: return "bad_utf8";
	case TIENDO__REJECT__REJECT_BAD_SEQ: return "bad_seq";
	case TIENDO__REJECT__REJECT_UNIT_NOT_ALLOWED: return "unit_not_allowed";
	case TIENDO__REJECT__REJECT_BAD_CORRECTION: return "bad_correction";
	case TIENDO__REJECT__REJECT_OVERFLOW: return "overflow";
	case TIENDO__REJECT__REJECT_NUL: return "nul";
	default: return "unknown";
	}
}
