/*
 * test_plan.c - the plan reader: the real example, lookups, and every
 * error a clerk can make, each with its line.
 *
 * Run from the repository root (the example is read by relative path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"

#define EXAMPLE "examples/tam-duong-2021.ini"

/* A valid plan, 14 lines; snippets appended to it start at line 15. */
#define BASE                                                                 \
	"[unit root]\n"           /*  1 */                                    \
	"name = Root\n"           /*  2 */                                    \
	"kind = district\n"       /*  3 */                                    \
	"[unit a]\n"              /*  4 */                                    \
	"name = A\n"              /*  5 */                                    \
	"kind = commune\n"        /*  6 */                                    \
	"parent = root\n"         /*  7 */                                    \
	"[task t]\n"              /*  8 */                                    \
	"title = T\n"             /*  9 */                                    \
	"measure = ha\n"          /* 10 */                                    \
	"start = 2021-02-17\n"    /* 11 */                                    \
	"deadline = 2021-04-30\n" /* 12 */                                    \
	"[targets t]\n"           /* 13 */                                    \
	"a = 10\n"                /* 14 */

/* A second task, lines 15-19; its body starts at line 20, and its
 * targets follow the body. */
#define TASK_U(body)                                                         \
	BASE "[task u]\n"                                                    \
	     "title = U\n"                                                   \
	     "measure = ha\n"                                                \
	     "start = 2021-03-01\n"                                          \
	     "deadline = 2021-06-30\n" body "[targets u]\n"                  \
	     "a = 1\n"

static struct plan *
parse(const char *text, struct plan_errors *e)
{
	return plan_parse(text, strlen(text), "t.ini", e);
}

static void
dump(const struct plan_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		print_error("  %s\n", e->msgs[i]);
}

/* Asserts that parsing fails and that one message starts with
 * "t.ini:LINE: " and contains `word`. */
static void
has_error(const char *text, int line, const char *word)
{
	struct plan_errors e = {0};
	struct plan *p = parse(text, &e);
	char prefix[32];
	size_t i;

	snprintf(prefix, sizeof(prefix), "t.ini:%d: ", line);
	if (p != NULL) {
		plan_free(p);
		fail_msg("plan accepted; wanted \"%s...%s\"", prefix, word);
	}
	for (i = 0; i < e.n; i++)
		if (strncmp(e.msgs[i], prefix, strlen(prefix)) == 0 &&
		    strstr(e.msgs[i], word) != NULL)
			break;
	if (i == e.n) {
		dump(&e);
		plan_errors_clear(&e);
		fail_msg("no error \"%s...%s\"", prefix, word);
	}
	plan_errors_clear(&e);
}

/* The same, and that it is the only error: no cascade. */
static void
one_error(const char *text, int line, const char *word)
{
	struct plan_errors e = {0};
	struct plan *p;

	has_error(text, line, word);
	p = parse(text, &e);
	assert_null(p);
	if (e.n != 1) {
		size_t n = e.n;

		dump(&e);
		plan_errors_clear(&e);
		fail_msg("%zu errors; wanted one", n);
	}
	plan_errors_clear(&e);
}

static void
test_base_is_valid(void **state)
{
	struct plan_errors e = {0};
	struct plan *p;

	(void)state;
	p = parse(BASE, &e);
	dump(&e);
	assert_non_null(p);
	assert_int_equal(e.n, 0);
	assert_string_equal(p->path, "t.ini");
	assert_string_equal(p->name, "");
	assert_string_equal(p->timezone, WHEN_DEFAULT_TZ);
	assert_int_equal(p->n_units, 2);
	assert_int_equal(p->tasks[0].pacing, PACING_LINEAR);
	assert_true(p->tasks[0].warn == 10.0);
	assert_true(p->tasks[0].critical == 25.0);
	assert_int_equal(p->tasks[0].stale_after, 7 * WHEN_DAY);
	assert_int_equal(p->tasks[0].owner, -1);
	assert_int_equal(p->tasks[0].line, 8);
	plan_free(p);

	p = parse(TASK_U(""), &e);
	assert_non_null(p);
	assert_int_equal(p->n_tasks, 2);
	plan_free(p);
}

static void
test_example(void **state)
{
	struct plan_errors e = {0};
	struct plan *p;
	int t, u, k, root, hd, dept;
	const struct plan_task *task;
	char buf[WHEN_BUFSZ];
	size_t i;

	(void)state;
	p = plan_load(EXAMPLE, &e);
	dump(&e);
	assert_non_null(p);
	assert_int_equal(e.n, 0);
	assert_string_equal(p->timezone, "Asia/Ho_Chi_Minh");
	assert_non_null(strstr(p->name, "Tam Dương"));
	/* district + 12 commune-level units + 8 departments + the party
	 * committee */
	assert_int_equal(p->n_units, 22);
	assert_true(p->n_tasks >= 10);
	assert_int_equal(p->n_tasks, 26);
	assert_int_equal(p->n_targets, 227);
	assert_non_null(strstr(p->name, "minh họa"));
	/* Each kind where the seed calls for it. */
	assert_int_equal(p->tasks[plan_task_find(p, "giao-nhan-quan")].kind,
	                 PLAN_KIND_MILESTONE);
	assert_int_equal(p->tasks[plan_task_find(p, "ho-so-huyen-ntm")].kind,
	                 PLAN_KIND_MILESTONE);
	assert_int_equal(p->tasks[plan_task_find(p, "tthc-mot-cua")].kind,
	                 PLAN_KIND_RATE);
	assert_int_equal(p->tasks[plan_task_find(p, "khieu-nai-to-cao")].kind,
	                 PLAN_KIND_RATE);
	assert_int_equal(p->tasks[plan_task_find(p, "chay-rung")].kind,
	                 PLAN_KIND_CEILING);
	assert_int_equal(p->tasks[plan_task_find(p, "tan-binh")].integer, 1);
	assert_int_equal(p->tasks[plan_task_find(p, "ocop")].kind,
	                 PLAN_KIND_GROUP);
	assert_int_equal(p->tasks[plan_task_find(p, "ocop")].n_indicators, 2);
	assert_string_equal(p->units[plan_unit_find(p, "phong-vh-tt")].name,
	                    "Phòng Văn hóa và Thông tin");

	root = plan_unit_find(p, "tam-duong");
	assert_int_equal(root, 0);
	assert_int_equal(p->units[root].parent, -1);
	assert_int_equal(p->units[root].depth, 0);
	hd = plan_unit_find(p, "hoang-dan");
	assert_true(hd > 0);
	assert_string_equal(p->units[hd].name, "Xã Hoàng Đan");
	assert_string_equal(p->units[hd].kind, "commune");
	assert_int_equal(p->units[hd].parent, root);
	assert_int_equal(p->units[hd].depth, 1);
	assert_string_equal(p->units[plan_unit_find(p, "hop-hoa")].kind,
	                    "town");
	dept = plan_unit_find(p, "phong-nn");
	assert_string_equal(p->units[dept].kind, "department");
	assert_true(plan_unit_within(p, hd, root));
	assert_true(plan_unit_within(p, hd, hd));
	assert_false(plan_unit_within(p, root, hd));
	assert_false(plan_unit_within(p, hd, dept));
	assert_int_equal(plan_unit_find(p, "nowhere"), -1);

	t = plan_task_find(p, "tet-trong-cay");
	assert_true(t >= 0);
	task = &p->tasks[t];
	assert_string_equal(task->measure, "cây");
	assert_int_equal(task->owner, dept);
	assert_int_equal(task->pacing, PACING_MILESTONES);
	assert_int_equal(task->n_milestones, 2);
	assert_true(task->milestones[1].percent == 70.0);
	/* Start: local midnight of 17 Feb; deadline: end of 30 April. */
	assert_string_equal(when_format_utc(task->start, buf, sizeof(buf)),
	                    "2021-02-16T17:00:00.000Z");
	assert_string_equal(when_format_utc(task->deadline, buf, sizeof(buf)),
	                    "2021-04-30T17:00:00.000Z");
	assert_string_equal(when_format_utc(task->milestones[0].at, buf,
	                                    sizeof(buf)),
	                    "2021-02-28T17:00:00.000Z");
	u = plan_unit_find(p, "kim-long");
	k = plan_target_find(p, t, u);
	assert_true(k >= 0);
	assert_int_equal(p->targets[k].value, 5000 * DEC_SCALE);
	assert_int_equal(plan_target_find(p, t, root), -1);

	t = plan_task_find(p, "gpmb-kcn-tam-duong-2");
	assert_string_equal(p->tasks[t].measure, "ha");
	k = plan_target_find(p, t, plan_unit_find(p, "huong-dao"));
	assert_int_equal(p->targets[k].value, 64250);
	assert_int_equal(p->tasks[t].stale_after, 10 * WHEN_DAY);
	/* Pacing left out but milestones given: milestones. */
	assert_int_equal(p->tasks[plan_task_find(p, "trong-cay-phan-tan")]
	                         .pacing,
	                 PACING_MILESTONES);
	assert_int_equal(p->tasks[plan_task_find(p, "ocop")].stale_after, 0);
	assert_string_equal(
	    when_format_utc(p->tasks[plan_task_find(p, "giao-nhan-quan")]
	                        .deadline,
	                    buf, sizeof(buf)),
	    "2021-02-27T00:00:00.000Z");

	/* Sorted by (task, unit), and every code findable. */
	for (i = 1; i < p->n_targets; i++)
		assert_true(p->targets[i - 1].task < p->targets[i].task ||
		            (p->targets[i - 1].task == p->targets[i].task &&
		             p->targets[i - 1].unit < p->targets[i].unit));
	for (i = 0; i < p->n_targets; i++)
		assert_int_equal(plan_target_find(p, p->targets[i].task,
		                                  p->targets[i].unit),
		                 (int)i);
	for (i = 0; i < p->n_units; i++)
		assert_int_equal(plan_unit_find(p, p->units[i].code), (int)i);
	for (i = 0; i < p->n_tasks; i++) {
		assert_int_equal(plan_task_find(p, p->tasks[i].code), (int)i);
		assert_true(p->tasks[i].deadline > p->tasks[i].start);
		/* No task starts before the conference. */
		assert_true(p->tasks[i].start >= 1613494800000LL);
	}
	plan_free(p);
}

static void
test_load_missing(void **state)
{
	struct plan_errors e = {0};

	(void)state;
	assert_null(plan_load("tests/unit/plans/does-not-exist.ini", &e));
	assert_int_equal(e.n, 1);
	assert_string_equal(e.msgs[0], "tests/unit/plans/does-not-exist.ini: "
	                               "cannot open: No such file or directory");
	plan_errors_clear(&e);
	assert_null(e.msgs);
	assert_int_equal(e.n, 0);
	/* errs may be NULL */
	assert_null(plan_load("tests/unit/plans/does-not-exist.ini", NULL));
	assert_null(parse("[bogus]\n", NULL));
}

static void
test_format_details(void **state)
{
	struct plan_errors e = {0};
	struct plan *p;
	const char *crlf = "\xef\xbb\xbf; BOM, CRLF, indentation\r\n"
	                   "[plan]\r\n"
	                   "name = Xã Hoàng Đan ; inline comment\r\n"
	                   "timezone = Europe/Berlin\r\n"
	                   "  [unit x]   ; comment after a header\r\n"
	                   "    name = X: a name with a colon; and semicolon\r\n"
	                   "\tkind = village\r\n"
	                   "[task y]\r\n"
	                   "title = Y = why\r\n"
	                   "measure = ha\r\n"
	                   "start = 2021-03-01\r\n"
	                   "deadline = 2021-03-31\r\n"
	                   "[targets y]\r\n"
	                   "x = 0.125\r\n";
	char buf[WHEN_BUFSZ];

	(void)state;
	p = parse(crlf, &e);
	dump(&e);
	assert_non_null(p);
	assert_string_equal(p->name, "Xã Hoàng Đan");
	assert_string_equal(p->units[0].name,
	                    "X: a name with a colon; and semicolon");
	assert_string_equal(p->units[0].kind, "village");
	assert_int_equal(p->units[0].line, 5);
	assert_string_equal(p->tasks[0].title, "Y = why");
	assert_int_equal(p->targets[0].value, 125);
	assert_int_equal(p->targets[0].line, 14);
	/* Dates are read in the plan's zone: CET, then CEST at the end. */
	assert_string_equal(when_format_utc(p->tasks[0].start, buf,
	                                    sizeof(buf)),
	                    "2021-02-28T23:00:00.000Z");
	assert_string_equal(when_format_utc(p->tasks[0].deadline, buf,
	                                    sizeof(buf)),
	                    "2021-03-31T22:00:00.000Z");
	plan_free(p);
}

static void
test_long_lines(void **state)
{
	char text[1024], name[256];

	(void)state;
	/* "name = " (7) + 192 = 199 bytes: the longest line allowed. */
	memset(name, 'x', 192);
	name[192] = '\0';
	snprintf(text, sizeof(text), BASE "[unit b]\nname = %s\nkind = c\n",
	         name);
	{
		struct plan_errors e = {0};
		struct plan *p = parse(text, &e);

		dump(&e);
		assert_non_null(p);
		assert_int_equal(strlen(p->units[2].name), 192);
		plan_free(p);
	}
	name[192] = 'x';
	name[193] = '\0';
	snprintf(text, sizeof(text), BASE "[unit b]\nname = %s\nkind = c\n",
	         name);
	has_error(text, 16, "line longer than 199 bytes");
	/* The rest of the long line must not be read as another line. */
	name[193] = '=';
	memset(name + 194, 'y', 40);
	name[234] = '\0';
	snprintf(text, sizeof(text), BASE "# %s\n", name);
	one_error(text, 15, "line longer than 199 bytes");
	/* A long header's keys do not fall into the section before it. */
	name[193] = '\0';
	snprintf(text, sizeof(text), BASE "[unit %s]\nname = X\nkind = y\n",
	         name);
	one_error(text, 15, "line longer than 199 bytes");
}

/* ---- one test per kind of error ---- */

static void
test_err_sections(void **state)
{
	(void)state;
	one_error(BASE "[bogus x]\nfoo = 1\n", 15, "unknown section [bogus x]");
	one_error(BASE "[unit]\nname = Z\n", 15, "needs a code");
	one_error("[plan]\nname = A\n[plan]\n" BASE, 3, "[plan] is given twice");
	one_error(BASE "[plan x]\n", 15, "[plan] takes no code");
	one_error(BASE "[unit b\n", 15, "no closing ']'");
	one_error(BASE "[unit b] extra\n", 15, "unexpected text 'extra'");
	one_error("stray = 1\n" BASE, 1, "outside any section");
	one_error(BASE "just words\n", 15, "expected 'key = value'");
	one_error(BASE "= 5\n", 15, "missing key");
	one_error(BASE "[targets t]\na = 1\n", 15,
	          "targets of task 't' are given twice; the first "
	          "[targets t] is on line 13");
}

static void
test_err_unknown_key(void **state)
{
	(void)state;
	one_error(BASE "[unit b]\nname = B\nkind = commune\ncolour = red\n", 18,
	          "unknown key 'colour' in [unit b]");
	one_error(TASK_U("colour = red\n"), 20,
	          "unknown key 'colour' in [task u]");
	one_error("[plan]\nzone = UTC\n" BASE, 2,
	          "unknown key 'zone' in [plan]");
}

static void
test_err_missing_keys(void **state)
{
	(void)state;
	one_error(BASE "[unit b]\nkind = commune\n", 15, "unit 'b' has no name");
	one_error(BASE "[unit b]\nname = B\n", 15, "unit 'b' has no kind");
	one_error(BASE "[unit b]\nname =\nkind = commune\n", 16,
	          "name of unit 'b' is empty");
	one_error(BASE "[task u]\nmeasure = ha\nstart = 2021-03-01\n"
	               "deadline = 2021-06-30\n[targets u]\na = 1\n",
	          15, "task 'u' has no title");
	one_error(BASE "[task u]\ntitle = U\nstart = 2021-03-01\n"
	               "deadline = 2021-06-30\n[targets u]\na = 1\n",
	          15, "task 'u' has no measure");
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\n"
	               "deadline = 2021-06-30\n[targets u]\na = 1\n",
	          15, "task 'u' has no start");
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\n"
	               "start = 2021-03-01\n[targets u]\na = 1\n",
	          15, "task 'u' has no deadline");
}

static void
test_err_duplicates(void **state)
{
	(void)state;
	one_error(BASE "[unit a]\nname = A2\nkind = commune\n", 15,
	          "unit 'a' is defined twice; the first is on line 4");
	one_error(BASE "[task t]\ntitle = T2\n", 15,
	          "task 't' is defined twice; the first is on line 8");
	one_error(BASE "[unit b]\nname = B\nname = B2\nkind = commune\n", 17,
	          "'name' is given twice in [unit b]; the first is on line 16");
	one_error(TASK_U("warn = 5\nwarn = 6\n"), 21,
	          "'warn' is given twice in [task u]");
	one_error("[plan]\ntimezone = UTC\ntimezone = UTC\n" BASE, 3,
	          "'timezone' is given twice in [plan]");
}

static void
test_err_codes(void **state)
{
	char text[512];

	(void)state;
	one_error(BASE "[unit Hoang-Dan]\nname = H\nkind = commune\n", 15,
	          "unit code 'Hoang-Dan' may only use a-z, 0-9 and '-'");
	one_error(BASE "[unit hoàng-đan]\nname = H\nkind = commune\n", 15,
	          "may only use a-z");
	one_error(BASE "[task bad_code]\n", 15, "task code 'bad_code'");
	one_error(BASE "[unit -x]\nname = H\nkind = commune\n", 15,
	          "must not start with '-'");
	one_error(BASE "[unit a b]\nname = H\nkind = commune\n", 15,
	          "unit code 'a b' may only use");
	snprintf(text, sizeof(text), BASE "[unit %065d]\nname = H\nkind = c\n",
	         0);
	one_error(text, 15, "longer than 64 bytes");
	/* 64 bytes is fine, and is not cut by inih's section buffer. */
	{
		struct plan_errors e = {0};
		struct plan *p;

		snprintf(text, sizeof(text),
		         BASE "[unit %064d]\nname = H\nkind = c\n", 0);
		p = parse(text, &e);
		dump(&e);
		assert_non_null(p);
		assert_int_equal(strlen(p->units[2].code), 64);
		plan_free(p);
	}
	one_error(BASE "[unit b]\nname = B\nkind = Xã\n", 17, "kind 'Xã'");
}

static void
test_err_parents(void **state)
{
	(void)state;
	one_error(BASE "[unit b]\nname = B\nkind = commune\nparent = nowhere\n",
	          18, "parent 'nowhere' of unit 'b' is not a unit");
	/* b -> c -> d -> b; reported once, at b's parent line. */
	one_error(BASE "[unit b]\nname = B\nkind = x\nparent = c\n"
	               "[unit c]\nname = C\nkind = x\nparent = d\n"
	               "[unit d]\nname = D\nkind = x\nparent = b\n",
	          18, "cycle of parents: b -> c -> d -> b");
	one_error(BASE "[unit b]\nname = B\nkind = x\nparent = b\n", 18,
	          "unit 'b' is its own parent");
	/* A parent defined later is fine; depth follows the tree. */
	{
		struct plan_errors e = {0};
		struct plan *p = parse(BASE "[unit v]\nname = V\nkind = village\n"
		                            "parent = w\n[unit w]\nname = W\n"
		                            "kind = commune\nparent = root\n",
		                       &e);

		dump(&e);
		assert_non_null(p);
		assert_int_equal(p->units[2].depth, 2);
		assert_int_equal(p->units[2].parent, 3);
		assert_true(plan_unit_within(p, 2, 0));
		assert_false(plan_unit_within(p, 2, 1));
		assert_false(plan_unit_within(p, 2, 99));
		plan_free(p);
	}
}

static void
test_err_owner(void **state)
{
	(void)state;
	one_error(TASK_U("owner = phong-x\n"), 20,
	          "owner 'phong-x' of task 'u' is not a unit");
}

static void
test_err_dates(void **state)
{
	(void)state;
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\nstart = 2021-02-30\n"
	               "deadline = 2021-06-30\n[targets u]\na = 1\n",
	          18, "start '2021-02-30' of task 'u' is not a valid date");
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\nstart = 2021-03-01\n"
	               "deadline = 30/06/2021\n[targets u]\na = 1\n",
	          19, "deadline '30/06/2021' of task 'u' is not a valid date");
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\nstart = 2021-03-01\n"
	               "deadline = 2021-02-01\n[targets u]\na = 1\n",
	          19, "is not after its start");
	/* A bare deadline is the end of its day, so the same day is fine;
	 * a deadline at the start's own instant is not. */
	{
		struct plan_errors e = {0};
		struct plan *p = parse(BASE "[task u]\ntitle = U\nmeasure = ha\n"
		                            "start = 2021-03-01\n"
		                            "deadline = 2021-03-01\n"
		                            "[targets u]\na = 1\n",
		                       &e);

		dump(&e);
		assert_non_null(p);
		assert_int_equal(p->tasks[1].deadline - p->tasks[1].start,
		                 WHEN_DAY);
		plan_free(p);
	}
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\n"
	               "start = 2021-03-01 08:00\n"
	               "deadline = 2021-03-01 08:00\n[targets u]\na = 1\n",
	          19, "is not after its start");
}

static void
test_err_pacing(void **state)
{
	(void)state;
	one_error(TASK_U("pacing = fast\n"), 20,
	          "pacing 'fast' of task 'u' must be 'linear' or 'milestones'");
	one_error(TASK_U("pacing = linear\nmilestone = 2021-04-01 30\n"), 21,
	          "has milestones but pacing = linear");
	one_error(TASK_U("pacing = milestones\n"), 20,
	          "pacing = milestones but no milestone");
}

static void
test_err_milestones(void **state)
{
	(void)state;
	/* task u runs from 2021-03-01 to the end of 2021-06-30 */
	one_error(TASK_U("milestone = 2021-05-01 50\nmilestone = 2021-04-01 60\n"),
	          21, "not after the one before it");
	one_error(TASK_U("milestone = 2021-04-01 50\nmilestone = 2021-05-01 40\n"),
	          21, "must grow");
	one_error(TASK_U("milestone = 2021-04-01 50\nmilestone = 2021-04-01 60\n"),
	          21, "not after the one before it");
	one_error(TASK_U("milestone = 2021-02-20 10\n"), 20,
	          "not between its start");
	one_error(TASK_U("milestone = 2021-06-30 90\n"), 20,
	          "not between its start");
	/* A bare milestone date is the end of its day, so the start's own
	 * day is inside; the start's own instant is not. */
	one_error(TASK_U("milestone = 2021-03-01 00:00 10\n"), 20,
	          "milestone '2021-03-01 00:00 10' of task 'u' is not between");
	one_error(TASK_U("milestone = 2021-04-01 100\n"), 20,
	          "between 0 and 100");
	one_error(TASK_U("milestone = 2021-04-01 0\n"), 20, "between 0 and 100");
	one_error(TASK_U("milestone = 2021-04-01 -5\n"), 20, "between 0 and 100");
	one_error(TASK_U("milestone = 2021-04-01 half\n"), 20,
	          "percent 'half' of task 'u' is not a number");
	one_error(TASK_U("milestone = 2021-04-31 50\n"), 20,
	          "milestone date '2021-04-31' of task 'u' is not a valid date");
	one_error(TASK_U("milestone = 50\n"), 20, "must be a date and a percent");
}

static void
test_err_thresholds(void **state)
{
	(void)state;
	one_error(TASK_U("warn = ten\n"), 20, "warn 'ten' of task 'u'");
	one_error(TASK_U("critical = 1e2\n"), 20, "critical '1e2' of task 'u'");
	one_error(TASK_U("warn = 0\n"), 20, "warn '0'");
	one_error(TASK_U("warn = 20\ncritical = 15\n"), 21,
	          "critical (15) of task 'u' is below warn (20)");
	/* critical left at 25: the warn line is blamed */
	one_error(TASK_U("warn = 30\n"), 20, "below warn (30)");
	one_error(TASK_U("stale_after = 7y\n"), 20,
	          "stale_after '7y' of task 'u' is not a duration");
	one_error(TASK_U("stale_after = -1d\n"), 20, "not a duration");
}

static void
test_err_targets(void **state)
{
	(void)state;
	one_error(BASE "[targets nope]\na = 1\n", 15,
	          "targets for unknown task 'nope'");
	one_error(BASE "b = 5\n", 15,
	          "target for unknown unit 'b' in [targets t]");
	one_error(BASE "a = 11\n", 15,
	          "target for unit 'a' of task 't' is given twice; the first "
	          "is on line 14");
	one_error(BASE "root = 1.2345\n", 15,
	          "target '1.2345' for unit 'root' is not a valid number (more "
	          "than 3 decimals)");
	one_error(BASE "root = 1,5\n", 15, "(not a number)");
	one_error(BASE "root =\n", 15, "(empty)");
	one_error(BASE "root = 0\n", 15,
	          "target '0' for unit 'root' must be greater than zero");
	one_error(BASE "root = -3\n", 15, "greater than zero");
	one_error(BASE "root = 99999999999999\n", 15, "(out of range)");
	one_error(BASE "[task u]\ntitle = U\nmeasure = ha\nstart = 2021-03-01\n"
	               "deadline = 2021-06-30\n",
	          15, "task 'u' has no targets");
}

static void
test_err_encoding_and_zone(void **state)
{
	(void)state;
	one_error(BASE "[unit b]\nname = Ho\xe0ng\nkind = commune\n", 16,
	          "not valid UTF-8");
	one_error(BASE "; comment in Windows-1258: \xd0\n", 15,
	          "not valid UTF-8");
	one_error("[plan]\ntimezone = Asia/Hanoi_City\n" BASE, 2,
	          "unknown time zone 'Asia/Hanoi_City'");
}

static void
test_three_errors_reported(void **state)
{
	struct plan_errors e = {0};
	const char *text = BASE "[unit b]\n"        /* 15 */
	                        "name = B\n"        /* 16 */
	                        "kind = commune\n"  /* 17 */
	                        "parent = zz\n"     /* 18: unknown parent */
	                        "[task u]\n"        /* 19 */
	                        "title = U\n"       /* 20 */
	                        "measure = ha\n"    /* 21 */
	                        "start = 2021-03-01\n"
	                        "deadline = 2021-02-31\n" /* 23: bad date */
	                        "[targets u]\n"
	                        "a = lots\n";       /* 25: not a number */

	(void)state;
	assert_null(parse(text, &e));
	if (e.n != 3)
		dump(&e);
	assert_int_equal(e.n, 3);
	/* In file order, though found in different passes. */
	assert_memory_equal(e.msgs[0], "t.ini:18: ", 10);
	assert_non_null(strstr(e.msgs[0], "parent 'zz'"));
	assert_memory_equal(e.msgs[1], "t.ini:23: ", 10);
	assert_non_null(strstr(e.msgs[1], "2021-02-31"));
	assert_memory_equal(e.msgs[2], "t.ini:25: ", 10);
	assert_non_null(strstr(e.msgs[2], "'lots'"));
	/* A second failure appends to the same list. */
	assert_null(parse(BASE "[bogus]\n", &e));
	assert_int_equal(e.n, 4);
	plan_errors_clear(&e);
}

static void
test_empty_plan(void **state)
{
	struct plan_errors e = {0};
	struct plan *p;

	(void)state;
	/* A truncated file must not replace a plan with nothing. */
	assert_null(plan_parse("", 0, "empty.ini", &e));
	assert_null(parse("; only a comment\n[plan]\nname = X\n", &e));
	assert_int_equal(e.n, 2);
	assert_string_equal(e.msgs[0], "empty.ini: the plan has no units "
	                               "and no tasks; is this the right file?");
	assert_memory_equal(e.msgs[1], "t.ini: the plan has no", 22);
	plan_errors_clear(&e);

	p = parse(BASE, &e);
	assert_non_null(p);
	assert_int_equal(plan_unit_find(p, "zzz"), -1);
	assert_int_equal(plan_unit_find(p, ""), -1);
	assert_int_equal(plan_task_find(p, "a"), -1);
	assert_int_equal(plan_target_find(p, 0, 0), -1);
	assert_int_equal(plan_target_find(p, 0, 1), 0);
	assert_int_equal(plan_target_find(p, 5, 1), -1);
	plan_free(p);
	plan_free(NULL);
}

static void
test_hand_made_plan(void **state)
{
	struct plan_unit units[3] = {
		{"tinh", "Tỉnh", "province", -1, 0, 1},
		{"xa-b", "Xã B", "commune", 0, 1, 2},
		{"xa-a", "Xã A", "commune", 0, 1, 3},
	};
	struct plan_task tasks[1] = {{.code = "t", .owner = -1}};
	struct plan p;

	(void)state;
	/* Without the indexes plan_parse() builds, finds still work. */
	memset(&p, 0, sizeof(p));
	p.units = units;
	p.n_units = 3;
	p.tasks = tasks;
	p.n_tasks = 1;
	assert_int_equal(plan_unit_find(&p, "xa-a"), 2);
	assert_int_equal(plan_unit_find(&p, "xa-c"), -1);
	assert_int_equal(plan_task_find(&p, "t"), 0);
	assert_true(plan_unit_within(&p, 2, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_valid),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_format_details),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_err_sections),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_missing_keys),
		cmocka_unit_test(test_err_duplicates),
		cmocka_unit_test(test_err_codes),
		cmocka_unit_test(test_err_parents),
		cmocka_unit_test(test_err_owner),
		cmocka_unit_test(test_err_dates),
		cmocka_unit_test(test_err_pacing),
		cmocka_unit_test(test_err_milestones),
		cmocka_unit_test(test_err_thresholds),
		cmocka_unit_test(test_err_targets),
		cmocka_unit_test(test_err_encoding_and_zone),
		cmocka_unit_test(test_three_errors_reported),
		cmocka_unit_test(test_empty_plan),
		cmocka_unit_test(test_hand_made_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
