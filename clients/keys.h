/*
 * keys.h - a client's CurveZMQ keys: key files in, socket options out, and
 * new key pairs (tiendo-ctl keygen).  File format: keyfile.h.
 *
 *   NAME.secret   the secret key, mode 0600: stays on the client machine
 *   NAME.pub      the public key: copy it to the daemon's
 *                 KEYS_DIR/clients/NAME.key to authorise the client as NAME
 */
#ifndef TIENDO_KEYS_H
#define TIENDO_KEYS_H

/* Environment variables the clients read when no option is given. */
#define KEYS_ENV_KEY "TIENDO_KEY"               /* secret key file or dir */
#define KEYS_ENV_SERVER_KEY "TIENDO_SERVER_KEY" /* server public key file */

/* Reads the key of a key file into z85 (41 bytes).  0, or -1 with a
 * malloc'd *err. */
int keys_read(const char *path, char *z85, char **err);

/*
 * Makes sock a CurveZMQ client before its connect.  `key` is the client's
 * secret key file, or a directory holding IDENTITY.secret (one machine
 * sending for several clients, and the tests); `server_key` is the server's
 * public key file, by default server.pub in that directory.  With neither,
 * the socket stays plain and 0 is returned.  0, or -1 with a malloc'd *err.
 */
int keys_client_setup(void *sock, const char *key, const char *server_key,
                      const char *identity, char **err);

/* Writes DIR/NAME.secret (0600) and DIR/NAME.pub (0644), refusing to
 * overwrite either.  The public key goes to pub (41 bytes).  0, or -1 with a
 * malloc'd *err. */
int keys_generate(const char *dir, const char *name, char *pub, char **err);

#endif
