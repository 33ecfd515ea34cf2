/*
 * test_alertquery.c - the filters and pages of the active alerts, over
 * states set by hand: a province over two districts, each over communes,
 * two tasks with different owners.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "alertquery.h"
#include "plan.h"
#include "rules.h"

static const char plan_text[] =
	"[plan]\nname = test\ntimezone = UTC\n"
	"[unit tinh]\nname = Tỉnh\nkind = province\n"
	"[unit h1]\nname = H1\nkind = district\nparent = tinh\n"
	"[unit h2]\nname = H2\nkind = district\nparent = tinh\n"
	"[unit a]\nname = A\nkind = commune\nparent = h1\n"
	"[unit b]\nname = B\nkind = commune\nparent = h1\n"
	"[unit c]\nname = C\nkind = commune\nparent = h2\n"
	"[unit nn]\nname = Phòng NN\nkind = department\n"
	"[unit tc]\nname = Phòng TC\nkind = department\n"
	"[task cay]\ntitle = Cây\nmeasure = cây\nowner = nn\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[task thu]\ntitle = Thu\nmeasure = đồng\nowner = tc\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[targets cay]\na = 10\nb = 10\nc = 10\n"
	"[targets thu]\na = 10\nb = 10\nc = 10\n";

struct fx {
	struct plan *plan;
	struct rules *rules;
	uint64_t seq;
};

static int
unit(struct fx *f, const char *code)
{
	int u = plan_unit_find(f->plan, code);
	assert_true(u >= 0);
	return u;
}

static int
task(struct fx *f, const char *code)
{
	int t = plan_task_find(f->plan, code);
	assert_true(t >= 0);
	return t;
}

/* Makes (task, unit)'s `rule` fire at `sev`, with the next seq. */
static void
fire(struct fx *f, const char *t, const char *u, int rollup,
     enum rules_rule rule, enum rules_sev sev)
{
	int s = rules_subject_find(f->rules, task(f, t), unit(f, u), rollup);
	struct rules_state st = { .sev = (uint8_t)sev };

	assert_true(s >= 0);
	st.id = st.last_seq = ++f->seq;
	assert_int_equal(rules_state_set(f->rules, (size_t)s, rule, &st), 0);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct plan_errors errs = { 0 };
	struct rules_config cfg = { 0, 2, 0 };

	assert_non_null(f);
	f->plan = plan_parse(plan_text, sizeof plan_text - 1, "t.ini", &errs);
	assert_non_null(f->plan);
	f->rules = rules_new(f->plan, &cfg);
	assert_non_null(f->rules);
	fire(f, "cay", "a", 0, RULE_LAG, SEV_WARNING);     /* 1 */
	fire(f, "cay", "b", 0, RULE_LAG, SEV_CRITICAL);    /* 2 */
	fire(f, "cay", "c", 0, RULE_SILENT, SEV_WARNING);  /* 3 */
	fire(f, "thu", "a", 0, RULE_OVERDUE, SEV_CRITICAL);/* 4 */
	fire(f, "cay", "h1", 1, RULE_LAG, SEV_WARNING);    /* 5: a roll-up */
	fire(f, "thu", "c", 0, RULE_DONE, SEV_INFO);       /* 6: not an alert */
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rules_free(f->rules);
	plan_free(f->plan);
	free(f);
	return 0;
}

/* Runs q and checks the seqs it returns and the total. */
static void
expect(struct fx *f, struct alertquery q, size_t total,
       const uint64_t *want, size_t n_want)
{
	uint64_t out[16];
	size_t n, tot;

	if (q.limit == 0)
		q.limit = 16;
	assert_int_equal(alertquery_run(f->plan, f->rules, &q, out, &n, &tot), 0);
	assert_int_equal(tot, total);
	assert_int_equal(n, n_want);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i], want[i]);
}

#define ANY { .task = -1, .unit = -1, .owner = -1, .rule = -1 }

static void
test_all_but_done(void **state)
{
	struct alertquery q = ANY;
	expect(*state, q, 5, (uint64_t[]){ 1, 2, 3, 4, 5 }, 5);
}

static void
test_by_task_rule_severity_owner(void **state)
{
	struct fx *f = *state;
	struct alertquery q = ANY;

	q.task = task(f, "thu");
	expect(f, q, 1, (uint64_t[]){ 4 }, 1);
	q = (struct alertquery)ANY;
	q.rule = RULE_LAG;
	expect(f, q, 3, (uint64_t[]){ 1, 2, 5 }, 3);
	q.severity = SEV_CRITICAL;
	expect(f, q, 1, (uint64_t[]){ 2 }, 1);
	q = (struct alertquery)ANY;
	q.owner = unit(f, "nn");
	expect(f, q, 4, (uint64_t[]){ 1, 2, 3, 5 }, 4);
	q.owner = unit(f, "h1"); /* owns nothing */
	expect(f, q, 0, NULL, 0);
}

static void
test_unit_is_a_subtree(void **state)
{
	struct fx *f = *state;
	struct alertquery q = ANY;

	q.unit = unit(f, "h1"); /* a, b and the h1 roll-up */
	expect(f, q, 4, (uint64_t[]){ 1, 2, 4, 5 }, 4);
	q.unit = unit(f, "c");
	expect(f, q, 1, (uint64_t[]){ 3 }, 1);
	q.unit = unit(f, "tinh");
	expect(f, q, 5, (uint64_t[]){ 1, 2, 3, 4, 5 }, 5);
}

static void
test_pages_by_seq(void **state)
{
	struct fx *f = *state;
	struct alertquery q = ANY;

	q.limit = 2;
	expect(f, q, 5, (uint64_t[]){ 1, 2 }, 2);
	q.since = 2;
	expect(f, q, 5, (uint64_t[]){ 3, 4 }, 2);
	q.since = 4;
	expect(f, q, 5, (uint64_t[]){ 5 }, 1);
	q.since = 5;
	expect(f, q, 5, NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_but_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_task_rule_severity_owner,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_is_a_subtree, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_pages_by_seq, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
