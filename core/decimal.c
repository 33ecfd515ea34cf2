/*
 * decimal.c - exact decimal quantities as int64 thousandths.
 *
 * The parser is deliberately narrow: a clerk's "1,5" or a client's "1e3"
 * must be refused rather than guessed at, because a guessed value would be
 * summed into a tally nobody re-checks.
 */
#include <stdio.h>
#include <string.h>

#include "decimal.h"

int
dec_parse(const char *s, dec_t *out, const char **why)
{
	const char *p = s;
	int neg = 0, nfrac = 0;
	dec_t v = 0;

	if (s == NULL || *s == '\0') {
		*why = "empty";
		return -1;
	}
	/* One spelling per number (PROTOCOL.md 2.3): "+1" is not "1". */
	if (*p == '+') {
		*why = "a leading '+' is not allowed";
		return -1;
	}
	if (*p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9') {
		*why = "not a number";
		return -1;
	}
	/* Accumulate as a magnitude and compare with DEC_MAX at every step:
	 * DEC_MAX * 10 + 9 is far below INT64_MAX, so no step can wrap. */
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (v > DEC_MAX / DEC_SCALE) {
			*why = "out of range";
			return -1;
		}
	}
	v *= DEC_SCALE;
	if (*p == '.') {
		dec_t unit = DEC_SCALE / 10;

		p++;
		if (*p < '0' || *p > '9') {
			*why = "not a number";
			return -1;
		}
		while (*p >= '0' && *p <= '9') {
			if (++nfrac > 3) {
				*why = "more than 3 decimals";
				return -1;
			}
			v += (*p++ - '0') * unit;
			unit /= 10;
		}
	}
	if (*p != '\0') {
		*why = "not a number";
		return -1;
	}
	if (v > DEC_MAX) {
		*why = "out of range";
		return -1;
	}
	*out = neg ? -v : v;
	return 0;
}

char *
dec_format(dec_t v, char *buf, size_t n)
{
	/* The magnitude as unsigned, so INT64_MIN formats too. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	unsigned frac = (unsigned)(mag % DEC_SCALE);
	char fbuf[8];
	int k;

	if (n == 0)
		return buf;
	if (frac == 0) {
		snprintf(buf, n, "%s%llu", v < 0 ? "-" : "",
		         (unsigned long long)(mag / DEC_SCALE));
		return buf;
	}
	snprintf(fbuf, sizeof(fbuf), "%03u", frac);
	for (k = 2; k > 0 && fbuf[k] == '0'; k--)
		fbuf[k] = '\0';
	snprintf(buf, n, "%s%llu.%s", v < 0 ? "-" : "",
	         (unsigned long long)(mag / DEC_SCALE), fbuf);
	return buf;
}

int
dec_add(dec_t a, dec_t b, dec_t *out)
{
	dec_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

double
dec_percent(dec_t a, dec_t b)
{
	if (b <= 0)
		return 0.0;
	/* Multiply first: a * 100 is exact (in a long double whatever the
	 * magnitude of a sum), and one correctly rounded division then gives
	 * a whole percentage exactly (1,650 of 3,000 is 55, where a / b * 100
	 * says 55.00000000000001), which the lag thresholds compare against. */
	return (double)((long double)a * 100 / (long double)b);
}
