/*
 * test_group.c - grouping alert events: one group per (rule, kind, task,
 * parent) within the window, due in opening order, and a storm of many
 * groups found by key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "group.h"
#include "rules.h"

struct seen {
	struct group_key key[8192];
	size_t members[8192];
	uint64_t first_seq[8192];
	size_t n;
};

static void
collect(void *arg, const struct group *gr)
{
	struct seen *s = arg;

	assert_true(s->n < 8192);
	s->key[s->n] = gr->key;
	s->members[s->n] = gr->n;
	s->first_seq[s->n] = gr->n ? gr->members[0].seq : 0;
	s->n++;
}

static void
add(struct grouper *g, int rule, int kind, int task, int parent, int unit,
    uint64_t seq, when_t now)
{
	struct group_key k = { rule, kind, task, parent };
	struct group_member m = { unit, SEV_WARNING, seq };

	assert_int_equal(grouper_add(g, &k, &m, now), 0);
}

static void
test_window_and_keys(void **state)
{
	struct grouper *g = grouper_new(1000);
	struct seen *s = calloc(1, sizeof *s);

	(void)state;
	assert_non_null(g);
	assert_int_equal(grouper_next(g), 0);
	add(g, RULE_LAG, GROUP_FIRING, 0, 7, 1, 1, 100);
	add(g, RULE_LAG, GROUP_FIRING, 0, 7, 2, 2, 500);
	add(g, RULE_LAG, GROUP_FIRING, 0, 8, 3, 3, 600);   /* other parent */
	add(g, RULE_SILENT, GROUP_FIRING, 0, 7, 1, 4, 700); /* other rule */
	add(g, RULE_LAG, GROUP_RESOLVED, 0, 7, 4, 5, 800); /* other kind */
	add(g, RULE_LAG, GROUP_FIRING, 0, 7, 5, 6, 1099);  /* same as the first */
	assert_int_equal(grouper_next(g), 1100);
	assert_int_equal(grouper_flush(g, 1099, SIZE_MAX, collect, s), 0);
	assert_int_equal(grouper_flush(g, 1100, SIZE_MAX, collect, s), 1);
	assert_int_equal(s->members[0], 3);
	assert_int_equal(s->first_seq[0], 1);
	assert_int_equal(s->key[0].parent, 7);
	assert_int_equal(grouper_next(g), 1600);
	/* After its window a key opens a new group. */
	add(g, RULE_LAG, GROUP_FIRING, 0, 7, 9, 7, 1200);
	assert_int_equal(grouper_flush(g, 1800, 2, collect, s), 2);
	assert_int_equal(grouper_flush(g, 1800, SIZE_MAX, collect, s), 1);
	assert_int_equal(s->key[1].parent, 8);
	assert_int_equal(s->key[2].rule, RULE_SILENT);
	assert_int_equal(s->key[3].kind, GROUP_RESOLVED);
	assert_int_equal(grouper_flush(g, 2200, SIZE_MAX, collect, s), 1);
	assert_int_equal(s->members[4], 1);
	assert_int_equal(s->first_seq[4], 7);
	assert_int_equal(grouper_next(g), 0);
	free(s);
	grouper_free(g);
}

/* 34 parents x 100 tasks x 2 rules, 10 members each, interleaved. */
static void
test_storm(void **state)
{
	struct grouper *g = grouper_new(60000);
	struct seen *s = calloc(1, sizeof *s);
	uint64_t seq = 0;

	(void)state;
	assert_non_null(g);
	for (int m = 0; m < 10; m++)
		for (int t = 0; t < 100; t++)
			for (int p = 0; p < 34; p++)
				for (int r = 0; r < 2; r++)
					add(g, r, GROUP_FIRING, t, p, m, ++seq, 0);
	{
		size_t groups = 0, members = 0;
		while (grouper_next(g)) {
			s->n = 0;
			groups += grouper_flush(g, 60000, 1000, collect, s);
			for (size_t i = 0; i < s->n; i++) {
				assert_int_equal(s->members[i], 10);
				members += s->members[i];
			}
		}
		assert_int_equal(groups, 6800);
		assert_int_equal(members, 68000);
	}
	free(s);
	grouper_free(g);
}

static void
test_kinds(void **state)
{
	(void)state;
	assert_int_equal(group_kind_of(TR_FIRING), GROUP_FIRING);
	assert_int_equal(group_kind_of(TR_ESCALATED), GROUP_FIRING);
	assert_int_equal(group_kind_of(TR_RESOLVED), GROUP_RESOLVED);
	assert_int_equal(group_kind_of(TR_NOTICE), GROUP_NOTICE);
	assert_int_equal(group_kind_of(TR_EASED), -1);
	assert_int_equal(group_kind_of(TR_REMINDER), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_and_keys),
		cmocka_unit_test(test_storm),
		cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
