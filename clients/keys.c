/*
 * keys.c - client key files; see keys.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "keyfile.h"
#include "keys.h"

static int
keys_fail(char **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
keys_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -1;
}

int
keys_read(const char *path, char *z85, char **err)
{
	char buf[KEYFILE_MAX + 1];
	struct keyfile kf;
	const char *why;
	size_t len = 0;
	ssize_t n;
	int fd;

	*err = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return keys_fail(err, "%s: %s", path, strerror(errno));
	while ((n = read(fd, buf + len, sizeof buf - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0)
		return keys_fail(err, "%s: %s", path, strerror(errno));
	if (keyfile_parse(buf, len, &kf, &why) < 0)
		return kf.line ? keys_fail(err, "%s:%d: %s", path, kf.line, why)
		               : keys_fail(err, "%s: %s", path, why);
	memcpy(z85, kf.key, KEYFILE_Z85_LEN + 1);
	keyfile_clear(&kf);
	return 0;
}

int
keys_client_setup(void *sock, const char *key, const char *server_key,
                  const char *identity, char **err)
{
	char secret[KEYFILE_Z85_LEN + 1], public[KEYFILE_Z85_LEN + 1];
	char server[KEYFILE_Z85_LEN + 1], *spath = NULL, *kpath = NULL;
	struct stat sb;
	int rc = -1;

	*err = NULL;
	if ((key == NULL || !*key) && (server_key == NULL || !*server_key))
		return 0;
	if (key == NULL || !*key)
		return keys_fail(err, "a server key was given but no client key "
		                 "(--key or $" KEYS_ENV_KEY ")");
	if (stat(key, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		if (identity == NULL || *identity == '\0')
			return keys_fail(err, "%s is a directory: which client's "
			                 "key? (give the key file)", key);
		if (asprintf(&kpath, "%s/%s.secret", key, identity) < 0 ||
		    ((server_key == NULL || !*server_key) &&
		     asprintf(&spath, "%s/server.pub", key) < 0)) {
			keys_fail(err, "out of memory");
			goto out;
		}
	} else if (server_key == NULL || !*server_key) {
		return keys_fail(err, "a client key was given but not the "
		                 "server's public key (--server-key or $"
		                 KEYS_ENV_SERVER_KEY ")");
	}
	if (keys_read(kpath ? kpath : key, secret, err) < 0 ||
	    keys_read(spath ? spath : server_key, server, err) < 0)
		goto out;
	if (zmq_curve_public(public, secret) < 0) {
		keys_fail(err, "%s: not a usable secret key", kpath ? kpath : key);
		goto out;
	}
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server, sizeof server) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, public, sizeof public) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, sizeof secret) < 0) {
		keys_fail(err, "CURVE options: %s", zmq_strerror(errno));
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(secret, sizeof secret);
	free(kpath);
	free(spath);
	return rc;
}

/* Creates path with mode, failing if it exists, and writes text. */
static int
keys_write(const char *path, mode_t mode, const char *text, char **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	size_t len = strlen(text);

	if (fd < 0)
		return keys_fail(err, "%s: %s", path, strerror(errno));
	/* The umask may have loosened nothing, but fchmod states it. */
	if (fchmod(fd, mode) < 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) < 0) {
		keys_fail(err, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) < 0) {
		unlink(path);
		return keys_fail(err, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int
keys_generate(const char *dir, const char *name, char *pub, char **err)
{
	char secret[KEYFILE_Z85_LEN + 1], text[512], path[4096];
	int rc = -1;

	*err = NULL;
	if (zmq_curve_keypair(pub, secret) < 0)
		return keys_fail(err, "zmq_curve_keypair: %s", zmq_strerror(errno));
	snprintf(path, sizeof path, "%s/%s.secret", dir, name);
	snprintf(text, sizeof text, "# tiendo CurveZMQ SECRET key of %s: keep "
	         "it on this machine, mode 0600\n%s\n", name, secret);
	if (keys_write(path, 0600, text, err) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/%s.pub", dir, name);
	snprintf(text, sizeof text, "# tiendo CurveZMQ public key of %s\n"
	         "# to authorise it: copy to the daemon's keys/clients/%s.key,\n"
	         "# and add \"units = CODE, ...\" if it reports for other units\n"
	         "%s\n", name, name, pub);
	if (keys_write(path, 0644, text, err) < 0) {
		snprintf(path, sizeof path, "%s/%s.secret", dir, name);
		unlink(path);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(secret, sizeof secret);
	explicit_bzero(text, sizeof text);
	return rc;
}
