/*
 * test_silence.c - what a silence holds (silence.h), at its boundaries:
 * its task, its unit and every unit below it, until its instant and not
 * at it (README, "Silences").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "plan.h"
#include "plan_fixture.h"
#include "silence.h"

static const char plan_text[] =
	"[plan]\nname = test\ntimezone = UTC\n"
	"[unit h1]\nname = H1\nkind = district\n"
	"[unit a]\nname = A\nkind = commune\nparent = h1\n"
	"[unit b]\nname = B\nkind = commune\n"
	"[task cay]\ntitle = Cây\nmeasure = cây\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[task thu]\ntitle = Thu\nmeasure = đồng\n"
	"start = 2021-01-01\ndeadline = 2021-04-10\n"
	"[targets cay]\na = 10\nb = 10\n"
	"[targets thu]\na = 10\n";

static void
test_until_not_at(void **state)
{
	struct plan *p = parse_ok(plan_text);
	int cay = plan_task_find(p, "cay"), thu = plan_task_find(p, "thu");
	int h1 = plan_unit_find(p, "h1"), a = plan_unit_find(p, "a"),
	    b = plan_unit_find(p, "b");
	when_t until = 1000000;
	struct silence s[] = { { 7, cay, h1, until } };
	const char *why;

	/* The unit and below, that task only. */
	assert_int_equal(silence_covering(p, s, 1, cay, a, until - 1), 7);
	assert_int_equal(silence_covering(p, s, 1, cay, h1, until - 1), 7);
	assert_int_equal(silence_covering(p, s, 1, cay, b, until - 1), 0);
	assert_int_equal(silence_covering(p, s, 1, thu, a, until - 1), 0);
	/* Until that instant, not at it: an event at `until` goes out. */
	assert_int_equal(silence_covering(p, s, 1, cay, a, until), 0);
	assert_int_equal(silence_covering(p, s, 1, cay, a, until + 1), 0);
	/* A silence that ends now is refused: it would hold nothing. */
	assert_int_equal(silence_check(&s[0], until, &why), -1);
	assert_int_equal(silence_check(&s[0], until - 1, &why), 0);
	plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_until_not_at),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
