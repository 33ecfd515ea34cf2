/*
 * keyfile.h - the text of a CurveZMQ key file.  Pure: no I/O.
 *
 *   # any comment
 *   rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7      <- the key, Z85, 40 chars
 *   units = hoang-dan, hoang-hoa                  <- optional (authorised keys)
 *
 * One format for every key file: a public key (NAME.pub), a secret key
 * (NAME.secret) and an authorised client (keys/clients/IDENTITY.key), so an
 * operator authorises a client by copying its .pub file into the clients
 * directory under the client's name, and adds a units line if it reports
 * for more than the unit of the same code.
 */
#ifndef TIENDO_KEYFILE_H
#define TIENDO_KEYFILE_H

#include <stddef.h>

#define KEYFILE_Z85_LEN 40    /* a 32-byte key in Z85 */
#define KEYFILE_MAX 65536     /* bytes of a key file we are willing to read */

struct keyfile {
	char key[KEYFILE_Z85_LEN + 1]; /* NUL-terminated Z85 */
	char *units;  /* the value of "units =", malloc'd; NULL when absent */
	int line;     /* on error: the line at fault (1-based), else 0 */
};

/* Parses text[0..len).  0, or -1 with a static English reason in *why and
 * kf->line set.  On success free kf->units with keyfile_clear(). */
int keyfile_parse(const char *text, size_t len, struct keyfile *kf,
                  const char **why);
void keyfile_clear(struct keyfile *kf);

/* 1 when s is KEYFILE_Z85_LEN characters of the Z85 alphabet. */
int keyfile_z85_valid(const char *s, size_t len);

/* Splits a units value ("a, b c") into codes: calls fn for each, with a
 * pointer into `units` and a length.  Stops and returns fn's value when
 * non-zero; 0 otherwise. */
int keyfile_units_each(const char *units,
                       int (*fn)(void *arg, const char *code, size_t len),
                       void *arg);

#endif
