/*
 * book.c - plan + store + tallies.
 */
#include <stdint.h>
#include <stdlib.h>

#include "book.h"
#include "log.h"

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

/* Builds a board from every stored report observed up to `until`. */
static struct board *
book_fill(const struct plan *p, struct store *store, when_t until)
{
	struct book_fill f = { .plan = p, .store = store, .until = until };

	f.board = board_new(p);
	f.dirty = calloc(p->n_targets + 1, 1);
	if (f.board == NULL || f.dirty == NULL)
		goto fail;
	if (store_scan(store, NULL, NULL, until, book_fill_row, &f) != 0) {
		log_err("reading reports: %s", store_errmsg(store));
		goto fail;
	}
	/* Out-of-order sets seen during the scan: refold those pairs whole. */
	for (size_t i = 0; i < p->n_targets; i++)
		if (f.dirty[i] && book_refold(p, f.board, store, (int)i, until) != 0)
			goto fail;
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
	static uint64_t generations;
	struct book *b = calloc(1, sizeof *b);

	if (b == NULL)
		return NULL;
	b->generation = ++generations;
	b->plan = plan;
	b->store = store;
	b->preorder = book_preorder(plan);
	b->board = book_fill(plan, store, INT64_MAX);
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

void
book_recount(struct book *b, int target)
{
	book_refold(b->plan, b->board, b->store, target, INT64_MAX);
}

void
book_apply(struct book *b, const struct valid_report *v)
{
	enum tally_result rc;

	if (v->voids_seq != 0) {
		/* A correction: the store no longer counts the voided report,
		 * so the pair is recounted as if it had never come. */
		if (v->target >= 0) {
			b->recounts++;
			book_refold(b->plan, b->board, b->store, v->target,
			            INT64_MAX);
		}
		return;
	}
	rc = board_apply(b->board, v->target, &v->tally);

	if (rc == TALLY_RECOUNT) {
		b->recounts++;
		book_refold(b->plan, b->board, b->store, v->target, INT64_MAX);
	} else if (rc == TALLY_OVERFLOW) {
		const struct plan_target *t = &b->plan->targets[v->target];
		log_warn("tally of %s/%s would overflow: report seq %llu stored "
		         "but not counted", b->plan->tasks[t->task].code,
		         b->plan->units[t->unit].code,
		         (unsigned long long)v->tally.seq);
	}
}

struct board *
book_board_at(struct book *b, when_t until)
{
	return book_fill(b->plan, b->store, until);
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
