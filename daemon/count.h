/*
 * count.h - counting a report inside the batch's transaction, or refusing
 * it before the ack (REJECT_OVERFLOW), so that accepted means counted.
 */
#ifndef TIENDO_COUNT_H
#define TIENDO_COUNT_H

#include "authkeys.h"
#include "book.h"
#include "store.h"
#include "tiendo.pb-c.h"

/* The tallies a transaction changed, with what they were: to undo them
 * if it fails, and to tell the alert rules which pairs moved. */
struct count_log {
	struct tally *saved; /* room for one per report of the drain */
	int *touched;        /* their targets */
	size_t n;
};

/* How one report came out. */
struct count_fate {
	Tiendo__Fate fate;
	Tiendo__Reject code;
	int is_new;
	int target;          /* plan target, -1 when none (a correction that
	                        names nothing the plan knows) */
};

/* The pair of `target` now holds t; the old tally is logged. */
void count_put(struct book *b, struct count_log *log, int target,
               const struct tally *t);
/* Every logged tally back as it was, newest first; log->n becomes 0. */
void count_undo(struct book *b, struct count_log *log);
/* The report cannot be counted: out->fate, code and reason say so. */
void count_refuse(const struct plan *p, struct count_fate *out, char *reason,
                  size_t n);
/*
 * A correction (row NULL) or a report whose pair needs a recount: writes
 * it under a savepoint, refolds the pair from the store, and keeps it
 * (counted) or undoes the write (refused).  out->target: the report's
 * target on entry; auth: the client's units with CURVE (a correction is
 * checked against its voided report's), else NULL.  0, or -1 on a store error (the caller rolls back).
 */
int count_write_refold(struct book *b, struct count_log *log,
                       const char *client, const struct authkey *auth,
                       const Tiendo__Report *r,
                       const struct store_report *row, when_t now,
                       struct count_fate *out, char *reason, size_t n);

#endif
