/*
 * accountfile.c - the accounts file (accountfile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accountfile.h"

int
account_name_check(const char *name, const char **why)
{
	size_t n = strlen(name);

	if (n == 0 || n > ACCOUNT_NAME_MAX) {
		*why = "a name has 1 to 64 characters";
		return -1;
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n) {
		*why = "a name is made of a-z, 0-9, '.', '_' and '-'";
		return -1;
	}
	return 0;
}

int
account_scope_check(const char *scope, const char **why)
{
	size_t n = strlen(scope);

	if (n == 0 || n > ACCOUNT_SCOPE_MAX) {
		*why = "a scope is \"*\" or unit codes separated by commas";
		return -1;
	}
	if (strcmp(scope, "*") != 0 &&
	    (strspn(scope, "abcdefghijklmnopqrstuvwxyz0123456789-,") != n ||
	     scope[0] == ',' || scope[n - 1] == ',' || strstr(scope, ",,"))) {
		*why = "a scope is \"*\" or unit codes separated by commas";
		return -1;
	}
	return 0;
}

void
accountfile_clear(struct accountfile *f)
{
	free(f->a);
	f->a = NULL;
	f->n = 0;
}

/* Copies field [s, e) into dst of size n: 0, or -1 when too long. */
static int
af_field(char *dst, size_t n, const char *s, const char *e)
{
	if ((size_t)(e - s) >= n)
		return -1;
	memcpy(dst, s, (size_t)(e - s));
	dst[e - s] = '\0';
	return 0;
}

static int
af_line(const char *s, const char *e, struct account *a, const char **why)
{
	const char *f[5];
	int k = 0;

	f[k++] = s;
	for (const char *p = s; p < e; p++)
		if (*p == ':') {
			if (k == 4) {
				*why = "more than 4 fields";
				return -1;
			}
			f[k++] = p + 1;
		}
	if (k != 4) {
		*why = "expected NAME:SCOPE:PASSWORD_HASH:TOKEN_HASH";
		return -1;
	}
	f[4] = e + 1;
	memset(a, 0, sizeof *a);
	if (af_field(a->name, sizeof a->name, f[0], f[1] - 1) < 0 ||
	    af_field(a->scope, sizeof a->scope, f[1], f[2] - 1) < 0 ||
	    af_field(a->pwhash, sizeof a->pwhash, f[2], f[3] - 1) < 0 ||
	    af_field(a->tokhash, sizeof a->tokhash, f[3], f[4] - 1) < 0) {
		*why = "a field is too long";
		return -1;
	}
	if (account_name_check(a->name, why) < 0 ||
	    account_scope_check(a->scope, why) < 0)
		return -1;
	if (strcmp(a->pwhash, "!") != 0 && strncmp(a->pwhash, "$argon2id$", 10) != 0) {
		*why = "the password hash is not Argon2id (or \"!\")";
		return -1;
	}
	if (strcmp(a->tokhash, "-") != 0 && (strlen(a->tokhash) != 64 ||
	    strspn(a->tokhash, "0123456789abcdef") != 64)) {
		*why = "the token hash is not 64 hex digits (or \"-\")";
		return -1;
	}
	return 0;
}

int
accountfile_parse(const char *text, size_t len, struct accountfile *out,
                  char *err, size_t errlen)
{
	const char *p = text, *end = text + len, *why;
	size_t line = 0, cap = 0;

	memset(out, 0, sizeof *out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		line++;
		if (e > p && e[-1] == '\r')
			e--;
		if (e > p && *p != '#') {
			if (out->n == cap) {
				struct account *a = realloc(out->a,
				        (cap = cap ? cap * 2 : 8) * sizeof *a);
				if (a == NULL) {
					snprintf(err, errlen, "out of memory");
					goto fail;
				}
				out->a = a;
			}
			if (af_line(p, e, &out->a[out->n], &why) < 0) {
				snprintf(err, errlen, "line %zu: %s", line, why);
				goto fail;
			}
			if (accountfile_find(out, out->a[out->n].name) >= 0) {
				snprintf(err, errlen, "line %zu: account \"%s\" again",
				         line, out->a[out->n].name);
				goto fail;
			}
			out->n++;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
fail:
	accountfile_clear(out);
	return -1;
}

int
accountfile_find(const struct accountfile *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->a[i].name, name) == 0)
			return (int)i;
	return -1;
}

char *
accountfile_format(const struct accountfile *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	fputs("# tiendo dashboard accounts: NAME:SCOPE:PASSWORD_HASH:TOKEN_HASH\n"
	      "# Edited by tiendo-ctl user; see tiendo-ctl(1).\n", m);
	for (size_t i = 0; i < f->n; i++)
		fprintf(m, "%s:%s:%s:%s\n", f->a[i].name, f->a[i].scope,
		        f->a[i].pwhash, f->a[i].tokhash);
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
