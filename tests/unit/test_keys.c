/*
 * test_keys.c - key files, the authorised-keys directory, and which
 * endpoints count as local for plain mode's warning.
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
#include <zmq.h>

#include "authkeys.h"
#include "curve.h"
#include "keyfile.h"

#define KEY "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define KEY2 "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"

static int
parse(const char *text, struct keyfile *kf, const char **why)
{
	return keyfile_parse(text, strlen(text), kf, why);
}

static void
keyfile_good(void **state)
{
	struct keyfile kf;
	const char *why;

	assert_int_equal(parse("# comment\n  " KEY "  \r\n", &kf, &why), 0);
	assert_string_equal(kf.key, KEY);
	assert_null(kf.units);
	keyfile_clear(&kf);
	/* '=' is Z85: a key with one is still a key, not a setting. */
	assert_int_equal(parse("units = a, b\n" KEY2, &kf, &why), 0);
	assert_string_equal(kf.key, KEY2);
	assert_string_equal(kf.units, "a, b");
	keyfile_clear(&kf);
}

static void
keyfile_bad(void **state)
{
	struct keyfile kf;
	const char *why;

	assert_int_equal(parse("", &kf, &why), -1);
	assert_string_equal(why, "no key in the file");
	assert_int_equal(parse(KEY "\n" KEY2 "\n", &kf, &why), -1);
	assert_int_equal(kf.line, 2);
	assert_int_equal(parse("#\n" KEY "x\n", &kf, &why), -1);
	assert_int_equal(kf.line, 2);
	assert_int_equal(parse(KEY "\nunit = a\n", &kf, &why), -1);
	assert_non_null(strstr(why, "unknown setting"));
	assert_int_equal(parse(KEY "\nunits = a\nunits = b\n", &kf, &why), -1);
	assert_int_equal(kf.line, 3);
	assert_int_equal(parse("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\"\n",
	                       &kf, &why), -1);
}

static int
collect(void *arg, const char *code, size_t len)
{
	char *out = arg;

	strncat(out, code, len);
	strcat(out, "|");
	return 0;
}

static void
keyfile_units(void **state)
{
	char out[64] = "";

	keyfile_units_each(" a,b  c,,d ", collect, out);
	assert_string_equal(out, "a|b|c|d|");
}

static void
put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
authkeys_dir(void **state)
{
	char dir[] = "/tmp/test_keys.XXXXXX", *err = NULL, pub[41], sec[41];
	char cmd[600];
	struct authkeys *ak;
	const struct authkey *k;
	uint8_t bin[32];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(zmq_curve_keypair(pub, sec), 0);
	put(dir, "xa-a.key", KEY "\n");
	put(dir, "gw.key", "# a gateway\n" KEY2 "\nunits = xa-a, xa-b\n");
	put(dir, "revoked.key.old", KEY "\n"); /* not NAME.key: ignored */
	put(dir, "all.key~", "junk");
	strcat(strcpy(cmd, pub), "\nunits = *\n");
	put(dir, "all.key", cmd);
	assert_non_null(ak = authkeys_load(dir, &err));
	assert_int_equal(ak->n, 3);
	assert_non_null(k = authkeys_by_identity(ak, "xa-a"));
	assert_true(authkey_allows(k, "xa-a"));
	assert_false(authkey_allows(k, "xa-b"));
	assert_non_null(k = authkeys_by_identity(ak, "gw"));
	assert_true(authkey_allows(k, "xa-b"));
	assert_false(authkey_allows(k, "xa-c"));
	assert_non_null(k = authkeys_by_identity(ak, "all"));
	assert_true(authkey_allows(k, "anything"));
	assert_null(authkeys_by_identity(ak, "revoked"));
	assert_non_null(zmq_z85_decode(bin, KEY2));
	assert_non_null(k = authkeys_by_key(ak, bin));
	assert_string_equal(k->identity, "gw");
	memset(bin, 0, sizeof bin);
	assert_null(authkeys_by_key(ak, bin));
	authkeys_free(ak);

	/* All or nothing: one bad file refuses the set, naming file and line. */
	put(dir, "bad.key", KEY "\nfoo = 1\n");
	assert_null(authkeys_load(dir, &err));
	assert_non_null(strstr(err, "bad.key:2: unknown setting"));
	free(err);
	put(dir, "bad.key", KEY "\n"); /* the same key as xa-a */
	assert_null(authkeys_load(dir, &err));
	assert_non_null(strstr(err, "hold the same key"));
	free(err);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_null(authkeys_load(dir, &err)); /* a missing directory */
	free(err);
}

static void
endpoints_local(void **state)
{
	assert_true(curve_endpoint_local("tcp://127.0.0.1:7420"));
	assert_true(curve_endpoint_local("tcp://127.1.2.3:1"));
	assert_true(curve_endpoint_local("tcp://[::1]:7420"));
	assert_true(curve_endpoint_local("tcp://localhost:7420"));
	assert_true(curve_endpoint_local("ipc:///run/tiendo.sock"));
	assert_false(curve_endpoint_local("tcp://0.0.0.0:7420"));
	assert_false(curve_endpoint_local("tcp://*:7420"));
	assert_false(curve_endpoint_local("tcp://127.0.0.1.evil.example:7420"));
	assert_false(curve_endpoint_local("tcp://192.168.1.10:7420"));
	assert_false(curve_endpoint_local("tcp://eth0:7420"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyfile_good),
		cmocka_unit_test(keyfile_bad),
		cmocka_unit_test(keyfile_units),
		cmocka_unit_test(authkeys_dir),
		cmocka_unit_test(endpoints_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
