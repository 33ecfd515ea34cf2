/*
 * utf8.h - strict UTF-8 validation (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).
 */
#ifndef TIENDO_UTF8_H
#define TIENDO_UTF8_H

#include <stddef.h>

/* Returns -1 when s[0..len) is valid UTF-8, else the offset of the first
 * bad byte. */
long utf8_check(const char *s, size_t len);

#endif
