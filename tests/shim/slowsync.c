/*
 * slowsync.so - a test-only LD_PRELOAD shim that makes fsync and fdatasync
 * of chosen files slow, the way a loaded disk is
 * (tests/integration/test_commit_loop.sh).  No production code knows of
 * it: it sits under SQLite's unix VFS, as eio.c does.
 *
 *   TIENDO_SLOW_FILES=/path/a:/path/b   the files that are slow (exact paths)
 *   TIENDO_SLOW_FLAG=/path/flag         they are slow while this file exists
 *   TIENDO_SLOW_MS=1000                 how long each sync takes
 *
 * While a slow sync sleeps, FLAG.busy exists: the test knows a commit is
 * in flight.  Built by the test: cc -shared -fPIC -o slowsync.so slowsync.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "chosen.h"

static int
slow_file(int fd)
{
	return chosen_fd(fd, "TIENDO_SLOW_FILES", "TIENDO_SLOW_FLAG");
}

static void
slow_down(void)
{
	const char *ms = getenv("TIENDO_SLOW_MS");
	long t = ms ? atol(ms) : 1000;
	struct timespec ts = { t / 1000, (t % 1000) * 1000000L };
	char busy[PATH_MAX];
	int fd;

	snprintf(busy, sizeof busy, "%s.busy", getenv("TIENDO_SLOW_FLAG"));
	if ((fd = open(busy, O_WRONLY | O_CREAT, 0644)) >= 0)
		close(fd);
	while (nanosleep(&ts, &ts) < 0)
		;
	unlink(busy);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int
fsync(int fd)
{
	if (slow_file(fd))
		slow_down();
	return NEXT(fsync)(fd);
}

int
fdatasync(int fd)
{
	if (slow_file(fd))
		slow_down();
	return NEXT(fdatasync)(fd);
}
