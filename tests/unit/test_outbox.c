/*
 * test_outbox.c - the client's SQLite queue: seq numbering, the life of a
 * report (pending, acknowledged, rejected), all-or-nothing transactions,
 * and refusing files that are not its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "outbox.h"
#include "outbox_fixture.h"

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct outbox *
open_ok(const char *path, const char *client)
{
	char *err = NULL;
	struct outbox *ob = outbox_open(path, client, 1, &err);

	if (ob == NULL)
		fail_msg("outbox_open: %s", err ? err : "?");
	assert_null(err);
	return ob;
}

static struct outbox_item
item(const char *unit, const char *value)
{
	struct outbox_item it;

	memset(&it, 0, sizeof(it));
	it.unit = (char *)unit;
	it.task = (char *)"trong-cay";
	it.value = (char *)value;
	it.kind = OUTBOX_ADD;
	it.observed_at = 1614560400000LL;
	it.reporter = (char *)"Nguyễn Văn A";
	it.note = (char *)"";
	return it;
}

static void
test_seq_starts_near_now_and_grows(void **state)
{
	struct fixture *f = *state;
	struct outbox_item it = item("hoang-dan", "300");
	struct outbox *ob;
	uint64_t s1, s2, s3, s4;
	int64_t before = now_us();

	ob = open_ok(f->path, "hoang-dan");
	assert_int_equal(outbox_add(ob, &it, &s1), 0);
	assert_true(s1 >= (uint64_t)before);
	assert_true(s1 <= (uint64_t)now_us());
	assert_true(outbox_next_seq(ob) > s1);
	assert_int_equal(outbox_add(ob, &it, &s2), 0);
	assert_true(s2 > s1);
	outbox_close(ob);

	ob = open_ok(f->path, "hoang-dan");
	assert_int_equal(outbox_add(ob, &it, &s3), 0);
	assert_true(s3 > s2);
	/* in one transaction too, every seq is new */
	assert_int_equal(outbox_begin(ob), 0);
	assert_int_equal(outbox_add(ob, &it, &s4), 0);
	assert_true(s4 > s3);
	assert_int_equal(outbox_commit(ob), 0);
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 4);
	outbox_close(ob);
}

static int
copy_file(const char *from, const char *to)
{
	char buf[8192];
	size_t n;
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	int rc = in && out ? 0 : -1;

	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* An old copy of the outbox put back must not hand out used seqs again. */
static void
test_restored_copy_keeps_seqs_new(void **state)
{
	struct fixture *f = *state;
	struct outbox_item it = item("hoang-dan", "300");
	struct outbox *ob;
	char backup[160];
	uint64_t s1, s2, s3;

	snprintf(backup, sizeof(backup), "%s.bak", f->path);
	ob = open_ok(f->path, "hoang-dan");
	assert_int_equal(outbox_add(ob, &it, &s1), 0);
	outbox_close(ob); /* checkpoints the WAL into the file */
	assert_int_equal(copy_file(f->path, backup), 0);

	ob = open_ok(f->path, "hoang-dan");
	for (int i = 0; i < 50; i++)
		assert_int_equal(outbox_add(ob, &it, &s2), 0);
	outbox_close(ob);

	assert_int_equal(copy_file(backup, f->path), 0);
	unlink(backup);
	ob = open_ok(f->path, "hoang-dan");
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 1);
	assert_int_equal(outbox_add(ob, &it, &s3), 0);
	assert_true(s3 > s2);
	outbox_close(ob);
}

static void
test_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct outbox *ob = open_ok(f->path, "hoang-dan");
	struct outbox_item a = item("hoang-dan", "300"), b = item("an-hoa",
	    "12.5"), c = item("kim-long", "-1");
	struct outbox_item *items;
	uint64_t sa, sb, sc;
	size_t n;

	c.kind = OUTBOX_SET;
	c.note = (char *)"ghi chú";
	assert_int_equal(outbox_add(ob, &a, &sa), 0);
	assert_int_equal(outbox_add(ob, &b, &sb), 0);
	assert_int_equal(outbox_add(ob, &c, &sc), 0);

	/* oldest first, fields intact */
	assert_int_equal(outbox_pending(ob, 0, 10, &items, &n), 0);
	assert_int_equal(n, 3);
	assert_true(items[0].seq == sa && items[1].seq == sb &&
	    items[2].seq == sc);
	assert_string_equal(items[1].unit, "an-hoa");
	assert_string_equal(items[1].value, "12.5");
	assert_string_equal(items[0].reporter, "Nguyễn Văn A");
	assert_string_equal(items[2].note, "ghi chú");
	assert_int_equal(items[2].kind, OUTBOX_SET);
	assert_int_equal(items[0].observed_at, 1614560400000LL);
	assert_int_equal(items[0].state, OUTBOX_PENDING);
	assert_null(items[0].code);
	assert_true(items[0].queued_at > 1600000000000LL);
	outbox_items_free(items, n);

	/* paging: after a cursor, at most max */
	assert_int_equal(outbox_pending(ob, sa, 1, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_true(items[0].seq == sb);
	outbox_items_free(items, n);

	/* accepted: gone; rejected: kept with code and reason, not pending */
	assert_int_equal(outbox_done(ob, sa), 0);
	assert_int_equal(outbox_reject(ob, sb, "unknown_unit",
	    "unit \"an-hoa\" is not in the plan"), 0);
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 1);
	assert_int_equal(outbox_count(ob, OUTBOX_REJECTED), 1);
	assert_int_equal(outbox_pending(ob, 0, 10, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_true(items[0].seq == sc);
	outbox_items_free(items, n);

	outbox_close(ob);
	ob = open_ok(f->path, "hoang-dan");
	assert_int_equal(outbox_list(ob, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_true(items[0].seq == sb);
	assert_int_equal(items[0].state, OUTBOX_REJECTED);
	assert_string_equal(items[0].code, "unknown_unit");
	assert_string_equal(items[0].reason,
	    "unit \"an-hoa\" is not in the plan");
	assert_int_equal(items[1].state, OUTBOX_PENDING);
	outbox_items_free(items, n);

	/* deleting what is not there is harmless */
	assert_int_equal(outbox_done(ob, sa), 0);
	int64_t cleared = -1;

	assert_int_equal(outbox_clear_rejected(ob, &cleared), 0);
	assert_int_equal(cleared, 1);
	assert_int_equal(outbox_count(ob, OUTBOX_REJECTED), 0);
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 1);
	outbox_close(ob);
}

static void
test_rollback_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct outbox *ob = open_ok(f->path, "c1");
	struct outbox_item it = item("hoang-dan", "1");
	uint64_t before = outbox_next_seq(ob), seq;

	assert_int_equal(outbox_begin(ob), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(outbox_add(ob, &it, &seq), 0);
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 1000);
	outbox_rollback(ob);
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 0);
	assert_true(outbox_next_seq(ob) == before);
	/* a second begin inside an open transaction is refused */
	assert_int_equal(outbox_begin(ob), 0);
	assert_int_equal(outbox_begin(ob), -1);
	outbox_rollback(ob);
	outbox_close(ob);
}

static void
test_killed_midway_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct outbox *ob;
	int status;
	pid_t pid;

	/* the file exists first, so the child only adds */
	ob = open_ok(f->path, "c1");
	outbox_close(ob);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct outbox_item it = item("hoang-dan", "1");
		char *err;

		ob = outbox_open(f->path, "c1", 0, &err);
		if (ob == NULL || outbox_begin(ob) != 0)
			_exit(2);
		for (int i = 0; i < 5000; i++)
			if (outbox_add(ob, &it, NULL) != 0)
				_exit(3);
		raise(SIGKILL); /* no commit, no close */
		_exit(4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	ob = open_ok(f->path, "c1");
	assert_int_equal(outbox_count(ob, OUTBOX_PENDING), 0);
	assert_int_equal(outbox_count(ob, OUTBOX_REJECTED), 0);
	outbox_close(ob);
}

static void
test_client_is_remembered(void **state)
{
	struct fixture *f = *state;
	struct outbox *ob = open_ok(f->path, "hoang-dan");
	char *err = NULL;

	outbox_close(ob);
	/* another client may not send these seqs as its own */
	assert_null(outbox_open(f->path, "kim-long", 1, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "hoang-dan"));
	free(err);
	/* no client given: the stored one */
	ob = outbox_open(f->path, NULL, 0, &err);
	assert_non_null(ob);
	assert_string_equal(outbox_client(ob), "hoang-dan");
	outbox_close(ob);
}

static void
test_refuses_foreign_files(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	sqlite3 *db;
	FILE *fp;

	/* missing, and not to be created */
	assert_null(outbox_open(f->path, "c1", 0, &err));
	assert_non_null(err);
	free(err);
	err = NULL;
	/* a new outbox needs a client */
	assert_null(outbox_open(f->path, NULL, 1, &err));
	assert_non_null(err);
	free(err);
	err = NULL;
	/* not a database */
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("unit,task,kind,value\n", fp);
	fclose(fp);
	assert_null(outbox_open(f->path, "c1", 1, &err));
	assert_non_null(err);
	free(err);
	err = NULL;
	/* somebody else's SQLite database */
	unlink(f->path);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(outbox_open(f->path, "c1", 1, &err));
	assert_non_null(err);
	assert_string_equal(err, "not a tiendo outbox");
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_seq_starts_near_now_and_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_restored_copy_keeps_seqs_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_killed_midway_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_is_remembered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_foreign_files,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
