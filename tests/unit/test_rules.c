/*
 * test_rules.c - every alert rule and transition, with simulated time.
 *
 * The plan: a province over a district over two communes, one task of 100
 * days, linear, so that on day d the expected share is d %: lag is easy to
 * steer by setting a commune's total.  Times are in days from the start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "alertmsg.h"
#include "board.h"
#include "plan.h"
#include "rules.h"

static const char plan_text[] =
	"[plan]\nname = test\ntimezone = UTC\n"
	"[unit tinh]\nname = Tỉnh\nkind = province\n"
	"[unit huyen]\nname = Huyện Tam Dương\nkind = district\nparent = tinh\n"
	"[unit xa-a]\nname = Xã Hoàng Đan\nkind = commune\nparent = huyen\n"
	"[unit xa-b]\nname = Thị trấn Hợp Hòa\nkind = town\nparent = huyen\n"
	"[unit phong]\nname = Phòng NN\nkind = department\n"
	"[task cay]\ntitle = Trồng cây\nmeasure = cây\nowner = phong\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\nwarn = 10\ncritical = 25\n"
	"stale_after = 7d\n"
	"[targets cay]\nxa-a = 5000\nxa-b = 5000\n";

#define START ((when_t)1609459200000LL) /* 2021-01-01T00:00Z */
#define DAYS(d) (START + (when_t)((d) * (double)WHEN_DAY))
#define DEADLINE (START + 100 * WHEN_DAY) /* end of 10 April */

struct fx {
	struct plan *plan;
	struct board *board;
	struct rules *rules;
	struct rules_config cfg;
	uint64_t seq;
	int xa, xb, target_a, target_b;
};

static struct fx *
fx_new(int64_t pending, double margin, int64_t reminder)
{
	struct fx *f = calloc(1, sizeof *f);
	struct plan_errors errs = { 0 };

	assert_non_null(f);
	f->plan = plan_parse(plan_text, sizeof plan_text - 1, "t.ini", &errs);
	if (f->plan == NULL)
		fail_msg("plan: %s", errs.n ? errs.msgs[0] : "?");
	f->board = board_new(f->plan);
	f->cfg = (struct rules_config){ pending, margin, reminder };
	f->rules = rules_new(f->plan, &f->cfg);
	assert_non_null(f->rules);
	f->xa = plan_unit_find(f->plan, "xa-a");
	f->xb = plan_unit_find(f->plan, "xa-b");
	f->target_a = plan_target_find(f->plan, 0, f->xa);
	f->target_b = plan_target_find(f->plan, 0, f->xb);
	return f;
}

static void
fx_free(struct fx *f)
{
	rules_free(f->rules);
	board_free(f->board);
	plan_free(f->plan);
	free(f);
}

/* A "set" report of `total` trees for target t, observed at `at`. */
static void
set_total(struct fx *f, int t, double total, when_t at)
{
	static uint64_t seq;
	struct tally_report r = { REPORT_SET, (dec_t)(total * 1000), at, ++seq, 1 };

	assert_int_equal(board_apply(f->board, t, &r), TALLY_OK);
}

/* Evaluates everything; returns the events of that evaluation and checks
 * that their seqs follow on from the last ones without a gap. */
static const struct rules_event *
eval(struct fx *f, when_t now, size_t *n)
{
	const struct rules_event *ev;

	rules_clear(f->rules);
	assert_int_equal(rules_eval_all(f->rules, f->board, now), 0);
	ev = rules_events(f->rules, n);
	for (size_t i = 0; i < *n; i++)
		assert_int_equal(ev[i].seq, ++f->seq);
	return ev;
}

/* The one event of (subject, rule) in ev, or NULL. */
static const struct rules_event *
find(const struct rules_event *ev, size_t n, int subject, enum rules_rule rule)
{
	const struct rules_event *hit = NULL;

	for (size_t i = 0; i < n; i++)
		if (ev[i].subject == subject && ev[i].rule == rule) {
			assert_null(hit);
			hit = &ev[i];
		}
	return hit;
}

/* Keeps xa-b on pace so that only xa-a speaks for the leaf rules. */
static void
pace_b(struct fx *f, double day)
{
	set_total(f, f->target_b, day * 50 + 1, DAYS(day));
}

static void
test_fires_at_once_without_pending(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	size_t n;

	set_total(f, f->target_a, 2000, DAYS(20)); /* 40 % on day 20 */
	pace_b(f, 20);
	ev = eval(f, DAYS(20), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	/* Day 52: expected 52 %, actual 40 %: 12 points behind. */
	pace_b(f, 52);
	ev = eval(f, DAYS(52), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_FIRING);
	assert_int_equal(e->sev, SEV_WARNING);
	assert_int_equal(e->id, e->seq);
	assert_int_equal(e->view.actual, 2000000);
	assert_int_equal(e->view.target, 5000000);
	assert_true(e->view.lag > 11.9 && e->view.lag < 12.1);
	/* Nothing new on the next evaluation. */
	ev = eval(f, DAYS(52.01), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	fx_free(f);
}

static void
test_pending_must_hold(void **state)
{
	struct fx *f = fx_new(WHEN_HOUR, 2, 0);
	const struct rules_event *ev;
	size_t n;
	struct rules_state s;

	set_total(f, f->target_a, 2000, DAYS(52));
	pace_b(f, 52);
	ev = eval(f, DAYS(52), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	rules_state_get(f->rules, (size_t)f->target_a, RULE_LAG, &s);
	assert_int_equal(s.pend_sev, SEV_WARNING);
	assert_int_equal(s.pending_since, DAYS(52));
	ev = eval(f, DAYS(52) + WHEN_HOUR - 1, &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	ev = eval(f, DAYS(52) + WHEN_HOUR, &n);
	assert_non_null(find(ev, n, f->target_a, RULE_LAG));
	assert_int_equal(find(ev, n, f->target_a, RULE_LAG)->transition, TR_FIRING);
	fx_free(f);
}

static void
test_pending_interrupted_starts_over(void **state)
{
	struct fx *f = fx_new(WHEN_HOUR, 2, 0);
	const struct rules_event *ev;
	enum rules_sev pend;
	size_t n;

	set_total(f, f->target_a, 2000, DAYS(52));
	pace_b(f, 52);
	eval(f, DAYS(52), &n);
	/* One report catches up before the hour is out: no alert at all. */
	set_total(f, f->target_a, 2600, DAYS(52) + 30 * WHEN_MINUTE);
	ev = eval(f, DAYS(52) + 30 * WHEN_MINUTE, &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	rules_state_sev(f->rules, (size_t)f->target_a, RULE_LAG, &pend);
	assert_int_equal(pend, SEV_NONE);
	ev = eval(f, DAYS(52) + 2 * WHEN_HOUR, &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	fx_free(f);
}

static void
test_hysteresis(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	size_t n;

	set_total(f, f->target_a, 2000, DAYS(51)); /* 40 % */
	pace_b(f, 51);
	ev = eval(f, DAYS(51), &n); /* lag 11 */
	assert_non_null(find(ev, n, f->target_a, RULE_LAG));
	/* Lag 9: under warn, but not by the margin: still firing, silent. */
	set_total(f, f->target_a, 2100, DAYS(51)); /* 42 % */
	ev = eval(f, DAYS(51), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	/* Lag 8.2: hovering, still nothing. */
	set_total(f, f->target_a, 2140, DAYS(51));
	ev = eval(f, DAYS(51), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	/* Lag 7.9: resolved. */
	set_total(f, f->target_a, 2155, DAYS(51));
	ev = eval(f, DAYS(51), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_RESOLVED);
	assert_int_equal(e->sev, SEV_WARNING);
	/* Back over warn (not warn - margin) to fire again: lag 9 no. */
	set_total(f, f->target_a, 2100, DAYS(51));
	ev = eval(f, DAYS(51), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	fx_free(f);
}

static void
test_escalate_and_ease(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	uint64_t id;
	size_t n;

	set_total(f, f->target_a, 2000, DAYS(52));
	pace_b(f, 52);
	ev = eval(f, DAYS(52), &n);
	id = find(ev, n, f->target_a, RULE_LAG)->id;
	/* Day 66: lag 26: critical, same alert. */
	pace_b(f, 66);
	ev = eval(f, DAYS(66), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_ESCALATED);
	assert_int_equal(e->prev_sev, SEV_WARNING);
	assert_int_equal(e->sev, SEV_CRITICAL);
	assert_int_equal(e->id, id);
	/* Lag 24: not 2 under critical yet. */
	set_total(f, f->target_a, 2100, DAYS(66));
	ev = eval(f, DAYS(66), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	/* Lag 22: eased back to warning, one transition. */
	set_total(f, f->target_a, 2200, DAYS(66));
	ev = eval(f, DAYS(66), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_int_equal(e->transition, TR_EASED);
	assert_int_equal(e->prev_sev, SEV_CRITICAL);
	assert_int_equal(e->sev, SEV_WARNING);
	assert_int_equal(e->id, id);
	/* Caught up: resolved, still the same id. */
	set_total(f, f->target_a, 3400, DAYS(66));
	ev = eval(f, DAYS(66), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_int_equal(e->transition, TR_RESOLVED);
	assert_int_equal(e->id, id);
	fx_free(f);
}

static void
test_straight_to_critical_with_pending(void **state)
{
	struct fx *f = fx_new(WHEN_HOUR, 2, 0);
	const struct rules_event *ev, *e;
	size_t n;

	set_total(f, f->target_a, 2000, DAYS(52)); /* lag 12 */
	pace_b(f, 52);
	eval(f, DAYS(52), &n);
	/* Worse within the hour: the pending clock keeps running. */
	set_total(f, f->target_a, 1000, DAYS(52) + 10 * WHEN_MINUTE); /* 32 */
	eval(f, DAYS(52) + 10 * WHEN_MINUTE, &n);
	ev = eval(f, DAYS(52) + WHEN_HOUR, &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_FIRING);
	assert_int_equal(e->sev, SEV_CRITICAL);
	fx_free(f);
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_reminders(void **state)
{
	struct fx *f = fx_new(0, 2, WHEN_DAY);
	const struct rules_event *ev, *e;
	char buf[512];
	struct rules_subject sb;
	size_t n;

	set_total(f, f->target_a, 2000, DAYS(52));
	pace_b(f, 52);
	eval(f, DAYS(52), &n);
	ev = eval(f, DAYS(52.5), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	ev = eval(f, DAYS(53), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_REMINDER);
	assert_int_equal(e->since, DAYS(52));
	/* A reminder says it is one, in either language. */
	alertmsg_format(f->plan, rules_subject(f->rules, (size_t)e->subject, &sb), e,
	                ALERTMSG_VI, buf, sizeof buf);
	assert_true(starts(buf, "Nhắc lại: Xã Hoàng Đan chậm tiến độ “Trồng cây”"));
	alertmsg_format(f->plan, rules_subject(f->rules, (size_t)e->subject, &sb), e,
	                ALERTMSG_EN, buf, sizeof buf);
	assert_true(starts(buf, "Reminder: Xã Hoàng Đan is behind on \"Trồng cây\""));
	ev = eval(f, DAYS(53.9), &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	ev = eval(f, DAYS(54), &n);
	assert_int_equal(find(ev, n, f->target_a, RULE_LAG)->transition,
	                 TR_REMINDER);
	fx_free(f);
	/* Off by default (0): never. */
	f = fx_new(0, 2, 0);
	set_total(f, f->target_a, 2000, DAYS(52));
	pace_b(f, 52);
	eval(f, DAYS(52), &n);
	ev = eval(f, DAYS(60), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_true(e == NULL || e->transition != TR_REMINDER);
	fx_free(f);
}

static void
test_overdue_at_the_deadline(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	size_t n;

	set_total(f, f->target_a, 4900, DEADLINE - WHEN_DAY);
	set_total(f, f->target_b, 5000, DEADLINE - WHEN_DAY);
	ev = eval(f, DEADLINE - 1, &n);
	assert_null(find(ev, n, f->target_a, RULE_OVERDUE));
	ev = eval(f, DEADLINE, &n);
	e = find(ev, n, f->target_a, RULE_OVERDUE);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_FIRING);
	assert_int_equal(e->sev, SEV_CRITICAL);
	assert_null(find(ev, n, f->target_b, RULE_OVERDUE));
	/* Met late: overdue resolves and the done notice comes. */
	set_total(f, f->target_a, 5000, DEADLINE + WHEN_DAY);
	ev = eval(f, DEADLINE + WHEN_DAY, &n);
	assert_int_equal(find(ev, n, f->target_a, RULE_OVERDUE)->transition,
	                 TR_RESOLVED);
	assert_int_equal(find(ev, n, f->target_a, RULE_DONE)->transition,
	                 TR_NOTICE);
	fx_free(f);
}

/* The deadline passes with xa-a far behind: its lag alert ends and the
 * overdue one fires; that resolve is inhibited (not news), while a lag
 * that resolves by catching up is not. */
static void
test_overdue_inhibits_lag(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	size_t n;

	set_total(f, f->target_a, 1000, DAYS(90)); /* 20 % on day 90 */
	set_total(f, f->target_b, 5000, DAYS(90));
	ev = eval(f, DAYS(90), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_false(e->inhibited);
	ev = eval(f, DEADLINE, &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_RESOLVED);
	assert_true(e->inhibited);
	e = find(ev, n, f->target_a, RULE_OVERDUE);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_FIRING);
	assert_false(e->inhibited);
	fx_free(f);

	/* Caught up before the deadline: a plain resolve. */
	f = fx_new(0, 2, 0);
	set_total(f, f->target_a, 1000, DAYS(50));
	eval(f, DAYS(50), &n);
	set_total(f, f->target_a, 2600, DAYS(51));
	ev = eval(f, DAYS(51), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_RESOLVED);
	assert_false(e->inhibited);
	fx_free(f);
}

static void
test_silence(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	size_t n;

	/* On pace, but the last report is from day 3. */
	set_total(f, f->target_a, 200, DAYS(3));
	pace_b(f, 9);
	ev = eval(f, DAYS(10) - 1, &n);
	assert_null(find(ev, n, f->target_a, RULE_SILENT));
	ev = eval(f, DAYS(10), &n);
	e = find(ev, n, f->target_a, RULE_SILENT);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_FIRING);
	assert_int_equal(e->sev, SEV_WARNING);
	assert_int_equal(e->last_report, DAYS(3));
	set_total(f, f->target_a, 600, DAYS(11));
	ev = eval(f, DAYS(11), &n);
	assert_int_equal(find(ev, n, f->target_a, RULE_SILENT)->transition,
	                 TR_RESOLVED);
	fx_free(f);
}

static void
test_done_once(void **state)
{
	struct fx *f = fx_new(0, 2, WHEN_HOUR);
	const struct rules_event *ev, *e;
	size_t n;

	set_total(f, f->target_a, 5000, DAYS(30));
	pace_b(f, 30);
	ev = eval(f, DAYS(30), &n);
	e = find(ev, n, f->target_a, RULE_DONE);
	assert_non_null(e);
	assert_int_equal(e->transition, TR_NOTICE);
	assert_int_equal(e->sev, SEV_INFO);
	/* No reminder, no repeat. */
	ev = eval(f, DAYS(32), &n);
	assert_null(find(ev, n, f->target_a, RULE_DONE));
	fx_free(f);
}

static void
test_rollup_levels(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	int huyen = plan_unit_find(f->plan, "huyen");
	int tinh = plan_unit_find(f->plan, "tinh");
	int sh = rules_subject_find(f->rules, 0, huyen, true);
	int st = rules_subject_find(f->rules, 0, tinh, true);
	const struct rules_event *ev, *e;
	struct rules_subject sb;
	size_t n;

	assert_true(sh >= 0 && st >= 0);
	assert_int_equal(rules_subject_find(f->rules, 0, f->xa, true), -1);
	assert_int_equal(rules_n_subjects(f->rules), 4);
	assert_int_equal(rules_subject(f->rules, (size_t)sh, &sb)->n_units, 2);
	/* xa-a far behind, xa-b ahead: the district is lagging (warning). */
	set_total(f, f->target_a, 1000, DAYS(50)); /* 20 % */
	set_total(f, f->target_b, 3500, DAYS(50)); /* 70 % */
	ev = eval(f, DAYS(50), &n);
	assert_int_equal(find(ev, n, f->target_a, RULE_LAG)->sev, SEV_CRITICAL);
	assert_null(find(ev, n, f->target_b, RULE_LAG));
	e = find(ev, n, sh, RULE_LAG); /* 45 % against 50 % */
	assert_null(e);
	set_total(f, f->target_b, 2000, DAYS(50)); /* sum 30 % */
	ev = eval(f, DAYS(50), &n);
	e = find(ev, n, sh, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->sev, SEV_WARNING);
	assert_int_equal(e->view.actual, 3000000);
	assert_int_equal(e->view.target, 10000000);
	e = find(ev, n, st, RULE_LAG);
	assert_non_null(e);
	assert_int_equal(e->view.target, 10000000);
	/* Only the touched pairs and their task's roll-ups. */
	rules_clear(f->rules);
	set_total(f, f->target_b, 5000, DAYS(50));
	assert_int_equal(rules_eval_targets(f->rules, f->board, &f->target_b, 1,
	                                    DAYS(50)), 0);
	ev = rules_events(f->rules, &n);
	assert_int_equal(find(ev, n, f->target_b, RULE_DONE)->transition, TR_NOTICE);
	assert_int_equal(find(ev, n, sh, RULE_LAG)->transition, TR_RESOLVED);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	fx_free(f);
}

static void
test_restart_announces_nothing_again(void **state)
{
	struct fx *f = fx_new(WHEN_HOUR, 2, 0);
	struct rules *r2;
	const struct rules_event *ev;
	size_t n, nd, n_subj;

	set_total(f, f->target_a, 2000, DAYS(52));
	pace_b(f, 52);
	eval(f, DAYS(52), &n);
	eval(f, DAYS(52) + WHEN_HOUR, &n);
	/* Pending on xa-b's silence, firing on xa-a's lag. */
	rules_dirty(f->rules, &nd);
	r2 = rules_new(f->plan, &f->cfg);
	n_subj = rules_n_subjects(f->rules);
	for (size_t i = 0; i < n_subj; i++)
		for (int k = 0; k < RULE_N; k++) {
			struct rules_state st;

			rules_state_get(f->rules, i, (enum rules_rule)k, &st);
			assert_int_equal(rules_state_set(r2, i,
			                                 (enum rules_rule)k, &st), 0);
		}
	rules_set_last_seq(r2, rules_last_seq(f->rules));
	rules_free(f->rules);
	f->rules = r2;
	ev = eval(f, DAYS(52) + 2 * WHEN_HOUR, &n);
	assert_null(find(ev, n, f->target_a, RULE_LAG));
	fx_free(f);
}

/* Four months of daily reports for one commune that falls behind and
 * catches up, evaluated every hour: the events alternate correctly and
 * the whole run is a matter of milliseconds. */
static void
test_replay_months(void **state)
{
	struct fx *f = fx_new(2 * WHEN_HOUR, 2, 0);
	const struct rules_event *ev;
	unsigned char open[64] = { 0 };
	size_t n, total = 0;
	double trees = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int h = 0; h < 24 * 120; h++) {
		when_t now = START + h * WHEN_HOUR;
		if (h % 24 == 9) {
			int day = h / 24;
			/* Slow in the middle weeks, fast after. */
			trees += day >= 30 && day < 60 ? 10 : 70;
			set_total(f, f->target_a, trees > 5000 ? 5000 : trees, now);
			pace_b(f, day);
		}
		ev = eval(f, now, &n);
		for (size_t i = 0; i < n; i++) {
			size_t k = (size_t)ev[i].subject * RULE_N + ev[i].rule;
			assert_true(k < sizeof open);
			if (ev[i].transition == TR_FIRING) {
				assert_false(open[k]);
				open[k] = 1;
			} else if (ev[i].transition == TR_RESOLVED ||
			           ev[i].transition == TR_EASED ||
			           ev[i].transition == TR_ESCALATED) {
				assert_true(open[k]);
				if (ev[i].transition == TR_RESOLVED)
					open[k] = 0;
			}
		}
		total += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(total > 4);
	printf("# replayed 2880 hourly evaluations, %zu events, in %.1f ms\n",
	       total, (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	fx_free(f);
}

static void
test_messages(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	const struct rules_event *ev, *e;
	char buf[512], num[48];
	struct rules_subject sb;
	size_t n;

	assert_string_equal(alertmsg_number(1750000, ALERTMSG_VI, num, sizeof num),
	                    "1.750");
	assert_string_equal(alertmsg_number(12500, ALERTMSG_VI, num, sizeof num),
	                    "12,5");
	assert_string_equal(alertmsg_number(1234567500, ALERTMSG_EN, num,
	                                    sizeof num), "1,234,567.5");
	assert_string_equal(alertmsg_number(-999000, ALERTMSG_VI, num, sizeof num),
	                    "-999");
	set_total(f, f->target_a, 1750, DAYS(52));
	pace_b(f, 52);
	ev = eval(f, DAYS(52), &n);
	e = find(ev, n, f->target_a, RULE_LAG);
	alertmsg_format(f->plan, rules_subject(f->rules, (size_t)e->subject, &sb), e,
	                ALERTMSG_VI, buf, sizeof buf);
	assert_string_equal(buf, "Xã Hoàng Đan chậm tiến độ “Trồng cây”: "
	                    "1.750/5.000 cây (35%, kế hoạch 52%), chậm 17 điểm "
	                    "phần trăm.");
	alertmsg_format(f->plan, rules_subject(f->rules, (size_t)e->subject, &sb), e,
	                ALERTMSG_EN, buf, sizeof buf);
	assert_string_equal(buf, "Xã Hoàng Đan is behind on \"Trồng cây\": "
	                    "1,750/5,000 cây (35%, plan 52%), 17 points behind.");
	fx_free(f);
}

/* A full evaluation cut into the smallest slices says exactly what the
 * whole one says, and each slice stops at its budget. */
static void
test_slices_match_whole(void **state)
{
	struct fx *f = fx_new(0, 2, 0);
	struct rules *sliced = rules_new(f->plan, &f->cfg);
	const struct rules_event *whole, *ev;
	size_t n_whole, n, cursor = 0, calls = 0, got = 0;
	int rc;

	assert_non_null(sliced);
	set_total(f, f->target_a, 100, DAYS(60)); /* far behind */
	set_total(f, f->target_b, 200, DAYS(60));
	whole = eval(f, DAYS(60), &n_whole);
	assert_true(n_whole >= 4); /* two targets and two roll-ups lag */
	do {
		rules_clear(sliced);
		rc = rules_eval_slice(sliced, f->board, DAYS(60), &cursor, 1,
		                      SIZE_MAX);
		assert_true(rc >= 0);
		ev = rules_events(sliced, &n);
		assert_true(n <= 2 * RULE_N); /* one target, or the two roll-ups */
		for (size_t i = 0; i < n; i++, got++) {
			assert_true(got < n_whole);
			assert_int_equal(ev[i].seq, whole[got].seq);
			assert_int_equal(ev[i].subject, whole[got].subject);
			assert_int_equal(ev[i].rule, whole[got].rule);
			assert_int_equal(ev[i].transition, whole[got].transition);
		}
		calls++;
	} while (rc == 0);
	assert_int_equal(got, n_whole);
	assert_int_equal(cursor, 0);
	/* Two targets, then one task's roll-ups. */
	assert_int_equal(calls, 3);
	rules_free(sliced);
	fx_free(f);
}

/* Eight communes under two districts under a province, two tasks: enough
 * subjects that one pass changes many states, a task's roll-ups three. */
static const char wide_text[] =
	"[plan]\nname = wide\ntimezone = UTC\n"
	"[unit tinh]\nname = Tỉnh\nkind = province\n"
	"[unit h1]\nname = Huyện 1\nkind = district\nparent = tinh\n"
	"[unit h2]\nname = Huyện 2\nkind = district\nparent = tinh\n"
	"[unit x1]\nname = Xã 1\nkind = commune\nparent = h1\n"
	"[unit x2]\nname = Xã 2\nkind = commune\nparent = h1\n"
	"[unit x3]\nname = Xã 3\nkind = commune\nparent = h1\n"
	"[unit x4]\nname = Xã 4\nkind = commune\nparent = h1\n"
	"[unit x5]\nname = Xã 5\nkind = commune\nparent = h2\n"
	"[unit x6]\nname = Xã 6\nkind = commune\nparent = h2\n"
	"[unit x7]\nname = Xã 7\nkind = commune\nparent = h2\n"
	"[unit x8]\nname = Xã 8\nkind = commune\nparent = h2\n"
	"[task a]\ntitle = A\nmeasure = cây\nstart = 2021-01-01\n"
	"deadline = 2021-04-10\nwarn = 10\ncritical = 25\nstale_after = 7d\n"
	"[task b]\ntitle = B\nmeasure = ha\nstart = 2021-01-01\n"
	"deadline = 2021-03-01\npacing = milestones\n"
	"milestone = 2021-01-20 40\nwarn = 5\ncritical = 15\nstale_after = 3d\n"
	"[targets a]\nx1 = 100\nx2 = 100\nx3 = 100\nx4 = 100\nx5 = 100\n"
	"x6 = 100\nx7 = 100\nx8 = 100\n"
	"[targets b]\nx1 = 50\nx2 = 50\nx3 = 50\nx4 = 50\nx5 = 50\nx6 = 50\n"
	"x7 = 50\nx8 = 50\n";

static void
same_event(const struct rules_event *a, const struct rules_event *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->transition, b->transition);
	assert_int_equal(a->rule, b->rule);
	assert_int_equal(a->sev, b->sev);
	assert_int_equal(a->prev_sev, b->prev_sev);
	assert_int_equal(a->subject, b->subject);
	assert_int_equal(a->view.actual, b->view.actual);
	assert_int_equal(a->view.target, b->view.target);
	assert_true(a->view.lag == b->view.lag);
	assert_int_equal(a->view.status, b->view.status);
	assert_int_equal(a->at, b->at);
	assert_int_equal(a->since, b->since);
	assert_int_equal(a->last_report, b->last_report);
	assert_int_equal(a->inhibited, b->inhibited);
}

/* Five months of random reports, evaluated every 7 hours with a pending
 * clock and reminders: one engine in whole passes, the other in slices
 * cut at a different place every time (by subjects, by rows, or both),
 * say the same events and end in the same states; and a slice stops at
 * its rows budget even when what changes is only pending clocks starting
 * (rows without events), one subject (or one task's roll-ups) past it at
 * most. */
static void
test_slices_anywhere_same(void **state)
{
	struct plan_errors errs = { 0 };
	struct plan *p = plan_parse(wide_text, sizeof wide_text - 1, "w.ini", &errs);
	struct rules_config cfg = { 1 * WHEN_DAY, 2, 2 * WHEN_DAY };
	struct board *b;
	struct rules *whole, *sliced;
	unsigned long rnd = 12345;
	uint64_t seq = 0;
	size_t total = 0, pend_only = 0, slices = 0;

	(void)state;
	if (p == NULL)
		fail_msg("plan: %s", errs.n ? errs.msgs[0] : "?");
	b = board_new(p);
	whole = rules_new(p, &cfg);
	sliced = rules_new(p, &cfg);
	assert_non_null(b);
	assert_non_null(whole);
	assert_non_null(sliced);
	assert_int_equal(rules_n_subjects(whole), 16 + 6);
	for (int h = 0; h < 24 * 150; h += 7) {
		when_t now = START + h * WHEN_HOUR;
		const struct rules_event *ew, *es;
		size_t n_whole, nd_whole, n, nd, got = 0, cursor = 0;
		const size_t *dirty;
		int rc;

		for (int k = 0; k < 3; k++) {
			rnd = rnd * 1103515245 + 12345;
			if ((rnd >> 16) % 4 == 0) {
				size_t t = (rnd >> 20) % p->n_targets;
				struct tally_report r = { REPORT_SET,
					(dec_t)((rnd >> 8) % 120) * 1000,
					now - (when_t)((rnd >> 12) % 50) * WHEN_HOUR,
					++seq, 1 };
				assert_int_not_equal(board_apply(b, (int)t, &r),
				                     TALLY_OVERFLOW);
			}
		}
		rules_clear(whole);
		assert_int_equal(rules_eval_all(whole, b, now), 0);
		ew = rules_events(whole, &n_whole);
		rules_dirty(whole, &nd_whole);
		if (n_whole == 0 && nd_whole > 0)
			pend_only++;
		do {
			size_t max_work = h % 3 == 1 ? SIZE_MAX
			                  : 1 + (size_t)(h / 7 + slices) % 4;
			size_t max_rows = h % 3 == 0 ? SIZE_MAX
			                  : 1 + (size_t)(h / 7 + slices) % 5;

			rules_clear(sliced);
			rc = rules_eval_slice(sliced, b, now, &cursor, max_work,
			                      max_rows);
			assert_true(rc >= 0);
			es = rules_events(sliced, &n);
			dirty = rules_dirty(sliced, &nd);
			(void)dirty;
			/* The budget, passed by one subject's rows (2 x RULE_N:
			 * an event and a state per rule) or a task's three
			 * roll-ups' at most. */
			if (max_rows != SIZE_MAX)
				assert_true(n + nd < max_rows + 3 * 2 * RULE_N);
			for (size_t i = 0; i < n; i++, got++) {
				assert_true(got < n_whole);
				same_event(&es[i], &ew[got]);
			}
			slices++;
		} while (rc == 0);
		assert_int_equal(got, n_whole);
		assert_int_equal(rules_last_seq(sliced), rules_last_seq(whole));
		total += n_whole;
	}
	for (size_t i = 0; i < rules_n_subjects(whole); i++)
		for (int k = 0; k < RULE_N; k++) {
			struct rules_state a, c;

			rules_state_get(whole, i, (enum rules_rule)k, &a);
			rules_state_get(sliced, i, (enum rules_rule)k, &c);
			assert_int_equal(a.sev, c.sev);
			assert_int_equal(a.pend_sev, c.pend_sev);
			assert_int_equal(a.pending_since, c.pending_since);
			assert_int_equal(a.since, c.since);
			assert_int_equal(a.announced, c.announced);
			assert_int_equal(a.id, c.id);
			assert_int_equal(a.last_seq, c.last_seq);
		}
	/* The history did what it is for: many events, and passes whose
	 * only changes were pending clocks. */
	assert_true(total > 100);
	assert_true(pend_only > 0);
	rules_free(whole);
	rules_free(sliced);
	board_free(b);
	plan_free(p);
}

/* A pass whose every subject only starts a pending clock (rows, no
 * event): a rows budget of 1 stops each slice at the first subject that
 * changed something, where an events budget alone would never stop it. */
static void
test_slice_rows_without_events(void **state)
{
	struct plan_errors errs = { 0 };
	struct plan *p = plan_parse(wide_text, sizeof wide_text - 1, "w.ini", &errs);
	struct rules_config cfg = { WHEN_DAY, 2, 0 };
	struct board *b;
	struct rules *r;
	size_t cursor = 0, calls = 0, rows = 0, n, nd;
	int rc;

	(void)state;
	if (p == NULL)
		fail_msg("plan: %s", errs.n ? errs.msgs[0] : "?");
	b = board_new(p);
	r = rules_new(p, &cfg);
	assert_non_null(b);
	assert_non_null(r);
	/* Day 30, no report at all: every pair lags and is silent, on
	 * hold for a day. */
	do {
		rules_clear(r);
		rc = rules_eval_slice(r, b, DAYS(30), &cursor, SIZE_MAX, 1);
		assert_true(rc >= 0);
		rules_events(r, &n);
		rules_dirty(r, &nd);
		assert_int_equal(n, 0);
		/* one target's clocks, or one task's roll-ups' */
		assert_true(nd >= 1 || rc == 1);
		assert_true(nd <= 3 * RULE_N);
		rows += nd;
		calls++;
	} while (rc == 0);
	/* 16 targets, each its own slice, then the two tasks' roll-ups */
	assert_int_equal(calls, 16 + 2);
	assert_true(rows >= 2 * 16);
	rules_free(r);
	board_free(b);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_at_once_without_pending),
		cmocka_unit_test(test_pending_must_hold),
		cmocka_unit_test(test_pending_interrupted_starts_over),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_escalate_and_ease),
		cmocka_unit_test(test_straight_to_critical_with_pending),
		cmocka_unit_test(test_reminders),
		cmocka_unit_test(test_overdue_at_the_deadline),
		cmocka_unit_test(test_overdue_inhibits_lag),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_done_once),
		cmocka_unit_test(test_rollup_levels),
		cmocka_unit_test(test_restart_announces_nothing_again),
		cmocka_unit_test(test_replay_months),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_slices_match_whole),
		cmocka_unit_test(test_slices_anywhere_same),
		cmocka_unit_test(test_slice_rows_without_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
