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

/* The reader's language, one rule for every client program and command:
 * opt (a --lang given on the command line) when not NULL, else
 * $TIENDO_LANG when set and not empty, else English.  1 vi, 0 en; -1
 * after saying on stderr which of the two named what ("PROG: --lang
 * \"fr\": neither vi nor en"). */
int lang_choose(const char *opt, const char *prog);

/* The reader's language once the daemon has answered: vi as lang_choose
 * gave it when --lang (opt) or TIENDO_LANG chose; else the daemon's own
 * (daemon: "vi", "en" or NULL, httpget_language()), else English. */
int lang_settle(int vi, const char *opt, const char *daemon);

/* A status word: "on_track" -> "đúng tiến độ" (vi); itself (en). */
const char *lang_status(const char *status, int vi);

/* The other words the daemon sends in English and the clients show: an
 * alert's severity ("critical" -> "nghiêm trọng") and transition
 * ("resolved" -> "đã khắc phục"), a report's kind ("set" -> "lũy kế").
 * In en, or for a word they do not know, the word itself. */
const char *lang_severity(const char *severity, int vi);
const char *lang_transition(const char *transition, int vi);
const char *lang_kind(const char *kind, int vi);

/* A decimal as the user typed it -> the protocol's form: in vi
 * "1.750,5" -> "1750.5", "1,5" -> "1.5" (a '.' groups thousands, ','
 * is the decimal point); in en it is copied.  0, or -1 when it does not
 * fit or a group is not three digits. */
int lang_decimal_in(const char *in, int vi, char *out, size_t n);

/* A date as typed -> the form when_parse() reads: in vi "20/03/2021" ->
 * "2021-03-20", "20/03/2021 08:30" -> "2021-03-20 08:30" (day and month
 * of one or two digits, the year of four); what has no '/' is copied
 * (ISO dates, RFC 3339 and @SECONDS are always read), and so is
 * everything in en.  0; -1 when it does not fit; -2 when in vi it has a
 * '/' but is no dd/mm/yyyy day, *why saying what is wrong (so that the
 * error quotes what the user typed, not a converted "2021-02-30"). */
int lang_date_in(const char *in, int vi, char *out, size_t n,
                 const char **why);

/* A decimal string of the protocol written for the reader: vi "1750.5" ->
 * "1.750,5"; en "1750.5" -> "1,750.5".  Copies what is not a decimal. */
char *lang_number(const char *dec, int vi, char *buf, size_t n);

/* A count for the reader: vi 1750 -> "1.750"; en "1750", as the
 * English output always wrote it.  Returns buf. */
char *lang_int(long long v, int vi, char *buf, size_t n);

/* A decimal of the protocol for the reader: vi as lang_number(); en
 * unchanged ("1250.5", as the English output always wrote it). */
const char *lang_value(const char *dec, int vi, char *buf, size_t n);

/* A percentage with one decimal: vi "33,7", en "33.7". */
char *lang_pct(double v, int vi, char *buf, size_t n);

#endif
