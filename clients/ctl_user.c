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

/* On failure says which file, which step and why (stderr). */
static int
user_save(const char *path, const struct accountfile *f)
{
	char tmp[4096], *text = accountfile_format(f);
	const char *step = NULL;
	size_t len;
	int fd, err = 0;

	if (text == NULL) {
		fprintf(stderr, "tiendo-ctl: %s: out of memory formatting the "
		        "accounts\n", path);
		return -1;
	}
	len = strlen(text);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		fprintf(stderr, "tiendo-ctl: %s: path too long\n", path);
		free(text);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		step = "cannot create", err = errno;
	else if ((errno = 0, write(fd, text, len)) != (ssize_t)len)
		step = "cannot write", err = errno ? errno : ENOSPC; /* short */
	else if (fsync(fd) != 0)
		step = "cannot sync", err = errno;
	if (fd >= 0 && close(fd) != 0 && step == NULL)
		step = "cannot close", err = errno;
	free(text);
	if (step == NULL && rename(tmp, path) != 0) {
		fprintf(stderr, "tiendo-ctl: cannot rename %s to %s: %s\n", tmp,
		        path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (step != NULL) {
		fprintf(stderr, "tiendo-ctl: %s %s (the new %s): %s\n", step, tmp,
		        path, strerror(err));
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	return 0;
}

/* Echo off (on 1) or back as it was (on 0).  -1 with a message when the
 * terminal will not: a password is never read with echo on. */
static int
user_echo(int off, struct termios *old)
{
	struct termios quiet;

	if (off) {
		if (tcgetattr(0, old) != 0) {
			fprintf(stderr, "tiendo-ctl: cannot read the terminal's "
			        "settings to turn echo off: %s\n", strerror(errno));
			return -1;
		}
		quiet = *old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		if (tcsetattr(0, TCSANOW, &quiet) != 0) {
			fprintf(stderr, "tiendo-ctl: cannot turn the terminal's echo "
			        "off: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (tcsetattr(0, TCSANOW, old) != 0) {
		fprintf(stderr, "tiendo-ctl: cannot turn the terminal's echo back "
		        "on (try \"stty echo\"): %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* A password from the terminal (twice, not echoed) or stdin's first line.
 * EX_OK, or the exit status with a message said. */
static int
user_password(char *pw, size_t n)
{
	int tty = isatty(0), rc = EX_OK;
	struct termios old;
	char again[256];
	size_t len;

	for (int round = 0; round < (tty ? 2 : 1); round++) {
		char *dst = round ? again : pw;
		size_t cap = round ? sizeof again : n;
		int got;
		if (tty) {
			fprintf(stderr, round ? "again: " : "password: ");
			if (user_echo(1, &old) < 0)
				return EX_IOERR;
		}
		got = fgets(dst, (int)cap, stdin) != NULL;
		if (!got)
			dst[0] = '\0';
		if (tty) {
			fputc('\n', stderr);
			if (user_echo(0, &old) < 0)
				rc = EX_IOERR;
		}
		if (rc != EX_OK)
			break;
		if (!got && ferror(stdin)) {
			fprintf(stderr, "tiendo-ctl: cannot read the password: %s\n",
			        strerror(errno));
			rc = EX_IOERR;
			break;
		}
		len = strlen(dst);
		if (len && dst[len - 1] == '\n')
			dst[--len] = '\0';
	}
	if (rc == EX_OK && tty && strcmp(pw, again) != 0) {
		fprintf(stderr, "tiendo-ctl: the two passwords differ\n");
		rc = EX_DATAERR;
	}
	if (rc == EX_OK && strlen(pw) < 8) {
		fprintf(stderr, "tiendo-ctl: a password has at least 8 characters\n");
		rc = EX_DATAERR;
	}
	sodium_memzero(again, sizeof again);
	return rc;
}

/* EX_OK, or the exit status with a message said. */
static int
user_hash(struct account *a)
{
	char pw[256];
	int rc;

	if ((rc = user_password(pw, sizeof pw)) != EX_OK) {
		sodium_memzero(pw, sizeof pw);
		return rc;
	}
	if (crypto_pwhash_str(a->pwhash, pw, strlen(pw),
	                      crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		sodium_memzero(pw, sizeof pw);
		fprintf(stderr, "tiendo-ctl: out of memory hashing the password\n");
		return EX_OSERR;
	}
	sodium_memzero(pw, sizeof pw);
	return EX_OK;
}

/* A new token into tok (65 bytes); only its hash is kept in a.  It is
 * printed once the file holding that hash is saved, never before: a token
 * shown for a file that could not be written would not exist. */
static void
user_token(struct account *a, char *tok)
{
	unsigned char raw[32], h[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(tok, 65, raw, sizeof raw);
	crypto_generichash(h, sizeof h, (const unsigned char *)tok, 64, NULL, 0);
	sodium_bin2hex(a->tokhash, sizeof a->tokhash, h, sizeof h);
	sodium_memzero(raw, sizeof raw);
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
	char tok[65] = "";
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
		if ((rc = user_hash(&a[f.n])) != EX_OK)
			goto out;
		f.n++;
	} else if (k < 0) {
		fprintf(stderr, "tiendo-ctl: no account \"%s\" in %s\n", name, path);
		rc = EX_DATAERR;
		goto out;
	} else if (strcmp(cmd, "del") == 0) {
		memmove(&f.a[k], &f.a[k + 1], (f.n - (size_t)k - 1) * sizeof *f.a);
		f.n--;
	} else if (strcmp(cmd, "passwd") == 0) {
		if ((rc = user_hash(&f.a[k])) != EX_OK)
			goto out;
	} else if (strcmp(cmd, "token") == 0) {
		user_token(&f.a[k], tok);
	} else {
		rc = user_usage();
		goto out;
	}
	if (user_save(path, &f) < 0) {
		fprintf(stderr, "tiendo-ctl: %s unchanged%s\n", path,
		        tok[0] ? "; no new token" : "");
		rc = EX_CANTCREAT;
	} else if (tok[0] && (printf("%s\n", tok) < 0 || fflush(stdout) != 0)) {
		fprintf(stderr, "tiendo-ctl: the new token is saved but could not "
		        "be printed: %s; run \"user token %s\" again\n",
		        strerror(errno), name);
		rc = EX_IOERR;
	}
out:
	sodium_memzero(tok, sizeof tok);
	accountfile_clear(&f);
	return rc;
}
