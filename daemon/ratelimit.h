/*
 * ratelimit.h - keeps one noisy client from flooding the log.
 *
 * Each key (a client name, a peer address) may log `burst` lines per
 * window; the rest are counted, and the first line of the next window says
 * how many were suppressed.  A fixed table of slots, hashed by key (and
 * probed a few slots on): a slot whose window still runs is never given to
 * another key, so no key exceeds `burst` a window, whatever other keys
 * do (POST /login relies on it); when every probed slot is live, the key
 * shares its home slot's count.
 */
#ifndef TIENDO_RATELIMIT_H
#define TIENDO_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(int burst, int64_t window_ms);
void ratelimit_free(struct ratelimit *rl);

/* 1 when a line about `key` may be logged at `now_ms`; then *suppressed is
 * how many lines were dropped for this key in its previous window (log it).
 * 0 when the line must be dropped (it is counted). */
int ratelimit_allow(struct ratelimit *rl, const char *key, int64_t now_ms,
                    uint64_t *suppressed);

/* Lines dropped since start, for the metrics. */
uint64_t ratelimit_dropped(const struct ratelimit *rl);

#endif
