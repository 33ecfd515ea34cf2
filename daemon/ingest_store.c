/*
 * ingest_store.c - a drain's reports into the batch's transaction.
 *
 * The store is asked once which (client, seq) of the whole drain it holds
 * (store_exists_many), duplicates inside the drain are decided here (the
 * same client and seq twice, in one message or two: the first one is new,
 * the next a duplicate), the new ones are counted in order in memory
 * exactly as one by one (book_try, count_put; an overflow refused), and
 * the accepted rows go in with one store_insert_many.  On PostgreSQL that
 * is two round trips a group commit instead of one a report.  The daemon
 * is the only writer (SQLite's lock, PostgreSQL's advisory lock), so what
 * the store answered inside the transaction stays true until it commits.
 *
 * What needs the store to hold the rows before it (a correction, a pair
 * refolded from the store, TALLY_RECOUNT) first inserts the rows gathered
 * so far, then takes the old path under a savepoint, one report at a time.
 */
#include <stdlib.h>
#include <string.h>

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
	int rc = count_write_refold(*in->book, &log, m->client, m->auth,
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

/* Sorts (seq, client, position): equal pairs in the drain's order. */
static int
ingest_cmp_key(const void *a, const void *b)
{
	const struct ingest_key *x = a, *y = b;
	int c;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if ((c = strcmp(x->client, y->client)) != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* in->prev[k]: the last item before k in the drain with the same client
 * and seq (the same message or another), or -1. */
static void
ingest_same_key(struct ingest *in)
{
	size_t n = 0;

	for (size_t i = 0; i < in->n_msgs; i++) {
		const struct ingest_msg *m = &in->msgs[i];

		for (size_t j = 0; j < m->n; j++) {
			in->order[n].seq = m->batch->reports[j]->seq;
			in->order[n].client = m->client;
			in->order[n].pos = m->first + j;
			in->prev[m->first + j] = -1;
			n++;
		}
	}
	qsort(in->order, n, sizeof *in->order, ingest_cmp_key);
	for (size_t i = 1; i < n; i++)
		if (in->order[i].seq == in->order[i - 1].seq &&
		    strcmp(in->order[i].client, in->order[i - 1].client) == 0)
			in->prev[in->order[i].pos] = (long)in->order[i - 1].pos;
}

/* Whether item k's (client, seq) is stored by now: it was before the
 * drain, or the last item before it with that pair was accepted (a new
 * row) or a duplicate (an old one).  A refused one stored nothing, and
 * whether the pair was stored then is what it was told. */
static int
ingest_stored(const struct ingest *in, size_t k)
{
	long p = in->prev[k];

	if (in->found[k])
		return 1;
	if (p < 0)
		return 0;
	return in->items[p].fate == TIENDO__FATE__FATE_ACCEPTED ||
	       in->items[p].fate == TIENDO__FATE__FATE_DUPLICATE;
}

/* Every item but the valid corrections (correct_apply asks about those
 * itself, once the rows before them are in) is looked up. */
static int
ingest_asks(const struct ingest_item *it)
{
	return it->code != TIENDO__REJECT__REJECT_NONE || it->v.voids_seq == 0;
}

/* Item k, a valid plain report of m: counted and gathered, refused, or
 * through the savepoint path.  0 or -1. */
static int
ingest_store_one(struct ingest *in, struct ingest_msg *m, size_t k,
                 when_t now)
{
	struct book *book = *in->book;
	const struct plan *plan = book->plan;
	struct ingest_item *it = &in->items[k];
	const Tiendo__Report *r = m->batch->reports[k - m->first];
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
		return 0;
	}
	if (rc == TALLY_OVERFLOW) {
		struct count_fate f = { .target = it->v.target };

		count_refuse(plan, &f, in->reasons[k], REASON_MAX);
		it->fate = f.fate;
		it->code = f.code;
		it->is_new = 0;
		return 0;
	}
	/* TALLY_RECOUNT: the pair is folded anew from the store, which must
	 * hold every row before this one. */
	if (ingest_flush(in) < 0)
		return -1;
	return ingest_write_refold(in, m, k, &row, now);
}

int
ingest_store_all(struct ingest *in, when_t now)
{
	struct store *store = (*in->book)->store;
	size_t n = 0;

	/* What the store holds of the drain, in one question. */
	for (size_t i = 0; i < in->n_msgs; i++) {
		const struct ingest_msg *m = &in->msgs[i];

		for (size_t k = m->first; k < m->first + m->n; k++) {
			in->found[k] = 0;
			if (!ingest_asks(&in->items[k]))
				continue;
			in->clients[n] = m->client;
			in->seqs[n++] = m->batch->reports[k - m->first]->seq;
		}
	}
	if (store_exists_many(store, in->clients, in->seqs, n, in->asked) < 0)
		return -1;
	n = 0;
	for (size_t i = 0; i < in->n_msgs; i++) {
		const struct ingest_msg *m = &in->msgs[i];

		for (size_t k = m->first; k < m->first + m->n; k++)
			if (ingest_asks(&in->items[k]))
				in->found[k] = in->asked[n++];
	}
	ingest_same_key(in);
	in->n_rows = 0;

	for (size_t i = 0; i < in->n_msgs; i++) {
		struct ingest_msg *m = &in->msgs[i];

		for (size_t k = m->first; k < m->first + m->n; k++) {
			struct ingest_item *it = &in->items[k];

			if (it->code != TIENDO__REJECT__REJECT_NONE) {
				/* A report we already hold stays a success
				 * even if it would not pass today (plan
				 * changed). */
				it->fate = ingest_stored(in, k)
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
			if (ingest_stored(in, k)) {
				it->fate = TIENDO__FATE__FATE_DUPLICATE;
				it->is_new = 0;
				continue;
			}
			if (ingest_store_one(in, m, k, now) < 0)
				return -1;
		}
	}
	return ingest_flush(in);
}
