/*
 * test_tally.c - totals, order independence and statuses, in simulated
 * time.  The central check replays report lists in every order (or in
 * many shuffled orders) the way the daemon would: tally_apply() per
 * report, and a refold from the reports stored so far whenever it says
 * TALLY_RECOUNT; after every step the tally must equal the fold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tally.h"

#define assert_dbl_equal(a, b)                                            \
	do {                                                              \
		double a_ = (a), b_ = (b);                                \
		if (!(a_ == b_))                                          \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_); \
	} while (0)

#define MAXR 32

/* 2021-02-17 00:00 in Vietnam, an arbitrary origin for simulated time. */
#define T0 ((when_t)1613494800000LL)

static struct tally_report
add(when_t at, dec_t v, uint64_t seq)
{
	struct tally_report r = { REPORT_ADD, v, at, seq, 1 };

	return r;
}

static struct tally_report
set(when_t at, dec_t v, uint64_t seq, uint64_t client)
{
	struct tally_report r = { REPORT_SET, v, at, seq, client };

	return r;
}

static void
assert_tally_equal(const struct tally *a, const struct tally *b)
{
	assert_int_equal(a->actual, b->actual);
	assert_int_equal(a->has_set, b->has_set);
	assert_int_equal(a->set_value, b->set_value);
	assert_int_equal(a->set_at, b->set_at);
	assert_int_equal(a->set_seq, b->set_seq);
	assert_int_equal(a->set_client, b->set_client);
	assert_int_equal(a->adds_after, b->adds_after);
	assert_int_equal(a->last_add_at, b->last_add_at);
	assert_int_equal(a->last_report_at, b->last_report_at);
	assert_int_equal(a->n_reports, b->n_reports);
}

/* Deterministic PRNG (xorshift64*): the same shuffles on every libc. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static size_t
rng_below(size_t n)
{
	return (size_t)(rng() % n);
}

/*
 * The reference model: the definition in tally.h, read literally, with no
 * code shared with tally.c.  The latest set is the greatest (observed_at,
 * seq, client_hash); the total is its value plus every add observed
 * strictly after it, or the sum of all adds when there is no set.
 */
static int
set_is_later(const struct tally_report *a, const struct tally_report *b)
{
	if (a->observed_at != b->observed_at)
		return a->observed_at > b->observed_at;
	if (a->seq != b->seq)
		return a->seq > b->seq;
	return a->client_hash > b->client_hash;
}

static void
assert_reference(const struct tally *t, const struct tally_report *l, size_t n)
{
	const struct tally_report *latest = NULL;
	dec_t total = 0;
	when_t last_add = 0, last_report = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].kind == REPORT_SET && (!latest || set_is_later(&l[i], latest)))
			latest = &l[i];
	if (latest)
		total = latest->value;
	for (i = 0; i < n; i++) {
		if (l[i].observed_at > last_report)
			last_report = l[i].observed_at;
		if (l[i].kind != REPORT_ADD)
			continue;
		if (l[i].observed_at > last_add)
			last_add = l[i].observed_at;
		if (!latest || l[i].observed_at > latest->observed_at)
			total += l[i].value;
	}
	assert_int_equal(t->actual, total);
	assert_int_equal(t->has_set, latest != NULL);
	if (latest) {
		assert_int_equal(t->set_value, latest->value);
		assert_int_equal(t->set_at, latest->observed_at);
		assert_int_equal(t->set_seq, latest->seq);
		assert_int_equal(t->set_client, latest->client_hash);
	}
	assert_int_equal(t->last_add_at, last_add);
	assert_int_equal(t->last_report_at, last_report);
	assert_int_equal(t->n_reports, n);
}

/*
 * Applies list[order[0]], list[order[1]]... as the daemon would, checking
 * after every step that the tally equals the reference model of what
 * arrived so far, and the fold too.
 * Returns the number of recounts.
 */
static unsigned
replay(const struct tally_report *list, size_t n, const size_t *order)
{
	struct tally_report got[MAXR];
	struct tally t, f;
	unsigned recounts = 0;
	size_t i;

	assert_true(n <= MAXR);
	tally_init(&t);
	for (i = 0; i < n; i++) {
		enum tally_result res;

		got[i] = list[order[i]];
		res = tally_apply(&t, &got[i]);
		if (res == TALLY_RECOUNT) {
			recounts++;
			assert_int_equal(tally_fold(&t, got, i + 1), TALLY_OK);
		} else {
			assert_int_equal(res, TALLY_OK);
		}
		assert_reference(&t, got, i + 1);
		assert_int_equal(tally_fold(&f, got, i + 1), TALLY_OK);
		assert_tally_equal(&t, &f);
	}
	/* And the whole list, in its own order. */
	assert_int_equal(tally_fold(&f, list, n), TALLY_OK);
	assert_reference(&f, list, n);
	assert_tally_equal(&t, &f);
	return recounts;
}

/* Lexicographic next permutation; 0 after the last one. */
static int
next_permutation(size_t *a, size_t n)
{
	size_t i, j, tmp;

	if (n < 2)
		return 0;
	i = n - 1;
	while (i > 0 && a[i - 1] >= a[i])
		i--;
	if (i == 0)
		return 0;
	j = n - 1;
	while (a[j] <= a[i - 1])
		j--;
	tmp = a[i - 1], a[i - 1] = a[j], a[j] = tmp;
	for (j = n - 1; i < j; i++, j--)
		tmp = a[i], a[i] = a[j], a[j] = tmp;
	return 1;
}

/* Every order of a short list; returns the recounts seen in all of them. */
static unsigned
replay_all_orders(const struct tally_report *list, size_t n, dec_t expect)
{
	size_t order[MAXR], i, perms = 0;
	unsigned recounts = 0;
	struct tally f;

	assert_true(n <= 8);
	assert_int_equal(tally_fold(&f, list, n), TALLY_OK);
	assert_int_equal(f.actual, expect);
	for (i = 0; i < n; i++)
		order[i] = i;
	do {
		recounts += replay(list, n, order);
		perms++;
	} while (next_permutation(order, n));
	assert_true(perms >= 1);
	return recounts;
}

/* 200 shuffles of a longer list. */
static unsigned
replay_shuffled(const struct tally_report *list, size_t n)
{
	size_t order[MAXR], i, j, tmp;
	unsigned recounts = 0;
	int k;

	for (k = 0; k < 200; k++) {
		for (i = 0; i < n; i++)
			order[i] = i;
		for (i = n; i > 1; i--) {
			j = rng_below(i);
			tmp = order[i - 1], order[i - 1] = order[j], order[j] = tmp;
		}
		recounts += replay(list, n, order);
	}
	return recounts;
}

static void
test_tenths_exact(void **state)
{
	struct tally t;
	int i;

	(void)state;
	tally_init(&t);
	for (i = 0; i < 10; i++)
		assert_int_equal(tally_apply(&t, &(struct tally_report){
		                     REPORT_ADD, 100, T0 + i, (uint64_t)i, 1 }),
		                 TALLY_OK);
	assert_int_equal(t.actual, 1000); /* 0.1 * 10 == 1, exactly */
	assert_int_equal(t.n_reports, 10);
	assert_false(t.has_set);
}

static void
test_empty(void **state)
{
	struct tally t, f;

	(void)state;
	memset(&t, 0x55, sizeof(t));
	tally_init(&t);
	assert_int_equal(t.actual, 0);
	assert_false(t.has_set);
	assert_int_equal(t.n_reports, 0);
	assert_int_equal(t.last_report_at, 0);
	memset(&f, 0x55, sizeof(f));
	assert_int_equal(tally_fold(&f, NULL, 0), TALLY_OK);
	assert_tally_equal(&t, &f);
}

static void
test_order_adds_only(void **state)
{
	const struct tally_report l[] = {
		add(T0 + 1, 100, 1), add(T0 + 2, 100, 2), add(T0 + 2, 100, 3),
		add(T0 + 5, 2500, 4), add(T0 + 3, -300, 5), add(T0, 0, 6),
		add(T0 + 9, 125, 7),
	};

	(void)state;
	assert_int_equal(replay_all_orders(l, 7, 100 * 3 + 2500 - 300 + 125),
	                 0);
}

static void
test_order_sets_only(void **state)
{
	const struct tally_report l[] = {
		set(T0 + 10, 1000, 1, 7), set(T0 + 30, 3000, 2, 7),
		set(T0 + 20, 2000, 3, 7), set(T0 + 30, 3500, 1, 9),
		set(T0 + 30, 3100, 2, 8), set(T0 + 5, 9999, 99, 99),
		set(T0 + 29, 2900, 100, 100),
	};

	(void)state;
	/* At T0+30 the highest seq is 2; of the two seq 2, client 8 wins. */
	assert_int_equal(replay_all_orders(l, 7, 3100), 0);
}

static void
test_order_mixed(void **state)
{
	const struct tally_report l[] = {
		add(T0 + 1, 100, 1),  set(T0 + 2, 5000, 2, 1),
		add(T0 + 3, 700, 3),  add(T0 + 2, 40, 4), /* at the set */
		set(T0 + 4, 6000, 5, 1), add(T0 + 5, 11, 6),
		add(T0, 3, 7),        add(T0 + 6, 2, 8),
	};

	(void)state;
	/* Latest set 6.000 at T0+4, then the adds at T0+5 and T0+6. */
	assert_true(replay_all_orders(l, 8, 6000 + 11 + 2) > 0);
}

static void
test_order_ties(void **state)
{
	const struct tally_report l[] = {
		set(T0 + 5, 500, 1, 10), set(T0 + 5, 600, 1, 20),
		add(T0 + 5, 1, 2),       add(T0 + 6, 2, 3),
		set(T0 + 3, 300, 9, 30), add(T0 + 4, 4, 4),
		set(T0 + 5, 400, 0, 99),
	};

	(void)state;
	/* At T0+5 seq 1 beats seq 0; of seq 1 client 20 wins. */
	assert_true(replay_all_orders(l, 7, 600 + 2) > 0);
}

static void
test_order_set_then_nothing_after(void **state)
{
	const struct tally_report l[] = {
		add(T0 + 1, 100, 1), add(T0 + 2, 100, 2),
		set(T0 + 9, 12500, 3, 1), add(T0 + 9, 100, 4),
		add(T0 + 3, 100, 5),
	};

	(void)state;
	/* Every add is at or before the set: none counts. */
	assert_int_equal(replay_all_orders(l, 5, 12500), 0);
}

/*
 * A random list over a few instants, so ties of every kind are common.
 * (seq, client) stays unique, as the store guarantees: two reports with
 * the same key are one report.
 */
static size_t
random_list(struct tally_report *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		l[i].kind = rng_below(3) == 0 ? REPORT_SET : REPORT_ADD;
		l[i].value = (dec_t)rng_below(100000) - 20000;
		l[i].observed_at = T0 + (when_t)rng_below(6) * WHEN_HOUR;
		l[i].seq = i / 3;
		l[i].client_hash = 1000 - i % 3;
	}
	return n;
}

static void
test_order_random_shuffles(void **state)
{
	struct tally_report l[MAXR];
	unsigned recounts = 0;
	size_t n;
	int k;

	(void)state;
	rng_state = 0x7469656e646f2101ULL;
	for (k = 0; k < 30; k++) {
		n = random_list(l, 6 + rng_below(MAXR - 6 + 1));
		recounts += replay_shuffled(l, n);
	}
	/* The recount path was exercised, not just the fast one. */
	assert_true(recounts > 0);
}

static int
by_observed_at(const void *a, const void *b)
{
	const struct tally_report *x = a, *y = b;

	return (x->observed_at > y->observed_at) -
	       (x->observed_at < y->observed_at);
}

static void
test_in_order_never_recounts(void **state)
{
	struct tally_report l[MAXR];
	size_t order[MAXR], n, i;
	int k;

	(void)state;
	rng_state = 0x5eedULL;
	for (k = 0; k < 200; k++) {
		n = random_list(l, MAXR);
		qsort(l, n, sizeof(l[0]), by_observed_at);
		for (i = 0; i < n; i++)
			order[i] = i;
		assert_int_equal(replay(l, n, order), 0);
	}
}

static void
test_set_tie_breaks(void **state)
{
	struct tally t;

	(void)state;
	/* Higher seq wins at the same instant, whichever arrives first. */
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 10, T0, 5, 1 }), TALLY_OK);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 20, T0, 4, 9 }), TALLY_OK);
	assert_int_equal(t.actual, 10);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 30, T0, 6, 0 }), TALLY_OK);
	assert_int_equal(t.actual, 30);
	/* Same seq: the higher client hash. */
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 40, T0, 6, 1 }), TALLY_OK);
	assert_int_equal(t.actual, 40);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 50, T0, 6, 0 }), TALLY_OK);
	assert_int_equal(t.actual, 40);
	assert_int_equal(t.set_seq, 6);
	assert_int_equal(t.set_client, 1);
	/* A later instant beats any seq. */
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 60, T0 + 1, 0, 0 }), TALLY_OK);
	assert_int_equal(t.actual, 60);
	assert_int_equal(t.n_reports, 6);
}

static void
test_add_at_set_instant(void **state)
{
	struct tally t;
	struct tally_report s = set(T0 + 100, 50000, 1, 1);

	(void)state;
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &s), TALLY_OK);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 7000, T0 + 100, 2, 1 }), TALLY_OK);
	assert_int_equal(t.actual, 50000);
	assert_int_equal(t.adds_after, 0);
	assert_int_equal(t.last_add_at, T0 + 100);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 7000, T0 + 101, 3, 1 }), TALLY_OK);
	assert_int_equal(t.actual, 57000);
	assert_int_equal(t.n_reports, 3);

	/* The add first: a set at the add's instant needs no recount. */
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 7000, T0 + 100, 2, 1 }), TALLY_OK);
	assert_int_equal(tally_apply(&t, &s), TALLY_OK);
	assert_int_equal(t.actual, 50000);
}

static void
test_old_reports_only_count(void **state)
{
	struct tally t;

	(void)state;
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 9000, T0 + 50, 1, 1 }), TALLY_OK);
	/* An older set and an add before the set arrive late. */
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 1, T0 + 10, 2, 1 }), TALLY_OK);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 5, T0 + 20, 3, 1 }), TALLY_OK);
	assert_int_equal(t.actual, 9000);
	assert_int_equal(t.set_at, T0 + 50);
	assert_int_equal(t.n_reports, 3);
	/* last_report_at is the latest observed, not the latest arrived. */
	assert_int_equal(t.last_report_at, T0 + 50);
	assert_int_equal(t.last_add_at, T0 + 20);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 5, T0 + 60, 4, 1 }), TALLY_OK);
	assert_int_equal(t.last_report_at, T0 + 60);
	assert_int_equal(t.last_add_at, T0 + 60);
	assert_int_equal(t.actual, 9005);
	assert_int_equal(t.n_reports, 4);
}

static void
test_recount_leaves_tally(void **state)
{
	struct tally t, before;
	struct tally_report l[] = {
		add(T0 + 10, 100, 1), add(T0 + 20, 200, 2),
		set(T0 + 15, 1000, 3, 1),
	};

	(void)state;
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &l[0]), TALLY_OK);
	assert_int_equal(tally_apply(&t, &l[1]), TALLY_OK);
	before = t;
	/* A set between two known adds: only a refold can tell. */
	assert_int_equal(tally_apply(&t, &l[2]), TALLY_RECOUNT);
	assert_tally_equal(&t, &before);
	assert_int_equal(tally_fold(&t, l, 3), TALLY_OK);
	assert_int_equal(t.actual, 1200);
	assert_int_equal(t.adds_after, 200);
	assert_int_equal(t.n_reports, 3);
	/* A later tie-break at the same instant keeps the known adds. */
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 2000, T0 + 15, 4, 1 }), TALLY_OK);
	assert_int_equal(t.actual, 2200);
}

static void
test_overflow_refused(void **state)
{
	struct tally t, before;
	struct tally_report l[3];

	(void)state;
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, INT64_MAX - 5, T0, 1, 1 }), TALLY_OK);
	before = t;
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 10, T0 + 1, 2, 1 }), TALLY_OVERFLOW);
	assert_tally_equal(&t, &before);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, 5, T0 + 1, 3, 1 }), TALLY_OK);
	assert_int_equal(t.actual, INT64_MAX);

	/* Adds only, both directions. */
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, INT64_MIN + 1, T0, 1, 1 }), TALLY_OK);
	before = t;
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, -2, T0, 2, 1 }), TALLY_OVERFLOW);
	assert_tally_equal(&t, &before);

	/* A same-instant set that would carry adds past the limit. */
	tally_init(&t);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 0, T0, 1, 1 }), TALLY_OK);
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_ADD, INT64_MAX, T0 + 1, 2, 1 }), TALLY_OK);
	before = t;
	assert_int_equal(tally_apply(&t, &(struct tally_report){
	                     REPORT_SET, 1, T0, 3, 1 }), TALLY_OVERFLOW);
	assert_tally_equal(&t, &before);

	/* A fold that overflows leaves its destination alone. */
	l[0] = add(T0, INT64_MAX, 1);
	l[1] = add(T0 + 1, 1, 2);
	l[2] = add(T0 + 2, 1, 3);
	t = before;
	assert_int_equal(tally_fold(&t, l, 3), TALLY_OVERFLOW);
	assert_tally_equal(&t, &before);
}

static void
test_client_hash(void **state)
{
	(void)state;
	/* FNV-1a 64 reference values. */
	assert_int_equal(tally_client_hash(""), 0xcbf29ce484222325ULL);
	assert_int_equal(tally_client_hash("a"), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(tally_client_hash("foobar"), 0x85944171f73967e8ULL);
	assert_int_not_equal(tally_client_hash("hoang-dan"),
	                     tally_client_hash("hoang-hoa"));
}

static void
test_status_names(void **state)
{
	(void)state;
	assert_string_equal(tally_status_name(STATUS_NOT_STARTED),
	                    "not_started");
	assert_string_equal(tally_status_name(STATUS_ON_TRACK), "on_track");
	assert_string_equal(tally_status_name(STATUS_LAGGING), "lagging");
	assert_string_equal(tally_status_name(STATUS_CRITICAL), "critical");
	assert_string_equal(tally_status_name(STATUS_SILENT), "silent");
	assert_string_equal(tally_status_name(STATUS_OVERDUE), "overdue");
	assert_string_equal(tally_status_name(STATUS_DONE), "done");
	assert_string_equal(tally_status_name(STATUS_MISSING), "missing_report");
	assert_string_equal(tally_status_name((enum tally_status)42),
	                    "unknown");
}

/* 100 days, so day d is expected at exactly d percent; target 1,000. */
#define TARGET ((dec_t)1000000)

static struct plan_task
task100(void)
{
	struct plan_task t = { 0 };

	t.code = "trong-cay";
	t.start = T0;
	t.deadline = T0 + 100 * WHEN_DAY;
	t.pacing = PACING_LINEAR;
	t.warn = 10.0;
	t.critical = 20.0;
	t.stale_after = 7 * WHEN_DAY;
	return t;
}

/* A tally with `actual` and one report observed at `last` (0: none). */
static struct tally
tally_of(dec_t actual, when_t last)
{
	struct tally t;

	tally_init(&t);
	t.actual = actual;
	t.adds_after = actual;
	t.last_report_at = t.last_add_at = last;
	t.n_reports = last != 0;
	return t;
}

static enum tally_status
status_at(const struct plan_task *task, dec_t actual, when_t last,
          when_t now)
{
	struct tally t = tally_of(actual, last);
	struct tally_view v;

	tally_view(&t, task, TARGET, now, &v);
	return v.status;
}

static void
test_view_numbers(void **state)
{
	struct plan_task task = task100();
	struct tally t = tally_of(TARGET / 4, T0 + 34 * WHEN_DAY);
	struct tally_view v;

	(void)state;
	tally_view(&t, &task, TARGET, T0 + 35 * WHEN_DAY, &v);
	assert_int_equal(v.actual, TARGET / 4);
	assert_int_equal(v.target, TARGET);
	assert_dbl_equal(v.percent, 25.0);
	assert_dbl_equal(v.expected, 35.0);
	assert_dbl_equal(v.lag, 10.0);
	assert_int_equal(v.status, STATUS_LAGGING);
}

static void
test_status_not_started(void **state)
{
	struct plan_task task = task100();

	(void)state;
	assert_int_equal(status_at(&task, 0, 0, T0 - 1), STATUS_NOT_STARTED);
	assert_int_equal(status_at(&task, 0, 0, T0 - 30 * WHEN_DAY),
	                 STATUS_NOT_STARTED);
	/* Before the start nothing is silent, even long after a report. */
	assert_int_equal(status_at(&task, 5, T0 - 60 * WHEN_DAY, T0 - 1),
	                 STATUS_NOT_STARTED);
	assert_int_equal(status_at(&task, 0, 0, T0), STATUS_ON_TRACK);
	/* Done beats not started. */
	assert_int_equal(status_at(&task, TARGET, T0 - WHEN_DAY, T0 - 1),
	                 STATUS_DONE);
}

static void
test_status_on_track_lagging_critical(void **state)
{
	struct plan_task task = task100();
	when_t last;

	(void)state;
	/* 25% done; day 35 is a lag of exactly 10 = warn. */
	last = T0 + 30 * WHEN_DAY;
	assert_int_equal(status_at(&task, TARGET / 4, last, T0 + 10 * WHEN_DAY),
	                 STATUS_ON_TRACK);
	assert_int_equal(status_at(&task, TARGET / 4, last,
	                           T0 + 35 * WHEN_DAY - 1),
	                 STATUS_ON_TRACK);
	assert_int_equal(status_at(&task, TARGET / 4, last, T0 + 35 * WHEN_DAY),
	                 STATUS_LAGGING);
	/* Day 45: a lag of exactly 20 = critical. */
	last = T0 + 44 * WHEN_DAY;
	assert_int_equal(status_at(&task, TARGET / 4, last,
	                           T0 + 45 * WHEN_DAY - 1),
	                 STATUS_LAGGING);
	assert_int_equal(status_at(&task, TARGET / 4, last, T0 + 45 * WHEN_DAY),
	                 STATUS_CRITICAL);
	/* Ahead of the curve: negative lag, on track. */
	assert_int_equal(status_at(&task, TARGET / 2, last, T0 + 45 * WHEN_DAY),
	                 STATUS_ON_TRACK);
	/* warn == critical: critical wins. */
	task.warn = task.critical = 20.0;
	assert_int_equal(status_at(&task, TARGET / 4, last, T0 + 45 * WHEN_DAY),
	                 STATUS_CRITICAL);
	assert_int_equal(status_at(&task, TARGET / 4, last,
	                           T0 + 45 * WHEN_DAY - 1),
	                 STATUS_ON_TRACK);
}

/* A share that is a whole percentage is exactly that number, so that a lag
 * exactly on a threshold crosses it: 1,650 of 3,000 is 55%, not
 * 55.00000000000001%, and at 75% expected it is critical (lag 20), not
 * lagging by 19.99999999999999 points. */
static void
test_status_threshold_exact_percent(void **state)
{
	static const dec_t targets[] = { 3000, 5000, 7000, 12000, 98 };
	struct plan_task task = task100();

	(void)state;
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		for (int pct = 1; pct < 80; pct++) {
			dec_t target = targets[i] * DEC_SCALE;
			dec_t actual = target / 100 * pct;
			struct tally t;
			struct tally_view v;

			if (target % 100 != 0)
				continue;
			t = tally_of(actual, T0 + (pct + 19) * WHEN_DAY);
			tally_view(&t, &task, target, T0 + (pct + 20) * WHEN_DAY,
			           &v);
			assert_dbl_equal(v.percent, (double)pct);
			assert_dbl_equal(v.lag, 20.0);
			assert_int_equal(v.status, STATUS_CRITICAL);
			tally_view(&t, &task, target, T0 + (pct + 10) * WHEN_DAY,
			           &v);
			assert_int_equal(v.status, STATUS_LAGGING);
		}
}

static void
test_status_silent(void **state)
{
	struct plan_task task = task100();
	when_t last = T0 + 20 * WHEN_DAY;

	(void)state;
	/* With a report: stale_after after it. */
	assert_int_equal(status_at(&task, TARGET / 2, last,
	                           last + 7 * WHEN_DAY - 1),
	                 STATUS_ON_TRACK);
	assert_int_equal(status_at(&task, TARGET / 2, last, last + 7 * WHEN_DAY),
	                 STATUS_SILENT);
	/* Silent beats critical (day 60 at 25% is a lag of 35). */
	assert_int_equal(status_at(&task, TARGET / 4, last, T0 + 60 * WHEN_DAY),
	                 STATUS_SILENT);
	/* Without a report: stale_after after the start. */
	assert_int_equal(status_at(&task, 0, 0, T0 + 7 * WHEN_DAY - 1),
	                 STATUS_ON_TRACK);
	assert_int_equal(status_at(&task, 0, 0, T0 + 7 * WHEN_DAY),
	                 STATUS_SILENT);
	/* A report observed before the start counts from the start. */
	assert_int_equal(status_at(&task, 0, T0 - 30 * WHEN_DAY,
	                           T0 + 7 * WHEN_DAY - 1),
	                 STATUS_ON_TRACK);
	/* stale_after = 0 turns silence off. */
	task.stale_after = 0;
	assert_int_equal(status_at(&task, 0, 0, T0 + 7 * WHEN_DAY),
	                 STATUS_ON_TRACK);
	assert_int_equal(status_at(&task, TARGET / 4, last, T0 + 60 * WHEN_DAY),
	                 STATUS_CRITICAL);
}

static void
test_status_overdue_done(void **state)
{
	struct plan_task task = task100();
	when_t last = T0 + 99 * WHEN_DAY;
	struct tally t = tally_of(TARGET * 3 / 2, last);
	struct tally_view v;

	(void)state;
	/* One thousandth short, a millisecond before the deadline. */
	assert_int_equal(status_at(&task, TARGET - 1, last, task.deadline - 1),
	                 STATUS_ON_TRACK);
	assert_int_equal(status_at(&task, TARGET - 1, last, task.deadline),
	                 STATUS_OVERDUE);
	assert_int_equal(status_at(&task, 0, 0, task.deadline + 365 * WHEN_DAY),
	                 STATUS_OVERDUE);
	/* Overdue beats silent. */
	assert_int_equal(status_at(&task, 0, T0, task.deadline), STATUS_OVERDUE);
	/* Done beats overdue, and done is done at any time. */
	assert_int_equal(status_at(&task, TARGET, last, task.deadline + 1),
	                 STATUS_DONE);
	assert_int_equal(status_at(&task, TARGET, T0, T0 + 50 * WHEN_DAY),
	                 STATUS_DONE);
	/* More than the target: percent above 100, ahead of the curve. */
	tally_view(&t, &task, TARGET, task.deadline + WHEN_DAY, &v);
	assert_int_equal(v.status, STATUS_DONE);
	assert_dbl_equal(v.percent, 150.0);
	assert_dbl_equal(v.expected, 100.0);
	assert_dbl_equal(v.lag, -50.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tenths_exact),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_adds_only),
		cmocka_unit_test(test_order_sets_only),
		cmocka_unit_test(test_order_mixed),
		cmocka_unit_test(test_order_ties),
		cmocka_unit_test(test_order_set_then_nothing_after),
		cmocka_unit_test(test_order_random_shuffles),
		cmocka_unit_test(test_in_order_never_recounts),
		cmocka_unit_test(test_set_tie_breaks),
		cmocka_unit_test(test_add_at_set_instant),
		cmocka_unit_test(test_old_reports_only_count),
		cmocka_unit_test(test_recount_leaves_tally),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_client_hash),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_view_numbers),
		cmocka_unit_test(test_status_not_started),
		cmocka_unit_test(test_status_on_track_lagging_critical),
		cmocka_unit_test(test_status_threshold_exact_percent),
		cmocka_unit_test(test_status_silent),
		cmocka_unit_test(test_status_overdue_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
