/*
 * grouping.h - grouped notifications in the daemon: the events alerts.c
 * publishes (not held, not roll-ups) are gathered by core/group.c and each
 * group is published as an AlertGroup on group/<task>/<parent>/ when its
 * window closes (PROTOCOL.md 4.7).
 */
#ifndef TIENDO_GROUPING_H
#define TIENDO_GROUPING_H

#include <stdint.h>

#include <event2/event.h>

#include "alertmsg.h"
#include "plan.h"
#include "publish.h"
#include "rules.h"

struct grouping;

/* window 0: no groups (every call below is then a no-op).  NULL when out
 * of memory. */
struct grouping *grouping_new(struct event_base *base, struct publish *pub,
                              int64_t window, enum alertmsg_lang lang);
void grouping_free(struct grouping *g);

/* One published event of a (task, unit) target of plan p. */
void grouping_add(struct grouping *g, const struct plan *p,
                  const struct rules_subject *s, const struct rules_event *e);

/* The plan changed: open groups (of the old plan's units) are dropped;
 * their events were published one by one already. */
void grouping_reset(struct grouping *g);

uint64_t grouping_published(const struct grouping *g);

#endif
