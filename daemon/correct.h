/*
 * correct.h - corrections: a report that voids an earlier report of the
 * same client (PROTOCOL.md 2.9).
 *
 * What can be decided without the store is validate_correction's job;
 * this module does the rest inside ingest's transaction: is the correction
 * itself already stored (a duplicate), does the report it voids exist,
 * belong to the client, match its unit and task, and is it still counted.
 */
#ifndef TIENDO_CORRECT_H
#define TIENDO_CORRECT_H

#include <stddef.h>

#include "authkeys.h"
#include "plan.h"
#include "store.h"
#include "tiendo.pb-c.h"
#include "when.h"

struct correct_result {
	Tiendo__Fate fate;   /* ACCEPTED, DUPLICATE or REJECTED */
	Tiendo__Reject code; /* REJECTED: why; else REJECT_NONE */
	int is_new;          /* stored now: the pair needs a recount */
	int target;          /* the voided report's plan target, or -1 */
};

/* Stores correction r of `client` and marks the report it voids, or
 * rejects it with a reason.  `auth` (CURVE; NULL in plain mode): the units
 * the client may report for, checked against the voided report's unit.
 * 0, or -1 on a store error (the caller rolls back). */
int correct_apply(struct store *store, const struct plan *plan,
                  const char *client, const struct authkey *auth,
                  const Tiendo__Report *r, when_t now,
                  struct correct_result *out, char *reason, size_t n);

#endif
