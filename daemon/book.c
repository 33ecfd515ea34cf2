/*
 * book.c - plan + store + tallies.
 */
#include <stdint.h>
#include <stdlib.h>

#include "book.h"
#include "log.h"
#include "rate.h"

/* Pre-order of the unit tree, computed once per plan: HTTP lists units the
 * way a district reads them, each level under its parent. */
static int *
book_preorder(const struct plan *p)
{
	size_t n = p->n_units, top = 0, out = 0;
	int *order = malloc((n + 1) * sizeof *order);
	int *first = malloc(n * sizeof *first), *next = malloc(n * sizeof *next);
	int *stack = malloc((n + 1) * sizeof *stack);

	if (!order || !first || !next || !stack) {
		free(order);
		order = NULL;
		goto done;
	}
	for (size_t u = 0; u < n; u++)
		first[u] = next[u] = -1;
	/* Prepending in reverse leaves each child list in file order. */
	for (size_t u = n; u-- > 0;) {
		int parent = p->units[u].parent;
		if (parent >= 0) {
			next[u] = first[parent];
			first[parent] = (int)u;
		}
	}
	for (size_t u = n; u-- > 0;)
		if (p->units[u].parent < 0)
			stack[top++] = (int)u;
	while (top > 0) {
		int u = stack[--top];
		size_t mark = top;

		order[out++] = u;
		for (int c = first[u]; c >= 0; c = next[c])
			stack[top++] = c;
		/* Reverse them, so the first child is popped first. */
		for (size_t i = mark, j = top; i + 1 < j; i++, j--) {
			int tmp = stack[i];
			stack[i] = stack[j - 1];
			stack[j - 1] = tmp;
		}
	}
done:
	free(first);
	free(next);
	free(stack);
	return order;
}

struct book_fill {
	const struct plan *plan;
	struct board *board;
	struct store *store;
	when_t until;
	unsigned char *dirty; /* per target: needs a refold */
	int failed;
};

/* Collects the reports of one pair for a refold. */
struct book_pair {
	struct tally_report *r;
	size_t n, cap;
	const struct plan *plan;
};

static int
book_report_from_row(const struct plan *p, const struct store_report *row,
                     int *target, struct tally_report *out)
{
	int task = plan_task_find(p, row->task), unit;

	if (task < 0 || (unit = plan_unit_find(p, row->unit)) < 0 ||
	    (*target = plan_target_find(p, task, unit)) < 0)
		return -1; /* not in this plan: stored, but not counted */
	out->kind = row->kind;
	out->value = row->value;
	out->observed_at = row->observed_at;
	out->seq = row->seq;
	out->client_hash = tally_client_hash(row->client);
	return 0;
}

static int
book_collect(void *arg, const struct store_report *row)
{
	struct book_pair *bp = arg;
	int target;

	if (bp->n == bp->cap) {
		size_t cap = bp->cap ? 2 * bp->cap : 64;
		struct tally_report *r = realloc(bp->r, cap * sizeof *r);
		if (r == NULL)
			return -1;
		bp->r = r;
		bp->cap = cap;
	}
	if (book_report_from_row(bp->plan, row, &target, &bp->r[bp->n]) == 0)
		bp->n++;
	return 0;
}

/* Refolds one target from all its stored reports observed up to `until`. */
static int
book_refold(const struct plan *p, struct board *board, struct store *store,
            int target, when_t until)
{
	const struct plan_target *t = &p->targets[target];
	struct book_pair bp = { .plan = p };
	int rc;

	rc = store_scan(store, p->tasks[t->task].code, p->units[t->unit].code,
	                until, book_collect, &bp);
	if (rc == 0 && board_refold(board, target, bp.r, bp.n) == TALLY_OVERFLOW)
		log_warn("tally of %s/%s overflows: kept as it was",
		         p->tasks[t->task].code, p->units[t->unit].code);
	if (rc != 0)
		log_err("recount of %s/%s: %s", p->tasks[t->task].code,
		        p->units[t->unit].code, store_errmsg(store));
	free(bp.r);
	return rc;
}

static int
book_fill_row(void *arg, const struct store_report *row)
{
	struct book_fill *f = arg;
	struct tally_report r;
	int target;

	if (book_report_from_row(f->plan, row, &target, &r) < 0)
		return 0;
	if (board_apply(f->board, target, &r) != TALLY_OK)
		f->dirty[target] = 1;
	return 0;
}

/* A row after a snapshot: a report as in a fold; a correction marks its
 * pair for a refold, since the report it voids may be in the snapshot. */
static int
book_tail_row(void *arg, const struct store_report *row)
{
	struct book_fill *f = arg;
	int task, unit, target;

	if (row->voids_seq == 0)
		return book_fill_row(arg, row);
	if ((task = plan_task_find(f->plan, row->task)) >= 0 &&
	    (unit = plan_unit_find(f->plan, row->unit)) >= 0 &&
	    (target = plan_target_find(f->plan, task, unit)) >= 0)
		f->dirty[target] = 1;
	return 0;
}

/* Builds a board from every stored report observed up to `until`, or,
 * with snap, from snap's tallies and the rows stored after row `after`. */
static struct board *
book_fill(const struct plan *p, struct store *store, when_t until,
          const struct tally *snap, int64_t after)
{
	struct book_fill f = { .plan = p, .store = store, .until = until };
	int rc;

	f.board = board_new(p);
	f.dirty = calloc(p->n_targets + 1, 1);
	if (f.board == NULL || f.dirty == NULL)
		goto fail;
	if (snap) {
		for (size_t i = 0; i < p->n_targets; i++)
			board_set(f.board, (int)i, &snap[i]);
		rc = store_scan_tail(store, after, book_tail_row, &f);
	} else {
		rc = store_scan(store, NULL, NULL, until, book_fill_row, &f);
	}
	if (rc != 0) {
		log_err("reading reports: %s", store_errmsg(store));
		goto fail;
	}
	/* Out-of-order sets seen during the scan: refold those pairs whole. */
	for (size_t i = 0; i < p->n_targets; i++)
		if (f.dirty[i] && book_refold(p, f.board, store, (int)i, until) != 0)
			goto fail;
	rate_derive_all(p, f.board->tallies);
	free(f.dirty);
	return f.board;
fail:
	free(f.dirty);
	board_free(f.board);
	return NULL;
}

struct book *
book_new(struct plan *plan, struct store *store)
{
	return book_new_from(plan, store, NULL, 0);
}

struct book *
book_new_from(struct plan *plan, struct store *store, const struct tally *snap,
              int64_t after)
{
	static uint64_t generations;
	struct book *b = calloc(1, sizeof *b);

	if (b == NULL)
		return NULL;
	b->generation = ++generations;
	b->plan = plan;
	b->store = store;
	b->preorder = book_preorder(plan);
	b->board = book_fill(plan, store, INT64_MAX, snap, after);
	if (b->preorder == NULL || b->board == NULL) {
		book_free(b);
		return NULL;
	}
	return b;
}

void
book_free(struct book *b)
{
	if (b == NULL)
		return;
	board_free(b->board);
	plan_free(b->plan);
	free(b->preorder);
	free(b);
}

enum tally_result
book_try(const struct book *b, const struct valid_report *v, struct tally *out)
{
	return board_try(b->board, v->target, &v->tally, out);
}

int
book_try_refold(struct book *b, int target, struct tally *out,
                enum tally_result *rc)
{
	const struct plan *p = b->plan;
	const struct plan_target *t = &p->targets[target];
	struct book_pair bp = { .plan = p };

	b->recounts++;
	if (store_scan(b->store, p->tasks[t->task].code, p->units[t->unit].code,
	               INT64_MAX, book_collect, &bp) != 0) {
		free(bp.r);
		return -1;
	}
	*rc = board_try_fold(b->board, target, bp.r, bp.n, out);
	free(bp.r);
	return 0;
}

void
book_put(struct book *b, int target, const struct tally *t)
{
	board_set(b->board, target, t);
	/* The rates that read this pair follow it. */
	rate_follow(b->plan, b->board->tallies, target);
}

struct board *
book_board_at(struct book *b, when_t until)
{
	return book_fill(b->plan, b->store, until, NULL, 0);
}

void
book_units_reporting(const struct book *b, size_t *reporting,
                     size_t *with_targets)
{
	const struct plan *p = b->plan;
	unsigned char *seen = calloc(p->n_units + 1, 1);

	*reporting = *with_targets = 0;
	if (seen == NULL)
		return;
	/* bit 1: has a target; bit 2: has a report */
	for (size_t i = 0; i < p->n_targets; i++) {
		int u = p->targets[i].unit;
		seen[u] |= 1;
		if (b->board->tallies[i].n_reports > 0)
			seen[u] |= 2;
	}
	for (size_t u = 0; u < p->n_units; u++) {
		*with_targets += (seen[u] & 1) != 0;
		*reporting += (seen[u] & 2) != 0;
	}
	free(seen);
}
