/*
 * decimal.h - exact decimal quantities.
 *
 * Hectares and VND must add up exactly, so every quantity is an int64 count
 * of thousandths ("milli-units"): "12.5" is 12500, and 0.1 added ten times
 * is exactly 1.  Three fraction digits are the protocol's limit.
 */
#ifndef TIENDO_DECIMAL_H
#define TIENDO_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t dec_t;

#define DEC_SCALE 1000
/* Largest magnitude of one value: 10^12 units.  Leaves room for sums of
 * thousands of maximal values before int64 overflows (9.2 * 10^18). */
#define DEC_MAX ((dec_t)1000000000000000LL)
/* Buffer large enough for any dec_format() result. */
#define DEC_BUFSZ 32

/*
 * Parses a plain decimal: optional '-' (never '+'), digits, optional '.' and at
 * most 3 more digits ("12", "12.5", "-0.125", ".5" is refused: a digit is
 * needed before the point).  No exponent, no spaces, no "nan"/"inf", no
 * thousands separators.  |value| <= DEC_MAX.
 * Returns 0 and sets *out, or -1 and sets *why to a static English reason
 * ("more than 3 decimals", "not a number", "out of range", "empty",
 * "a leading '+' is not allowed").
 */
int dec_parse(const char *s, dec_t *out, const char **why);

/* Formats without trailing zeros: 12500 -> "12.5", 3000 -> "3", -125 ->
 * "-0.125".  Returns buf.  n >= DEC_BUFSZ is always enough. */
char *dec_format(dec_t v, char *buf, size_t n);

/* *out = a + b; returns -1 (and leaves *out alone) on int64 overflow. */
int dec_add(dec_t a, dec_t b, dec_t *out);

/* a * 100 / b as a double (percent), a whole percentage exactly; 0 when
 * b <= 0. */
double dec_percent(dec_t a, dec_t b);

#endif
