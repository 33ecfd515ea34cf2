/*
 * config.c - tiendod.conf.
 *
 *   [tiendod]
 *   plan = /etc/tiendo/plan.ini
 *   state_dir = /var/lib/tiendo       ; systemd's $STATE_DIRECTORY wins
 *   ingest = tcp://127.0.0.1:7420
 *   http = 127.0.0.1:7480
 *   synchronous = full                ; or normal (faster, may lose the
 *                                     ; last acked batches on power loss)
 *   log_level = info                  ; err, warning, notice, info, debug
 *   max_future = 10m                  ; clock skew allowed in observed_at
 *   curve = on                        ; off: plain mode, for one machine
 *   keys_dir = /etc/tiendo/keys       ; server.secret and clients/NAME.key
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
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
	c->curve = 1;
	c->keys_dir = strdup("/etc/tiendo/keys");
	return c->state_dir && c->plan && c->ingest && c->http && c->keys_dir
	    ? 0 : -1;
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
	if (strcmp(key, "ingest") == 0)
		return config_str(&c->ingest, value);
	if (strcmp(key, "http") == 0)
		return config_str(&c->http, value);
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
	if (strcmp(key, "max_future") == 0)
		return when_parse_duration(value, &c->max_future, why);
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
 * reader counts lines. */
static char *
config_reader(char *buf, int size, void *arg)
{
	struct config_parse *cp = ((void **)arg)[0];
	FILE *f = ((void **)arg)[1];

	if (fgets(buf, size, f) == NULL)
		return NULL;
	cp->line++;
	return buf;
}

static int
config_handler(void *arg, const char *section, const char *name,
               const char *value)
{
	struct config_parse *cp = ((void **)arg)[0];
	const char *why;

	if (strcmp(section, "tiendod") != 0) {
		fprintf(stderr, "%s:%d: unknown section [%s]; settings go in "
		        "[tiendod]\n", cp->path, cp->line, section);
		cp->errors++;
	} else if (config_set(cp->c, name, value, &why) < 0) {
		fprintf(stderr, "%s:%d: %s = %s: %s\n", cp->path, cp->line, name,
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
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(config_reader, arg, config_handler, arg);
	fclose(f);
	if (rc > 0) {
		fprintf(stderr, "%s:%d: not a setting (expected name = value)\n",
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
	free(c->ingest);
	free(c->http);
	free(c->keys_dir);
	memset(c, 0, sizeof *c);
}
