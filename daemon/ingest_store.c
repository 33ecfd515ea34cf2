/*
 * ingest_store.c - one message's reports into the batch's transaction.
 *
 * All reports of a message share its client, so the store is asked once
 * which of them it holds (store_exists_many), duplicates inside the
 * message are decided here (the same seq twice: the first one is new, the
 * next a duplicate), the new ones are counted in order in memory exactly
 * as one by one (book_try, count_put; an overflow refused), and the
 * accepted rows go in with one store_insert_many.  On PostgreSQL that is
 * two round trips a message instead of one a report.  The daemon is the
 * only writer (SQLite's lock, PostgreSQL's advisory lock), so what the
 * store answered inside the transaction stays true until it commits.
 *
 * What needs the store to hold the rows before it (a correction, a pair
 * refolded from the store, TALLY_RECOUNT) first inserts the rows gathered
 * so far, then takes the old path under a savepoint, one report at a time.
 */
#include <stdlib.h>

#include "count.h"
#include "ingest_state.h"

/* Item k through count_write_refold (row NULL: a correction). */
static int
ingest_write_refold(struct ingest *in, struct ingest_msg *m, size_t k,
                    const struct store_report *row, when_t now)
{
	struct ingest_item *it = &in->items[k];
	struct count_log log = ingest_log(in);
	struct count_fate f = { .target = it->v.target };
	int rc = count_write_refold(*in->book, &log, m->client,
	                            m->batch->reports[k - m->first], row, now,
	                            &f, in->reasons[k], REASON_MAX);

	in->n_applied = log.n;
	it->fate = f.fate;
	it->code = f.code;
	it->is_new = f.is_new;
	it->v.target = f.target;
	return rc;
}

/* The rows gathered so far go in, in one statement.  0 or -1. */
static int
ingest_flush(struct ingest *in)
{
	struct store *store = (*in->book)->store;
	size_t n = in->n_rows;

	in->n_rows = 0;
	return n == 0 ? 0 : store_insert_many(store, in->rows, n);
}

/* Sorts (seq, position) pairs: equal seqs in the message's order. */
static int
ingest_cmp_seqpos(const void *a, const void *b)
{
	const struct ingest_seqpos *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* in->prev[i]: the position of the last report before i in m with the
 * same seq, or -1. */
static void
ingest_same_seq(struct ingest *in, const struct ingest_msg *m)
{
	for (size_t i = 0; i < m->n; i++) {
		in->order[i].seq = m->batch->reports[i]->seq;
		in->order[i].pos = i;
		in->prev[i] = -1;
	}
	qsort(in->order, m->n, sizeof *in->order, ingest_cmp_seqpos);
	for (size_t i = 1; i < m->n; i++)
		if (in->order[i].seq == in->order[i - 1].seq)
			in->prev[in->order[i].pos] = (long)in->order[i - 1].pos;
}

/* Whether the seq of report i (a position in m) is stored by now: it was
 * before the message, or the last report of m with that seq was accepted
 * (a new row) or a duplicate (an old one).  A refused one stored nothing,
 * and whether the seq was stored then is what it was told. */
static int
ingest_stored(const struct ingest *in, const struct ingest_msg *m, size_t i)
{
	long p = in->prev[i];

	if (in->found[i])
		return 1;
	if (p < 0)
		return 0;
	return in->items[m->first + (size_t)p].fate == TIENDO__FATE__FATE_ACCEPTED ||
	       in->items[m->first + (size_t)p].fate == TIENDO__FATE__FATE_DUPLICATE;
}

int
ingest_store_msg(struct ingest *in, struct ingest_msg *m, when_t now)
{
	struct book *book = *in->book;
	struct store *store = book->store;
	const struct plan *plan = book->plan;
	size_t n = 0;

	if (m->n == 0)
		return 0;
	/* What the store holds of the message, in one question: every
	 * report but the valid corrections, which correct_apply asks about
	 * itself once the rows before them are in. */
	for (size_t i = 0; i < m->n; i++) {
		const struct ingest_item *it = &in->items[m->first + i];

		in->found[i] = 0;
		if (it->code != TIENDO__REJECT__REJECT_NONE || it->v.voids_seq == 0)
			in->seqs[n++] = m->batch->reports[i]->seq;
	}
	if (store_exists_many(store, m->client, in->seqs, n, in->asked) < 0)
		return -1;
	n = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct ingest_item *it = &in->items[m->first + i];

		if (it->code != TIENDO__REJECT__REJECT_NONE || it->v.voids_seq == 0)
			in->found[i] = in->asked[n++];
	}
	ingest_same_seq(in, m);
	in->n_rows = 0;

	for (size_t i = 0; i < m->n; i++) {
		size_t k = m->first + i;
		struct ingest_item *it = &in->items[k];
		const Tiendo__Report *r = m->batch->reports[i];

		if (it->code != TIENDO__REJECT__REJECT_NONE) {
			/* A report we already hold stays a success even if it
			 * would not pass today (plan changed). */
			it->fate = ingest_stored(in, m, i)
			         ? TIENDO__FATE__FATE_DUPLICATE
			         : TIENDO__FATE__FATE_REJECTED;
			continue;
		}
		if (it->v.voids_seq != 0) {
			if (ingest_flush(in) < 0 ||
			    ingest_write_refold(in, m, k, NULL, now) < 0)
				return -1;
			continue;
		}
		if (ingest_stored(in, m, i)) {
			it->fate = TIENDO__FATE__FATE_DUPLICATE;
			it->is_new = 0;
			continue;
		}

		const struct plan_target *t = &plan->targets[it->v.target];
		struct store_report row = {
			.client = m->client,
			.seq = r->seq,
			.task = plan->tasks[t->task].code,
			.unit = plan->units[t->unit].code,
			.kind = it->v.tally.kind,
			.value = it->v.tally.value,
			.observed_at = r->observed_at,
			.received_at = now,
			.reporter = r->reporter,
			.note = r->note,
		};
		struct tally nt;
		enum tally_result rc = book_try(book, &it->v, &nt);

		/* The usual case: counted in memory, stored with the rest. */
		if (rc == TALLY_OK) {
			struct count_log log = ingest_log(in);

			count_put(book, &log, it->v.target, &nt);
			in->n_applied = log.n;
			in->rows[in->n_rows++] = row;
			it->fate = TIENDO__FATE__FATE_ACCEPTED;
			it->is_new = 1;
			continue;
		}
		if (rc == TALLY_OVERFLOW) {
			struct count_fate f = { .target = it->v.target };

			count_refuse(plan, &f, in->reasons[k], REASON_MAX);
			it->fate = f.fate;
			it->code = f.code;
			it->is_new = 0;
			continue;
		}
		/* TALLY_RECOUNT: the pair is folded anew from the store, which
		 * must hold every row before this one. */
		if (ingest_flush(in) < 0 ||
		    ingest_write_refold(in, m, k, &row, now) < 0)
			return -1;
	}
	return ingest_flush(in);
}
