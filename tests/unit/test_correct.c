/*
 * test_correct.c - corrections without a daemon: what validate_report
 * decides about a report with voids_seq, and how the outbox holds a
 * correction back until its report is delivered, remembers what was
 * delivered, and upgrades a version-1 file in place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "outbox.h"
#include "outbox_fixture.h"
#include "validate.h"

#define NOW ((when_t)1614560400000LL) /* 2021-03-01T01:00:00Z */

static const char plan_text[] =
	"[plan]\nname = test\n"
	"[unit hoang-dan]\nname = Hoàng Đan\nkind = commune\n"
	"[unit hop-hoa]\nname = Hợp Hòa\nkind = town\n"
	"[task trong-cay]\ntitle = Trồng cây\nmeasure = cây\n"
	"start = 2021-02-17\ndeadline = 2021-04-30\n"
	"[targets trong-cay]\nhoang-dan = 5000\nhop-hoa = 100\n";

static Tiendo__Reject
check(const struct plan *p, uint64_t seq, uint64_t voids, const char *unit,
      const char *reason, char *why)
{
	Tiendo__Report r = TIENDO__REPORT__INIT;
	struct valid_report v;

	r.seq = seq;
	r.voids_seq = voids;
	r.unit = (char *)unit;
	r.task = (char *)"";
	r.value = (char *)"";
	r.observed_at = NOW;
	r.void_reason = (char *)reason;
	return validate_report(p, &r, "k", NOW, 600000, &v, why, REASON_MAX);
}

static void
test_validate(void **state)
{
	struct plan *p = plan_parse(plan_text, sizeof(plan_text) - 1, "t",
	                            NULL);
	char why[REASON_MAX];

	assert_non_null(p);
	assert_int_equal(check(p, 5, 2, "", "typo", why),
	                 TIENDO__REJECT__REJECT_NONE);
	assert_int_equal(check(p, 5, 2, "hoang-dan", "typo", why),
	                 TIENDO__REJECT__REJECT_NONE);
	assert_int_equal(check(p, 5, 5, "", "typo", why),
	                 TIENDO__REJECT__REJECT_BAD_CORRECTION);
	assert_non_null(strstr(why, "voids itself"));
	assert_int_equal(check(p, 5, 2, "", "", why),
	                 TIENDO__REJECT__REJECT_BAD_CORRECTION);
	assert_non_null(strstr(why, "no void_reason"));
	assert_int_equal(check(p, 5, 2, "xa-z", "typo", why),
	                 TIENDO__REJECT__REJECT_UNKNOWN_UNIT);
	assert_int_equal(check(p, 5, 2, "", "\xff", why),
	                 TIENDO__REJECT__REJECT_BAD_UTF8);
	/* kind and value are ignored in a correction */
	assert_int_equal(check(p, 0, 2, "", "typo", why),
	                 TIENDO__REJECT__REJECT_BAD_SEQ);
	plan_free(p);
}

static void
test_reason_without_voids(void **state)
{
	struct plan *p = plan_parse(plan_text, sizeof(plan_text) - 1, "t",
	                            NULL);
	Tiendo__Report r = TIENDO__REPORT__INIT;
	struct valid_report v;
	char why[REASON_MAX];

	assert_non_null(p);
	r.seq = 1;
	r.unit = (char *)"hoang-dan";
	r.task = (char *)"trong-cay";
	r.value = (char *)"3";
	r.kind = TIENDO__KIND__KIND_ADD;
	r.observed_at = NOW;
	assert_int_equal(validate_report(p, &r, "k", NOW, 0, &v, why,
	                 sizeof(why)), TIENDO__REJECT__REJECT_NONE);
	assert_int_equal(v.voids_seq, 0);
	r.void_reason = (char *)"why";
	assert_int_equal(validate_report(p, &r, "k", NOW, 0, &v, why,
	                 sizeof(why)), TIENDO__REJECT__REJECT_BAD_CORRECTION);
	plan_free(p);
}

static struct outbox_item
item(const char *value, uint64_t voids)
{
	struct outbox_item it;

	memset(&it, 0, sizeof(it));
	it.unit = (char *)"hoang-dan";
	it.task = (char *)"trong-cay";
	it.value = (char *)value;
	it.kind = OUTBOX_ADD;
	it.observed_at = NOW;
	it.reporter = (char *)"";
	it.note = (char *)"";
	it.voids_seq = voids;
	it.void_reason = (char *)(voids ? "typed twice" : "");
	return it;
}

static void
test_held_back_then_delivered(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	struct outbox *ob = outbox_open(f->path, "k", 1, &err);
	struct outbox_item a = item("3", 0), *items, *found;
	enum outbox_where where;
	uint64_t sa, sc;
	size_t n;

	assert_non_null(ob);
	assert_int_equal(outbox_add(ob, &a, &sa), 0);
	struct outbox_item c = item("0", sa);
	assert_int_equal(outbox_add(ob, &c, &sc), 0);

	/* The report goes; its correction waits for it. */
	assert_int_equal(outbox_pending(ob, 0, 10, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_true(items[0].seq == sa);
	outbox_items_free(items, n);

	assert_int_equal(outbox_deliver(ob, sa, 1), 0);
	assert_int_equal(outbox_pending(ob, 0, 10, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_true(items[0].seq == sc && items[0].voids_seq == sa);
	assert_string_equal(items[0].void_reason, "typed twice");
	outbox_items_free(items, n);

	/* A rejected report does not hold its correction back. */
	assert_int_equal(outbox_deliver(ob, sc, 2), 0);
	assert_int_equal(outbox_delivered_total(ob), 2);
	assert_int_equal(outbox_history(ob, 10, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_true(items[0].seq == sc && items[0].fate == 2);
	assert_true(items[1].seq == sa && items[1].fate == 1);
	assert_true(items[1].done_at > 0);
	outbox_items_free(items, n);

	assert_int_equal(outbox_find(ob, sa, &where, &found), 0);
	assert_int_equal(where, OUTBOX_IS_DELIVERED);
	assert_string_equal(found->unit, "hoang-dan");
	outbox_items_free(found, 1);
	assert_int_equal(outbox_find(ob, 12345, &where, &found), 0);
	assert_int_equal(where, OUTBOX_NOWHERE);
	assert_null(found);
	outbox_close(ob);
}

static void
test_history_is_trimmed(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	struct outbox *ob = outbox_open(f->path, "k", 1, &err);
	struct outbox_item a = item("1", 0), *items;
	uint64_t seq;
	size_t n;

	assert_non_null(ob);
	assert_int_equal(outbox_begin(ob), 0);
	for (int i = 0; i < OUTBOX_HISTORY + 300; i++) {
		assert_int_equal(outbox_add(ob, &a, &seq), 0);
		assert_int_equal(outbox_deliver(ob, seq, 1), 0);
	}
	assert_int_equal(outbox_commit(ob), 0);
	assert_int_equal(outbox_delivered_total(ob), OUTBOX_HISTORY + 300);
	assert_int_equal(outbox_history(ob, 100000, &items, &n), 0);
	assert_true(n >= OUTBOX_HISTORY && n < OUTBOX_HISTORY + 64);
	outbox_items_free(items, n);
	outbox_close(ob);
}

/* An outbox written by the first version keeps its pending reports. */
static void
test_upgrades_version_1(void **state)
{
	struct fixture *f = *state;
	struct outbox_item *items;
	struct outbox *ob;
	char *err = NULL;
	sqlite3 *db;
	size_t n;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	    "CREATE TABLE meta (key TEXT PRIMARY KEY, value NOT NULL);"
	    "CREATE TABLE report (seq INTEGER PRIMARY KEY, unit TEXT NOT NULL,"
	    " task TEXT NOT NULL, kind INTEGER NOT NULL, value TEXT NOT NULL,"
	    " observed_at INTEGER NOT NULL, reporter TEXT NOT NULL,"
	    " note TEXT NOT NULL, queued_at INTEGER NOT NULL,"
	    " state INTEGER NOT NULL DEFAULT 0, code TEXT, reason TEXT);"
	    "CREATE INDEX report_state ON report (state, seq);"
	    "INSERT INTO meta VALUES ('client', 'k'), ('next_seq', 100);"
	    "INSERT INTO report (seq, unit, task, kind, value, observed_at,"
	    " reporter, note, queued_at) VALUES (42, 'hoang-dan', 'trong-cay',"
	    " 1, '7', 1614560400000, '', '', 1614560400000);"
	    "PRAGMA user_version = 1; PRAGMA application_id = 1952741487;",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	ob = outbox_open(f->path, "k", 1, &err);
	if (ob == NULL)
		fail_msg("outbox_open: %s", err);
	assert_int_equal(outbox_pending(ob, 0, 10, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_true(items[0].seq == 42 && items[0].voids_seq == 0);
	assert_string_equal(items[0].void_reason, "");
	outbox_items_free(items, n);
	assert_int_equal(outbox_deliver(ob, 42, 1), 0);
	assert_int_equal(outbox_delivered_total(ob), 1);
	outbox_close(ob);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_reason_without_voids),
		cmocka_unit_test_setup_teardown(test_held_back_then_delivered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_is_trimmed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrades_version_1,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
