/*
 * seqset.c - open addressing, linear probing; 0 marks an empty slot (no
 * alert event has seq 0).  Kept at most half full.
 */
#include <stdlib.h>
#include <string.h>

#include "seqset.h"

struct seqset {
	uint64_t *slot;
	size_t cap, n; /* cap: a power of two */
};

struct seqset *
seqset_new(void)
{
	return calloc(1, sizeof(struct seqset));
}

void
seqset_free(struct seqset *s)
{
	if (s == NULL)
		return;
	free(s->slot);
	free(s);
}

static size_t
seqset_home(uint64_t seq, size_t cap)
{
	/* Fibonacci hashing: neighbouring seqs spread out. */
	return (size_t)((seq * 11400714819323198485ull) >> 32) & (cap - 1);
}

static void
seqset_put(uint64_t *slot, size_t cap, uint64_t seq)
{
	size_t i = seqset_home(seq, cap);

	while (slot[i] != 0 && slot[i] != seq)
		i = (i + 1) & (cap - 1);
	slot[i] = seq;
}

int
seqset_has(const struct seqset *s, uint64_t seq)
{
	size_t i;

	if (seq == 0 || s->cap == 0)
		return 0;
	for (i = seqset_home(seq, s->cap); s->slot[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == seq)
			return 1;
	return 0;
}

int
seqset_add(struct seqset *s, uint64_t seq)
{
	if (seq == 0 || seqset_has(s, seq))
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *slot = calloc(cap, sizeof *slot);

		if (slot == NULL)
			return -1;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i] != 0)
				seqset_put(slot, cap, s->slot[i]);
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	seqset_put(s->slot, s->cap, seq);
	s->n++;
	return 0;
}

void
seqset_clear(struct seqset *s)
{
	if (s->cap)
		memset(s->slot, 0, s->cap * sizeof *s->slot);
	s->n = 0;
}
