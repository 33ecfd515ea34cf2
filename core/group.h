/*
 * group.h - alert storms made readable: the events of one rule, of one
 * kind (news of trouble, or of its end), for one task, of the units under
 * one parent unit, within a window, gathered into one group ("37 xã chậm
 * tiến độ «Tết trồng cây»: …").  Pure: `now` is passed in.
 *
 * A group opens with its first event and closes `window` ms later; the
 * caller asks which groups are due.  Only (task, unit) targets are
 * grouped (a roll-up is already a summary), and the caller leaves out the
 * events held back (silences, inhibition).
 */
#ifndef TIENDO_GROUP_H
#define TIENDO_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "when.h"

enum group_kind {
	GROUP_FIRING = 0, /* firing and escalated: trouble */
	GROUP_RESOLVED,   /* resolved: trouble over */
	GROUP_NOTICE,     /* done notices */
};

struct group_key {
	int rule;   /* enum rules_rule */
	int kind;   /* enum group_kind */
	int task;
	int parent; /* the members' parent unit; -1: the roots */
};

struct group_member {
	int unit;
	int sev;      /* enum rules_sev of the event */
	uint64_t seq; /* the event's */
};

struct group {
	struct group_key key;
	when_t opened;
	struct group_member *members;
	size_t n, cap;
};

struct grouper;

/* NULL when out of memory. */
struct grouper *grouper_new(int64_t window);
void grouper_free(struct grouper *g);

/* Adds a member to the open group of key k, opening one at `now`.
 * 0, or -1 when out of memory (nothing added). */
int grouper_add(struct grouper *g, const struct group_key *k,
                const struct group_member *m, when_t now);

/* Calls fn for the groups due at `now` (opened at least `window` ago),
 * oldest first, at most `max` of them, and forgets them.  Returns how
 * many. */
typedef void (*grouper_fn)(void *arg, const struct group *gr);
size_t grouper_flush(struct grouper *g, when_t now, size_t max, grouper_fn fn,
                     void *arg);

/* When the next group is due; 0 when none is open. */
when_t grouper_next(const struct grouper *g);

/* The kind of a transition (enum rules_transition), or -1: not grouped
 * (eased, reminder). */
int group_kind_of(int transition);

#endif
