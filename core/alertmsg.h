/*
 * alertmsg.h - the readable sentence of an alert event, in Vietnamese (the
 * default) or English, with the numbers written the way the reader writes
 * them: "1.750/5.000 cây", "12,5 ha" in Vietnamese, "1,750/5,000" in
 * English.  Pure.
 */
#ifndef TIENDO_ALERTMSG_H
#define TIENDO_ALERTMSG_H

#include <stddef.h>

#include "rules.h"

enum alertmsg_lang { ALERTMSG_VI = 0, ALERTMSG_EN = 1 };

/* "vi" or "en" -> language; -1 when unknown. */
int alertmsg_lang_parse(const char *s);

/* A decimal with thousands grouped: 1750000 ("1750") -> "1.750" (vi) or
 * "1,750" (en); 12500 -> "12,5" / "12.5".  Returns buf (n >= 48). */
char *alertmsg_number(dec_t v, enum alertmsg_lang lang, char *buf, size_t n);

/* A percentage or points, one decimal at most: 12.5 -> "12,5" / "12.5". */
char *alertmsg_points(double v, enum alertmsg_lang lang, char *buf, size_t n);

/* The sentence for event e of subject s.  Returns buf, always terminated. */
char *alertmsg_format(const struct plan *p, const struct rules_subject *s,
                      const struct rules_event *e, enum alertmsg_lang lang,
                      char *buf, size_t n);

#endif
