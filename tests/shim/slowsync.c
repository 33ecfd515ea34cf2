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
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
slow_file(int fd)
{
	const char *files = getenv("TIENDO_SLOW_FILES");
	const char *flag = getenv("TIENDO_SLOW_FLAG");
	char link[64], path[PATH_MAX];
	size_t len;
	ssize_t n;

	if (files == NULL || flag == NULL || access(flag, F_OK) != 0)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) < 0)
		return 0;
	path[n] = '\0';
	len = (size_t)n;
	for (const char *p = files; *p; ) {
		const char *end = strchr(p, ':');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l == len && memcmp(p, path, l) == 0)
			return 1;
		p += l + (end != NULL);
	}
	return 0;
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
