/*
 * rules.c - alert rules over a board.
 *
 * Roll-ups are summed here in one pass per task (each target adds itself to
 * every ancestor) rather than with board_rollup() per unit: with villages
 * under communes under a province that is O(targets x depth) instead of
 * O(targets x units) per task.
 *
 * Memory, for a country's 664,000 subjects x RULE_N: a target's subject is
 * not stored (it is the plan's target), only roll-ups are; the severities
 * every evaluation reads are a byte per (subject, rule) on their own, apart
 * from the times and seqs only a change reads, so that a quiet pass walks
 * 4 bytes of states per subject rather than 4 x 48; the changed states are
 * a bit each, and their list grows with what one evaluation changes, not
 * with the plan.
 */
#include <stdlib.h>
#include <string.h>

#include "indicator.h"
#include "rules.h"

struct rules_sum {
	dec_t actual, target;
	dec_t base; /* a rate's denominator: summed, never its ratios */
	struct indicator_acc acc; /* a rate's goal, a level's values */
	when_t last;
	int n;
};

/* A state's severities, one byte: sev in the low nibble, pend_sev in the
 * high one. */
#define HOT_SEV(h) ((enum rules_sev)((h) & 0x0f))
#define HOT_PEND(h) ((enum rules_sev)((h) >> 4))
#define HOT(sev, pend) ((uint8_t)((sev) | (pend) << 4))

/* The rest of a state: read and written only when it changes. */
struct rules_cold {
	when_t pending_since, since, announced;
	uint64_t id, last_seq;
};

struct rules {
	const struct plan *plan;
	struct rules_config cfg;
	struct rules_subject *rollup; /* subjects n_leaf.. n_subj - 1 */
	size_t n_subj, n_leaf;
	size_t *task_first; /* per task: first roll-up subject */
	size_t *task_end;
	uint8_t *hot;            /* n_subj * RULE_N */
	struct rules_cold *cold; /* n_subj * RULE_N */
	uint8_t *dirty_bit;      /* n_subj * RULE_N bits */
	size_t *dirty;
	size_t n_dirty, cap_dirty;
	struct rules_event *ev;
	size_t n_ev, cap_ev;
	uint64_t last_seq;
	struct rules_sum *sum;     /* per unit, scratch */
	unsigned char *task_touched; /* per task, scratch */
	unsigned char *has_below;    /* per unit: some unit's parent */
	int failed;
};

static const char *const rule_names[RULE_N] = { "lag", "overdue", "silent", "done" };
static const char *const sev_names[] = { "none", "info", "warning", "critical" };
static const char *const tr_names[] = { "?", "firing", "escalated", "eased",
                                        "reminder", "resolved", "notice" };

const char *
rules_rule_name(enum rules_rule rule)
{
	return (unsigned)rule < RULE_N ? rule_names[rule] : "?";
}

const char *
rules_sev_name(enum rules_sev sev)
{
	return (unsigned)sev <= SEV_CRITICAL ? sev_names[sev] : "?";
}

const char *
rules_transition_name(enum rules_transition t)
{
	return (unsigned)t <= TR_NOTICE ? tr_names[t] : "?";
}

int
rules_rule_parse(const char *s)
{
	for (int i = 0; i < RULE_N; i++)
		if (strcmp(s, rule_names[i]) == 0)
			return i;
	return -1;
}

int
rules_sev_parse(const char *s)
{
	for (int i = SEV_INFO; i <= SEV_CRITICAL; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

/* Where target i's sums begin: its own unit, unless nothing is below
 * that unit, whose sum would be its own target alone and never a roll-up
 * (a commune's, in a country: half the walk). */
static int
rules_sum_start(const struct rules *r, size_t i)
{
	int u = r->plan->targets[i].unit;

	return r->has_below[u] ? u : r->plan->units[u].parent;
}

/* Adds the targets of task `task` (from index i on) to every ancestor. */
static void
rules_sum_task(struct rules *r, const struct board *b, int task, size_t i,
               when_t now)
{
	const struct plan *p = r->plan;

	for (; i < p->n_targets && p->targets[i].task == task; i++) {
		const struct tally *t = b ? &b->tallies[i] : NULL;
		/* the target as revised by now */
		dec_t target = plan_target_value(p, i, now);
		size_t steps = 0;

		for (int u = rules_sum_start(r, i); u >= 0 &&
		     steps++ <= p->n_units; u = p->units[u].parent) {
			struct rules_sum *s = &r->sum[u];
			if (t) {
				/* Overflow pins, as board_rollup() does. */
				if (dec_add(s->actual, indicator_value(&p->tasks[task],
				            t->actual), &s->actual) < 0)
					s->actual = INT64_MAX;
				if (dec_add(s->base, t->base, &s->base) < 0)
					s->base = INT64_MAX;
				if (t->last_report_at > s->last)
					s->last = t->last_report_at;
				indicator_acc_add(&s->acc, &p->tasks[task], target,
				                  t->base, tally_has_value(t));
			}
			if (dec_add(s->target, target, &s->target) < 0)
				s->target = INT64_MAX;
			s->n++;
		}
	}
}

static void
rules_unsum_task(struct rules *r, int task, size_t i)
{
	const struct plan *p = r->plan;

	for (; i < p->n_targets && p->targets[i].task == task; i++) {
		size_t steps = 0;
		for (int u = rules_sum_start(r, i); u >= 0 &&
		     steps++ <= p->n_units; u = p->units[u].parent)
			memset(&r->sum[u], 0, sizeof r->sum[u]);
	}
}

struct rules *
rules_new(const struct plan *plan, const struct rules_config *cfg)
{
	struct rules *r = calloc(1, sizeof *r);
	size_t cap;

	if (r == NULL)
		return NULL;
	r->plan = plan;
	r->cfg = *cfg;
	r->sum = calloc(plan->n_units + 1, sizeof *r->sum);
	r->task_first = calloc(plan->n_tasks + 1, sizeof *r->task_first);
	r->task_end = calloc(plan->n_tasks + 1, sizeof *r->task_end);
	r->task_touched = calloc(plan->n_tasks + 1, 1);
	r->has_below = calloc(plan->n_units + 1, 1);
	cap = 64;
	r->rollup = calloc(cap, sizeof *r->rollup);
	if (!r->sum || !r->task_first || !r->task_end || !r->task_touched ||
	    !r->has_below || !r->rollup)
		goto fail;
	for (size_t u = 0; u < plan->n_units; u++)
		if (plan->units[u].parent >= 0)
			r->has_below[plan->units[u].parent] = 1;
	r->n_subj = r->n_leaf = plan->n_targets;
	for (size_t t = 0; t < plan->n_tasks; t++) {
		size_t first = plan_task_first_target(plan, (int)t);

		rules_sum_task(r, NULL, (int)t, first, INT64_MAX);
		r->task_first[t] = r->n_subj;
		for (size_t u = 0; u < plan->n_units; u++) {
			int own = plan_target_find(plan, (int)t, (int)u) >= 0;
			if (r->sum[u].n <= own)
				continue;
			if (r->n_subj - r->n_leaf == cap) {
				struct rules_subject *ns = realloc(r->rollup,
					2 * cap * sizeof *ns);
				if (ns == NULL)
					goto fail;
				r->rollup = ns;
				cap *= 2;
			}
			r->rollup[r->n_subj++ - r->n_leaf] = (struct rules_subject){
				(int)t, (int)u, -1, r->sum[u].n };
		}
		r->task_end[t] = r->n_subj;
		rules_unsum_task(r, (int)t, first);
	}
	r->hot = calloc(r->n_subj * RULE_N + 1, sizeof *r->hot);
	r->cold = calloc(r->n_subj * RULE_N + 1, sizeof *r->cold);
	r->dirty_bit = calloc(r->n_subj * RULE_N / 8 + 1, 1);
	if (!r->hot || !r->cold || !r->dirty_bit)
		goto fail;
	return r;
fail:
	rules_free(r);
	return NULL;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	free(r->sum);
	free(r->task_first);
	free(r->task_end);
	free(r->task_touched);
	free(r->has_below);
	free(r->rollup);
	free(r->hot);
	free(r->cold);
	free(r->dirty_bit);
	free(r->dirty);
	free(r->ev);
	free(r);
}

size_t
rules_n_subjects(const struct rules *r)
{
	return r->n_subj;
}

const struct rules_subject *
rules_subject(const struct rules *r, size_t i, struct rules_subject *buf)
{
	if (i < r->n_leaf) {
		const struct plan_target *t = &r->plan->targets[i];

		*buf = (struct rules_subject){ t->task, t->unit, (int)i, 1 };
		return buf;
	}
	return i < r->n_subj ? &r->rollup[i - r->n_leaf] : NULL;
}

int
rules_subject_find(const struct rules *r, int task, int unit, bool rollup)
{
	if (task < 0 || (size_t)task >= r->plan->n_tasks)
		return -1;
	if (!rollup)
		return plan_target_find(r->plan, task, unit);
	for (size_t i = r->task_first[task]; i < r->task_end[task]; i++)
		if (r->rollup[i - r->n_leaf].unit == unit)
			return (int)i;
	return -1;
}

void
rules_state_get(const struct rules *r, size_t subject, enum rules_rule rule,
                struct rules_state *out)
{
	size_t k = subject * RULE_N + rule;
	const struct rules_cold *c = &r->cold[k];

	*out = (struct rules_state){ .sev = HOT_SEV(r->hot[k]),
		.pend_sev = HOT_PEND(r->hot[k]),
		.pending_since = c->pending_since, .since = c->since,
		.announced = c->announced, .id = c->id, .last_seq = c->last_seq };
}

int
rules_state_set(struct rules *r, size_t subject, enum rules_rule rule,
                const struct rules_state *in)
{
	size_t k = subject * RULE_N + rule;

	if (in->sev > SEV_CRITICAL || in->pend_sev > SEV_CRITICAL)
		return -1;
	r->hot[k] = HOT(in->sev, in->pend_sev);
	r->cold[k] = (struct rules_cold){ in->pending_since, in->since,
		in->announced, in->id, in->last_seq };
	return 0;
}

enum rules_sev
rules_state_sev(const struct rules *r, size_t subject, enum rules_rule rule,
                enum rules_sev *pend)
{
	uint8_t h = r->hot[subject * RULE_N + rule];

	if (pend != NULL)
		*pend = HOT_PEND(h);
	return HOT_SEV(h);
}

size_t
rules_memory(const struct rules *r, size_t *queue)
{
	const struct plan *p = r->plan;
	size_t states = r->n_subj * RULE_N + 1;

	*queue = r->cap_ev * sizeof *r->ev;
	return sizeof *r + (p->n_units + 1) * sizeof *r->sum +
	       (p->n_tasks + 1) * (2 * sizeof(size_t) + 1) + p->n_units + 1 +
	       (r->n_subj - r->n_leaf) * sizeof *r->rollup +
	       states * (sizeof *r->hot + sizeof *r->cold) + states / 8 + 1 +
	       r->cap_dirty * sizeof *r->dirty;
}

uint64_t
rules_last_seq(const struct rules *r)
{
	return r->last_seq;
}

void
rules_set_last_seq(struct rules *r, uint64_t seq)
{
	r->last_seq = seq;
}

const struct rules_event *
rules_events(const struct rules *r, size_t *n)
{
	*n = r->n_ev;
	return r->ev;
}

const size_t *
rules_dirty(const struct rules *r, size_t *n)
{
	*n = r->n_dirty;
	return r->dirty;
}

void
rules_clear(struct rules *r)
{
	for (size_t i = 0; i < r->n_dirty; i++)
		r->dirty_bit[r->dirty[i] / 8] = 0;
	r->n_dirty = 0;
	r->n_ev = 0;
	r->failed = 0;
}

void
rules_reset(struct rules *r)
{
	rules_clear(r);
	memset(r->hot, 0, r->n_subj * RULE_N * sizeof *r->hot);
	memset(r->cold, 0, r->n_subj * RULE_N * sizeof *r->cold);
	r->last_seq = 0;
}

/* Room for what `subjects` subjects' evaluation may queue (RULE_N changed
 * states and events each), taken before any of them changes anything: a
 * subject is evaluated whole or not at all, never with a state changed and
 * not listed.  0, or -1 (out of memory: the evaluation stops there). */
static int
rules_reserve_more(struct rules *r, size_t subjects)
{
	size_t need = subjects * RULE_N;

	if (r->cap_dirty - r->n_dirty < need) {
		size_t cap = r->cap_dirty ? r->cap_dirty : 256;
		size_t *d;

		while (cap - r->n_dirty < need)
			cap *= 2;
		if ((d = realloc(r->dirty, cap * sizeof *d)) == NULL)
			goto fail;
		r->dirty = d;
		r->cap_dirty = cap;
	}
	if (r->cap_ev - r->n_ev < need) {
		size_t cap = r->cap_ev ? r->cap_ev : 64;
		struct rules_event *ev;

		while (cap - r->n_ev < need)
			cap *= 2;
		if ((ev = realloc(r->ev, cap * sizeof *ev)) == NULL)
			goto fail;
		r->ev = ev;
		r->cap_ev = cap;
	}
	return 0;
fail:
	r->failed = 1;
	return -1;
}

static inline int
rules_reserve(struct rules *r, size_t subjects)
{
	size_t need = subjects * RULE_N;

	if (r->cap_dirty - r->n_dirty >= need && r->cap_ev - r->n_ev >= need)
		return 0;
	return rules_reserve_more(r, subjects);
}

static void
rules_mark(struct rules *r, size_t k)
{
	uint8_t bit = (uint8_t)(1u << (k % 8));

	if (!(r->dirty_bit[k / 8] & bit)) {
		r->dirty_bit[k / 8] |= bit;
		r->dirty[r->n_dirty++] = k;
	}
}

/* Numbers of the subject being evaluated. */
struct rules_ctx {
	size_t subject;
	const struct tally_view *view;
	when_t last_report;
	when_t now;
	bool overdue;      /* deadline passed, target unmet */
};

/* Room was reserved (rules_reserve) before the subject's first step. */
static void
rules_emit(struct rules *r, const struct rules_ctx *c, enum rules_rule rule,
           struct rules_cold *s, enum rules_transition tr,
           enum rules_sev prev, enum rules_sev sev)
{
	struct rules_event *e;

	if (r->n_ev == r->cap_ev) {
		r->failed = 1; /* cannot happen: reserved */
		return;
	}
	e = &r->ev[r->n_ev++];
	e->seq = ++r->last_seq;
	if (tr == TR_FIRING || tr == TR_NOTICE) {
		s->id = e->seq;
		s->since = c->now;
	}
	s->last_seq = e->seq;
	e->id = s->id;
	e->transition = tr;
	e->rule = rule;
	e->sev = sev;
	e->prev_sev = prev;
	e->subject = (int)c->subject;
	e->view = *c->view;
	e->at = c->now;
	e->since = s->since;
	e->last_report = c->last_report;
	e->inhibited = rule == RULE_LAG && tr == TR_RESOLVED && c->overdue;
}

/* rules_step, once the byte says there may be something to do. */
static void
rules_step_more(struct rules *r, const struct rules_ctx *c,
                enum rules_rule rule, enum rules_sev want)
{
	size_t k = c->subject * RULE_N + rule;
	uint8_t h = r->hot[k];
	enum rules_sev cur = HOT_SEV(h), pend = HOT_PEND(h);
	int64_t pending = rule == RULE_DONE ? 0 : r->cfg.pending;
	struct rules_cold *s = &r->cold[k];

	if (want > cur) {
		if (pend == SEV_NONE) {
			s->pending_since = c->now;
			pend = want;
			rules_mark(r, k);
		} else if (pend != want) {
			/* Still the same upward move: the clock keeps running. */
			pend = want;
			rules_mark(r, k);
		}
		if (c->now - s->pending_since < pending) {
			r->hot[k] = HOT(cur, pend);
			return;
		}
		s->pending_since = 0;
		r->hot[k] = HOT(want, SEV_NONE);
		s->announced = c->now;
		rules_mark(r, k);
		rules_emit(r, c, rule, s, cur == SEV_NONE
		           ? (rule == RULE_DONE ? TR_NOTICE : TR_FIRING)
		           : TR_ESCALATED, cur, want);
		return;
	}
	if (pend != SEV_NONE) {
		r->hot[k] = HOT(cur, SEV_NONE);
		s->pending_since = 0;
		rules_mark(r, k);
	}
	if (want < cur) {
		rules_mark(r, k);
		r->hot[k] = HOT(want, SEV_NONE);
		s->announced = c->now;
		if (rule == RULE_DONE) {
			s->id = s->since = 0; /* unlatched without a word */
		} else if (want == SEV_NONE) {
			rules_emit(r, c, rule, s, TR_RESOLVED, cur, cur);
			s->id = s->since = 0;
		} else {
			rules_emit(r, c, rule, s, TR_EASED, cur, want);
		}
		return;
	}
	if (cur != SEV_NONE && rule != RULE_DONE && r->cfg.reminder > 0 &&
	    c->now - s->announced >= r->cfg.reminder) {
		s->announced = c->now;
		rules_mark(r, k);
		rules_emit(r, c, rule, s, TR_REMINDER, cur, cur);
	}
}

/* Moves one (subject, rule) towards severity `want`.  Nothing to move,
 * nothing pending, no reminder that could be due: most steps of most
 * passes, decided here on the byte alone. */
static inline void
rules_step(struct rules *r, const struct rules_ctx *c, enum rules_rule rule,
           enum rules_sev want)
{
	uint8_t h = r->hot[c->subject * RULE_N + rule];

	if (h == HOT(want, SEV_NONE) &&
	    (want == SEV_NONE || rule == RULE_DONE || r->cfg.reminder <= 0))
		return;
	rules_step_more(r, c, rule, want);
}

/* Room for its changes was reserved by the caller. */
static void
rules_eval_subject(struct rules *r, size_t i, int task,
                   const struct tally_view *v, when_t last_report, when_t now)
{
	const struct plan_task *t = &r->plan->tasks[task];
	struct rules_ctx c = { .subject = i, .view = v,
	                       .last_report = last_report, .now = now };
	/* The view says: each kind when it is done, each unit's own
	 * schedule when it runs and when it is overdue. */
	int done = v->status == STATUS_DONE;
	int running = !done && v->status != STATUS_NOT_STARTED &&
	              v->status != STATUS_OVERDUE;
	enum rules_sev lag = SEV_NONE;
	enum rules_sev cur = HOT_SEV(r->hot[i * RULE_N + RULE_LAG]);

	c.overdue = v->status == STATUS_OVERDUE;
	if (running) {
		/* Hysteresis: a threshold already crossed lets go only
		 * `margin` points below it. */
		double crit = t->critical - (cur >= SEV_CRITICAL ? r->cfg.margin : 0);
		double warn = t->warn - (cur >= SEV_WARNING ? r->cfg.margin : 0);
		if (v->lag >= crit)
			lag = SEV_CRITICAL;
		else if (v->lag >= warn)
			lag = SEV_WARNING;
	}
	rules_step(r, &c, RULE_LAG, lag);
	rules_step(r, &c, RULE_OVERDUE, v->status == STATUS_OVERDUE
	           ? SEV_CRITICAL : SEV_NONE);
	/* silent: stale_after, or a period's report missing */
	rules_step(r, &c, RULE_SILENT, v->status == STATUS_SILENT ||
	           v->status == STATUS_MISSING ? SEV_WARNING : SEV_NONE);
	rules_step(r, &c, RULE_DONE, done ? SEV_INFO : SEV_NONE);
}

/* 0, or -1 when out of memory (nothing changed). */
static int
rules_eval_leaf(struct rules *r, const struct board *b, size_t i, when_t now)
{
	struct tally_view v;

	if (rules_reserve(r, 1) < 0)
		return -1;
	board_view(b, (int)i, now, &v);
	rules_eval_subject(r, i, r->plan->targets[i].task, &v,
	                   b->tallies[i].last_report_at, now);
	return 0;
}

/* 0, or -1 when out of memory (nothing changed). */
static int
rules_eval_rollups(struct rules *r, const struct board *b, int task, when_t now)
{
	const struct plan *p = r->plan;
	size_t first = plan_task_first_target(p, task);

	if (r->task_first[task] == r->task_end[task])
		return 0;
	if (rules_reserve(r, r->task_end[task] - r->task_first[task]) < 0)
		return -1;
	rules_sum_task(r, b, task, first, now);
	for (size_t i = r->task_first[task]; i < r->task_end[task]; i++) {
		const struct rules_sum *s = &r->sum[r->rollup[i - r->n_leaf].unit];
		struct tally sum;
		struct tally_view v;
		dec_t target = s->target;

		tally_init(&sum);
		sum.actual = s->actual;
		sum.base = s->base;
		sum.last_report_at = s->last;
		indicator_rollup(&p->tasks[task], (size_t)s->n, &s->acc,
		                 &sum.actual, &target);
		tally_view(&sum, &p->tasks[task], target, now, &v);
		rules_eval_subject(r, i, task, &v, s->last, now);
	}
	rules_unsum_task(r, task, first);
	return 0;
}

int
rules_eval_all(struct rules *r, const struct board *b, when_t now)
{
	size_t cursor = 0;

	return rules_eval_slice(r, b, now, &cursor, SIZE_MAX, SIZE_MAX) < 0
	       ? -1 : 0;
}

int
rules_eval_slice(struct rules *r, const struct board *b, when_t now,
                 size_t *cursor, size_t max_work, size_t max_rows)
{
	size_t c = *cursor, work = 0, end = r->n_leaf + r->plan->n_tasks;

	while (c < end && work < max_work && r->n_ev + r->n_dirty < max_rows) {
		if (c < r->n_leaf) {
			if (rules_eval_leaf(r, b, c, now) < 0)
				break; /* this subject first, next time */
			work++;
		} else {
			int t = (int)(c - r->n_leaf);
			if (rules_eval_rollups(r, b, t, now) < 0)
				break;
			/* Summing costs about a quarter of evaluating. */
			work += 1 + r->task_end[t] - r->task_first[t] +
			        (plan_task_first_target(r->plan, t + 1) -
			         plan_task_first_target(r->plan, t)) / 4;
		}
		c++;
	}
	*cursor = c < end ? c : 0;
	if (r->failed)
		return -1;
	return c >= end;
}

int
rules_eval_targets(struct rules *r, const struct board *b, const int *targets,
                   size_t n, when_t now)
{
	for (size_t k = 0; k < n; k++) {
		int i = targets[k];
		if (i < 0 || (size_t)i >= r->n_leaf)
			continue;
		if (rules_eval_leaf(r, b, (size_t)i, now) < 0)
			continue;
		r->task_touched[r->plan->targets[i].task] = 1;
	}
	for (size_t t = 0; t < r->plan->n_tasks; t++)
		if (r->task_touched[t]) {
			r->task_touched[t] = 0;
			rules_eval_rollups(r, b, (int)t, now);
		}
	return r->failed ? -1 : 0;
}
