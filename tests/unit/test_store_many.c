/*
 * test_store_many.c - the store's operations on many rows at once, in the
 * SQLite room (store_sqlite.c; the PostgreSQL room runs through
 * tests/integration/test_batch_fates.sh): exists_many answers per
 * (client, seq) pair, and insert_many refuses a row that is stored
 * already, since the caller decided it was new.
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

#include "store.h"

struct fx {
	char dir[64];
	char path[96];
	struct store *s;
};

static struct store_report
row(const char *client, uint64_t seq)
{
	return (struct store_report){
		.client = client, .seq = seq, .task = "cay", .unit = "xa-a",
		.kind = 1, .value = 1000, .observed_at = 1, .received_at = 2,
		.reporter = "", .note = "",
	};
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char *err = NULL;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/test_store_many.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	f->s = store_open(f->path, STORE_SYNC_NORMAL, &err);
	if (f->s == NULL) {
		fprintf(stderr, "store_open: %s\n", err ? err : "?");
		free(err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[128];

	store_close(f->s);
	for (const char *const *x = (const char *const[]){ "", "-wal", "-shm",
	                                                   NULL }; *x; x++) {
		snprintf(p, sizeof p, "%s%s", f->path, *x);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
test_exists_many_per_pair(void **state)
{
	struct fx *f = *state;
	struct store_report rows[2] = { row("a", 1), row("b", 2) };
	const char *clients[4] = { "a", "b", "b", "a" };
	uint64_t seqs[4] = { 1, 1, 2, 2 };
	unsigned char found[4] = { 9, 9, 9, 9 };

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_insert_many(f->s, rows, 2), 0);
	assert_int_equal(store_exists_many(f->s, clients, seqs, 4, found), 0);
	/* Another client's seq is not this one's. */
	assert_int_equal(found[0], 1);
	assert_int_equal(found[1], 0);
	assert_int_equal(found[2], 1);
	assert_int_equal(found[3], 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_count(f->s), 2);
}

static void
test_insert_many_refuses_a_stored_row(void **state)
{
	struct fx *f = *state;
	struct store_report one = row("a", 1);
	struct store_report rows[2] = { row("a", 2), row("a", 1) };

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_insert_many(f->s, &one, 1), 0);
	assert_int_equal(store_insert_many(f->s, rows, 2), -1);
	assert_non_null(strstr(store_errmsg(f->s), "stored already"));
	store_rollback(f->s);
	assert_int_equal(store_count(f->s), 0);
}

static void
test_nothing_to_do(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_insert_many(f->s, NULL, 0), 0);
	assert_int_equal(store_exists_many(f->s, NULL, NULL, 0, NULL), 0);
	assert_int_equal(store_commit(f->s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exists_many_per_pair, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(
			test_insert_many_refuses_a_stored_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_do, setup,
		                                teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
