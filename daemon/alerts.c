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
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "alerts.h"
#include "log.h"
#include "rate.h"

struct alerts {
	struct book **book;
	const struct plan *plan; /* the plan `rules` was built on */
	struct rules *rules;
	struct alertstore *as;
	struct publish *pub;
	struct alerts_config cfg;
	struct event *ev_timer;
	struct alerts_stats stats;
	/* Scratch for one flush. */
	uint8_t *bodies;
	size_t bodies_len, bodies_cap;
	size_t *offs;
	size_t offs_cap;
};

static int
alerts_load_one(void *arg, const struct alertstore_state *s)
{
	struct alerts *a = arg;
	const struct plan *p = a->plan;
	int task = plan_task_find(p, s->task), unit = plan_unit_find(p, s->unit);
	int rule = rules_rule_parse(s->rule), subj;

	subj = task < 0 || unit < 0 ? -1 : rules_subject_find(a->rules, task,
	                                                      unit, s->rollup);
	if (subj < 0 || rule < 0) {
		/* Kept in the database, untouched, should the plan come back. */
		if (s->st.sev != SEV_NONE)
			log_warn("alerts: %s alert %s/%s%s is no longer in the "
			         "plan; left as it was", s->rule, s->task, s->unit,
			         s->rollup ? " (roll-up)" : "");
		return 0;
	}
	*rules_state(a->rules, (size_t)subj, (enum rules_rule)rule) = s->st;
	return 0;
}

/* (Re)builds the engine's memory from the database. */
static int
alerts_load(struct alerts *a)
{
	uint64_t seq;

	rules_reset(a->rules);
	if (alertstore_last_seq(a->as, &seq) < 0 ||
	    alertstore_states(a->as, alerts_load_one, a) < 0) {
		log_err("alerts: loading: %s", alertstore_errmsg(a->as));
		return -1;
	}
	rules_set_last_seq(a->rules, seq);
	return 0;
}

static int
alerts_rebuild(struct alerts *a)
{
	struct rules *r = rules_new((*a->book)->plan, &a->cfg.rules);

	if (r == NULL) {
		log_err("alerts: out of memory building the rules");
		return -1;
	}
	rules_free(a->rules);
	a->rules = r;
	a->plan = (*a->book)->plan;
	a->stats.subjects = rules_n_subjects(r);
	return alerts_load(a);
}

static void
fmt_pct(double v, char *buf, size_t n)
{
	snprintf(buf, n, "%.2f", v);
}

/* Topic families (PROTOCOL.md 4.2).  The severity in topics is the higher
 * of before and after, so "critical" subscribers see a critical alert
 * ease and resolve. */
static void
alerts_topics(const struct plan *p, const struct rules_subject *s,
              const struct rules_event *e, char *buf, size_t n,
              char *topics[PUBLISH_TOPICS])
{
	const char *sev = rules_sev_name(e->sev > e->prev_sev ? e->sev
	                                                      : e->prev_sev);
	const char *task = p->tasks[s->task].code, *unit = p->units[s->unit].code;
	int owner = p->tasks[s->task].owner;
	int chain[64], depth = 0;
	size_t q = n / PUBLISH_TOPICS, off;

	for (int i = 0; i < PUBLISH_TOPICS; i++)
		topics[i] = buf + i * q;
	snprintf(topics[0], q, "sev/%s/%s/%s/", sev, task, unit);
	snprintf(topics[1], q, "task/%s/%s/%s/", task, unit, sev);
	snprintf(topics[2], q, "owner/%s/%s/%s/",
	         owner >= 0 ? p->units[owner].code : "-", task, unit);
	for (int u = s->unit; u >= 0 && depth < 64; u = p->units[u].parent)
		chain[depth++] = u;
	off = (size_t)snprintf(topics[3], q, "unit/");
	while (depth-- > 0 && off < q)
		off += (size_t)snprintf(topics[3] + off, q - off, "%s/",
		                        p->units[chain[depth]].code);
	if (off < q)
		snprintf(topics[3] + off, q - off, "@%s/", task);
}

/* Packs one event into a->bodies; 0 or -1. */
static int
alerts_pack(struct alerts *a, const struct rules_event *e, size_t k)
{
	const struct plan *p = a->plan;
	const struct rules_subject *s = rules_subject(a->rules, (size_t)e->subject);
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
		if (o == NULL)
			return -1;
		a->offs = o;
		a->offs_cap = n_ev + 1;
	}
	a->bodies_len = 0;
	for (size_t i = 0; i < n_ev; i++)
		if (alerts_pack(a, &ev[i], i) < 0)
			return -1;
	for (size_t i = 0; i < n_dirty; i++) {
		size_t subj = dirty[i] / RULE_N;
		enum rules_rule rule = (enum rules_rule)(dirty[i] % RULE_N);
		const struct rules_subject *s = rules_subject(a->rules, subj);
		struct alertstore_state st = {
			.task = a->plan->tasks[s->task].code,
			.unit = a->plan->units[s->unit].code,
			.rollup = s->target < 0,
			.rule = rules_rule_name(rule),
			.st = *rules_state(a->rules, subj, rule),
		};
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
	char topicbuf[4 * 1024], *topics[PUBLISH_TOPICS];

	ev = rules_events(a->rules, &n_ev);
	for (size_t i = 0; i < n_ev; i++) {
		const struct rules_subject *s = rules_subject(a->rules,
		                                              (size_t)ev[i].subject);
		alerts_topics(a->plan, s, &ev[i], topicbuf, sizeof topicbuf, topics);
		publish_alert(a->pub, topics, ev[i].seq, a->bodies + a->offs[i],
		              a->offs[i + 1] - a->offs[i]);
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

/* Evaluation on its own (the timer): its own transaction. */
static void
alerts_flush(struct alerts *a)
{
	struct store *store = (*a->book)->store;
	size_t n_ev, n_dirty;

	rules_events(a->rules, &n_ev);
	rules_dirty(a->rules, &n_dirty);
	if (n_ev == 0 && n_dirty == 0)
		return;
	if (store_begin(store) < 0 || alerts_write(a) < 0 ||
	    store_commit(store) < 0) {
		store_rollback(store);
		alerts_forget(a, store_errmsg(store)[0] ? store_errmsg(store)
		                                        : alertstore_errmsg(a->as));
		return;
	}
	alerts_publish_written(a);
}

int
alerts_reload(struct alerts *a)
{
	if (alerts_rebuild(a) < 0)
		return -1;
	/* A revised target or threshold is judged now, not at the next
	 * evaluation. */
	alerts_eval_all(a, when_now());
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
	struct alerts *a = arg;
	size_t n_ev, n_dirty;

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

void
alerts_eval_all(struct alerts *a, when_t now)
{
	struct timespec t0, t1;

	if (alerts_plan_current(a) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rules_eval_all(a->rules, (*a->book)->board, now) < 0)
		log_err("alerts: out of memory evaluating");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->stats.evaluations++;
	a->stats.last_eval_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	alerts_flush(a);
}

static void
alerts_on_timer(evutil_socket_t fd, short what, void *arg)
{
	alerts_eval_all(arg, when_now());
}

static size_t
alerts_count_active(struct alerts *a)
{
	size_t n = 0;

	for (size_t i = 0; i < rules_n_subjects(a->rules); i++)
		for (int r = 0; r < RULE_N; r++)
			n += r != RULE_DONE &&
			     rules_state(a->rules, i, (enum rules_rule)r)->sev;
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
	a->book = book;
	a->cfg = *cfg;
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
	tv.tv_sec = cfg->interval / 1000;
	tv.tv_usec = (cfg->interval % 1000) * 1000;
	a->ev_timer = event_new(base, -1, EV_PERSIST, alerts_on_timer, a);
	if (a->ev_timer == NULL || event_add(a->ev_timer, &tv) < 0)
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
	publish_free(a->pub);
	alertstore_free(a->as);
	rules_free(a->rules);
	free(a->bodies);
	free(a->offs);
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

uint64_t
alerts_last_seq(const struct alerts *a)
{
	return rules_last_seq(a->rules);
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
			const struct rules_state *st = rules_state(a->rules, i, rule);
			/* A done notice stays latched, silently: not an alert. */
			if (rule == RULE_DONE)
				continue;
			firing[st->sev & 3]++;
			if (st->pend_sev != SEV_NONE && st->pend_sev != st->sev)
				pending[st->pend_sev & 3]++;
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
	    "# HELP tiendo_alert_evaluations_total Full rules evaluations since start.\n"
	    "# TYPE tiendo_alert_evaluations_total counter\n"
	    "tiendo_alert_evaluations_total %llu\n"
	    "# HELP tiendo_alert_last_evaluation_seconds Duration of the last full rules evaluation.\n"
	    "# TYPE tiendo_alert_last_evaluation_seconds gauge\n"
	    "tiendo_alert_last_evaluation_seconds %.6f\n",
	    (unsigned long long)a->stats.events,
	    (unsigned long long)a->stats.evaluations, a->stats.last_eval_ms / 1000);
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
