/*
 * accounts.c - the accounts file, kept current (accounts.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "accounts.h"
#include "log.h"

struct accounts {
	char *path;
	struct accountfile f;
	struct timespec mtime;
	off_t size;
	ino_t ino;
	int seen;                /* the file was stat'ed once */
	int broken;              /* the last read failed (logged once) */
};

struct accounts *
accounts_new(const char *path)
{
	struct accounts *a = calloc(1, sizeof *a);

	if (a == NULL || (a->path = strdup(path)) == NULL) {
		free(a);
		return NULL;
	}
	if (sodium_init() < 0) {
		accounts_free(a);
		return NULL;
	}
	return a;
}

void
accounts_free(struct accounts *a)
{
	if (a == NULL)
		return;
	accountfile_clear(&a->f);
	free(a->path);
	free(a);
}

static void
accounts_read(struct accounts *a)
{
	FILE *in = fopen(a->path, "r");
	struct accountfile f;
	char *text = NULL, err[256];
	size_t cap = 0;
	ssize_t len;

	if (in == NULL) {
		log_err("accounts: %s: %s", a->path, strerror(errno));
		a->broken = 1;
		return;
	}
	len = getdelim(&text, &cap, '\0', in);
	fclose(in);
	if (accountfile_parse(text ? text : "", len > 0 ? (size_t)len : 0, &f,
	                      err, sizeof err) < 0) {
		log_err("accounts: %s: %s; the accounts read before stay", a->path,
		        err);
		a->broken = 1;
	} else {
		accountfile_clear(&a->f);
		a->f = f;
		a->broken = 0;
		log_notice("accounts: %zu read from %s", f.n, a->path);
	}
	free(text);
}

size_t
accounts_count(struct accounts *a)
{
	struct stat st;

	if (stat(a->path, &st) < 0) {
		if (a->seen && a->f.n > 0)
			log_warn("accounts: %s is gone: no accounts now", a->path);
		accountfile_clear(&a->f);
		a->seen = 0;
		return 0;
	}
	if (!a->seen || st.st_mtim.tv_sec != a->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != a->mtime.tv_nsec || st.st_size != a->size ||
	    st.st_ino != a->ino) {
		a->seen = 1;
		a->mtime = st.st_mtim;
		a->size = st.st_size;
		a->ino = st.st_ino;
		accounts_read(a);
	}
	return a->f.n;
}

const struct account *
accounts_find(struct accounts *a, const char *name)
{
	int i = accountfile_find(&a->f, name);

	return i >= 0 ? &a->f.a[i] : NULL;
}

const struct account *
accounts_password(struct accounts *a, const char *name, const char *password)
{
	const struct account *acct = accounts_find(a, name);

	/* Argon2id on the loop: ~50-100 ms a try, which the login rate
	 * limit bounds. */
	if (acct == NULL || strcmp(acct->pwhash, "!") == 0 ||
	    crypto_pwhash_str_verify(acct->pwhash, password, strlen(password)) != 0)
		return NULL;
	return acct;
}

const struct account *
accounts_token(struct accounts *a, const char *token)
{
	unsigned char h[32];
	char hex[65];

	if (strlen(token) != 64)
		return NULL;
	crypto_generichash(h, sizeof h, (const unsigned char *)token, 64, NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	for (size_t i = 0; i < a->f.n; i++)
		if (sodium_memcmp(a->f.a[i].tokhash, hex, 64) == 0)
			return &a->f.a[i];
	return NULL;
}
