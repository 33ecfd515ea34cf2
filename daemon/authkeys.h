/*
 * authkeys.h - the authorised client keys: a directory with one file per
 * client, like SSH's authorized_keys but one key per file.
 *
 *   KEYS_DIR/clients/IDENTITY.key     # IDENTITY: [A-Za-z0-9._-]{1,64}
 *     <Z85 public key>
 *     units = hoang-dan, hoang-hoa    # optional; "*" = every unit;
 *                                     # default: the unit named IDENTITY
 *
 * The file's name is the identity the daemon stores the client's reports
 * under, so an operator revokes a client by deleting (or renaming away from
 * .key) one file and reloading.  Loading is all or nothing: one bad file
 * refuses the whole set, as a bad plan is refused.
 */
#ifndef TIENDO_AUTHKEYS_H
#define TIENDO_AUTHKEYS_H

#include <stddef.h>
#include <stdint.h>

struct authkey {
	char *identity;
	uint8_t key[32];  /* the client's public key, binary */
	char key_z85[41]; /* the same in Z85 */
	int all_units;    /* units = * */
	char **units;     /* codes it may report for */
	size_t n_units;
};

struct authkeys {
	struct authkey *v; /* sorted by identity */
	size_t n;
};

/* Loads every *.key in dir.  NULL with a malloc'd "file:line: reason" in
 * *err on failure. */
struct authkeys *authkeys_load(const char *dir, char **err);
void authkeys_free(struct authkeys *ak);

const struct authkey *authkeys_by_key(const struct authkeys *ak,
                                      const uint8_t key[32]);
const struct authkey *authkeys_by_identity(const struct authkeys *ak,
                                           const char *identity);

/* Reads and parses one key file (any kind: see keyfile.h).  0, or -1 with a
 * malloc'd "file:line: reason" in *err.  keyfile_clear(kf) after use. */
struct keyfile;
int authkeys_read_file(const char *path, struct keyfile *kf, char **err);

/* 1 when the client may report for unit. */
int authkey_allows(const struct authkey *k, const char *unit);

#endif
