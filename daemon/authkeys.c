/*
 * authkeys.c - loads the authorised-keys directory; see authkeys.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "authkeys.h"
#include "keyfile.h"
#include "validate.h"

#define AUTHKEYS_MAX 100000 /* files in the directory: far above a country */

static int
authkeys_fail(char **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
authkeys_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -1;
}

/* Reads a whole small file.  0, or -1 with errno set. */
static int
authkeys_slurp(const char *path, char **buf, size_t *len)
{
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0)
		goto fail;
	if (!S_ISREG(sb.st_mode) || sb.st_size > KEYFILE_MAX) {
		errno = S_ISREG(sb.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	if ((*buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	/* One byte more than fstat said tells a file that grew. */
	n = read(fd, *buf, (size_t)sb.st_size + 1);
	if (n < 0 || n > sb.st_size) {
		if (n >= 0)
			errno = EFBIG;
		goto fail;
	}
	close(fd);
	*len = (size_t)n;
	return 0;
fail:
	free(*buf);
	*buf = NULL;
	close(fd);
	return -1;
}

int
authkeys_read_file(const char *path, struct keyfile *kf, char **err)
{
	const char *why;
	char *buf;
	size_t len;
	int rc;

	*err = NULL;
	memset(kf, 0, sizeof *kf);
	if (authkeys_slurp(path, &buf, &len) < 0)
		return authkeys_fail(err, "%s: %s", path, strerror(errno));
	rc = keyfile_parse(buf, len, kf, &why);
	free(buf);
	if (rc < 0)
		return kf->line ? authkeys_fail(err, "%s:%d: %s", path, kf->line, why)
		                : authkeys_fail(err, "%s: %s", path, why);
	return 0;
}

struct units_acc {
	struct authkey *k;
	int bad;
};

static int
authkeys_add_unit(void *arg, const char *code, size_t len)
{
	struct units_acc *acc = arg;
	struct authkey *k = acc->k;
	char **v, *s;

	if (len == 1 && code[0] == '*') {
		k->all_units = 1;
		return 0;
	}
	if ((s = strndup(code, len)) == NULL)
		return -1;
	if (!validate_client(s)) { /* unit codes share the identity alphabet */
		free(s);
		acc->bad = 1;
		return -1;
	}
	if ((v = realloc(k->units, (k->n_units + 1) * sizeof *v)) == NULL) {
		free(s);
		return -1;
	}
	k->units = v;
	k->units[k->n_units++] = s;
	return 0;
}

static void
authkey_clear(struct authkey *k)
{
	for (size_t i = 0; i < k->n_units; i++)
		free(k->units[i]);
	free(k->units);
	free(k->identity);
	memset(k, 0, sizeof *k);
}

/* Loads one file into k. */
static int
authkeys_file(const char *dir, const char *name, struct authkey *k, char **err)
{
	char path[4096];
	size_t nlen = strlen(name) - 4;
	struct keyfile kf;
	struct units_acc acc = { k, 0 };
	int rc = -1;

	memset(k, 0, sizeof *k);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((k->identity = strndup(name, nlen)) == NULL)
		return authkeys_fail(err, "out of memory");
	if (!validate_client(k->identity)) {
		authkeys_fail(err, "%s: the name before .key must be a client "
		              "identity: 1 to 64 of [A-Za-z0-9._-]", path);
		goto out;
	}
	if (authkeys_read_file(path, &kf, err) < 0)
		goto out;
	memcpy(k->key_z85, kf.key, sizeof k->key_z85);
	if (zmq_z85_decode(k->key, kf.key) == NULL) {
		authkeys_fail(err, "%s: key does not decode", path);
		keyfile_clear(&kf);
		goto out;
	}
	if (kf.units == NULL) {
		rc = authkeys_add_unit(&acc, k->identity, nlen);
	} else {
		rc = keyfile_units_each(kf.units, authkeys_add_unit, &acc);
		if (rc == 0 && k->n_units == 0 && !k->all_units) {
			acc.bad = 1;
			rc = -1;
		}
	}
	keyfile_clear(&kf);
	if (rc != 0)
		authkeys_fail(err, acc.bad ? "%s: units: give unit codes "
		              "([A-Za-z0-9._-]) separated by commas, or *"
		              : "%s: out of memory", path);
out:
	if (rc != 0)
		authkey_clear(k);
	return rc;
}

static int
authkeys_cmp(const void *a, const void *b)
{
	return strcmp(((const struct authkey *)a)->identity,
	              ((const struct authkey *)b)->identity);
}

struct authkeys *
authkeys_load(const char *dir, char **err)
{
	struct authkeys *ak = calloc(1, sizeof *ak);
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	*err = NULL;
	if (ak == NULL) {
		authkeys_fail(err, "out of memory");
		return NULL;
	}
	if ((d = opendir(dir)) == NULL) {
		authkeys_fail(err, "%s: %s", dir, strerror(errno));
		free(ak);
		return NULL;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		/* Only NAME.key counts, so "x.key.revoked" or an editor's
		 * backup file authorises nobody. */
		if (n <= 4 || strcmp(de->d_name + n - 4, ".key") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (ak->n == cap) {
			struct authkey *v;
			cap = cap ? 2 * cap : 16;
			if (cap > AUTHKEYS_MAX ||
			    (v = realloc(ak->v, cap * sizeof *v)) == NULL) {
				authkeys_fail(err, "%s: too many keys or out of "
				              "memory", dir);
				goto fail;
			}
			ak->v = v;
		}
		if (authkeys_file(dir, de->d_name, &ak->v[ak->n], err) < 0)
			goto fail;
		ak->n++;
	}
	if (errno != 0) {
		authkeys_fail(err, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	closedir(d);
	d = NULL;
	if (ak->n > 0)
		qsort(ak->v, ak->n, sizeof *ak->v, authkeys_cmp);
	/* One key, one identity: otherwise which one did the client mean? */
	for (size_t i = 0; i < ak->n; i++)
		for (size_t j = i + 1; j < ak->n; j++)
			if (memcmp(ak->v[i].key, ak->v[j].key, 32) == 0) {
				authkeys_fail(err, "%s: %s.key and %s.key hold the "
				              "same key", dir, ak->v[i].identity,
				              ak->v[j].identity);
				goto fail;
			}
	return ak;
fail:
	if (d)
		closedir(d);
	authkeys_free(ak);
	return NULL;
}

void
authkeys_free(struct authkeys *ak)
{
	if (ak == NULL)
		return;
	for (size_t i = 0; i < ak->n; i++)
		authkey_clear(&ak->v[i]);
	free(ak->v);
	free(ak);
}

const struct authkey *
authkeys_by_key(const struct authkeys *ak, const uint8_t key[32])
{
	for (size_t i = 0; i < ak->n; i++)
		if (memcmp(ak->v[i].key, key, 32) == 0)
			return &ak->v[i];
	return NULL;
}

const struct authkey *
authkeys_by_identity(const struct authkeys *ak, const char *identity)
{
	struct authkey k = { .identity = (char *)identity };

	if (ak->n == 0)
		return NULL;
	return bsearch(&k, ak->v, ak->n, sizeof *ak->v, authkeys_cmp);
}

int
authkey_allows(const struct authkey *k, const char *unit)
{
	if (k->all_units)
		return 1;
	for (size_t i = 0; i < k->n_units; i++)
		if (strcmp(k->units[i], unit) == 0)
			return 1;
	return 0;
}
