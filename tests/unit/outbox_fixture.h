/*
 * outbox_fixture.h - a fresh outbox path in its own temporary directory
 * for each cmocka test, removed with every SQLite side file afterwards.
 * Shared by the tests of the outbox (test_outbox.c, test_correct.c).
 */
#ifndef TIENDO_OUTBOX_FIXTURE_H
#define TIENDO_OUTBOX_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct fixture {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tiendo-outbox-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/outbox.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

#endif
