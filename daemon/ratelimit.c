/*
 * ratelimit.c - see ratelimit.h.
 */
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

#define RL_SLOTS 256
#define RL_KEY 96

struct rl_slot {
	char key[RL_KEY];
	int64_t window_start;
	int used;             /* lines logged in this window */
	uint64_t suppressed;  /* lines dropped in this window */
};

struct ratelimit {
	int burst;
	int64_t window;
	uint64_t dropped;
	struct rl_slot slots[RL_SLOTS];
};

struct ratelimit *
ratelimit_new(int burst, int64_t window_ms)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);

	if (rl == NULL)
		return NULL;
	rl->burst = burst;
	rl->window = window_ms;
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	free(rl);
}

/* FNV-1a: keys are short, and anything spreads them well enough. */
static uint32_t
rl_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#define RL_PROBE 8

int
ratelimit_allow(struct ratelimit *rl, const char *key, int64_t now_ms,
                uint64_t *suppressed)
{
	uint32_t h = rl_hash(key);
	struct rl_slot *s = NULL, *fresh = NULL;

	*suppressed = 0;
	/* The key's own slot, else a free or expired one near its hash.  A
	 * slot whose window still runs is never reset for another key (the
	 * login limit relies on it: two addresses of one slot would
	 * otherwise clear each other's count); with none free, the key
	 * shares its home slot's budget. */
	for (uint32_t i = 0; i < RL_PROBE; i++) {
		struct rl_slot *t = &rl->slots[(h + i) % RL_SLOTS];
		if (t->key[0] && strncmp(t->key, key, RL_KEY - 1) == 0) {
			s = t;
			break;
		}
		if (fresh == NULL &&
		    (!t->key[0] || now_ms - t->window_start >= rl->window))
			fresh = t;
	}
	if (s == NULL && fresh != NULL) {
		s = fresh;
		memset(s, 0, sizeof *s);
		strncpy(s->key, key, RL_KEY - 1);
		s->window_start = now_ms;
	} else if (s == NULL) {
		s = &rl->slots[h % RL_SLOTS];
	} else if (now_ms - s->window_start >= rl->window) {
		*suppressed = s->suppressed;
		s->window_start = now_ms;
		s->used = 0;
		s->suppressed = 0;
	}
	if (s->used < rl->burst) {
		s->used++;
		return 1;
	}
	s->suppressed++;
	rl->dropped++;
	return 0;
}

uint64_t
ratelimit_dropped(const struct ratelimit *rl)
{
	return rl->dropped;
}
