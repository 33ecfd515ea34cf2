/*
 * correct.c - corrections in the store.
 *
 * A correction is stored as a row of its own, with the voided report's
 * task and unit, so that (client, seq) stays unique across reports and
 * corrections and a resent correction is a plain duplicate.  The voided
 * row keeps its values for the audit trail and is marked voided_by /
 * voided_at; the store's scans leave it out from then on.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "correct.h"

static int
correct_reject(struct correct_result *out, char *reason, size_t n,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
correct_reject(struct correct_result *out, char *reason, size_t n,
               const char *fmt, ...)
{
	va_list ap;

	out->fate = TIENDO__FATE__FATE_REJECTED;
	out->code = TIENDO__REJECT__REJECT_BAD_CORRECTION;
	va_start(ap, fmt);
	vsnprintf(reason, n, fmt, ap);
	va_end(ap);
	return 0;
}

int
correct_apply(struct store *store, const struct plan *plan, const char *client,
              const struct authkey *auth, const Tiendo__Report *r, when_t now,
              struct correct_result *out, char *reason, size_t n)
{
	struct store_target t;
	int found, task, unit;

	out->fate = TIENDO__FATE__FATE_UNSPECIFIED;
	out->code = TIENDO__REJECT__REJECT_NONE;
	out->is_new = 0;
	out->target = -1;
	/* Its own seq first: a resent correction is a duplicate, even though
	 * what it voids is voided by now. */
	if (store_exists(store, client, r->seq, &found) < 0)
		return -1;
	if (found) {
		out->fate = TIENDO__FATE__FATE_DUPLICATE;
		return 0;
	}
	if (store_target(store, client, r->voids_seq, &t, &found) < 0)
		return -1;
	if (!found)
		return correct_reject(out, reason, n, "voids_seq %" PRIu64 ": no "
		                      "report of client \"%s\" with that seq is "
		                      "stored", r->voids_seq, client);
	if (t.voids_seq != 0)
		return correct_reject(out, reason, n, "voids_seq %" PRIu64 " is "
		                      "itself a correction; it cannot be voided",
		                      r->voids_seq);
	if (t.voided_by != 0)
		return correct_reject(out, reason, n, "voids_seq %" PRIu64 " is "
		                      "already voided by seq %" PRIu64,
		                      r->voids_seq, t.voided_by);
	if ((r->unit[0] && strcmp(r->unit, t.unit) != 0) ||
	    (r->task[0] && strcmp(r->task, t.task) != 0))
		return correct_reject(out, reason, n, "correction names %s/%s but "
		                      "seq %" PRIu64 " is a report of %s/%s",
		                      r->task[0] ? r->task : "*",
		                      r->unit[0] ? r->unit : "*", r->voids_seq,
		                      t.task, t.unit);
	/* A correction may name no unit (2.9): it moves the voided report's
	 * pair, so that is the unit the key must (still) be allowed (3.4). */
	if (auth != NULL && !authkey_allows(auth, t.unit)) {
		correct_reject(out, reason, n, "client \"%s\" may not report "
		               "for unit \"%s\"", client, t.unit);
		out->code = TIENDO__REJECT__REJECT_UNIT_NOT_ALLOWED;
		return 0;
	}

	struct store_report row = {
		.client = client,
		.seq = r->seq,
		.task = t.task,
		.unit = t.unit,
		.kind = 1, /* stored as an ADD of 0, and never counted */
		.value = 0,
		.observed_at = r->observed_at,
		.received_at = now,
		.reporter = r->reporter,
		.note = r->note,
		.voids_seq = r->voids_seq,
		.void_reason = r->void_reason,
	};
	if (store_insert(store, &row, &out->is_new) < 0 ||
	    store_void(store, client, r->voids_seq, r->seq, r->observed_at) < 0)
		return -1;
	out->fate = TIENDO__FATE__FATE_ACCEPTED;
	/* The pair to recount; -1 when the plan no longer has it. */
	task = plan_task_find(plan, t.task);
	unit = plan_unit_find(plan, t.unit);
	out->target = task < 0 || unit < 0 ? -1
	                                   : plan_target_find(plan, task, unit);
	return 0;
}
