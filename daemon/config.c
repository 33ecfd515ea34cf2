/*
 * config.c - tiendod.conf.
 *
 *   [tiendod]
 *   plan = /etc/tiendo/plan.ini
 *   state_dir = /var/lib/tiendo       ; default: $STATE_DIRECTORY if set
 *   store = sqlite:/var/lib/tiendo/tiendo.db ; or postgresql://... (libpq)
 *   ingest = tcp://127.0.0.1:7420
 *   http = 127.0.0.1:7480
 *   synchronous = full                ; or normal (faster, may lose the
 *                                     ; last acked batches on power loss)
 *   log_level = info                  ; err, warning, notice, info, debug
 *   max_future = 10m                  ; clock skew allowed in observed_at
 *   pub = tcp://127.0.0.1:7421        ; alerts: PUB socket
 *   snapshot = tcp://127.0.0.1:7422   ; alerts: late joiners' snapshots
 *   language = vi                     ; alert messages: vi or en
 *   alert_pending = 15m               ; a condition holds this long first
 *   alert_margin = 2                  ; points below a threshold to let go
 *   alert_reminder = 0                ; re-announce firing alerts; 0 = off
 *   alert_interval = 30s              ; full evaluation period ("500ms" ok)
 *   alert_retention = 400d            ; alert events kept; 0 = forever
 *   alert_group_window = 1m           ; grouped notifications; 0 = off
 *   rollup_critical_share = 10        ; % critical below: roll-up not fine
 *   curve = on                        ; off: plain mode, for one machine
 *   keys_dir = /etc/tiendo/keys       ; server.secret and clients/NAME.key
 *   http_max_connections = 0          ; 0: from the descriptor budget
 *   http_header_timeout = 10s         ; a whole request, however trickled
 *   http_idle_timeout = 15s           ; keep-alive between requests
 *
 * Not for production, hence not in the example file: max_page_count = N
 * caps the database at N pages, so that tests can fill the "disk".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "alertmsg.h"
#include "config.h"
#include "hostport.h"
#include "log.h"
#include "when.h"

static int
config_str(char **slot, const char *value)
{
	char *s = strdup(value);

	if (s == NULL)
		return -1;
	free(*slot);
	*slot = s;
	return 0;
}

int
config_defaults(struct config *c)
{
	const char *state = getenv("STATE_DIRECTORY");

	memset(c, 0, sizeof *c);
	c->sync = STORE_SYNC_FULL;
	c->log_level = LOG_LVL_INFO;
	c->max_future = 10 * WHEN_MINUTE;
	/* systemd may hand several colon-separated directories: take the
	 * first. */
	if (state && *state) {
		c->state_dir = strndup(state, strcspn(state, ":"));
	} else {
		c->state_dir = strdup("/var/lib/tiendo");
	}
	c->plan = strdup("/etc/tiendo/plan.ini");
	c->ingest = strdup("tcp://127.0.0.1:7420");
	c->http = strdup("127.0.0.1:7480");
	c->pub = strdup("tcp://127.0.0.1:7421");
	c->snapshot = strdup("tcp://127.0.0.1:7422");
	c->language = ALERTMSG_VI;
	c->alert_pending = 15 * WHEN_MINUTE;
	c->alert_margin = 2;
	c->alert_reminder = 0;
	c->alert_interval = 30 * WHEN_SECOND;
	/* A campaign year and a month to compare it with. */
	c->alert_retention = 400 * WHEN_DAY;
	c->rollup_critical_share = 10;
	c->alert_group_window = WHEN_MINUTE;
	c->curve = 1;
	c->keys_dir = strdup("/etc/tiendo/keys");
	c->http_header_timeout = 10 * WHEN_SECOND;
	c->http_idle_timeout = 15 * WHEN_SECOND;
	return c->state_dir && c->plan && c->ingest && c->http && c->pub &&
	       c->snapshot && c->keys_dir ? 0 : -1;
}

/* A duration as when_parse_duration() reads it, or "250ms": tests need
 * less than a second. */
static int
config_ms(const char *value, int64_t *out, const char **why)
{
	size_t len = strlen(value);
	char *end;

	if (len > 2 && strcmp(value + len - 2, "ms") == 0) {
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno || end != value + len - 2 || v < 0) {
			*why = "not a duration";
			return -1;
		}
		*out = v;
		return 0;
	}
	return when_parse_duration(value, out, why);
}

/* A password in the setting would sit in a world-readable file and in
 * the logs: it belongs in ~/.pgpass or a systemd credential (PGPASSFILE). */
static int
config_store(struct config *c, const char *value, const char **why)
{
	const char *at, *colon;

	if (*value == '\0' || strcmp(value, "sqlite:") == 0) {
		*why = "store must be sqlite:PATH or postgresql://...";
		return -1;
	}
	if (store_spec_is_pg(value)) {
		at = strchr(value, '@');
		colon = strchr(value + 11, ':');
		if (strstr(value, "password=") != NULL ||
		    (at != NULL && colon != NULL && colon < at)) {
			*why = "store: no password in the setting; put it in "
			       "~/.pgpass or a systemd credential (PGPASSFILE)";
			return -1;
		}
	}
	*why = "out of memory";
	return config_str(&c->store, value);
}

/* The listener's address, checked here so that a bad one is a bad value
 * (exit 64 on the command line, 78 in the file, and --check says so), not
 * a socket that cannot be bound (69). */
static int
config_http(struct config *c, const char *value, const char **why)
{
	char host[256];
	int port;

	if (hostport_split(value, host, sizeof host, &port) < 0) {
		*why = "http must be HOST:PORT (or [V6]:PORT), port 0 to 65535";
		return -1;
	}
	*why = "out of memory";
	return config_str(&c->http, value);
}

/* Whether a ZeroMQ endpoint is one tiendod can bind: tcp://HOST:PORT
 * (HOST also * or an interface; PORT also * or 0, any free one) or
 * ipc://PATH.  Checked here for the same reason as http. */
static int
config_endpoint_ok(const char *v)
{
	char addr[512], host[256];
	int port, star;
	size_t len;

	if (strncmp(v, "ipc://", 6) == 0)
		return v[6] != '\0';
	if (strncmp(v, "tcp://", 6) != 0)
		return 0;
	v += 6;
	if ((len = strlen(v)) >= sizeof addr - 1)
		return 0;
	/* ZeroMQ's "*" port is any free one, 0 to hostport_split (digits) */
	star = len > 2 && strcmp(v + len - 2, ":*") == 0;
	snprintf(addr, sizeof addr, "%.*s%s", (int)len - star, v,
	         star ? "0" : "");
	return hostport_split(addr, host, sizeof host, &port) == 0;
}

static int
config_endpoint(char **dst, const char *value, const char *bad,
                const char **why)
{
	if (!config_endpoint_ok(value)) {
		*why = bad;
		return -1;
	}
	*why = "out of memory";
	return config_str(dst, value);
}

/* Written so that NaN, which every comparison calls false, is out. */
static int
config_in_0_100(double v)
{
	return v >= 0 && v <= 100;
}

int
config_set(struct config *c, const char *key, const char *value,
           const char **why)
{
	int level;

	*why = "out of memory";
	if (strcmp(key, "plan") == 0)
		return config_str(&c->plan, value);
	if (strcmp(key, "state_dir") == 0)
		return config_str(&c->state_dir, value);
	if (strcmp(key, "store") == 0)
		return config_store(c, value, why);
	if (strcmp(key, "ingest") == 0)
		return config_endpoint(&c->ingest, value, "ingest must be "
		                       "tcp://HOST:PORT or ipc://PATH", why);
	if (strcmp(key, "http") == 0)
		return config_http(c, value, why);
	if (strcmp(key, "synchronous") == 0) {
		if (strcmp(value, "full") == 0)
			c->sync = STORE_SYNC_FULL;
		else if (strcmp(value, "normal") == 0)
			c->sync = STORE_SYNC_NORMAL;
		else {
			*why = "synchronous must be \"full\" or \"normal\"";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "log_level") == 0) {
		if ((level = log_level_parse(value)) < 0) {
			*why = "log_level must be err, warning, notice, info or debug";
			return -1;
		}
		c->log_level = level;
		return 0;
	}
	if (strcmp(key, "max_page_count") == 0) {
		char *end;
		long long n = strtoll(value, &end, 10);

		if (*value == '\0' || *end != '\0' || n < 0) {
			*why = "max_page_count must be a number of pages";
			return -1;
		}
		c->max_page_count = n;
		return 0;
	}
	if (strcmp(key, "max_future") == 0)
		return when_parse_duration(value, &c->max_future, why);
	if (strcmp(key, "pub") == 0)
		return config_endpoint(&c->pub, value, "pub must be "
		                       "tcp://HOST:PORT or ipc://PATH", why);
	if (strcmp(key, "snapshot") == 0)
		return config_endpoint(&c->snapshot, value, "snapshot must be "
		                       "tcp://HOST:PORT or ipc://PATH", why);
	if (strcmp(key, "language") == 0) {
		if ((level = alertmsg_lang_parse(value)) < 0) {
			*why = "language must be vi or en";
			return -1;
		}
		c->language = level;
		return 0;
	}
	if (strcmp(key, "alert_pending") == 0)
		return config_ms(value, &c->alert_pending, why);
	if (strcmp(key, "alert_reminder") == 0)
		return config_ms(value, &c->alert_reminder, why);
	if (strcmp(key, "alert_interval") == 0) {
		if (config_ms(value, &c->alert_interval, why) < 0)
			return -1;
		if (c->alert_interval < 10) {
			*why = "alert_interval must be at least 10ms";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "alert_group_window") == 0)
		return config_ms(value, &c->alert_group_window, why);
	if (strcmp(key, "alert_retention") == 0)
		return config_ms(value, &c->alert_retention, why);
	if (strcmp(key, "rollup_critical_share") == 0) {
		char *end;
		errno = 0;
		c->rollup_critical_share = strtod(value, &end);
		if (errno || end == value || *end ||
		    !config_in_0_100(c->rollup_critical_share)) {
			*why = "rollup_critical_share must be a percentage, 0 to 100";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "alert_margin") == 0) {
		char *end;
		errno = 0;
		c->alert_margin = strtod(value, &end);
		if (errno || end == value || *end ||
		    !config_in_0_100(c->alert_margin)) {
			*why = "alert_margin must be a number of points, 0 to 100";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "curve") == 0) {
		if (strcmp(value, "on") == 0 || strcmp(value, "yes") == 0)
			c->curve = 1;
		else if (strcmp(value, "off") == 0 || strcmp(value, "no") == 0)
			c->curve = 0;
		else {
			*why = "curve must be \"on\" or \"off\"";
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "keys_dir") == 0)
		return config_str(&c->keys_dir, value);
	if (strcmp(key, "http_max_connections") == 0) {
		char *end;
		errno = 0;
		long n = strtol(value, &end, 10);
		if (errno || *value == '\0' || *end || n < 0 || n > 1000000) {
			*why = "http_max_connections must be 0 (automatic) or a "
			       "number of connections up to 1000000";
			return -1;
		}
		c->http_max_connections = (int)n;
		return 0;
	}
	if (strcmp(key, "http_header_timeout") == 0 ||
	    strcmp(key, "http_idle_timeout") == 0) {
		int64_t *slot = key[5] == 'h' ? &c->http_header_timeout
		                              : &c->http_idle_timeout;
		if (config_ms(value, slot, why) < 0)
			return -1;
		if (*slot < 100) {
			*why = "an HTTP timeout must be at least 100ms";
			return -1;
		}
		return 0;
	}
	*why = "unknown setting";
	return -1;
}

struct config_parse {
	struct config *c;
	const char *path;
	int line;
	int errors;
};

/* libinih in Debian is built without line numbers in the handler, so the
 * reader counts lines: one physical line per call, whatever its length.
 * Leading blanks go, as in the plan: inih would take an indented line for
 * the previous value continued (a second assignment of that key), and a
 * value never continues.  A line too long for inih's buffer is an error
 * of its own line, and inih gets a blank line instead: cut in two, its
 * rest would be read as a line of its own, and every later line number
 * would be off by one. */
static char *
config_reader(char *buf, int size, void *arg)
{
	struct config_parse *cp = ((void **)arg)[0];
	FILE *f = ((void **)arg)[1];
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, f)) < 0) {
		free(line);
		return NULL;
	}
	cp->line++;
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	if (strlen(s) > (size_t)size - 1) {
		log_err("%s:%d: line longer than %d bytes; shorten it, or "
		        "move its comment to a line of its own", cp->path,
		        cp->line, size - 1);
		cp->errors++;
		*s = '\0';
	}
	snprintf(buf, (size_t)size, "%s", s);
	free(line);
	return buf;
}

static int
config_handler(void *arg, const char *section, const char *name,
               const char *value)
{
	struct config_parse *cp = ((void **)arg)[0];
	const char *why;

	if (strcmp(section, "tiendod") != 0) {
		log_err("%s:%d: unknown section [%s]; settings go in "
		        "[tiendod]", cp->path, cp->line, section);
		cp->errors++;
	} else if (config_set(cp->c, name, value, &why) < 0) {
		log_err("%s:%d: %s = %s: %s", cp->path, cp->line, name,
		        value, why);
		cp->errors++;
	}
	return 1;
}

int
config_load(struct config *c, const char *path)
{
	struct config_parse cp = { .c = c, .path = path };
	FILE *f = fopen(path, "r");
	void *arg[2] = { &cp, f };
	int rc;

	if (f == NULL) {
		log_err("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(config_reader, arg, config_handler, arg);
	/* The reader's NULL is also a read error (a directory): not an end. */
	if (ferror(f)) {
		log_err("%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	if (rc > 0) {
		log_err("%s:%d: not a setting (expected name = value)",
		        path, rc);
		return -1;
	}
	return rc == 0 && cp.errors == 0 ? 0 : -1;
}

void
config_free(struct config *c)
{
	free(c->plan);
	free(c->state_dir);
	free(c->store);
	free(c->ingest);
	free(c->http);
	free(c->pub);
	free(c->snapshot);
	free(c->keys_dir);
	memset(c, 0, sizeof *c);
}
