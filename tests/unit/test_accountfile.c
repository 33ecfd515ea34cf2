/*
 * test_accountfile.c - the accounts file: what it accepts, what it
 * refuses (with the line), and that formatting reads back the same; and
 * which listeners count as loopback (where no accounts means open).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accountfile.h"
#include "http_auth.h"

#define HASH "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
#define TOK "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_round_trip(void **state)
{
	const char *text = "# comment\n"
	                   "huyen:*:" HASH ":-\n"
	                   "\n"
	                   "xa-a:xa-a,xa-b:!:" TOK "\r\n";
	struct accountfile f, g;
	char err[128], *out;

	assert_int_equal(accountfile_parse(text, strlen(text), &f, err, sizeof err), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.a[1].scope, "xa-a,xa-b");
	assert_string_equal(f.a[1].pwhash, "!");
	assert_int_equal(accountfile_find(&f, "xa-a"), 1);
	assert_int_equal(accountfile_find(&f, "nobody"), -1);
	out = accountfile_format(&f);
	assert_non_null(out);
	assert_int_equal(accountfile_parse(out, strlen(out), &g, err, sizeof err), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.a[0].pwhash, HASH);
	assert_string_equal(g.a[1].tokhash, TOK);
	free(out);
	accountfile_clear(&f);
	accountfile_clear(&g);
}

static void
refused(const char *text, const char *why)
{
	struct accountfile f;
	char err[128];

	assert_int_equal(accountfile_parse(text, strlen(text), &f, err, sizeof err), -1);
	assert_non_null(strstr(err, why));
	assert_null(f.a);
}

static void
test_refusals_name_the_line(void **state)
{
	refused("a:*:" HASH ":-\nB:*:" HASH ":-\n", "line 2: a name is made of");
	refused("a:*:" HASH "\n", "line 1: expected NAME:SCOPE");
	refused("a:*:md5hash:-\n", "not Argon2id");
	refused("a:*:" HASH ":abc\n", "64 hex digits");
	refused("a:x,,y:" HASH ":-\n", "a scope is");
	refused("a:*:" HASH ":-\na:*:" HASH ":-\n", "line 2: account \"a\" again");
	refused("a:*:" HASH ":-:extra\n", "more than 4 fields");
}

static void
test_loopback(void **state)
{
	assert_true(http_auth_loopback("127.0.0.1:7480"));
	assert_true(http_auth_loopback("[::1]:7480"));
	assert_true(http_auth_loopback("localhost:0"));
	assert_false(http_auth_loopback("0.0.0.0:7480"));
	assert_false(http_auth_loopback("192.168.1.10:7480"));
	assert_false(http_auth_loopback("[::]:7480"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals_name_the_line),
		cmocka_unit_test(test_loopback),
	};
	return cmocka_run_group_tests_name("accountfile", tests, NULL, NULL);
}
