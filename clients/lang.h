/*
 * lang.h - the clients in Vietnamese: with TIENDO_LANG=vi (or a command's
 * --lang vi) tables, status words, numbers (1.750,5) and dates
 * (20/03/2021 08:30) are written the way a Vietnamese clerk writes them,
 * and read that way too (instants are written by showtime.h, which takes
 * the language).  English (the default) is unchanged.
 */
#ifndef TIENDO_LANG_H
#define TIENDO_LANG_H

#include <stddef.h>

/* 1 for Vietnamese, 0 for English: `s` ("vi", "en"), or when NULL
 * $TIENDO_LANG; -1 when s names neither. */
int lang_vi(const char *s);

/* A status word: "on_track" -> "đúng tiến độ" (vi); itself (en). */
const char *lang_status(const char *status, int vi);

/* A decimal as the user typed it -> the protocol's form: in vi
 * "1.750,5" -> "1750.5", "1,5" -> "1.5" (a '.' groups thousands, ','
 * is the decimal point); in en it is copied.  0, or -1 when it does not
 * fit or a group is not three digits. */
int lang_decimal_in(const char *in, int vi, char *out, size_t n);

/* A date as typed -> the form when_parse() reads: in vi "20/03/2021" ->
 * "2021-03-20", "20/03/2021 08:30" -> "2021-03-20 08:30"; anything else
 * is copied (ISO dates are always read).  0, or -1 when it does not fit. */
int lang_date_in(const char *in, int vi, char *out, size_t n);

/* A decimal string of the protocol written for the reader: vi "1750.5" ->
 * "1.750,5"; en "1750.5" -> "1,750.5".  Copies what is not a decimal. */
char *lang_number(const char *dec, int vi, char *buf, size_t n);

/* A percentage with one decimal: vi "33,7", en "33.7". */
char *lang_pct(double v, int vi, char *buf, size_t n);

#endif
