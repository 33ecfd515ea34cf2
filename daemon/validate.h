/*
 * validate.h - what the daemon accepts, decided without I/O.
 *
 * Pure: a decoded batch, the plan and `now` in, a verdict and a reason out.
 * Reasons are English and name the field and the offending value, so that a
 * commune clerk (or whoever writes their client) can fix the cause.
 */
#ifndef TIENDO_VALIDATE_H
#define TIENDO_VALIDATE_H

#include <stddef.h>

#include "plan.h"
#include "tally.h"
#include "tiendo.pb-c.h"

/* Limits; PROTOCOL.md names the same numbers. */
#define PROTOCOL_VERSION 1
#define LIMIT_BATCH_REPORTS 1000
#define LIMIT_MESSAGE_BYTES (1024 * 1024)
#define LIMIT_CLIENT 64
#define LIMIT_CODE PLAN_CODE_MAX
#define LIMIT_VALUE 32
#define LIMIT_REPORTER 100
#define LIMIT_NOTE 1000
#define LIMIT_EARLIEST ((when_t)946684800000) /* 2000-01-01T00:00:00Z */

#define REASON_MAX 256

/* A report that passed: where it counts and what it says. */
struct valid_report {
	int target; /* index into plan->targets; for a correction, of the
	               voided report once ingest has looked it up, else -1 */
	struct tally_report tally;
	uint64_t voids_seq; /* non-zero: a correction (PROTOCOL.md 2.9) */
};

/* 1 if `client` is a valid identity: [A-Za-z0-9._-]{1,64}. */
int validate_client(const char *client);

/* Batch-level checks (version, client, count).  Returns BATCH_NONE or the
 * error, with a reason. */
Tiendo__BatchError validate_batch(const Tiendo__Batch *b, char *reason,
                                  size_t n);
/* The same, for a batch whose identity is `client` (the authenticated one:
 * Batch.client is then ignored). */
Tiendo__BatchError validate_batch_as(const Tiendo__Batch *b,
                                     const char *client, char *reason,
                                     size_t n);

/* Checks one report against the plan.  `max_future` is how far past `now`
 * observed_at may lie (clock skew).  On REJECT_NONE *out is filled. */
Tiendo__Reject validate_report(const struct plan *p, const Tiendo__Report *r,
                               const char *client, when_t now,
                               int64_t max_future, struct valid_report *out,
                               char *reason, size_t n);

/* The checks of a correction that need no store: seq, voids_seq, texts,
 * unit and task when given, the reason, observed_at.  Whether the voided
 * report exists is ingest's business.  Called by validate_report. */
Tiendo__Reject validate_correction(const struct plan *p,
                                   const Tiendo__Report *r, when_t now,
                                   int64_t max_future,
                                   struct valid_report *out, char *reason,
                                   size_t n);

/* "unknown_unit", "bad_value"...: the code's name in lower case. */
const char *validate_reject_name(Tiendo__Reject code);

#endif
