/*
 * test_alertmsg_kinds.c - alert sentences as each kind of indicator reads
 * them (a rate held at 98%, a ceiling, a yes/no milestone), and the
 * wording a native reader expects: “…” quotes, "điểm phần trăm", "đã N
 * ngày chưa báo cáo", a percent sign without a space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alertmsg.h"
#include "plan.h"

static struct plan_unit units[] = {
	{ .code = "hoang-dan", .name = "Xã Hoàng Đan", .kind = "commune",
	  .parent = -1 },
};

static struct plan_task task = {
	.code = "t", .title = "Hồ sơ một cửa đúng hạn", .measure = "%",
	.owner = -1, .start = 0, .deadline = 365 * WHEN_DAY, .warn = 10,
	.critical = 25, .stale_after = 7 * WHEN_DAY,
};

static struct plan plan = {
	.units = units, .n_units = 1, .tasks = &task, .n_tasks = 1,
};

static const char *
say(enum rules_rule rule, enum rules_transition tr, enum rules_sev sev,
    dec_t actual, dec_t target, int rollup)
{
	static char buf[512];
	struct rules_subject s = { 0, 0, rollup ? -1 : 0, rollup ? 7 : 1 };
	struct rules_event e = { .rule = rule, .transition = tr, .sev = sev,
	                         .at = 100 * WHEN_DAY,
	                         .last_report = 20 * WHEN_DAY };

	e.view.actual = actual;
	e.view.target = target;
	return alertmsg_format(&plan, &s, &e, ALERTMSG_VI, buf, sizeof buf);
}

static void
test_level(void **state)
{
	(void)state;
	task.kind = PLAN_KIND_LEVEL;
	task.measure = "%";
	assert_string_equal(say(RULE_LAG, TR_FIRING, SEV_WARNING, 91000, 98000, 0),
	                    "Xã Hoàng Đan không giữ được mức “Hồ sơ một cửa "
	                    "đúng hạn”: 91% (ngưỡng ≥ 98%).");
	assert_string_equal(say(RULE_LAG, TR_RESOLVED, SEV_WARNING, 98500,
	                        98000, 0),
	                    "Xã Hoàng Đan đã trở lại mức phải giữ “Hồ sơ một "
	                    "cửa đúng hạn”: 98,5% (ngưỡng ≥ 98%).");
}

static void
test_ceiling(void **state)
{
	(void)state;
	task.kind = PLAN_KIND_CEILING;
	task.measure = "vụ";
	task.title = "Cháy rừng";
	assert_string_equal(say(RULE_LAG, TR_FIRING, SEV_CRITICAL, 1000, 0, 0),
	                    "Xã Hoàng Đan vượt mức trần “Cháy rừng”: 1 vụ "
	                    "(mức trần 0 vụ).");
}

static void
test_milestone(void **state)
{
	(void)state;
	task.kind = PLAN_KIND_MILESTONE;
	task.measure = "xã";
	task.title = "Đạt chuẩn NTM nâng cao";
	assert_string_equal(say(RULE_OVERDUE, TR_FIRING, SEV_CRITICAL, 0, 1000,
	                        0),
	                    "Xã Hoàng Đan quá hạn “Đạt chuẩn NTM nâng cao” mà "
	                    "chưa đạt chỉ tiêu: chưa đạt.");
	assert_string_equal(say(RULE_OVERDUE, TR_FIRING, SEV_CRITICAL, 3000,
	                        7000, 1),
	                    "Xã Hoàng Đan (tổng 7 đơn vị) quá hạn “Đạt chuẩn "
	                    "NTM nâng cao” mà chưa đạt chỉ tiêu: 3/7 đơn vị đã "
	                    "đạt.");
}

/* A disbursement rate paced over the year: 62,5% of a 95% target, when
 * 84,6% of the way there is planned: no percent of a percent. */
static void
test_rate(void **state)
{
	static char buf[512];
	struct rules_subject s = { 0, 0, 0, 1 };
	struct rules_event e = { .rule = RULE_LAG, .transition = TR_FIRING,
	                         .sev = SEV_WARNING };

	(void)state;
	task.kind = PLAN_KIND_RATE;
	task.held = 0;
	task.measure = "%";
	task.title = "Giải ngân vốn đầu tư công";
	e.view.actual = 62500;
	e.view.target = 95000;
	e.view.expected = 84.6;
	alertmsg_format(&plan, &s, &e, ALERTMSG_VI, buf, sizeof buf);
	assert_string_equal(buf, "Xã Hoàng Đan chậm tiến độ “Giải ngân vốn đầu "
	                    "tư công”: 62,5% (chỉ tiêu 95%, theo kế hoạch đến "
	                    "nay 80,4%), chậm 17,9 điểm phần trăm.");
	task.held = 1;
	e.view.actual = 91000;
	e.view.target = 98000;
	alertmsg_format(&plan, &s, &e, ALERTMSG_VI, buf, sizeof buf);
	assert_string_equal(buf, "Xã Hoàng Đan không giữ được mức “Giải ngân "
	                    "vốn đầu tư công”: 91% (ngưỡng ≥ 98%).");
	task.held = 0;
}

static void
test_quantity_words(void **state)
{
	(void)state;
	task.kind = PLAN_KIND_QUANTITY;
	task.measure = "%";
	task.title = "Giải ngân";
	assert_string_equal(say(RULE_SILENT, TR_FIRING, SEV_WARNING, 62500,
	                        95000, 0),
	                    "Xã Hoàng Đan đã 80 ngày chưa báo cáo “Giải ngân”: "
	                    "62,5/95% (0%, kế hoạch 0%).");
	task.measure = "cây";
	assert_string_equal(say(RULE_LAG, TR_FIRING, SEV_CRITICAL, 0, 2400000,
	                        0),
	                    "Xã Hoàng Đan chậm tiến độ nghiêm trọng “Giải "
	                    "ngân”: 0/2.400 cây (0%, kế hoạch 0%), chậm 0 điểm "
	                    "phần trăm.");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_milestone),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_quantity_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
