/*
 * alertquery.h - which active alerts match a filter, from the rules'
 * states in memory: the page asked for (smallest seqs after `since`) and
 * how many match in all.  Pure: the caller reads the bodies of the seqs
 * from the store.
 *
 * An alert is active while its (subject, rule) state fires; the latched
 * "done" notices are not alerts.  Its seq, here, is the seq of its latest
 * event (the one a subscriber saw last), so pages by `since` follow the
 * order of the active list of GET /v1/alerts.
 */
#ifndef TIENDO_ALERTQUERY_H
#define TIENDO_ALERTQUERY_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "rules.h"

struct alertquery {
	int task;      /* task index; -1: any */
	int unit;      /* unit index: that unit and every unit below it; -1: any */
	int owner;     /* unit index of the task's owner; -1: any */
	int rule;      /* enum rules_rule; -1: any */
	int severity;  /* enum rules_sev; SEV_NONE: any */
	uint64_t since; /* only seqs after this one */
	size_t limit;  /* at most this many seqs (>= 1) */
	/* keep(keep_arg, task, unit) may leave subjects out (an account's
	 * scope), from the page and from the total alike; NULL keeps all. */
	int (*keep)(void *arg, int task, int unit);
	void *keep_arg;
};

/* Fills out[0..*n) (room for q->limit) with the matching seqs in
 * increasing order, and *total with how many alerts match regardless of
 * since and limit.  0, or -1 when out of memory. */
int alertquery_run(const struct plan *p, struct rules *r,
                   const struct alertquery *q, uint64_t *out, size_t *n,
                   size_t *total);

#endif
