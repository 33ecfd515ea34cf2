/*
 * seqmark.c - per-client seq marks (seqmark.h): an open-addressing table,
 * keys copied, grown at half full, started afresh past SEQMARK_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "seqmark.h"

struct seqmark_slot {
	char *client;        /* NULL: empty */
	int64_t max;
};

struct seqmark {
	struct seqmark_slot *slot;
	size_t cap;          /* a power of two */
	size_t n;
};

#define SEQMARK_CAP0 64

/* The slot holding client, or the empty one where it would go. */
static struct seqmark_slot *
seqmark_find(const struct seqmark *m, const char *client)
{
	size_t i = (size_t)fnv_str(FNV_BASIS, client) & (m->cap - 1);

	while (m->slot[i].client != NULL &&
	       strcmp(m->slot[i].client, client) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

struct seqmark *
seqmark_new(void)
{
	struct seqmark *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->slot = calloc(SEQMARK_CAP0, sizeof *m->slot);
	if (m->slot == NULL) {
		free(m);
		return NULL;
	}
	m->cap = SEQMARK_CAP0;
	return m;
}

void
seqmark_clear(struct seqmark *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->slot[i].client);
		m->slot[i].client = NULL;
	}
	m->n = 0;
}

void
seqmark_destroy(struct seqmark *m)
{
	if (m == NULL)
		return;
	seqmark_clear(m);
	free(m->slot);
	free(m);
}

/* Doubles the table.  -1 out of memory (the old one kept). */
static int
seqmark_grow(struct seqmark *m)
{
	struct seqmark old = *m;

	m->slot = calloc(old.cap * 2, sizeof *m->slot);
	if (m->slot == NULL) {
		*m = old;
		return -1;
	}
	m->cap = old.cap * 2;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].client != NULL)
			*seqmark_find(m, old.slot[i].client) = old.slot[i];
	free(old.slot);
	return 0;
}

int
seqmark_get(const struct seqmark *m, const char *client, int64_t *max)
{
	const struct seqmark_slot *s = seqmark_find(m, client);

	if (s->client == NULL)
		return 0;
	*max = s->max;
	return 1;
}

int
seqmark_set(struct seqmark *m, const char *client, int64_t max)
{
	struct seqmark_slot *s = seqmark_find(m, client);

	if (s->client == NULL) {
		if (m->n >= SEQMARK_MAX)
			seqmark_clear(m);
		if (2 * (m->n + 1) > m->cap && seqmark_grow(m) < 0)
			return -1;
		s = seqmark_find(m, client);
		s->client = strdup(client);
		if (s->client == NULL)
			return -1;
		m->n++;
	}
	s->max = max;
	return 0;
}

void
seqmark_raise(struct seqmark *m, const char *client, int64_t seq)
{
	struct seqmark_slot *s = seqmark_find(m, client);

	if (s->client != NULL && seq > s->max)
		s->max = seq;
}

int
seqmark_above(const struct seqmark *m, const char *client, int64_t seq)
{
	int64_t max;

	return seqmark_get(m, client, &max) && seq > max;
}
