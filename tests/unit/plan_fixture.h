/*
 * plan_fixture.h - plans from text for the cmocka tests of the plan
 * language (test_indicator.c, test_period.c, test_alloc.c,
 * test_taskgroup.c, test_revise.c, test_schedule.c, test_scope.c): a plan that must load, one that must be refused with
 * a given file:line error, and instants and decimals from text.  The file
 * is named "t.ini" in the errors; times are in TZ.
 */
#ifndef TIENDO_PLAN_FIXTURE_H
#define TIENDO_PLAN_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "decimal.h"
#include "plan.h"
#include "when.h"

#ifndef TZ
#define TZ "Asia/Ho_Chi_Minh"
#endif

static inline struct plan *
parse_ok(const char *text)
{
	struct plan_errors e = {0};
	struct plan *p = plan_parse(text, strlen(text), "t.ini", &e);

	for (size_t i = 0; i < e.n; i++)
		print_error("  %s\n", e.msgs[i]);
	plan_errors_clear(&e);
	assert_non_null(p);
	return p;
}

static inline void
has_error(const char *text, int line, const char *word)
{
	struct plan_errors e = {0};
	struct plan *p = plan_parse(text, strlen(text), "t.ini", &e);
	char prefix[32];
	int found = 0;

	snprintf(prefix, sizeof prefix, "t.ini:%d: ", line);
	if (p != NULL) {
		plan_free(p);
		fail_msg("plan accepted; wanted \"%s...%s\"", prefix, word);
	}
	for (size_t i = 0; i < e.n; i++)
		if (strncmp(e.msgs[i], prefix, strlen(prefix)) == 0 &&
		    strstr(e.msgs[i], word) != NULL)
			found = 1;
	if (!found) {
		for (size_t i = 0; i < e.n; i++)
			print_error("  %s\n", e.msgs[i]);
		fail_msg("no error \"%s...%s\"", prefix, word);
	}
	plan_errors_clear(&e);
}

static inline when_t
at(const char *s)
{
	when_t w;
	const char *why;

	assert_int_equal(when_parse(s, TZ, &w, NULL, &why), 0);
	return w;
}

static inline dec_t
num(const char *s)
{
	dec_t v;
	const char *why;

	assert_int_equal(dec_parse(s, &v, &why), 0);
	return v;
}

#endif
