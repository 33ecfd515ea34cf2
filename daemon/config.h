/*
 * config.h - tiendod's settings: built-in defaults, then tiendod.conf (INI,
 * section [tiendod]), then the command line, each overriding the last.
 */
#ifndef TIENDO_CONFIG_H
#define TIENDO_CONFIG_H

#include <stdint.h>

#include "store.h"

#define CONFIG_DEFAULT_PATH "/etc/tiendo/tiendod.conf"

struct config {
	char *plan;       /* plan INI file */
	char *state_dir;  /* database and endpoints file */
	char *store;      /* store.h spec; NULL: sqlite:STATE_DIR/tiendo.db */
	char *ingest;     /* ZeroMQ endpoint of the ROUTER */
	char *http;       /* host:port */
	enum store_sync sync;
	int log_level;
	int64_t max_future; /* ms a report's observed_at may lead our clock */
	/* Alerts (alerts.h) */
	char *pub;               /* ZeroMQ PUB endpoint */
	char *snapshot;          /* snapshot ROUTER endpoint */
	int language;            /* enum alertmsg_lang */
	int64_t alert_pending;   /* ms a condition holds before it fires */
	double alert_margin;     /* hysteresis, points */
	int64_t alert_reminder;  /* ms; 0 = no reminders */
	int64_t alert_interval;  /* ms between full evaluations */
	int64_t alert_retention; /* ms alert events are kept; 0 = forever */
	int64_t alert_group_window; /* ms; 0 = no grouped notifications */
	double rollup_critical_share; /* percent; 0 = off (rollcount.h) */
	int64_t max_page_count; /* testing: cap the database (0 = none) */
	int curve;        /* 1: CurveZMQ on every listener; 0: plain mode */
	char *keys_dir;   /* server.secret, clients/ (curve.h) */
	/* HTTP connections (http_conns.h) */
	int http_max_connections;   /* 0: from the descriptor budget */
	int64_t http_header_timeout; /* ms to send a whole request */
	int64_t http_idle_timeout;   /* ms a keep-alive connection may idle */
};

/* Fills in the defaults.  0, or -1 when out of memory. */
int config_defaults(struct config *c);

/* Reads an INI file over *c.  0, or -1 after logging every error as
 * "file:line: message" (at err, so journald sees it as an error). */
int config_load(struct config *c, const char *path);

/* Replaces one setting by name ("plan", "state_dir"...) as the file would.
 * 0, or -1 with a static reason in *why. */
int config_set(struct config *c, const char *key, const char *value,
               const char **why);

void config_free(struct config *c);

#endif
