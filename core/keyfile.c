/*
 * keyfile.c - parses key files; see keyfile.h.
 *
 * The parser is deliberately strict (one key, known settings only, bounded
 * size): a key file is written by tiendo-ctl keygen or by an operator, and a
 * typo that silently authorised the wrong thing would be worse than a
 * refusal with the line number.
 */
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"

static const char z85_chars[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	".-:+=^!/*?&<>()[]{}@%$#";

int
keyfile_z85_valid(const char *s, size_t len)
{
	if (len != KEYFILE_Z85_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(z85_chars, s[i]) == NULL)
			return 0;
	return 1;
}

static int
keyfile_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Handles one line, already stripped of its ends. */
static int
keyfile_line(struct keyfile *kf, const char *s, size_t n, const char **why)
{
	const char *eq;
	size_t klen;

	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	/* Z85 has '=' in its alphabet: a key line is told by its shape. */
	if (keyfile_z85_valid(s, n)) {
		if (kf->key[0] != '\0') {
			*why = "a second key; a key file holds one";
			return -1;
		}
		memcpy(kf->key, s, n);
		kf->key[n] = '\0';
		return 0;
	}
	if ((eq = memchr(s, '=', n)) == NULL) {
		*why = "not a key: expected 40 characters of Z85";
		return -1;
	}
	for (klen = (size_t)(eq - s); klen > 0 && keyfile_space(s[klen - 1]);)
		klen--;
	if (klen != 5 || memcmp(s, "units", 5) != 0) {
		*why = "unknown setting (only \"units =\" is known)";
		return -1;
	}
	if (kf->units != NULL) {
		*why = "a second \"units =\" line";
		return -1;
	}
	eq++;
	n -= (size_t)(eq - s);
	while (n > 0 && keyfile_space(*eq)) {
		eq++;
		n--;
	}
	for (size_t i = 0; i < n; i++)
		if (eq[i] == '\0') {
			*why = "NUL byte in units";
			return -1;
		}
	if ((kf->units = strndup(eq, n)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

int
keyfile_parse(const char *text, size_t len, struct keyfile *kf,
              const char **why)
{
	size_t start = 0, end;
	int line = 0;

	memset(kf, 0, sizeof *kf);
	if (len > KEYFILE_MAX) {
		*why = "file too large for a key file";
		return -1;
	}
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t a = start, b;

		end = nl ? (size_t)(nl - text) : len;
		line++;
		b = end;
		while (a < b && keyfile_space(text[a]))
			a++;
		while (b > a && keyfile_space(text[b - 1]))
			b--;
		if (keyfile_line(kf, text + a, b - a, why) < 0)
			goto fail;
		start = end + 1;
	}
	if (kf->key[0] == '\0') {
		*why = "no key in the file";
		line = 0;
		goto fail;
	}
	return 0;
fail:
	keyfile_clear(kf);
	kf->line = line;
	return -1;
}

void
keyfile_clear(struct keyfile *kf)
{
	free(kf->units);
	memset(kf, 0, sizeof *kf);
}

int
keyfile_units_each(const char *units,
                   int (*fn)(void *arg, const char *code, size_t len),
                   void *arg)
{
	const char *p = units;
	int rc;

	for (;;) {
		size_t n;

		p += strspn(p, " \t,");
		if (*p == '\0')
			return 0;
		n = strcspn(p, " \t,");
		if ((rc = fn(arg, p, n)) != 0)
			return rc;
		p += n;
	}
}
