/*
 * test_ctlconf.c - tiendo-ctl --config: the daemon's address from its
 * http setting (a wildcard reached on loopback, another address from
 * loopback, port 0 from the endpoints file), its state directory as the
 * daemon takes it, and the reload key read back; the refusals and their
 * exit codes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_conf.h"
#include "reloadkey.h"

static char dir[] = "/tmp/test_ctlconf.XXXXXX";
static char conf[4200];

static void
put(const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* A configuration with http = `http` and the state in dir. */
static int
load(const char *http, struct ctl_conf *c)
{
	char text[512];

	snprintf(text, sizeof text, "[tiendod]\nplan = x.ini\nstate_dir = %s\n"
	         "http = %s\nbogus = kept for the daemon to judge\n", dir, http);
	put("tiendod.conf", text);
	return ctl_conf_load(conf, c);
}

static void
expect_url(const char *http, const char *url, const char *local)
{
	struct ctl_conf c;
	char path[4200];

	snprintf(path, sizeof path, "%s/endpoints", dir);
	(void)unlink(path);

	assert_int_equal(load(http, &c), EX_OK);
	assert_string_equal(c.url, url);
	if (local)
		assert_string_equal(c.local, local);
	else
		assert_null(c.local);
	ctl_conf_clear(&c);
}

static void
test_addresses(void **state)
{
	expect_url("127.0.0.1:7480", "http://127.0.0.1:7480", NULL);
	expect_url("0.0.0.0:8080", "http://127.0.0.1:8080", NULL);
	expect_url("[::]:8080", "http://[::1]:8080", NULL);
	expect_url("[::1]:81", "http://[::1]:81", NULL);
	expect_url("localhost:81", "http://localhost:81", NULL);
	expect_url("10.0.0.5:7480", "http://10.0.0.5:7480", "127.0.0.1");
	expect_url("[2001:db8::5]:7480", "http://[2001:db8::5]:7480", "::1");
}

static void
test_defaults(void **state)
{
	struct ctl_conf c;

	put("tiendod.conf", "[tiendod]\nplan = x.ini\n");
	assert_int_equal(setenv("STATE_DIRECTORY", "/run/a:/run/b", 1), 0);
	assert_int_equal(ctl_conf_load(conf, &c), EX_OK);
	assert_string_equal(c.url, "http://127.0.0.1:7480");
	assert_string_equal(c.state_dir, "/run/a");
	ctl_conf_clear(&c);
	assert_int_equal(unsetenv("STATE_DIRECTORY"), 0);
	assert_int_equal(ctl_conf_load(conf, &c), EX_OK);
	assert_string_equal(c.state_dir, "/var/lib/tiendo");
	ctl_conf_clear(&c);
}

static void
test_port_zero(void **state)
{
	struct ctl_conf c;
	char path[4200];

	snprintf(path, sizeof path, "%s/endpoints", dir);
	unlink(path);
	assert_int_equal(load("0.0.0.0:0", &c), EX_UNAVAILABLE);
	ctl_conf_clear(&c);
	put("endpoints", "ingest=tcp://0.0.0.0:4000\nhttp=http://0.0.0.0:43210\n");
	assert_int_equal(load("0.0.0.0:0", &c), EX_OK);
	assert_string_equal(c.url, "http://127.0.0.1:43210");
	ctl_conf_clear(&c);
	/* The daemon's own address wins over an edited setting. */
	assert_int_equal(load("10.0.0.5:7480", &c), EX_OK);
	assert_string_equal(c.url, "http://127.0.0.1:43210");
	assert_null(c.local);
	ctl_conf_clear(&c);
	put("endpoints", "ingest=tcp://0.0.0.0:4000\n");
	assert_int_equal(load("0.0.0.0:0", &c), EX_DATAERR);
	ctl_conf_clear(&c);
	/* Not needed with a port: the setting's address. */
	assert_int_equal(load("10.0.0.5:7480", &c), EX_OK);
	assert_string_equal(c.url, "http://10.0.0.5:7480");
	assert_string_equal(c.local, "127.0.0.1");
	ctl_conf_clear(&c);
	put("endpoints", "http=http://nonsense\n");
	assert_int_equal(load("0.0.0.0:0", &c), EX_DATAERR);
	ctl_conf_clear(&c);
	assert_int_equal(load("127.0.0.1:7480", &c), EX_OK);
	assert_string_equal(c.url, "http://127.0.0.1:7480");
	ctl_conf_clear(&c);
}

static void
test_refusals(void **state)
{
	struct ctl_conf c;
	char path[4200];

	assert_int_equal(load("7480", &c), EX_CONFIG);
	ctl_conf_clear(&c);
	assert_int_equal(load("127.0.0.1:99999", &c), EX_CONFIG);
	ctl_conf_clear(&c);
	put("tiendod.conf", "[tiendod]\nthis is not a setting\n");
	assert_int_equal(ctl_conf_load(conf, &c), EX_CONFIG);
	ctl_conf_clear(&c);
	snprintf(path, sizeof path, "%s/nope.conf", dir);
	assert_int_equal(ctl_conf_load(path, &c), EX_NOINPUT);
	ctl_conf_clear(&c);
}

static void
test_reload_key(void **state)
{
	char hex[RELOADKEY_HEXLEN + 1], back[RELOADKEY_HEXLEN + 1], err[256];
	struct ctl_conf c;

	assert_int_equal(load("127.0.0.1:1", &c), EX_OK);
	put(RELOADKEY_FILE, "");
	errno = 0;
	assert_int_equal(ctl_conf_reload_key(&c, back, sizeof back), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(reloadkey_make(dir, hex, err, sizeof err), 0);
	assert_int_equal(ctl_conf_reload_key(&c, back, sizeof back), 0);
	assert_string_equal(back, hex);
	assert_int_equal(strlen(hex), RELOADKEY_HEXLEN);
	ctl_conf_clear(&c);
	c.state_dir = strdup("/nonexistent/dir");
	assert_int_equal(ctl_conf_reload_key(&c, back, sizeof back), -1);
	assert_int_equal(errno, ENOENT);
	ctl_conf_clear(&c);
	/* a key that cannot be read says why, not "not a key" */
	assert_true(asprintf(&c.state_dir, "%s/keydir", dir) > 0);
	assert_int_equal(mkdir(c.state_dir, 0700), 0);
	snprintf(err, sizeof err, "%s/" RELOADKEY_FILE, c.state_dir);
	assert_int_equal(mkdir(err, 0700), 0);
	errno = 0;
	assert_int_equal(ctl_conf_reload_key(&c, back, sizeof back), -1);
	assert_int_equal(errno, EISDIR);
	ctl_conf_clear(&c);
}

static int
setup(void **state)
{
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/tiendod.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[4300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_port_zero),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_reload_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
