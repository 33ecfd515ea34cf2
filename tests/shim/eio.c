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
#include <sys/types.h>
#include <unistd.h>

#include "chosen.h"

static int
eio_now(int fd)
{
	if (!chosen_fd(fd, "TIENDO_EIO_FILES", "TIENDO_EIO_FLAG"))
		return 0;
	errno = EIO;
	return 1;
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
