/*
 * test_seqmark.c - per-client seq marks (daemon/seqmark.c): a mark is
 * known only once set, raised only upward, compared as int64 bits, and
 * forgotten (never wrong) when cleared or when the table starts afresh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "seqmark.h"

static void
test_unknown_until_set(void **state)
{
	struct seqmark *m = seqmark_new();
	int64_t max = 7;

	(void)state;
	assert_non_null(m);
	assert_int_equal(seqmark_get(m, "xa-a", &max), 0);
	assert_false(seqmark_above(m, "xa-a", 1000));
	/* A row stored for an unknown client says nothing of its others. */
	seqmark_raise(m, "xa-a", 5);
	assert_int_equal(seqmark_get(m, "xa-a", &max), 0);
	assert_int_equal(seqmark_set(m, "xa-a", SEQMARK_NONE), 0);
	assert_true(seqmark_above(m, "xa-a", 1));
	assert_true(seqmark_above(m, "xa-a", INT64_MIN + 1));
	seqmark_destroy(m);
}

static void
test_raise_only_up(void **state)
{
	struct seqmark *m = seqmark_new();
	int64_t max;

	(void)state;
	assert_int_equal(seqmark_set(m, "xa-a", 10), 0);
	assert_false(seqmark_above(m, "xa-a", 10));
	assert_false(seqmark_above(m, "xa-a", 3));
	assert_true(seqmark_above(m, "xa-a", 11));
	seqmark_raise(m, "xa-a", 4);
	assert_int_equal(seqmark_get(m, "xa-a", &max), 1);
	assert_int_equal(max, 10);
	seqmark_raise(m, "xa-a", 20);
	assert_false(seqmark_above(m, "xa-a", 20));
	assert_true(seqmark_above(m, "xa-a", 21));
	/* Another client is its own. */
	assert_false(seqmark_above(m, "xa-b", 21));
	seqmark_destroy(m);
}

/* A uint64 seq past 2^63 is stored as a negative int64, and max() orders
 * it below the small ones: the mark orders the same way. */
static void
test_int64_order(void **state)
{
	struct seqmark *m = seqmark_new();

	(void)state;
	assert_int_equal(seqmark_set(m, "c", 100), 0);
	assert_false(seqmark_above(m, "c", (int64_t)UINT64_C(0x8000000000000001)));
	seqmark_destroy(m);
}

static void
test_clear_forgets(void **state)
{
	struct seqmark *m = seqmark_new();

	(void)state;
	assert_int_equal(seqmark_set(m, "a", 1), 0);
	seqmark_clear(m);
	assert_false(seqmark_above(m, "a", 2));
	assert_int_equal(seqmark_set(m, "a", 1), 0);
	assert_true(seqmark_above(m, "a", 2));
	seqmark_destroy(m);
}

/* Many clients: every mark kept through growth; past SEQMARK_MAX the
 * table starts afresh rather than grow without bound. */
static void
test_many_and_bound(void **state)
{
	struct seqmark *m = seqmark_new();
	char name[32];
	int64_t max;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "xa-%d", i);
		assert_int_equal(seqmark_set(m, name, i), 0);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "xa-%d", i);
		assert_int_equal(seqmark_get(m, name, &max), 1);
		assert_int_equal(max, i);
	}
	for (int i = 5000; i < SEQMARK_MAX; i++) {
		snprintf(name, sizeof name, "xa-%d", i);
		assert_int_equal(seqmark_set(m, name, i), 0);
	}
	assert_int_equal(seqmark_get(m, "xa-0", &max), 1);
	assert_int_equal(seqmark_set(m, "one-more", 1), 0);
	assert_int_equal(seqmark_get(m, "xa-0", &max), 0);
	assert_int_equal(seqmark_get(m, "one-more", &max), 1);
	seqmark_destroy(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_until_set),
		cmocka_unit_test(test_raise_only_up),
		cmocka_unit_test(test_int64_order),
		cmocka_unit_test(test_clear_forgets),
		cmocka_unit_test(test_many_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
