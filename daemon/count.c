/*
 * count.c - a report is counted in the same transaction that stores it,
 * or it is not stored at all.
 */
#include <stdio.h>

#include "correct.h"
#include "count.h"

void
count_put(struct book *b, struct count_log *log, int target,
          const struct tally *t)
{
	log->saved[log->n] = b->board->tallies[target];
	log->touched[log->n++] = target;
	book_put(b, target, t);
}

void
count_undo(struct book *b, struct count_log *log)
{
	while (log->n > 0) {
		log->n--;
		book_put(b, log->touched[log->n], &log->saved[log->n]);
	}
}

void
count_refuse(const struct plan *p, struct count_fate *out, char *reason,
             size_t n)
{
	const struct plan_target *t = &p->targets[out->target];

	out->fate = TIENDO__FATE__FATE_REJECTED;
	out->code = TIENDO__REJECT__REJECT_OVERFLOW;
	out->is_new = 0;
	snprintf(reason, n, "counting this report would take the totals of "
	         "task \"%s\" (unit \"%s\") past what can be counted: the "
	         "absolute totals of a task's units may add up to at most "
	         "9223372036854775.807; not stored", p->tasks[t->task].code,
	         p->units[t->unit].code);
}

int
count_write_refold(struct book *b, struct count_log *log, const char *client,
                   const struct authkey *auth, const Tiendo__Report *r, const struct store_report *row,
                   when_t now, struct count_fate *out, char *reason, size_t n)
{
	enum tally_result rc;
	struct tally nt;

	if (store_savepoint(b->store) < 0)
		return -1;
	if (row == NULL) {
		struct correct_result cr;

		if (correct_apply(b->store, b->plan, client, auth, r, now, &cr,
		                  reason, n) < 0)
			return -1;
		out->fate = cr.fate;
		out->code = cr.code;
		out->is_new = cr.is_new;
		out->target = cr.target;
	} else {
		if (store_insert(b->store, row, &out->is_new) < 0)
			return -1;
		out->fate = out->is_new ? TIENDO__FATE__FATE_ACCEPTED
		                        : TIENDO__FATE__FATE_DUPLICATE;
	}
	if (!out->is_new || out->target < 0)
		return store_release(b->store);
	if (book_try_refold(b, out->target, &nt, &rc) < 0)
		return -1;
	if (rc == TALLY_OK) {
		count_put(b, log, out->target, &nt);
		return store_release(b->store);
	}
	count_refuse(b->plan, out, reason, n);
	return store_undo_savepoint(b->store);
}
