/*
 * test_taskgroup.c - a task of several indicators (kind = group): the plan
 * keys with their errors (file:line), and the rule of its status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan_fixture.h"

#include "taskgroup.h"
#include "plan.h"

/* Lines 1-16: a unit and two indicator tasks; the group from line 17. */
#define PLAN(group)                                                          \
	"[unit a]\nname = Xã A\nkind = commune\n"                 /* 1-3   */ \
	"[task sp]\ntitle = Sản phẩm OCOP\nmeasure = sản phẩm\n"  /* 4-6   */ \
	"start = 2026-01-01\ndeadline = 2026-12-31\n"             /* 7-8   */ \
	"[task sao]\ntitle = Sản phẩm 4 sao\nmeasure = sản phẩm\n" /* 9-11 */ \
	"start = 2026-03-01\ndeadline = 2027-03-31\n"             /* 12-13 */ \
	"[targets sp]\na = 2\n[targets sao]\n"                    /* 14-16 */ \
	"a = 1\n"                                                 /* 17    */ \
	"[task ocop]\n" group                                     /* 18-   */

static void
test_group_read(void **state)
{
	const char *text = PLAN("title = OCOP\nkind = group\n"
	                        "indicators = sp, sao\n");
	struct plan_errors e = {0};
	struct plan *p = plan_parse(text, strlen(text), "t.ini", &e);
	const struct plan_task *g;

	(void)state;
	assert_non_null(p);
	g = &p->tasks[plan_task_find(p, "ocop")];
	assert_int_equal(g->kind, PLAN_KIND_GROUP);
	assert_int_equal(g->n_indicators, 2);
	assert_int_equal(g->indicators[1], plan_task_find(p, "sao"));
	assert_int_equal(g->start, p->tasks[plan_task_find(p, "sp")].start);
	assert_int_equal(g->deadline,
	                 p->tasks[plan_task_find(p, "sao")].deadline);
	assert_string_equal(g->measure, "");
	plan_free(p);
}

static void
test_group_errors(void **state)
{
	(void)state;
	has_error(PLAN("title = OCOP\nkind = group\n"), 18, "has no indicators");
	has_error(PLAN("title = OCOP\nkind = group\nindicators = sp, nope\n"),
	          21, "indicator 'nope' of task 'ocop' is not a task");
	has_error(PLAN("title = OCOP\nkind = group\nindicators = sp, ocop\n"),
	          21, "is a group itself");
	has_error(PLAN("title = OCOP\nkind = group\nindicators = sp\n"
	               "measure = sản phẩm\n"), 22,
	          "measure does not apply to a group");
	has_error(PLAN("title = OCOP\nmeasure = x\nstart = 2026-01-01\n"
	               "deadline = 2026-12-31\nindicators = sp\n"
	               "[targets ocop]\na = 1\n"), 23,
	          "indicators is for a group");
}

static void
test_group_status_rule(void **state)
{
	enum tally_status done2[] = { STATUS_DONE, STATUS_DONE };
	enum tally_status mixed[] = { STATUS_DONE, STATUS_LAGGING,
	                              STATUS_ON_TRACK };
	enum tally_status worst[] = { STATUS_SILENT, STATUS_OVERDUE,
	                              STATUS_CRITICAL };
	enum tally_status half[] = { STATUS_DONE, STATUS_NOT_STARTED };

	(void)state;
	assert_int_equal(taskgroup_status(done2, 2), STATUS_DONE);
	assert_int_equal(taskgroup_status(mixed, 3), STATUS_LAGGING);
	assert_int_equal(taskgroup_status(worst, 3), STATUS_OVERDUE);
	/* one done, one not begun: on track so far, not done */
	assert_int_equal(taskgroup_status(half, 2), STATUS_ON_TRACK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_read),
		cmocka_unit_test(test_group_errors),
		cmocka_unit_test(test_group_status_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
