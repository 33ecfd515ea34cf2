/*
 * accountfile.h - the dashboard's accounts file, one account a line:
 *
 *   NAME:SCOPE:PASSWORD_HASH:TOKEN_HASH
 *
 * NAME is [a-z0-9._-], 1 to 64; SCOPE is "*" (the whole plan) or unit
 * codes separated by commas (each with everything below it); the password
 * hash is libsodium's crypto_pwhash_str (Argon2id) or "!" (no password:
 * a token only); the token hash is the hex BLAKE2b-256 of the token, or
 * "-".  '#' starts a comment line.  Pure: text in, text out.
 */
#ifndef TIENDO_ACCOUNTFILE_H
#define TIENDO_ACCOUNTFILE_H

#include <stddef.h>

#define ACCOUNT_NAME_MAX 64
#define ACCOUNT_HASH_MAX 256
#define ACCOUNT_SCOPE_MAX 1024

struct account {
	char name[ACCOUNT_NAME_MAX + 1];
	char scope[ACCOUNT_SCOPE_MAX + 1];
	char pwhash[ACCOUNT_HASH_MAX + 1];
	char tokhash[65];
};

struct accountfile {
	struct account *a;
	size_t n;
};

/* Parses text; on an error, -1 with "line N: why" in err. */
int accountfile_parse(const char *text, size_t len, struct accountfile *out,
                      char *err, size_t errlen);
void accountfile_clear(struct accountfile *f);

/* 0, or -1 with a static reason in *why. */
int account_name_check(const char *name, const char **why);
int account_scope_check(const char *scope, const char **why);

/* The index of `name`, or -1. */
int accountfile_find(const struct accountfile *f, const char *name);

/* The file's text (malloc'd), a header comment first. */
char *accountfile_format(const struct accountfile *f);

#endif
