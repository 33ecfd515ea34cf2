/*
 * ctl_conf.c - the daemon's address and reload key from its configuration
 * file (ctl_conf.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <ini.h>

#include "ctl_conf.h"
#include "hostport.h"
#include "reloadkey.h"

#define CTL_CONF_HTTP "127.0.0.1:7480"     /* config.c's defaults */
#define CTL_CONF_STATE "/var/lib/tiendo"

struct ctl_conf_read {
	char *http, *state_dir, *store;
	int nomem;
};

static int
ctl_conf_handler(void *arg, const char *section, const char *name,
                 const char *value)
{
	struct ctl_conf_read *r = arg;
	char **slot;

	if (strcmp(section, "tiendod") != 0)
		return 1;
	if (strcmp(name, "http") == 0)
		slot = &r->http;
	else if (strcmp(name, "state_dir") == 0)
		slot = &r->state_dir;
	else if (strcmp(name, "store") == 0)
		slot = &r->store;
	else
		return 1;
	free(*slot);
	if ((*slot = strdup(value)) == NULL)
		r->nomem = 1;
	return 1;
}

/* "host:port" or "[v6]:port" into the URL of its loopback side, and the
 * local address to come from.  0 or -1 (not host:port, or out of memory:
 * *url NULL and errno ENOMEM). */
static int
ctl_conf_url(const char *addr, char **url, int *port, const char **local)
{
	unsigned char ip[sizeof(struct in6_addr)];
	char host[64];

	*url = NULL;
	*local = NULL;
	if (hostport_split(addr, host, sizeof host, port) != 0) {
		errno = EINVAL;
		return -1;
	}
	/* A daemon listening everywhere listens on loopback too. */
	if (strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	else if (strcmp(host, "::") == 0)
		snprintf(host, sizeof host, "::1");
	else if (inet_pton(AF_INET, host, ip) == 1 && ip[0] != 127)
		*local = "127.0.0.1";
	else if (inet_pton(AF_INET6, host, ip) == 1 &&
	         !IN6_IS_ADDR_LOOPBACK((struct in6_addr *)ip))
		*local = "::1";
	if (asprintf(url, strchr(host, ':') ? "http://[%s]:%d" : "http://%s:%d",
	             host, *port) < 0) {
		*url = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* The address the running daemon bound, from the endpoints file it writes
 * once every socket is bound and removes at exit: it wins over the
 * setting, which may have been edited since (http needs a restart).  Only
 * with port 0 (tests) is the file required; otherwise a missing or bad one
 * leaves the setting's address. */
static int
ctl_conf_endpoints(struct ctl_conf *c, int required)
{
	char path[4096], line[512], *url = NULL;
	const char *local = NULL;
	FILE *f;
	int port, found = 0, bad = 0;

	snprintf(path, sizeof path, "%s/endpoints", c->state_dir);
	if ((f = fopen(path, "r")) == NULL) {
		if (!required)
			return EX_OK;
		fprintf(stderr, "tiendo-ctl: http has port 0 and %s cannot be "
		        "read (%s): is tiendod running?\n", path, strerror(errno));
		return errno == ENOENT ? EX_UNAVAILABLE : EX_NOINPUT;
	}
	while (!found && fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "http=http://", 12) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = 1;
		if (ctl_conf_url(line + 12, &url, &port, &local) < 0) {
			if (errno == ENOMEM) {
				fclose(f);
				fprintf(stderr, "tiendo-ctl: out of memory\n");
				return EX_OSERR;
			}
			bad = 1;
		}
	}
	fclose(f);
	if (found && !bad) {
		free(c->url);
		c->url = url;
		c->local = local;
		return EX_OK;
	}
	if (!required)
		return EX_OK;
	if (bad)
		fprintf(stderr, "tiendo-ctl: %s: %s: not http://host:port\n",
		        path, line);
	else
		fprintf(stderr, "tiendo-ctl: %s has no http= line\n", path);
	return EX_DATAERR;
}

/* path's state_dir and store into c (state_dir defaulted as tiendod
 * does), the http setting into r->http: EX_OK or a sysexits code, said. */
static int
ctl_conf_settings(const char *path, struct ctl_conf *c,
                  struct ctl_conf_read *r)
{
	const char *env = getenv("STATE_DIRECTORY");
	int rc;

	memset(c, 0, sizeof *c);
	rc = ini_parse(path, ctl_conf_handler, r);
	if (rc < 0) {
		fprintf(stderr, "tiendo-ctl: %s: cannot open: %s\n", path,
		        rc == -1 ? strerror(errno) : "out of memory");
		return rc == -1 ? EX_NOINPUT : EX_OSERR;
	}
	if (rc > 0) {
		fprintf(stderr, "tiendo-ctl: %s:%d: not a setting (expected "
		        "name = value)\n", path, rc);
		return EX_CONFIG;
	}
	if (r->nomem)
		goto nomem;
	c->store = r->store, r->store = NULL;
	/* As tiendod: the setting, else systemd's first state directory. */
	if (r->state_dir != NULL)
		c->state_dir = r->state_dir, r->state_dir = NULL;
	else if (env != NULL && *env != '\0')
		c->state_dir = strndup(env, strcspn(env, ":"));
	else
		c->state_dir = strdup(CTL_CONF_STATE);
	if (c->state_dir == NULL)
		goto nomem;
	return EX_OK;
nomem:
	fprintf(stderr, "tiendo-ctl: out of memory\n");
	return EX_OSERR;
}

int
ctl_conf_load_store(const char *path, struct ctl_conf *c)
{
	struct ctl_conf_read r = { NULL, NULL, NULL, 0 };
	int rc = ctl_conf_settings(path, c, &r);

	free(r.http);
	free(r.state_dir);
	free(r.store);
	return rc;
}

int
ctl_conf_load(const char *path, struct ctl_conf *c)
{
	struct ctl_conf_read r = { NULL, NULL, NULL, 0 };
	const char *http;
	int rc, port;

	if ((rc = ctl_conf_settings(path, c, &r)) != EX_OK)
		goto out;
	http = r.http ? r.http : CTL_CONF_HTTP;
	if (ctl_conf_url(http, &c->url, &port, &c->local) < 0) {
		if (errno == ENOMEM)
			goto nomem;
		fprintf(stderr, "tiendo-ctl: %s: http = %s: not host:port\n",
		        path, http);
		rc = EX_CONFIG;
		goto out;
	}
	rc = ctl_conf_endpoints(c, port == 0);
	goto out;
nomem:
	fprintf(stderr, "tiendo-ctl: out of memory\n");
	rc = EX_OSERR;
out:
	free(r.http);
	free(r.state_dir);
	free(r.store);
	return rc;
}

void
ctl_conf_clear(struct ctl_conf *c)
{
	free(c->url);
	free(c->state_dir);
	free(c->store);
	memset(c, 0, sizeof *c);
}

int
ctl_conf_reload_key(const struct ctl_conf *c, char *hex, size_t n)
{
	char path[4096], buf[RELOADKEY_HEXLEN + 3];
	size_t len;
	FILE *f;

	snprintf(path, sizeof path, "%s/" RELOADKEY_FILE, c->state_dir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	len = fread(buf, 1, sizeof buf - 1, f);
	if (ferror(f)) {
		/* the read's own errno, not "not a key" */
		int e = errno;

		fclose(f);
		errno = e;
		return -1;
	}
	fclose(f);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strlen(buf) != RELOADKEY_HEXLEN ||
	    strspn(buf, "0123456789abcdef") != RELOADKEY_HEXLEN ||
	    n < RELOADKEY_HEXLEN + 1) {
		errno = EINVAL;
		return -1;
	}
	memcpy(hex, buf, RELOADKEY_HEXLEN + 1);
	return 0;
}
