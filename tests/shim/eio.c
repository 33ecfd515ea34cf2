/*
 * eio.so - a test-only LD_PRELOAD shim that makes writes to chosen files
 * fail with EIO, the way a dying disk does (tests/integration/test_eio.sh).
 * No production code knows of it: it sits under SQLite's unix VFS, which
 * writes through these libc calls.
 *
 *   TIENDO_EIO_FILES=/path/a:/path/b   the files that fail (exact paths)
 *   TIENDO_EIO_FLAG=/path/flag         they fail while this file exists
 *
 * pwrite, pwrite64, write, fsync and fdatasync on a descriptor open on one
 * of the files then return -1 with errno EIO; everything else passes
 * through.  Built by the test: cc -shared -fPIC -o eio.so eio.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int
eio_now(int fd)
{
	const char *files = getenv("TIENDO_EIO_FILES");
	const char *flag = getenv("TIENDO_EIO_FLAG");
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

		if (l == len && memcmp(p, path, l) == 0) {
			errno = EIO;
			return 1;
		}
		p += l + (end != NULL);
	}
	return 0;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return eio_now(fd) ? -1 : NEXT(pwrite)(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	return eio_now(fd) ? -1 : NEXT(pwrite64)(fd, buf, n, off);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	return eio_now(fd) ? -1 : NEXT(write)(fd, buf, n);
}

int
fsync(int fd)
{
	return eio_now(fd) ? -1 : NEXT(fsync)(fd);
}

int
fdatasync(int fd)
{
	return eio_now(fd) ? -1 : NEXT(fdatasync)(fd);
}
