/*
 * test_scope.c - the one rule of what an account sees (scope.h): its
 * subtree, and the tasks owned in it across every unit; and the scoped
 * active-alert query, whose total counts only what the account sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "alertquery.h"
#include "plan.h"
#include "plan_fixture.h"
#include "rules.h"
#include "scope.h"

/* A province over two districts; departments nn (owns cay) and tc (owns
 * thu) under the province; both tasks in communes a, b, c. */
static const char plan_text[] =
	"[plan]\nname = test\ntimezone = UTC\n"
	"[unit tinh]\nname = Tỉnh\nkind = province\n"
	"[unit h1]\nname = H1\nkind = district\nparent = tinh\n"
	"[unit h2]\nname = H2\nkind = district\nparent = tinh\n"
	"[unit a]\nname = A\nkind = commune\nparent = h1\n"
	"[unit b]\nname = B\nkind = commune\nparent = h1\n"
	"[unit c]\nname = C\nkind = commune\nparent = h2\n"
	"[unit nn]\nname = Phòng NN\nkind = department\nparent = tinh\n"
	"[unit tc]\nname = Phòng TC\nkind = department\nparent = tinh\n"
	"[task cay]\ntitle = Cây\nmeasure = cây\nowner = nn\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[task thu]\ntitle = Thu\nmeasure = đồng\nowner = tc\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[task le]\ntitle = Lẻ\nmeasure = việc\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[targets cay]\na = 10\nb = 10\nc = 10\n"
	"[targets thu]\na = 10\nb = 10\nc = 10\n"
	"[targets le]\nc = 1\n";

static struct plan *
parse(void)
{
	return parse_ok(plan_text);
}

/* A code of the plan above: a typo must not pass for -1, the top of the
 * tree. */
static int
code_of(int i)
{
	assert_true(i >= 0);
	return i;
}

#define U(code) code_of(plan_unit_find(p, code))
#define T(code) code_of(plan_task_find(p, code))

static void
test_department_sees_its_tasks_everywhere(void **state)
{
	struct plan *p = parse();
	int all;
	struct scope *s = scope_new(p, 1, "nn", &all);

	(void)state;
	assert_non_null(s);
	assert_int_equal(all, 0);
	/* Its own task in every commune, and its roll-ups up to the top. */
	assert_true(scope_pair(s, T("cay"), U("c")));
	assert_true(scope_pair(s, T("cay"), U("h2")));
	assert_true(scope_pair(s, T("cay"), U("tinh")));
	assert_true(scope_pair(s, T("cay"), -1));
	/* Nothing else of those communes. */
	assert_false(scope_pair(s, T("thu"), U("c")));
	assert_false(scope_pair(s, T("le"), U("c")));
	assert_false(scope_pair(s, T("thu"), U("tinh")));
	assert_false(scope_pair(s, T("thu"), -1));
	/* Units it may open: the subtree, the executors and above them;
	 * not the other department. */
	assert_true(scope_unit(s, U("nn")));
	assert_true(scope_unit(s, U("c")));
	assert_true(scope_unit(s, U("tinh")));
	assert_true(scope_unit(s, -1));
	assert_false(scope_unit(s, U("tc")));
	assert_true(scope_task(s, T("cay")));
	assert_false(scope_task(s, T("thu")));
	assert_true(scope_pair_code(s, "cay", "b"));
	assert_false(scope_pair_code(s, "thu", "b"));
	assert_false(scope_pair_code(s, "cay", "nowhere"));
	assert_false(scope_pair_code(s, NULL, "b"));
	scope_free(s);
	plan_free(p);
}

static void
test_commune_sees_its_subtree_only(void **state)
{
	struct plan *p = parse();
	int all;
	struct scope *s = scope_new(p, 1, "h2", &all);

	(void)state;
	assert_non_null(s);
	assert_true(scope_pair(s, T("cay"), U("c")));
	assert_true(scope_pair(s, T("le"), U("h2")));
	assert_false(scope_pair(s, T("cay"), U("a")));
	assert_false(scope_pair(s, T("cay"), U("tinh")));
	assert_false(scope_pair(s, T("cay"), -1));
	assert_false(scope_unit(s, U("tinh")));
	assert_false(scope_unit(s, -1));  /* owns nothing: no top */
	assert_int_equal(s->root, U("h2"));
	scope_free(s);
	assert_null(scope_new(p, 1, "*", &all));
	assert_int_equal(all, 1);
	assert_true(scope_pair(NULL, T("thu"), U("a")));
	plan_free(p);
}

/* The active list under a scope: the page and the total alike. */
static void
test_scoped_alert_total(void **state)
{
	struct plan *p = parse();
	struct rules_config cfg = { 0, 2, 0 };
	struct rules *r = rules_new(p, &cfg);
	struct alertquery q = { .task = -1, .unit = -1, .owner = -1,
	                        .rule = -1, .limit = 1 };
	const char *pairs[][2] = { { "cay", "a" }, { "thu", "a" }, { "cay", "c" },
	                           { "thu", "c" }, { "le", "c" } };
	uint64_t out[16];
	size_t n, total;
	int all;
	struct scope *s = scope_new(p, 1, "nn", &all);

	(void)state;
	assert_non_null(r);
	assert_non_null(s);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		int k = rules_subject_find(r, T(pairs[i][0]), U(pairs[i][1]), 0);
		struct rules_state st = { .sev = SEV_WARNING };
		assert_true(k >= 0);
		st.id = st.last_seq = i + 1;
		assert_int_equal(rules_state_set(r, (size_t)k, RULE_LAG, &st), 0);
	}
	assert_int_equal(alertquery_run(p, r, &q, out, &n, &total), 0);
	assert_int_equal(total, 5);
	q.keep = scope_keep;
	q.keep_arg = s;
	assert_int_equal(alertquery_run(p, r, &q, out, &n, &total), 0);
	assert_int_equal(total, 2);  /* cay/a, cay/c */
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 1);
	q.since = 1;
	assert_int_equal(alertquery_run(p, r, &q, out, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 3);  /* the next page skips thu/a */
	scope_free(s);
	rules_free(r);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_department_sees_its_tasks_everywhere),
		cmocka_unit_test(test_commune_sees_its_subtree_only),
		cmocka_unit_test(test_scoped_alert_total),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
