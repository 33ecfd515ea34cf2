/*
 * reloadkey.h - the key that lets `tiendo-ctl --config FILE reload` (the
 * unit's ExecReload=) reload a daemon whose HTTP needs accounts.
 *
 * At every start the daemon makes 256 random bits and writes them, in hex,
 * to STATE_DIR/reload.key, mode 0600: whoever can read it (root, or the
 * daemon's own user, which is what ExecReload= runs as) may already do
 * anything to the daemon.  POST /v1/reload with the header
 * X-Tiendo-Reload-Key holding it passes the account gate (http_auth.c);
 * it is still served to loopback peers only (reload.c).
 */
#ifndef TIENDO_RELOADKEY_H
#define TIENDO_RELOADKEY_H

#include <stddef.h>

#define RELOADKEY_FILE "reload.key"
#define RELOADKEY_HEADER "X-Tiendo-Reload-Key"
#define RELOADKEY_HEXLEN 64

/* Makes a new key into hex (RELOADKEY_HEXLEN + 1 bytes) and writes it to
 * state_dir/reload.key (a temporary file renamed over it).  0, or -1 with
 * what failed, where and why in err. */
int reloadkey_make(const char *state_dir, char *hex, char *err, size_t n);

#endif
