/*
 * alerts.c - rules + store + publisher.
 *
 * Order of things for every evaluation that changed anything: the events
 * and the changed states are written in one transaction; only after COMMIT
 * are the events published.  If the transaction fails, nothing is
 * published and the engine reloads its states and sequence from the
 * database, so what was never stored is never seen, and the numbers carry
 * on without a gap.
 *
 * A reload of the plan (book swapped) is noticed by pointer and rebuilds
 * the engine from the stored states, matched by codes.
 *
 * The timer's full evaluation runs in slices (rules_eval_slice), one per
 * loop turn, each evaluated and stored in its turn; its COMMIT runs off
 * the loop (store_commit_start) and its answer publishes the slice and
 * queues the next: a country-sized plan whose every pair fires at once
 * costs many short turns, not one long stall, nor a stall per fsync.  A
 * slice and ingest's drain take turns (store_commit_pending: the later
 * one is woken by the other's answer), and since a slice leaves the event
 * queue empty once published, the batches' own evaluations interleave
 * freely and the seqs still go out in order without a gap.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "alertquery.h"
#include "alerts.h"
#include "grouping.h"
#include "log.h"
#include "rate.h"
#include "silences.h"

/* One slice: at most this many subjects evaluated (well under 1 ms of CPU
 * when nothing changes: tests/bench/rules_eval --slice), or a number of
 * rows to write (events and changed states: a storm held by
 * alert_pending starts a clock in every state, which is a row without an
 * event) that adapts so that a slice (packing, SQLite, its fsync, PUB)
 * takes about ALERTS_SLICE_MS: halved after a longer slice, doubled after
 * one under half of it.  What an fsync costs depends on the disk and on
 * whoever else writes to it, so a fixed count would be either slow on a
 * fast disk or a stall on a busy one. */
#define ALERTS_SLICE_WORK 8192
#define ALERTS_SLICE_MS 5.0
/* The evaluation itself is cut into chunks of this many subjects, the
 * clock read between them, and stops after ALERTS_SLICE_EVAL_MS: on a
 * machine whose CPU other work takes, 8,192 subjects could hold the loop
 * many times what they cost. */
#define ALERTS_SLICE_CHUNK 512
#define ALERTS_SLICE_EVAL_MS 2.0
/* After a slice the loop gets as long again to itself (up to this): a
 * request to evhttp or an ingest batch takes several turns (accept, read,
 * reply), and back-to-back slices would cost each of those turns one. */
#define ALERTS_SLICE_REST_MS 20.0
#define ALERTS_SLICE_ROWS_MIN 16
#define ALERTS_SLICE_ROWS_MAX 8192

struct alerts {
	struct event_base *base;
	struct book **book;
	const struct plan *plan; /* the plan `rules` was built on */
	struct rules *rules;
	struct alertstore *as;
	struct publish *pub;
	struct alerts_config cfg;
	struct event *ev_timer;
	struct event *ev_slice;  /* the next slice of a full evaluation */
	size_t cursor;           /* where that slice starts */
	size_t slice_rows;       /* its rows budget, adapted */
	int pass_running;
	/* A batch's events are staged in its transaction, its COMMIT in
	 * flight (ingest_hooks): a slice waits for alerts_done, or it would
	 * write or publish them a second time, or before they are stored. */
	int batch_open;
	int slice_waiting;
	/* A slice's COMMIT in flight (store_commit_start): its events are
	 * published by alerts_on_slice_committed, which goes on with the
	 * pass. */
	int slice_committing;
	int slice_rc;            /* rules_eval_slice's: 1 when the pass ends */
	size_t slice_n_ev, slice_n_rows;
	struct timespec slice_t0;
	/* The part of the slice that held the loop: all of it but the wait
	 * for its COMMIT, which runs off the loop. */
	double slice_loop_ms;
	double pass_cpu_ms;      /* evaluation CPU of the running pass */
	struct timespec pass_t0; /* when it began */
	struct alerts_stats stats;
	/* Scratch for one flush. */
	uint8_t *bodies;
	size_t bodies_len, bodies_cap;
	size_t *offs;
	uint8_t *held;           /* per event: silenced or inhibited */
	size_t offs_cap;
	char *topicbuf;          /* alerts_topics' */
	size_t topic_cap;
	struct silences *silences; /* NULL: none */
	struct grouping *grouping;
};

/* The states come in key order (task, unit, rollup, rule): the row before
 * usually names the same pair, so its lookups are kept.  A country has
 * over a million rows to read at start. */
struct alerts_loading {
	struct alerts *a;
	char task[128], unit[128];
	int t, u, rollup, subj;
};

static int
alerts_load_one(void *arg, const struct alertstore_state *s)
{
	struct alerts_loading *l = arg;
	struct alerts *a = l->a;
	const struct plan *p = a->plan;
	int rule = rules_rule_parse(s->rule), subj;

	if (strcmp(s->task, l->task) != 0 || strcmp(s->unit, l->unit) != 0 ||
	    s->rollup != l->rollup) {
		snprintf(l->task, sizeof l->task, "%s", s->task);
		snprintf(l->unit, sizeof l->unit, "%s", s->unit);
		l->rollup = s->rollup;
		l->t = plan_task_find(p, s->task);
		l->u = plan_unit_find(p, s->unit);
		l->subj = l->t < 0 || l->u < 0 ? -1
		          : rules_subject_find(a->rules, l->t, l->u, s->rollup);
	}
	subj = l->subj;
	if (subj < 0 || rule < 0) {
		/* Kept in the database, untouched, should the plan come back. */
		if (s->st.sev != SEV_NONE)
			log_warn("alerts: %s alert %s/%s%s is no longer in the "
			         "plan; left as it was", s->rule, s->task, s->unit,
			         s->rollup ? " (roll-up)" : "");
		return 0;
	}
	if (rules_state_set(a->rules, (size_t)subj, (enum rules_rule)rule,
	                    &s->st) < 0)
		log_warn("alerts: %s alert %s/%s%s has severities %d and %d, "
		         "which are none of 0 to 3; taken as not firing", s->rule,
		         s->task, s->unit, s->rollup ? " (roll-up)" : "",
		         s->st.sev, s->st.pend_sev);
	return 0;
}

/* (Re)builds the engine's memory from the database. */
static int
alerts_load(struct alerts *a)
{
	struct alerts_loading l = { .a = a, .rollup = -1 };
	uint64_t seq;

	rules_reset(a->rules);
	if (alertstore_last_seq(a->as, &seq) < 0 ||
	    alertstore_states(a->as, alerts_load_one, &l) < 0) {
		log_err("alerts: loading: %s", alertstore_errmsg(a->as));
		return -1;
	}
	rules_set_last_seq(a->rules, seq);
	return 0;
}

static int
alerts_rebuild(struct alerts *a)
{
	struct rules *r;

	/* A slice's events are in the rules being replaced: published (or
	 * forgotten) first. */
	if (a->slice_committing)
		store_commit_settle((*a->book)->store);
	if ((r = rules_new((*a->book)->plan, &a->cfg.rules)) == NULL) {
		log_err("alerts: out of memory building the rules");
		return -1;
	}
	rules_free(a->rules);
	a->rules = r;
	a->plan = (*a->book)->plan;
	a->cursor = 0; /* a running pass starts over on the new plan */
	grouping_reset(a->grouping);
	a->stats.subjects = rules_n_subjects(r);
	return alerts_load(a);
}

static void
fmt_pct(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.2f", v);
}

/* Topic families (PROTOCOL.md 4.2), in a->topicbuf.  The severity in
 * topics is the higher of before and after, so "critical" subscribers see
 * a critical alert ease and resolve.  The unit/ topic names every unit
 * from the root down, and a plan's tree may be of any depth: the buffer
 * grows to fit it.  0, or -1 out of memory. */
static int
alerts_topics(struct alerts *a, const struct rules_subject *s,
              const struct rules_event *e, char *topics[PUBLISH_TOPICS])
{
	const struct plan *p = a->plan;
	const char *sev = rules_sev_name(e->sev > e->prev_sev ? e->sev
	                                                      : e->prev_sev);
	const char *task = p->tasks[s->task].code, *unit = p->units[s->unit].code;
	int owner = p->tasks[s->task].owner;
	size_t q = 3 * (PLAN_CODE_MAX + 1) + 32, path = 0, depth = 0, off;

	/* Bounded by the number of units, as plan_load refuses cycles. */
	for (int u = s->unit; u >= 0 && depth <= p->n_units;
	     u = p->units[u].parent, depth++)
		path += strlen(p->units[u].code) + 1;
	if (path + PLAN_CODE_MAX + 16 > q)
		q = path + PLAN_CODE_MAX + 16;
	if (q * PUBLISH_TOPICS > a->topic_cap) {
		char *b = realloc(a->topicbuf, q * PUBLISH_TOPICS);

		if (b == NULL)
			return -1;
		a->topicbuf = b;
		a->topic_cap = q * PUBLISH_TOPICS;
	}
	for (int i = 0; i < PUBLISH_TOPICS; i++)
		topics[i] = a->topicbuf + i * q;
	snprintf(topics[0], q, "sev/%s/%s/%s/", sev, task, unit);
	snprintf(topics[1], q, "task/%s/%s/%s/", task, unit, sev);
	snprintf(topics[2], q, "owner/%s/%s/%s/",
	         owner >= 0 ? p->units[owner].code : "-", task, unit);
	/* The path written from its end: the unit, then its ancestors. */
	off = 5 + path;
	memcpy(topics[3], "unit/", 5);
	snprintf(topics[3] + off, q - off, "@%s/", task);
	for (int u = s->unit; u >= 0 && off > 5; u = p->units[u].parent) {
		size_t len = strlen(p->units[u].code);

		off -= len + 1;
		memcpy(topics[3] + off, p->units[u].code, len);
		topics[3][off + len] = '/';
	}
	return 0;
}

/* Packs one event into a->bodies; 0 or -1. */
static int
alerts_pack(struct alerts *a, const struct rules_event *e, size_t k)
{
	const struct plan *p = a->plan;
	struct rules_subject sb;
	const struct rules_subject *s = rules_subject(a->rules,
	                                              (size_t)e->subject, &sb);
	const struct plan_task *t = &p->tasks[s->task];
	Tiendo__Alert al = TIENDO__ALERT__INIT;
	char actual[DEC_BUFSZ], target[DEC_BUFSZ], pct[32], exp[32], lag[32];
	char msg[1024];
	size_t len;

	al.id = e->id;
	al.seq = e->seq;
	al.transition = (Tiendo__AlertTransition)e->transition;
	al.rule = (Tiendo__AlertRule)(e->rule + 1);
	al.severity = (Tiendo__Severity)e->sev;
	al.previous_severity = (Tiendo__Severity)e->prev_sev;
	al.task = t->code;
	al.task_title = t->title;
	al.unit = p->units[s->unit].code;
	al.unit_name = p->units[s->unit].name;
	al.rollup = s->target < 0;
	al.units = (uint32_t)s->n_units;
	al.owner = t->owner >= 0 ? p->units[t->owner].code : "";
	al.measure = t->measure;
	al.actual = dec_format(e->view.actual, actual, sizeof actual);
	al.target = dec_format(e->view.target, target, sizeof target);
	fmt_pct(e->view.percent, pct, sizeof pct);
	fmt_pct(e->view.expected, exp, sizeof exp);
	fmt_pct(e->view.lag, lag, sizeof lag);
	al.percent = pct;
	al.expected = exp;
	al.lag = lag;
	al.at = e->at;
	al.since = e->since;
	al.last_report = e->last_report;
	al.message = alertmsg_format(p, s, e, a->cfg.lang, msg, sizeof msg);
	al.language = a->cfg.lang == ALERTMSG_EN ? "en" : "vi";
	al.silence = silences_covering(a->silences, p, s->task, s->unit, e->at);
	al.inhibited = e->inhibited;
	a->held[k] = al.silence != 0 || al.inhibited;
	len = tiendo__alert__get_packed_size(&al);
	if (a->bodies_len + len > a->bodies_cap) {
		size_t cap = (a->bodies_cap + len) * 2;
		uint8_t *b = realloc(a->bodies, cap);
		if (b == NULL)
			return -1;
		a->bodies = b;
		a->bodies_cap = cap;
	}
	tiendo__alert__pack(&al, a->bodies + a->bodies_len);
	a->offs[k] = a->bodies_len;
	a->bodies_len += len;
	a->offs[k + 1] = a->bodies_len;
	return alertstore_put_event(a->as, &al, a->bodies + a->offs[k], len);
}

/* Writes the events and changed states of the last evaluation, inside the
 * caller's transaction.  0 or -1. */
static int
alerts_write(struct alerts *a)
{
	const struct rules_event *ev;
	const size_t *dirty;
	size_t n_ev, n_dirty;

	ev = rules_events(a->rules, &n_ev);
	dirty = rules_dirty(a->rules, &n_dirty);
	if (a->offs_cap < n_ev + 1) {
		size_t *o = realloc(a->offs, (n_ev + 1) * sizeof *o);
		uint8_t *h;
		if (o == NULL)
			return -1;
		a->offs = o;
		if ((h = realloc(a->held, n_ev + 1)) == NULL)
			return -1;
		a->held = h;
		a->offs_cap = n_ev + 1;
	}
	a->bodies_len = 0;
	for (size_t i = 0; i < n_ev; i++)
		if (alerts_pack(a, &ev[i], i) < 0)
			return -1;
	for (size_t i = 0; i < n_dirty; i++) {
		size_t subj = dirty[i] / RULE_N;
		enum rules_rule rule = (enum rules_rule)(dirty[i] % RULE_N);
		struct rules_subject sb;
		const struct rules_subject *s = rules_subject(a->rules, subj, &sb);
		struct alertstore_state st = {
			.task = a->plan->tasks[s->task].code,
			.unit = a->plan->units[s->unit].code,
			.rollup = s->target < 0,
			.rule = rules_rule_name(rule),
		};
		rules_state_get(a->rules, subj, rule, &st.st);
		if (alertstore_put_state(a->as, &st) < 0)
			return -1;
	}
	return 0;
}

/* After COMMIT: the stored events go out. */
static void
alerts_publish_written(struct alerts *a)
{
	const struct rules_event *ev;
	size_t n_ev;
	char *topics[PUBLISH_TOPICS];

	ev = rules_events(a->rules, &n_ev);
	for (size_t i = 0; i < n_ev; i++) {
		struct rules_subject sb;
		const struct rules_subject *s = rules_subject(a->rules,
		                                              (size_t)ev[i].subject,
		                                              &sb);
		if (alerts_topics(a, s, &ev[i], topics) < 0) {
			/* Stored already: a subscriber that misses it finds a
			 * gap in the seqs and asks the snapshot (4.4). */
			log_err("alerts: out of memory for the topics of event %"
			        PRIu64 "; not published", ev[i].seq);
			continue;
		}
		if (a->held[i]) {
			/* Held back: one topic, under sev/ so that a subscriber
			 * to the whole stream still sees every seq (PROTOCOL.md
			 * 4.6), under no selection people make. */
			snprintf(topics[0], (size_t)(topics[1] - topics[0]),
			         "sev/held/%s/%s/", a->plan->tasks[s->task].code,
			         a->plan->units[s->unit].code);
			topics[1] = topics[2] = topics[3] = NULL;
			a->stats.held++;
		}
		publish_alert(a->pub, topics, ev[i].seq, a->bodies + a->offs[i],
		              a->offs[i + 1] - a->offs[i]);
		if (!a->held[i])
			grouping_add(a->grouping, a->plan, s, &ev[i]);
		if (ev[i].transition == TR_FIRING)
			a->stats.active++;
		else if (ev[i].transition == TR_RESOLVED && a->stats.active > 0)
			a->stats.active--;
	}
	a->stats.events += n_ev;
	rules_clear(a->rules);
}

/* Nothing of the last evaluation was stored: back to what the database
 * says, and nothing is published; the next evaluation redoes it. */
static void
alerts_forget(struct alerts *a, const char *why)
{
	size_t n_ev;

	rules_events(a->rules, &n_ev);
	log_err("alerts: %zu events not stored (%s); not published, will "
	        "evaluate again", n_ev, why);
	a->stats.store_failures++;
	alerts_load(a);
}

static void alerts_on_slice_committed(void *arg, int rc);

/* Evaluation on its own (the timer): its own transaction, whose COMMIT
 * runs off the loop.  1 when it is in flight (alerts_on_slice_committed
 * publishes), 0 when the slice is over (nothing to store, or it failed). */
static int
alerts_flush(struct alerts *a)
{
	struct store *store = (*a->book)->store;
	size_t n_ev, n_dirty;

	rules_events(a->rules, &n_ev);
	rules_dirty(a->rules, &n_dirty);
	if (n_ev == 0 && n_dirty == 0)
		return 0;
	if (store_begin(store) < 0 || alerts_write(a) < 0 ||
	    store_commit_start(store, a->base,
	                       alerts_on_slice_committed, a) < 0) {
		store_rollback(store);
		alerts_forget(a, store_errmsg(store)[0] ? store_errmsg(store)
		                                        : alertstore_errmsg(a->as));
		return 0;
	}
	a->slice_committing = 1;
	return 1;
}

static void alerts_eval_all(struct alerts *a);

int
alerts_reload(struct alerts *a)
{
	if (alerts_rebuild(a) < 0)
		return -1;
	/* A revised target or threshold is judged now, not at the next
	 * evaluation. */
	alerts_eval_all(a);
	return 0;
}

static int
alerts_plan_current(struct alerts *a)
{
	if ((*a->book)->plan == a->plan)
		return 0;
	log_notice("alerts: plan changed; rebuilding the rules");
	return alerts_rebuild(a);
}

/* A rate follows its parts: the rates that read these targets are
 * evaluated with them, not at the next full evaluation. */
static void
alerts_stage_rates(struct alerts *a, const int *targets, size_t n)
{
	const struct plan *p = (*a->book)->plan;
	int readers[16];

	for (size_t i = 0; i < n; i++) {
		size_t k = rate_readers(p, targets[i], readers, 16);

		if (k > 0 && rules_eval_targets(a->rules, (*a->book)->board,
		                                readers, k, when_now()) < 0)
			log_err("alerts: out of memory evaluating");
	}
}

/* Inside the batch's transaction.  A savepoint keeps a failure here from
 * failing the reports: they are committed, and the alerts wait for the
 * next evaluation. */
static void
alerts_stage(void *arg, const int *targets, size_t n)
{
	struct alerts *a = arg;
	size_t n_ev, n_dirty;

	a->batch_open = 1;
	if (alerts_plan_current(a) < 0)
		return;
	if (rules_eval_targets(a->rules, (*a->book)->board, targets, n,
	                       when_now()) < 0)
		log_err("alerts: out of memory evaluating");
	alerts_stage_rates(a, targets, n);
	rules_events(a->rules, &n_ev);
	rules_dirty(a->rules, &n_dirty);
	if (n_ev == 0 && n_dirty == 0)
		return;
	if (alertstore_savepoint(a->as) < 0 || alerts_write(a) < 0) {
		alertstore_rollback_to(a->as);
		alerts_forget(a, alertstore_errmsg(a->as));
		return;
	}
	if (alertstore_release(a->as) < 0) {
		alertstore_rollback_to(a->as);
		alerts_forget(a, alertstore_errmsg(a->as));
	}
}

static void
alerts_done(void *arg, int ok)
{
	static const struct timeval zero = { 0, 0 };
	struct alerts *a = arg;
	size_t n_ev, n_dirty;

	a->batch_open = 0;
	if (a->slice_waiting) {
		a->slice_waiting = 0;
		if (event_add(a->ev_slice, &zero) < 0) {
			log_err("alerts: cannot schedule the next slice; pass "
			        "abandoned");
			a->pass_running = 0;
		}
	}
	rules_events(a->rules, &n_ev);
	rules_dirty(a->rules, &n_dirty);
	if (n_ev == 0 && n_dirty == 0)
		return;
	if (ok)
		alerts_publish_written(a);
	else
		alerts_forget(a, "the batch's transaction failed");
}

const struct ingest_hooks alerts_ingest_hooks = {
	.stage = alerts_stage,
	.done = alerts_done,
};

static double
ms_between(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1->tv_nsec - t0->tv_nsec) / 1e6;
}

static void
alerts_pass_end(struct alerts *a)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	a->pass_running = 0;
	a->stats.evaluations++;
	a->stats.last_eval_ms = a->pass_cpu_ms;
	a->stats.last_pass_ms = ms_between(&a->pass_t0, &t);
}

static void
alerts_slice_adapt(struct alerts *a, double ms, size_t n_ev, size_t n_rows)
{
	if (ms > 2 * ALERTS_SLICE_MS)
		log_info("alerts: a slice took %.1f ms (%zu events, %zu rows)",
		         ms, n_ev, n_rows);
	if (ms > ALERTS_SLICE_MS && a->slice_rows > ALERTS_SLICE_ROWS_MIN)
		a->slice_rows /= 2;
	else if (ms < ALERTS_SLICE_MS / 2 && n_rows >= a->slice_rows &&
	         a->slice_rows < ALERTS_SLICE_ROWS_MAX)
		a->slice_rows *= 2;
}

/* The end of a slice, its commit answered: adapted, and the next one
 * queued behind the loop's I/O (or the pass over). */
static void
alerts_slice_end(struct alerts *a)
{
	struct timespec t1;
	struct timeval rest;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = ms_between(&a->slice_t0, &t1);
	alerts_slice_adapt(a, ms, a->slice_n_ev, a->slice_n_rows);
	a->stats.slices++;
	if (ms > a->stats.max_slice_ms)
		a->stats.max_slice_ms = ms;
	if (a->slice_loop_ms > a->stats.max_slice_loop_ms)
		a->stats.max_slice_loop_ms = a->slice_loop_ms;
	ms = ms < ALERTS_SLICE_REST_MS ? ms : ALERTS_SLICE_REST_MS;
	rest.tv_sec = 0;
	rest.tv_usec = (suseconds_t)(ms * 1000);
	if (a->slice_rc != 0)
		alerts_pass_end(a);
	else if (event_add(a->ev_slice, &rest) < 0) {
		log_err("alerts: cannot schedule the next slice; pass abandoned");
		alerts_pass_end(a);
	}
}

/* The answer of a slice's COMMIT, on the loop: its events published only
 * now that they are stored (or forgotten, as after a failed store_commit). */
static void
alerts_on_slice_committed(void *arg, int rc)
{
	struct alerts *a = arg;
	struct store *store = (*a->book)->store;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	a->slice_committing = 0;
	if (rc == 0)
		alerts_publish_written(a);
	else {
		store_rollback(store);
		alerts_forget(a, store_errmsg(store));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->slice_loop_ms += ms_between(&t0, &t1);
	alerts_slice_end(a);
}

/* One slice of the running pass: evaluated and stored in this turn, its
 * COMMIT off the loop; published and the next one queued in its answer. */
static void
alerts_on_slice(evutil_socket_t fd, short what, void *arg)
{
	struct alerts *a = arg;
	struct store *store = (*a->book)->store;
	struct timespec c0, c1, t;
	size_t work = 0, n_dirty;
	when_t now;
	int rc, committing;

	if (a->batch_open)
		a->slice_waiting = 1;
	/* Another commit in flight (a drain's, a retention slice's): its
	 * answer wakes us, and a drain lets us go first.  A store_begin now
	 * would stop the loop at the busy gate, and our COMMIT could not
	 * start. */
	if (store_commit_pending(store)) {
		if (store_commit_wait(store, a->ev_slice) < 0) {
			log_err("alerts: cannot schedule the next slice; pass "
			        "abandoned");
			alerts_pass_end(a);
		}
		return;
	}
	if (a->batch_open)
		return; /* alerts_done wakes us */
	if (alerts_plan_current(a) < 0) {
		alerts_pass_end(a);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &a->slice_t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	now = when_now(); /* one instant for the whole slice */
	do {
		rc = rules_eval_slice(a->rules, (*a->book)->board, now,
		                      &a->cursor, ALERTS_SLICE_CHUNK,
		                      a->slice_rows);
		work += ALERTS_SLICE_CHUNK;
		rules_events(a->rules, &a->slice_n_ev);
		rules_dirty(a->rules, &n_dirty);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (rc == 0 && work < ALERTS_SLICE_WORK &&
	         a->slice_n_ev + n_dirty < a->slice_rows &&
	         ms_between(&a->slice_t0, &t) < ALERTS_SLICE_EVAL_MS);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	if (rc < 0)
		log_err("alerts: out of memory evaluating");
	a->slice_rc = rc;
	a->pass_cpu_ms += ms_between(&c0, &c1);
	a->slice_n_rows = a->slice_n_ev + n_dirty;
	committing = alerts_flush(a);
	clock_gettime(CLOCK_MONOTONIC, &t);
	a->slice_loop_ms = ms_between(&a->slice_t0, &t);
	if (committing)
		return;
	alerts_slice_end(a);
}

/* Starts a full evaluation (the timer does this), run in slices of one
 * loop turn each, with the clock of each slice; nothing when one runs. */
static void
alerts_eval_all(struct alerts *a)
{
	const struct timeval zero = { 0, 0 };

	if (a->pass_running)
		return; /* the running pass is the one this timer asks for */
	a->pass_running = 1;
	a->cursor = 0;
	a->pass_cpu_ms = 0;
	clock_gettime(CLOCK_MONOTONIC, &a->pass_t0);
	if (event_add(a->ev_slice, &zero) < 0) {
		log_err("alerts: cannot schedule a full evaluation");
		a->pass_running = 0;
	}
}

static void
alerts_on_timer(evutil_socket_t fd, short what, void *arg)
{
	alerts_eval_all(arg);
}

static size_t
alerts_count_active(struct alerts *a)
{
	size_t n = 0;

	for (size_t i = 0; i < rules_n_subjects(a->rules); i++)
		for (int r = 0; r < RULE_N; r++)
			n += r != RULE_DONE &&
			     rules_state_sev(a->rules, i, (enum rules_rule)r,
			                     NULL) != SEV_NONE;
	return n;
}

struct alerts *
alerts_new(struct event_base *base, void *zctx, struct book **book,
           const struct alerts_config *cfg, char **err)
{
	struct alerts *a = calloc(1, sizeof *a);
	struct timeval tv;

	*err = NULL;
	if (a == NULL)
		goto nomem;
	a->base = base;
	a->book = book;
	a->cfg = *cfg;
	a->slice_rows = 128;
	if ((a->as = alertstore_new((*book)->store, err)) == NULL)
		goto fail;
	if (alerts_rebuild(a) < 0) {
		if (asprintf(err, "alerts: cannot restore the alert states") < 0)
			*err = NULL;
		goto fail;
	}
	a->stats.active = alerts_count_active(a);
	if ((a->pub = publish_new(base, zctx, cfg->pub, cfg->snapshot, a->as,
	                          rules_last_seq(a->rules), cfg->curve,
	                          err)) == NULL)
		goto fail;
	if ((a->grouping = grouping_new(base, a->pub, cfg->group_window,
	                                cfg->lang)) == NULL)
		goto nomem;
	tv.tv_sec = cfg->interval / 1000;
	tv.tv_usec = (cfg->interval % 1000) * 1000;
	a->ev_timer = event_new(base, -1, EV_PERSIST, alerts_on_timer, a);
	a->ev_slice = event_new(base, -1, 0, alerts_on_slice, a);
	if (a->ev_timer == NULL || a->ev_slice == NULL ||
	    event_add(a->ev_timer, &tv) < 0)
		goto nomem;
	/* At start: whatever changed while we were down (time passed). */
	event_active(a->ev_timer, 0, 0);
	log_info("alerts: %zu subjects, %zu active, last seq %" PRIu64,
	         a->stats.subjects, a->stats.active, rules_last_seq(a->rules));
	return a;
nomem:
	if (*err == NULL && asprintf(err, "alerts: out of memory") < 0)
		*err = NULL;
fail:
	alerts_free(a);
	return NULL;
}

void
alerts_free(struct alerts *a)
{
	if (a == NULL)
		return;
	if (a->ev_timer)
		event_free(a->ev_timer);
	/* Its answer would find us gone: given now, published. */
	if (a->slice_committing)
		store_commit_settle((*a->book)->store);
	if (a->ev_slice) {
		store_commit_unwait((*a->book)->store, a->ev_slice);
		event_free(a->ev_slice);
	}
	grouping_free(a->grouping);
	publish_free(a->pub);
	alertstore_free(a->as);
	rules_free(a->rules);
	free(a->bodies);
	free(a->offs);
	free(a->held);
	free(a->topicbuf);
	free(a);
}

const struct book *
alerts_book(const struct alerts *a)
{
	return *a->book;
}

struct alertstore *
alerts_store(struct alerts *a)
{
	return a->as;
}

void
alerts_set_silences(struct alerts *a, struct silences *s)
{
	a->silences = s;
}

const struct plan *
alerts_plan(const struct alerts *a)
{
	return a->plan;
}

struct store *
alerts_db(struct alerts *a)
{
	return (*a->book)->store;
}

int
alerts_query(struct alerts *a, const struct alertquery *q, uint64_t *out,
             size_t *n, size_t *total)
{
	return alertquery_run(a->plan, a->rules, q, out, n, total);
}

uint64_t
alerts_last_seq(const struct alerts *a)
{
	/* The published one, not the rules' (which counts a slice's events
	 * while its COMMIT is in flight): a reader of the history (the
	 * dashboard's tick) that saw it move would read the store and wait
	 * at the busy gate for that commit, the loop with it. */
	return publish_seq(a->pub);
}

const struct publish *
alerts_publish(const struct alerts *a)
{
	return a->pub;
}

void
alerts_metrics(void *arg, struct evbuffer *out)
{
	struct alerts *a = arg;
	static const enum rules_sev sevs[] = { SEV_WARNING, SEV_CRITICAL };
	uint64_t firing[4] = { 0 }, pending[4] = { 0 };
	size_t n = rules_n_subjects(a->rules);

	for (size_t i = 0; i < n; i++)
		for (int rule = 0; rule < RULE_N; rule++) {
			enum rules_sev sev, pend;
			/* A done notice stays latched, silently: not an alert. */
			if (rule == RULE_DONE)
				continue;
			sev = rules_state_sev(a->rules, i, rule, &pend);
			firing[sev & 3]++;
			if (pend != SEV_NONE && pend != sev)
				pending[pend & 3]++;
		}
	evbuffer_add_printf(out,
	    "# HELP tiendo_alerts Alerts now, by state and severity.\n"
	    "# TYPE tiendo_alerts gauge\n");
	for (size_t k = 0; k < sizeof sevs / sizeof sevs[0]; k++) {
		const char *name = rules_sev_name(sevs[k]);
		evbuffer_add_printf(out,
		    "tiendo_alerts{state=\"firing\",severity=\"%s\"} %llu\n"
		    "tiendo_alerts{state=\"pending\",severity=\"%s\"} %llu\n",
		    name, (unsigned long long)firing[sevs[k]],
		    name, (unsigned long long)pending[sevs[k]]);
	}
	evbuffer_add_printf(out,
	    "# HELP tiendo_alert_events_total Alert events stored and published.\n"
	    "# TYPE tiendo_alert_events_total counter\n"
	    "tiendo_alert_events_total %llu\n"
	    "# HELP tiendo_alert_events_held_total Alert events held back from subscribers (silenced or inhibited).\n"
	    "# TYPE tiendo_alert_events_held_total counter\n"
	    "tiendo_alert_events_held_total %llu\n"
	    "# HELP tiendo_alert_groups_total Grouped notifications published.\n"
	    "# TYPE tiendo_alert_groups_total counter\n"
	    "tiendo_alert_groups_total %llu\n"
	    "# HELP tiendo_alert_evaluations_total Full rules evaluations since start.\n"
	    "# TYPE tiendo_alert_evaluations_total counter\n"
	    "tiendo_alert_evaluations_total %llu\n"
	    "# HELP tiendo_alert_last_evaluation_seconds Duration of the last full rules evaluation.\n"
	    "# TYPE tiendo_alert_last_evaluation_seconds gauge\n"
	    "tiendo_alert_last_evaluation_seconds %.6f\n"
	    "# HELP tiendo_alert_last_pass_seconds Wall time of the last full evaluation, from its start to its last event published.\n"
	    "# TYPE tiendo_alert_last_pass_seconds gauge\n"
	    "tiendo_alert_last_pass_seconds %.6f\n"
	    "# HELP tiendo_alert_slices_total Slices of full evaluations run (each one loop turn).\n"
	    "# TYPE tiendo_alert_slices_total counter\n"
	    "tiendo_alert_slices_total %llu\n"
	    "# HELP tiendo_alert_slice_max_seconds Longest slice since start: evaluation, store, commit and publish.\n"
	    "# TYPE tiendo_alert_slice_max_seconds gauge\n"
	    "tiendo_alert_slice_max_seconds %.6f\n"
	    "# HELP tiendo_alert_slice_loop_max_seconds Longest time one slice held the loop: its evaluation, store and publish, not the wait for its commit (off the loop).\n"
	    "# TYPE tiendo_alert_slice_loop_max_seconds gauge\n"
	    "tiendo_alert_slice_loop_max_seconds %.6f\n",
	    (unsigned long long)a->stats.events, (unsigned long long)a->stats.held,
	    (unsigned long long)grouping_published(a->grouping),
	    (unsigned long long)a->stats.evaluations, a->stats.last_eval_ms / 1000,
	    a->stats.last_pass_ms / 1000, (unsigned long long)a->stats.slices,
	    a->stats.max_slice_ms / 1000, a->stats.max_slice_loop_ms / 1000);
}

uint64_t
alerts_subscribers(void *arg)
{
	return publish_stats(((struct alerts *)arg)->pub)->subscribers;
}

const struct alerts_stats *
alerts_stats(struct alerts *a)
{
	return &a->stats;
}
