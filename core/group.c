/*
 * group.c - open groups in an array in opening order (so the due ones are
 * a prefix), found by key through an open-addressing hash table: a storm
 * of a million events in thousands of groups costs a hash per event.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "rules.h"

struct grouper {
	int64_t window;
	struct group *open;  /* in opening order; [head, n) are open */
	size_t head, n, cap;
	size_t *slots;       /* hash table: index+1 into open, 0 = empty */
	size_t n_slots;      /* power of two, > 2 x open groups */
};

int
group_kind_of(int transition)
{
	switch (transition) {
	case TR_FIRING: case TR_ESCALATED: return GROUP_FIRING;
	case TR_RESOLVED: return GROUP_RESOLVED;
	case TR_NOTICE: return GROUP_NOTICE;
	default: return -1;
	}
}

static size_t
gr_hash(const struct group_key *k)
{
	uint64_t h = 1469598103934665603ULL;
	int v[4] = { k->rule, k->kind, k->task, k->parent };

	for (int i = 0; i < 4; i++) {
		h ^= (uint64_t)(uint32_t)v[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static int
gr_same(const struct group_key *a, const struct group_key *b)
{
	return a->rule == b->rule && a->kind == b->kind && a->task == b->task &&
	       a->parent == b->parent;
}

struct grouper *
grouper_new(int64_t window)
{
	struct grouper *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	g->window = window;
	g->n_slots = 64;
	if ((g->slots = calloc(g->n_slots, sizeof *g->slots)) == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

void
grouper_free(struct grouper *g)
{
	if (g == NULL)
		return;
	for (size_t i = g->head; i < g->n; i++)
		free(g->open[i].members);
	free(g->open);
	free(g->slots);
	free(g);
}

static void
gr_fill(struct grouper *g, size_t *slots, size_t n_slots)
{
	memset(slots, 0, n_slots * sizeof *slots);
	for (size_t i = g->head; i < g->n; i++) {
		size_t s = gr_hash(&g->open[i].key) & (n_slots - 1);
		while (slots[s])
			s = (s + 1) & (n_slots - 1);
		slots[s] = i + 1;
	}
}

/* Rebuilds the table for the open groups, larger when they fill more
 * than a quarter of it.  0 or -1 (the old table then still holds every
 * group but the newest, which the caller takes back). */
static int
gr_rehash(struct grouper *g)
{
	size_t n_slots = g->n_slots, *slots;

	while (n_slots < 4 * (g->n - g->head + 1))
		n_slots *= 2;
	if (n_slots == g->n_slots) {
		gr_fill(g, g->slots, n_slots);
		return 0;
	}
	if ((slots = calloc(n_slots, sizeof *slots)) == NULL)
		return -1;
	free(g->slots);
	g->slots = slots;
	g->n_slots = n_slots;
	gr_fill(g, slots, n_slots);
	return 0;
}

/* A new open group at the end of the array (compacted first). */
static struct group *
gr_open(struct grouper *g, const struct group_key *k, when_t now)
{
	int moved = 0;

	if (g->head > 0 && g->n == g->cap) {
		memmove(g->open, g->open + g->head,
		        (g->n - g->head) * sizeof *g->open);
		g->n -= g->head;
		g->head = 0;
		moved = 1;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 64;
		struct group *o = realloc(g->open, cap * sizeof *o);
		if (o == NULL)
			return NULL;
		g->open = o;
		g->cap = cap;
	}
	g->open[g->n] = (struct group){ .key = *k, .opened = now };
	g->n++;
	if (moved || 4 * (g->n - g->head) > g->n_slots) {
		if (gr_rehash(g) < 0) {
			g->n--;
			if (moved)
				gr_fill(g, g->slots, g->n_slots);
			return NULL;
		}
	} else {
		size_t s = gr_hash(k) & (g->n_slots - 1);
		while (g->slots[s])
			s = (s + 1) & (g->n_slots - 1);
		g->slots[s] = g->n;
	}
	return &g->open[g->n - 1];
}

int
grouper_add(struct grouper *g, const struct group_key *k,
            const struct group_member *m, when_t now)
{
	size_t s = gr_hash(k) & (g->n_slots - 1);
	struct group *gr = NULL;

	for (; g->slots[s]; s = (s + 1) & (g->n_slots - 1))
		if (gr_same(&g->open[g->slots[s] - 1].key, k)) {
			gr = &g->open[g->slots[s] - 1];
			break;
		}
	if (gr == NULL && (gr = gr_open(g, k, now)) == NULL)
		return -1;
	if (gr->n == gr->cap) {
		size_t cap = gr->cap ? 2 * gr->cap : 8;
		struct group_member *mm = realloc(gr->members, cap * sizeof *mm);
		if (mm == NULL)
			return -1;
		gr->members = mm;
		gr->cap = cap;
	}
	gr->members[gr->n++] = *m;
	return 0;
}

size_t
grouper_flush(struct grouper *g, when_t now, size_t max, grouper_fn fn,
              void *arg)
{
	size_t done = 0;

	while (done < max && g->head < g->n &&
	       now - g->open[g->head].opened >= g->window) {
		fn(arg, &g->open[g->head]);
		free(g->open[g->head].members);
		g->head++;
		done++;
	}
	if (g->head == g->n)
		g->head = g->n = 0;
	if (done > 0) /* fewer groups: the table is large enough */
		gr_fill(g, g->slots, g->n_slots);
	return done;
}

when_t
grouper_next(const struct grouper *g)
{
	return g->head < g->n ? g->open[g->head].opened + g->window : 0;
}
