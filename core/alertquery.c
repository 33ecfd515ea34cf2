/*
 * alertquery.c - a filter over the alert states.  One pass over every
 * (subject, rule); the page is kept in a max-heap of `limit` seqs, so a
 * country's 1.3 million active alerts cost one pass and no sort of them.
 */
#include <stdlib.h>

#include "alertquery.h"

/* in[u]: unit u is `top` or below it. */
static unsigned char *
aq_subtree(const struct plan *p, int top)
{
	unsigned char *in = calloc(p->n_units + 1, 1);

	if (in == NULL)
		return NULL;
	for (size_t u = 0; u < p->n_units; u++)
		in[u] = (unsigned char)plan_unit_within(p, (int)u, top);
	return in;
}

static void
aq_sift_down(uint64_t *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, big = i;
		uint64_t t;

		if (l < n && h[l] > h[big])
			big = l;
		if (l + 1 < n && h[l + 1] > h[big])
			big = l + 1;
		if (big == i)
			return;
		t = h[i];
		h[i] = h[big];
		h[big] = t;
		i = big;
	}
}

static void
aq_push(uint64_t *h, size_t *n, size_t cap, uint64_t seq)
{
	size_t i;

	if (*n == cap) {
		if (seq >= h[0])
			return;
		h[0] = seq;
		aq_sift_down(h, *n, 0);
		return;
	}
	for (i = (*n)++; i > 0 && h[(i - 1) / 2] < seq; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = seq;
}

static int
aq_match(const struct plan *p, const struct rules_subject *s,
         const unsigned char *in, const struct alertquery *q)
{
	if (q->task >= 0 && s->task != q->task)
		return 0;
	if (in && !in[s->unit])
		return 0;
	if (q->keep && !q->keep(q->keep_arg, s->task, s->unit))
		return 0;
	return q->owner < 0 || p->tasks[s->task].owner == q->owner;
}

int
alertquery_run(const struct plan *p, struct rules *r,
               const struct alertquery *q, uint64_t *out, size_t *n,
               size_t *total)
{
	unsigned char *in = NULL;
	size_t subjects = rules_n_subjects(r);

	*n = *total = 0;
	if (q->unit >= 0 && (in = aq_subtree(p, q->unit)) == NULL)
		return -1;
	for (size_t i = 0; i < subjects; i++) {
		struct rules_subject sb;

		if (!aq_match(p, rules_subject(r, i, &sb), in, q))
			continue;
		for (int rule = 0; rule < RULE_N; rule++) {
			enum rules_sev sev = rules_state_sev(r, i, rule, NULL);
			struct rules_state st;

			if (rule == RULE_DONE || sev == SEV_NONE ||
			    (q->rule >= 0 && rule != q->rule) ||
			    (q->severity != SEV_NONE && (int)sev != q->severity))
				continue;
			++*total;
			rules_state_get(r, i, rule, &st);
			if (st.last_seq > q->since && q->limit > 0)
				aq_push(out, n, q->limit, st.last_seq);
		}
	}
	free(in);
	/* Heap sort in place: the largest goes to the end each time. */
	for (size_t k = *n; k > 1; k--) {
		uint64_t t = out[0];
		out[0] = out[k - 1];
		out[k - 1] = t;
		aq_sift_down(out, k - 1, 0);
	}
	return 0;
}
