/*
 * reloadkey.c - STATE_DIR/reload.key (reloadkey.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "reloadkey.h"

int
reloadkey_make(const char *state_dir, char *hex, char *err, size_t n)
{
	unsigned char raw[RELOADKEY_HEXLEN / 2];
	char path[4096], tmp[4096 + 8];
	size_t len = RELOADKEY_HEXLEN;
	int fd;

	if (sodium_init() < 0) {
		snprintf(err, n, "reload key: libsodium cannot start");
		return -1;
	}
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, RELOADKEY_HEXLEN + 1, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
	if ((size_t)snprintf(path, sizeof path, "%s/" RELOADKEY_FILE,
	                     state_dir) >= sizeof path) {
		snprintf(err, n, "reload key: %s: path too long", state_dir);
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	/* 0600 whatever the umask: the key is as good as the daemon's user. */
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, n, "reload key: cannot create %s: %s", tmp,
		         strerror(errno));
		return -1;
	}
	errno = 0;
	if (write(fd, hex, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		snprintf(err, n, "reload key: cannot write %s: %s", tmp,
		         errno ? strerror(errno) : "short write");
		(void)close(fd);
		(void)unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		snprintf(err, n, "reload key: cannot write %s: %s", tmp,
		         strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, n, "reload key: cannot rename %s to %s: %s", tmp,
		         path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}
