/*
 * ctl_conf.h - tiendo-ctl --config FILE: where the daemon that reads FILE
 * answers, and its reload key, so that the unit's ExecReload= needs no
 * address of its own and works with accounts (reloadkey.h).
 */
#ifndef TIENDO_CTL_CONF_H
#define TIENDO_CTL_CONF_H

#include <stddef.h>

struct ctl_conf {
	char *url;       /* http://HOST:PORT, a wildcard host made loopback */
	char *state_dir;
	char *store;     /* the store setting, or NULL */
	/* "127.0.0.1" or "::1" when the host is another address of this
	 * machine: a reload is served to loopback peers only, and from there
	 * the kernel reaches any local address.  NULL otherwise. */
	const char *local;
};

/*
 * Reads the settings http and state_dir of path's [tiendod] (libinih, as
 * tiendod reads it; other settings are the daemon's to judge), with the
 * daemon's defaults (127.0.0.1:7480; $STATE_DIRECTORY's first directory,
 * else /var/lib/tiendo).  The address the running daemon bound, in
 * STATE_DIR/endpoints, wins over the setting (an edited http applies only
 * at a restart); the file is required only when the port is 0 (tests).
 * 0.0.0.0 or [::] is reached on 127.0.0.1 or [::1], another IP address
 * from 127.0.0.1 or ::1 (c->local).  Returns
 * EX_OK, or a sysexits code after saying on stderr what, where and why:
 * EX_NOINPUT (no file, or an unreadable endpoints file), EX_UNAVAILABLE
 * (port 0 and no endpoints file: no daemon), EX_CONFIG (not host:port, or
 * a line that is not a setting), EX_DATAERR (a bad endpoints file),
 * EX_OSERR.  ctl_conf_clear either way.
 */
int ctl_conf_load(const char *path, struct ctl_conf *c);
/* Only state_dir and store (defaulted as above; store NULL when not set),
 * for backup, which needs no address: EX_OK, or EX_NOINPUT, EX_CONFIG,
 * EX_OSERR, said on stderr.  ctl_conf_clear either way. */
int ctl_conf_load_store(const char *path, struct ctl_conf *c);
void ctl_conf_clear(struct ctl_conf *c);

/* STATE_DIR/reload.key into hex (at least RELOADKEY_HEXLEN + 1 bytes):
 * 0, or -1 with errno (ENOENT: the daemon wrote none; EACCES: run as root
 * or as the daemon's user; EINVAL: not a key). */
int ctl_conf_reload_key(const struct ctl_conf *c, char *hex, size_t n);

#endif
