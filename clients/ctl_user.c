/*
 * ctl_user.c - tiendo-ctl user add|del|list|passwd|token.
 *
 * The file is rewritten whole, through a temporary file and rename(2),
 * mode 0600: a crash leaves the old file or the new one, never half.
 * tiendod reads it again when it changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "accountfile.h"
#include "ctl_user.h"

static int
user_load(const char *path, struct accountfile *f)
{
	FILE *in = fopen(path, "r");
	char *text = NULL, err[256];
	size_t cap = 0, len;
	int rc;

	memset(f, 0, sizeof *f);
	if (in == NULL)
		return errno == ENOENT ? 0 : -1;
	len = (size_t)getdelim(&text, &cap, '\0', in);
	fclose(in);
	if (text == NULL || len == (size_t)-1) {
		free(text);
		return 0;   /* empty file */
	}
	rc = accountfile_parse(text, len, f, err, sizeof err);
	free(text);
	if (rc < 0)
		fprintf(stderr, "tiendo-ctl: %s: %s\n", path, err);
	return rc;
}

static int
user_save(const char *path, const struct accountfile *f)
{
	char tmp[4096], *text = accountfile_format(f);
	int fd = -1, ok = 0;

	if (text == NULL)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0 &&
	    write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
	    fsync(fd) == 0)
		ok = 1;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	free(text);
	if (!ok || rename(tmp, path) != 0) {
		fprintf(stderr, "tiendo-ctl: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A password from the terminal (twice, not echoed) or stdin's first line. */
static int
user_password(char *pw, size_t n)
{
	int tty = isatty(0);
	struct termios old, quiet;
	char again[256];
	size_t len;

	for (int round = 0; round < (tty ? 2 : 1); round++) {
		char *dst = round ? again : pw;
		size_t cap = round ? sizeof again : n;
		if (tty) {
			fprintf(stderr, round ? "again: " : "password: ");
			tcgetattr(0, &old);
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(0, TCSANOW, &quiet);
		}
		if (fgets(dst, (int)cap, stdin) == NULL)
			dst[0] = '\0';
		if (tty) {
			tcsetattr(0, TCSANOW, &old);
			fputc('\n', stderr);
		}
		len = strlen(dst);
		if (len && dst[len - 1] == '\n')
			dst[--len] = '\0';
	}
	if (tty && strcmp(pw, again) != 0) {
		fprintf(stderr, "tiendo-ctl: the two passwords differ\n");
		return -1;
	}
	if (strlen(pw) < 8) {
		fprintf(stderr, "tiendo-ctl: a password has at least 8 characters\n");
		return -1;
	}
	return 0;
}

static int
user_hash(struct account *a)
{
	char pw[256];

	if (user_password(pw, sizeof pw) < 0)
		return -1;
	if (crypto_pwhash_str(a->pwhash, pw, strlen(pw),
	                      crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		sodium_memzero(pw, sizeof pw);
		fprintf(stderr, "tiendo-ctl: out of memory hashing the password\n");
		return -1;
	}
	sodium_memzero(pw, sizeof pw);
	return 0;
}

/* A new token, printed once; only its hash is kept. */
static void
user_token(struct account *a)
{
	unsigned char raw[32], h[32];
	char tok[65];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(tok, sizeof tok, raw, sizeof raw);
	crypto_generichash(h, sizeof h, (const unsigned char *)tok, 64, NULL, 0);
	sodium_bin2hex(a->tokhash, sizeof a->tokhash, h, sizeof h);
	printf("%s\n", tok);
}

static int
user_usage(void)
{
	fprintf(stderr,
	    "usage: tiendo-ctl user [--accounts FILE] add NAME [--units U,...|*]\n"
	    "       tiendo-ctl user [--accounts FILE] del|passwd|token NAME\n"
	    "       tiendo-ctl user [--accounts FILE] list\n");
	return EX_USAGE;
}

int
ctl_user(int argc, char **argv)
{
	const char *path = getenv("TIENDO_ACCOUNTS"), *units = "*", *why;
	struct accountfile f;
	const char *cmd, *name = NULL;
	int i = 1, k, rc = EX_OK;

	if (path == NULL || *path == '\0')
		path = CTL_DEFAULT_ACCOUNTS;
	if (i + 1 < argc && strcmp(argv[i], "--accounts") == 0) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		return user_usage();
	cmd = argv[i++];
	if (strcmp(cmd, "list") != 0) {
		if (i >= argc)
			return user_usage();
		name = argv[i++];
	}
	if (strcmp(cmd, "add") == 0 && i + 1 < argc &&
	    strcmp(argv[i], "--units") == 0) {
		units = argv[i + 1];
		i += 2;
	}
	if (i != argc)
		return user_usage();
	if (sodium_init() < 0) {
		fprintf(stderr, "tiendo-ctl: libsodium cannot start\n");
		return EX_SOFTWARE;
	}
	if (name && account_name_check(name, &why) < 0) {
		fprintf(stderr, "tiendo-ctl: \"%s\": %s\n", name, why);
		return EX_USAGE;
	}
	if (user_load(path, &f) < 0) {
		if (errno)
			fprintf(stderr, "tiendo-ctl: %s: %s\n", path, strerror(errno));
		return EX_DATAERR;
	}
	k = name ? accountfile_find(&f, name) : -1;
	if (strcmp(cmd, "list") == 0) {
		for (size_t j = 0; j < f.n; j++)
			printf("%s\t%s\t%s%s\n", f.a[j].name, f.a[j].scope,
			       strcmp(f.a[j].pwhash, "!") ? "password" : "",
			       strcmp(f.a[j].tokhash, "-") ? " token" : "");
		goto out;
	}
	if (strcmp(cmd, "add") == 0) {
		struct account *a;
		if (k >= 0) {
			fprintf(stderr, "tiendo-ctl: account \"%s\" exists\n", name);
			rc = EX_DATAERR;
			goto out;
		}
		if (account_scope_check(units, &why) < 0) {
			fprintf(stderr, "tiendo-ctl: --units %s: %s\n", units, why);
			rc = EX_USAGE;
			goto out;
		}
		if ((a = realloc(f.a, (f.n + 1) * sizeof *a)) == NULL) {
			rc = EX_OSERR;
			goto out;
		}
		f.a = a;
		memset(&a[f.n], 0, sizeof a[f.n]);
		snprintf(a[f.n].name, sizeof a[f.n].name, "%s", name);
		snprintf(a[f.n].scope, sizeof a[f.n].scope, "%s", units);
		strcpy(a[f.n].tokhash, "-");
		if (user_hash(&a[f.n]) < 0) {
			rc = EX_DATAERR;
			goto out;
		}
		f.n++;
	} else if (k < 0) {
		fprintf(stderr, "tiendo-ctl: no account \"%s\" in %s\n", name, path);
		rc = EX_DATAERR;
		goto out;
	} else if (strcmp(cmd, "del") == 0) {
		memmove(&f.a[k], &f.a[k + 1], (f.n - (size_t)k - 1) * sizeof *f.a);
		f.n--;
	} else if (strcmp(cmd, "passwd") == 0) {
		if (user_hash(&f.a[k]) < 0) {
			rc = EX_DATAERR;
			goto out;
		}
	} else if (strcmp(cmd, "token") == 0) {
		user_token(&f.a[k]);
	} else {
		rc = user_usage();
		goto out;
	}
	if (user_save(path, &f) < 0)
		rc = EX_CANTCREAT;
out:
	accountfile_clear(&f);
	return rc;
}
