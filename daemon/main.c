/*
 * tiendod - receives, stores and tallies the progress reports of a plan.
 *
 * One process, one libevent loop: the ingest ROUTER, the HTTP server and
 * the signals all take turns on it, so no state needs a lock.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>
#include <zmq.h>

#include "alerts.h"
#include "book.h"
#include "config.h"
#include "export.h"
#include "curve.h"
#include "fdbudget.h"
#include "http.h"
#include "http_conns.h"
#include "http_reports.h"
#include "http_auth.h"
#include "http_grid.h"
#include "http_ranking.h"
#include "http_series.h"
#include "http_web.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "preauth.h"
#include "retention.h"
#include "silences.h"
#include "reload.h"
#include "reloadkey.h"
#include "sse.h"
#include "standby.h"
#include "store_pg.h"
#include "tallysnap.h"

struct tiendod {
	struct config conf;
	struct event_base *base;
	void *zctx;
	struct store *store;
	struct book *book;
	struct ingest *ingest;
	struct http *http;
	struct alerts *alerts;
	struct curve *curve;
	struct http_web *web;
	struct sse *sse;
	struct http_auth *auth;
	char accounts[4096];
	struct event *ev_term, *ev_int;
	char endpoints[4096];
	char snapshot[4096];    /* STATE_DIR/tallies.snap (tallysnap.h) */
	/* Kept for reloads: the settings are rebuilt the same way. */
	const char *config_path;
	const char *over[128];
	struct notify *notify;
	struct reload *reload;
	struct event *ev_hup;
	struct event *ev_endpoints; /* retries writing it on a full disk */
	struct metrics_src metrics;
	struct preauth *preauth;
	struct retention *retention;
	struct silences *silences;
	char db_path[4096];     /* the SQLite file; "PostgreSQL" otherwise */
	char store_spec[4200];
	struct event *ev_lock;  /* PostgreSQL: is the active lock still ours? */
	int exit_code;
};

static const char *const config_keys[128] = {
	['p'] = "plan", ['s'] = "state_dir", ['i'] = "ingest",
	['H'] = "http", ['l'] = "log_level", ['P'] = "pub",
	['S'] = "snapshot", ['L'] = "language", ['a'] = "alert_pending",
	['m'] = "alert_margin", ['r'] = "alert_reminder",
	['e'] = "alert_interval", ['K'] = "keys_dir", ['N'] = "curve",
	['C'] = "http_max_connections", ['D'] = "store",
	['g'] = "alert_group_window", ['R'] = "alert_retention",
	['x'] = "rollup_critical_share", ['T'] = "http_header_timeout",
	['I'] = "http_idle_timeout",
};

/* /metrics: the alerts' families, then retention's. */
static void
alerts_and_retention_metrics(void *arg, struct evbuffer *out)
{
	struct tiendod *d = arg;

	alerts_metrics(d->alerts, out);
	retention_metrics(d->retention, out);
}

/* A pass at least four times per retention period, at most hourly. */
static int64_t
retention_every(int64_t keep)
{
	int64_t every = keep / 4;

	if (keep <= 0 || every > WHEN_HOUR)
		return WHEN_HOUR;
	return every < WHEN_SECOND ? WHEN_SECOND : every;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tiendod [-c FILE] [--plan FILE] [--state-dir DIR] [--ingest EP]\n"
	    "               [--http HOST:PORT] [--log-level LEVEL] [--check]\n"
	    "               [--pub EP] [--snapshot EP] [--language vi|en]\n"
	    "               [--alert-pending DUR] [--alert-margin POINTS]\n"
	    "               [--alert-reminder DUR] [--alert-interval DUR]\n"
	    "               [--keys-dir DIR] [--plain] [--http-max-connections N]\n"
	    "               [--store SPEC] [--alert-group-window DUR]\n"
	    "               [--alert-retention DUR] [--rollup-critical-share PCT]\n"
	    "               [--http-header-timeout DUR] [--http-idle-timeout DUR]\n"
	    "\n"
	    "  -c, --config FILE   settings (default " CONFIG_DEFAULT_PATH " if present)\n"
	    "      --plan FILE     the plan (units, tasks, targets)\n"
	    "      --state-dir DIR database and endpoints file\n"
	    "      --store SPEC    sqlite:PATH (default DIR/tiendo.db) or\n"
	    "                      postgresql://... (libpq connection URI)\n"
	    "      --ingest EP     ZeroMQ endpoint for reports (port 0: any free one)\n"
	    "      --http ADDR     host:port of the JSON API (port 0: any free one)\n"
	    "      --log-level L   err, warning, notice, info, debug\n"
	    "      --pub EP        ZeroMQ PUB endpoint for alerts\n"
	    "      --snapshot EP   ZeroMQ ROUTER endpoint for alert snapshots\n"
	    "      --language L    alert messages in vi (default) or en\n"
	    "      --alert-pending DUR   a condition must hold this long (15m)\n"
	    "      --alert-margin P      hysteresis in points (2)\n"
	    "      --alert-reminder DUR  re-announce firing alerts (0: off)\n"
	    "      --alert-interval DUR  full evaluation period (30s; 500ms)\n"
	    "      --check         check the settings and the plan, then exit\n"
	    "      --keys-dir DIR  server.secret and clients/NAME.key (CurveZMQ)\n"
	    "      --plain         no CurveZMQ: for one machine, on loopback\n"
	    "      --http-max-connections N  HTTP connections at once (0: auto)\n"
	    "      --alert-group-window DUR  grouped notifications (1m; 0: off)\n"
	    "      --alert-retention DUR     alert events kept (400d; 0: all)\n"
	    "      --rollup-critical-share PCT  critical share that makes a\n"
	    "                                roll-up lagging (10; 0: off)\n"
	    "      --http-header-timeout DUR a whole request within (10s)\n"
	    "      --http-idle-timeout DUR   keep-alive between requests (15s)\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n"
	    "\n"
	    "SIGHUP re-reads the settings and the plan (a plan with errors is\n"
	    "refused and the old one stays); SIGTERM stops cleanly.  Under\n"
	    "systemd (Type=notify) it reports readiness, status and watchdog.\n"
	    "Exit: 0 stopped, 64 bad usage, 69 cannot listen, 73 cannot create\n"
	    "the database, 78 bad settings or plan.  See tiendod(8).\n");
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct tiendod *d = arg;

	/* The loop is single-threaded, so no batch is half done here: the
	 * last one drained has been committed and acknowledged. */
	log_notice("signal %d: stopping", (int)sig);
	notify_stopping(d->notify);
	event_base_loopbreak(d->base);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct tiendod *d = arg;

	/* Logged in full by reload_run, success or not. */
	reload_run(d->reload, NULL);
}

static void
on_swap(void *arg, struct book *old, struct book *now)
{
	if (alerts_reload(arg) < 0)
		log_err("alerts: cannot follow the new plan; they catch up at the "
		        "next evaluation");
}

/* What `systemctl status` shows under the unit. */
static void
status_line(void *arg, char *buf, size_t n)
{
	struct tiendod *d = arg;
	const struct ingest_stats *st = ingest_stats(d->ingest);
	size_t reporting, units;

	book_units_reporting(d->book, &reporting, &units);
	snprintf(buf, n, "%llu reports accepted since start; %zu of %zu units "
	         "reporting; %zu alerts active; storage %s",
	         (unsigned long long)st->accepted, reporting, units,
	         alerts_stats(d->alerts)->active, st->storage_ok ? "ok" : "FAILING");
}

/* Settings as at start: the file over the defaults, then the command
 * line.  Also what a reload re-runs. */
/* The command-line option that sets config key `key`, as the user typed
 * it: the key with dashes ("alert_interval" -> "alert-interval"). */
static const char *
option_name(const char *key, char *buf, size_t n)
{
	snprintf(buf, n, "%s", key);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = '-';
	return buf;
}

static int
build_config(void *arg, struct config *c)
{
	struct tiendod *d = arg;
	const char *why;
	char name[64];

	if (d->config_path && config_load(c, d->config_path) < 0)
		return -1;
	for (int k = 0; k < 128; k++)
		if (d->over[k] && config_set(c, config_keys[k], d->over[k], &why) < 0) {
			log_err("--%s %s: %s", option_name(config_keys[k], name,
			        sizeof name), d->over[k], why);
			return -1;
		}
	return 0;
}

/* Every reload also re-reads the authorised client keys: a key removed is
 * locked out from its next batch on. */
static int
on_keys(void *arg)
{
	struct tiendod *d = arg;
	struct zap *z = curve_zap(d->curve);

	if (curve_reload(d->curve) < 0)
		return -1;
	/* ZAP is asked once per connection: a revoked key's open
	 * subscriptions end only if cut. */
	if (z && zap_stats(z)->revoked > 0)
		publish_revoke(alerts_publish(d->alerts));
	return 0;
}

/* Where a test or a script finds what was actually bound (port 0). */
static int
write_endpoints(struct tiendod *d)
{
	char tmp[4096 + 8];
	FILE *f;

	snprintf(d->endpoints, sizeof d->endpoints, "%s/endpoints",
	         d->conf.state_dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", d->endpoints);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "ingest=%s\nhttp=%s\n", ingest_endpoint(d->ingest),
	        http_url(d->http));
	fprintf(f, "pub=%s\nsnapshot=%s\n",
	        publish_pub_endpoint(alerts_publish(d->alerts)),
	        publish_snapshot_endpoint(alerts_publish(d->alerts)));
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, d->endpoints);
}

/* Once another tiendod holds the active lock (we were cut off from the
 * database and it took over), every write of ours fails and nothing is
 * acked; stopping lets the clients find the active one, and systemd
 * restart us as a standby. */
static void
on_lock_check(evutil_socket_t fd, short what, void *arg)
{
	struct tiendod *d = arg;

	if (!store_pg_lost(d->store))
		return;
	log_err("storage: another tiendod took the active lock while we were "
	        "cut off from the database: stopping");
	notify_stopping(d->notify);
	d->exit_code = EX_TEMPFAIL;
	event_base_loopbreak(d->base);
}

static int
watch_lock(struct tiendod *d)
{
	struct timeval second = { 1, 0 };

	d->ev_lock = event_new(d->base, -1, EV_PERSIST, on_lock_check, d);
	return d->ev_lock ? event_add(d->ev_lock, &second) : -1;
}

/* The store setting, or the SQLite file in the state directory. */
static void
store_spec(struct tiendod *d)
{
	const char *spec = d->conf.store;

	if (spec == NULL) {
		snprintf(d->db_path, sizeof d->db_path, "%s/tiendo.db",
		         d->conf.state_dir);
		snprintf(d->store_spec, sizeof d->store_spec, "sqlite:%s",
		         d->db_path);
		return;
	}
	snprintf(d->store_spec, sizeof d->store_spec, "%s", spec);
	if (store_spec_is_pg(spec))
		snprintf(d->db_path, sizeof d->db_path, "PostgreSQL");
	else
		snprintf(d->db_path, sizeof d->db_path, "%s",
		         strncmp(spec, "sqlite:", 7) == 0 ? spec + 7 : spec);
}

static void
on_endpoints_retry(evutil_socket_t fd, short what, void *arg)
{
	struct tiendod *d = arg;
	struct timeval tv = { 5, 0 };

	if (write_endpoints(d) < 0) {
		if (evtimer_add(d->ev_endpoints, &tv) < 0)
			fatal(EX_OSERR, "cannot schedule writing %s", d->endpoints);
	} else
		log_notice("%s written", d->endpoints);
}

/* A full disk at start: the database opened, so the reads can be served
 * (tiendod(8), "Full disk"); batches are answered RETRY until it clears. */
static void
start_degraded(struct tiendod *d)
{
	struct timeval tv = { 5, 0 };

	if (errno != ENOSPC && errno != EDQUOT)
		fatal(EX_CANTCREAT, "%s: %s", d->endpoints, strerror(errno));
	log_err("%s: %s; starting degraded: reads served, batches answered "
	        "RETRY until there is space", d->endpoints, strerror(errno));
	ingest_storage_failing(d->ingest, strerror(errno));
	if ((d->ev_endpoints = evtimer_new(d->base, on_endpoints_retry, d)) == NULL ||
	    evtimer_add(d->ev_endpoints, &tv) < 0)
		fatal(EX_OSERR, "out of memory");
}

/* Ingest takes the largest messages: its unauthenticated peers are bounded
 * (publish.c keeps the alert sockets' messages small).  CURVE only: the
 * guard learns of finished handshakes from the ZAP handler. */
static void
guard_ingest(struct tiendod *d)
{
	char *err = NULL;

	if (curve_zap(d->curve) == NULL)
		return;
	if ((d->preauth = preauth_new(d->base, d->zctx, ingest_socket(d->ingest),
	                              ingest_endpoint(d->ingest),
	                              CURVE_HANDSHAKE_MS, &err)) == NULL)
		fatal(EX_OSERR, "%s", err ? err : "preauth: failed");
	zap_set_hook(curve_zap(d->curve), preauth_on_zap, d->preauth);
}

/* HTTP's share of the descriptor budget, and its deadlines. */
static void
limit_http(struct tiendod *d, long nofile)
{
	int clamped;
	struct http_conns_limits hl = {
		.max = fdbudget_http(nofile, d->conf.http_max_connections, &clamped),
		.header_ms = d->conf.http_header_timeout,
		.idle_ms = d->conf.http_idle_timeout,
	};

	if (clamped)
		log_warn("http_max_connections = %d lowered to %d: the descriptor "
		         "limit is %ld", d->conf.http_max_connections, hl.max, nofile);
	if (http_limit_conns(d->http, &hl) < 0)
		fatal(EX_OSERR, "out of memory");
	log_info("descriptors: %ld; HTTP connections at most %d, a request "
	         "within %lld ms, keep-alive idle %lld ms", nofile, hl.max,
	         (long long)hl.header_ms, (long long)hl.idle_ms);
}

static void
parse_args(struct tiendod *d, int argc, char **argv, int *check)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "plan", required_argument, NULL, 'p' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "ingest", required_argument, NULL, 'i' },
		{ "http", required_argument, NULL, 'H' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'k' },
		{ "pub", required_argument, NULL, 'P' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "language", required_argument, NULL, 'L' },
		{ "alert-pending", required_argument, NULL, 'a' },
		{ "alert-margin", required_argument, NULL, 'm' },
		{ "alert-reminder", required_argument, NULL, 'r' },
		{ "alert-interval", required_argument, NULL, 'e' },
		{ "keys-dir", required_argument, NULL, 'K' },
		{ "store", required_argument, NULL, 'D' },
		{ "plain", no_argument, NULL, 'N' },
		{ "http-max-connections", required_argument, NULL, 'C' },
		{ "alert-group-window", required_argument, NULL, 'g' },
		{ "alert-retention", required_argument, NULL, 'R' },
		{ "rollup-critical-share", required_argument, NULL, 'x' },
		{ "http-header-timeout", required_argument, NULL, 'T' },
		{ "http-idle-timeout", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *const *keys = config_keys;
	const char *config = NULL, *why;
	const char **over = d->over;
	char name[64];
	int c;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'k':
			*check = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("tiendod %s\n", TIENDO_VERSION);
			exit(0);
		case 'p': case 's': case 'i': case 'H': case 'l': case 'K':
		case 'P': case 'S': case 'L': case 'a': case 'm': case 'r': case 'e':
		case 'C': case 'D': case 'g': case 'R': case 'x': case 'T': case 'I':
			over[c] = optarg;
			break;
		case 'N':
			over[c] = "off";
			break;
		default:
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tiendod: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		exit(EX_USAGE);
	}
	if (config_defaults(&d->conf) < 0)
		fatal(EX_OSERR, "out of memory");
	if (config == NULL && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		config = CONFIG_DEFAULT_PATH;
	d->config_path = config;
	if (config && config_load(&d->conf, config) < 0)
		exit(EX_CONFIG);
	/* The command line wins over the file. */
	for (c = 0; c < 128; c++)
		if (over[c] && config_set(&d->conf, keys[c], over[c], &why) < 0) {
			fprintf(stderr, "tiendod: --%s %s: %s\n", option_name(keys[c],
			        name, sizeof name), over[c], why);
			exit(EX_USAGE);
		}
	log_set_level(d->conf.log_level);
}

static struct plan *
load_plan(const char *path)
{
	struct plan_errors errs = { 0 };
	struct plan *p = plan_load(path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		log_err("%s", errs.msgs[i]);
	plan_errors_clear(&errs);
	return p;
}

/* --check: the keys as a start would load them (same exit status). */
static void
check_keys(const struct config *conf)
{
	struct event_base *base = event_base_new();
	void *zctx = zmq_ctx_new();
	struct curve *c;
	char *err = NULL;

	if (base == NULL || zctx == NULL)
		fatal(EX_OSERR, "cannot create the event loop or ZeroMQ context");
	if (curve_check_libzmq(conf->curve, &err) < 0)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "libzmq: unusable");
	if ((c = curve_new(base, zctx, conf->curve, conf->keys_dir, &err)) == NULL)
		fatal(EX_CONFIG, "%s", err ? err : "curve: failed");
	curve_free(c);
	zmq_ctx_term(zctx);
	event_base_free(base);
}

int
main(int argc, char **argv)
{
	struct tiendod d = { 0 };
	struct plan *plan;
	char path[4096], *err = NULL;
	int check = 0, exact;
	int64_t n;
	long nofile;

	/* The reports of every commune: never world-readable, whatever the
	 * umask we were started with (SQLite gives -wal and -shm the mode of
	 * the database). */
	umask(027);
	/* Big buffers (libzmq's, for a large message or a peer's handshake
	 * frame) always from mmap, so that they go back to the system when
	 * freed: glibc's moving threshold would keep them in the heap. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	parse_args(&d, argc, argv, &check);
	if ((plan = load_plan(d.conf.plan)) == NULL)
		fatal(EX_CONFIG, "%s: plan refused; nothing started", d.conf.plan);
	if (check) {
		check_keys(&d.conf);
		printf("%s: ok, %zu units, %zu tasks, %zu targets\n", d.conf.plan,
		       plan->n_units, plan->n_tasks, plan->n_targets);
		plan_free(plan);
		config_free(&d.conf);
		return 0;
	}
	if (curve_check_libzmq(d.conf.curve, &err) < 0)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "libzmq: unusable");
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();
	nofile = fdbudget_raise();
	if (mkdir(d.conf.state_dir, 0750) < 0 && errno != EEXIST)
		fatal(EX_CANTCREAT, "%s: %s", d.conf.state_dir, strerror(errno));
	snprintf(path, sizeof path, "%s/endpoints", d.conf.state_dir);
	unlink(path);
	store_spec(&d);
	if ((d.store = store_open(d.store_spec, d.conf.sync, &err)) == NULL)
		fatal(EX_CANTCREAT, "%s: %s", d.db_path, err);
	if (store_set_max_pages(d.store, d.conf.max_page_count) < 0)
		fatal(EX_CANTCREAT, "%s: %s", d.db_path, store_errmsg(d.store));
	/* Before anything is rebuilt or bound: a standby takes over here. */
	switch (standby_wait(d.store, d.conf.http)) {
	case 0:
		break;
	case 1:
		store_close(d.store);
		plan_free(plan);
		log_notice("stopped");
		config_free(&d.conf);
		return EX_OK;
	default:
		fatal(EX_OSERR, "standby: cannot wait for the active lock");
	}
	snprintf(d.snapshot, sizeof d.snapshot, "%s/" TALLYSNAP_FILE,
	         d.conf.state_dir);
	if ((d.book = tallysnap_start(d.snapshot, plan, d.store)) == NULL)
		fatal(EX_SOFTWARE, "cannot rebuild the tallies from %s", d.db_path);
	if ((d.base = event_base_new()) == NULL || (d.zctx = zmq_ctx_new()) == NULL)
		fatal(EX_OSERR, "cannot create the event loop or ZeroMQ context");
	/* Before any listener: the ZAP handler must answer the first CURVE
	 * handshake, or libzmq would let it in. */
	if ((d.curve = curve_new(d.base, d.zctx, d.conf.curve, d.conf.keys_dir,
	                         &err)) == NULL)
		fatal(EX_CONFIG, "%s", err ? err : "curve: failed");
	if ((d.ingest = ingest_new(d.base, d.zctx, d.conf.ingest, &d.book,
	                           d.conf.max_future, d.curve, &err)) == NULL)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "ingest: failed");
	guard_ingest(&d);
	if ((d.http = http_new(d.base, d.conf.http, &d.book, d.ingest, &err)) == NULL)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "http: failed");
	http_set_language(d.http, d.conf.language == ALERTMSG_EN ? "en" : "vi");
	limit_http(&d, nofile);
	{
		struct alerts_config ac = {
			.pub = d.conf.pub, .snapshot = d.conf.snapshot,
			.rules = { .pending = d.conf.alert_pending,
			           .margin = d.conf.alert_margin,
			           .reminder = d.conf.alert_reminder },
			.interval = d.conf.alert_interval,
			.group_window = d.conf.alert_group_window,
			.lang = (enum alertmsg_lang)d.conf.language,
			.curve = d.curve,
		};
		if ((d.alerts = alerts_new(d.base, d.zctx, &d.book, &ac, &err)) == NULL)
			fatal(EX_UNAVAILABLE, "%s", err ? err : "alerts: failed");
		http_set_alerts(d.http, d.alerts);
	}
	http_set_rollup_share(d.http, d.conf.rollup_critical_share / 100);
	if ((d.silences = silences_new(d.store, &d.book, &err)) == NULL)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "silences: failed");
	alerts_set_silences(d.alerts, d.silences);
	if ((d.retention = retention_new(d.base, d.store, d.conf.alert_retention,
	                                 retention_every(d.conf.alert_retention),
	                                 &err)) == NULL)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "retention: failed");
	/* The dashboard: its files, /v1/series, and the live stream, which
	 * sees each batch before the alert engine does. */
	if ((d.web = http_web_new(d.http, &d.book, d.conf.language)) == NULL ||
	    http_series_route(d.http, &d.book) < 0 ||
	    http_grid_route(d.http, &d.book) < 0 ||
	    export_route(d.http, &d.book, d.conf.language) < 0 ||
	    http_ranking_route(d.http, &d.book, d.conf.language) < 0 ||
	    (d.sse = sse_new(d.base, d.http, &d.book, d.alerts)) == NULL)
		fatal(EX_SOFTWARE, "http: cannot set up the dashboard");
	sse_chain(d.sse, &alerts_ingest_hooks, d.alerts);
	/* The accounts file lives beside the settings file. */
	{
		const char *cf = d.config_path ? d.config_path : CONFIG_DEFAULT_PATH;
		const char *slash = strrchr(cf, '/');
		snprintf(d.accounts, sizeof d.accounts, "%.*s/accounts",
		         slash ? (int)(slash - cf) : 1, slash ? cf : ".");
		if ((d.auth = http_auth_new(d.http, &d.book, d.conf.http,
		                            d.accounts)) == NULL)
			fatal(EX_SOFTWARE, "http: cannot set up the accounts");
	}
	/* Without it the unit's ExecReload= fails once accounts exist; the
	 * daemon itself runs as well, so a warning. */
	{
		char key[RELOADKEY_HEXLEN + 1], kerr[512];

		if (reloadkey_make(d.conf.state_dir, key, kerr, sizeof kerr) < 0)
			log_warn("%s; a reload then needs an account of scope "
			         "\"*\" once accounts exist", kerr);
		else
			http_auth_set_reload_key(d.auth, key);
		sodium_memzero(key, sizeof key);
	}
	ingest_set_hooks(d.ingest, &sse_ingest_hooks, d.sse);
	if ((d.notify = notify_new(d.base, status_line, &d)) == NULL ||
	    (d.reload = reload_new(&d.conf, &d.book, d.ingest, d.notify,
	                           build_config, &d)) == NULL)
		fatal(EX_OSERR, "out of memory");
	d.metrics = (struct metrics_src){
		.book = &d.book, .ingest = d.ingest, .reload = d.reload,
		.db_path = d.db_path, .started = when_now(),
		.alerts = alerts_and_retention_metrics, .alerts_arg = &d,
		.subscribers = alerts_subscribers, .subscribers_arg = d.alerts,
		.more = { { http_conns_metrics, http_get_conns(d.http) },
		          { publish_metrics, (void *)alerts_publish(d.alerts) },
		          { d.preauth ? preauth_metrics : NULL, d.preauth },
		          { sse_metrics, d.sse } },
	};
	/* A new plan re-keys the alert engine at once, not at the next
	 * evaluation. */
	reload_set_swap_hook(d.reload, on_swap, d.alerts);
	reload_set_keys_hook(d.reload, on_keys, &d);
	if (http_route(d.http, "/metrics", HTTP_GET, metrics_on_request,
	               &d.metrics) < 0 ||
	    http_route(d.http, "/v1/reload", EVHTTP_REQ_POST, reload_on_http,
	               d.reload) < 0 ||
	    http_route(d.http, "/v1/silences", HTTP_GET | EVHTTP_REQ_POST |
	               EVHTTP_REQ_DELETE, silences_on_http, d.silences) < 0 ||
	    http_route(d.http, "/v1/reports", HTTP_GET, http_reports_on_request,
	               &d.book) < 0)
		fatal(EX_SOFTWARE, "http: too many routes");
	d.ev_term = evsignal_new(d.base, SIGTERM, on_stop, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, on_stop, &d);
	d.ev_hup = evsignal_new(d.base, SIGHUP, on_hup, &d);
	if (!d.ev_term || !d.ev_int || !d.ev_hup || event_add(d.ev_term, NULL) < 0 ||
	    event_add(d.ev_int, NULL) < 0 || event_add(d.ev_hup, NULL) < 0)
		fatal(EX_OSERR, "cannot watch signals");
	if (strcmp(store_kind(d.store), "postgresql") == 0 &&
	    watch_lock(&d) < 0)
		fatal(EX_OSERR, "cannot watch the active lock");
	if (write_endpoints(&d) < 0)
		start_degraded(&d);
	else if (store_probe(d.store, when_now()) < 0) {
		/* The endpoints can fit where the old file was, on a disk with
		 * no room for the next write: the database is asked too. */
		log_err("storage: %s; starting degraded: reads served, batches "
		        "answered RETRY until it can write", store_errmsg(d.store));
		ingest_storage_failing(d.ingest, store_errmsg(d.store));
	}
	n = store_count(d.store);
	log_notice("tiendod %s ready: plan %s (%zu units, %zu tasks, %zu targets), "
	           "%lld reports stored, ingest %s (%s), http %s, pub %s",
	           TIENDO_VERSION, d.conf.plan, plan->n_units, plan->n_tasks,
	           plan->n_targets, (long long)n, ingest_endpoint(d.ingest),
	           curve_enabled(d.curve) ? "CurveZMQ" : "PLAIN", http_url(d.http),
	           publish_pub_endpoint(alerts_publish(d.alerts)));
	/* Database open, plan loaded, every socket bound: systemd may now
	 * start what depends on us. */
	notify_ready(d.notify);

	if (event_base_dispatch(d.base) < 0)
		log_err("event loop failed");
	/* A commit in flight (a drain's, an alert or retention slice's) is
	 * answered (acks, alert events published) while its hooks' owners
	 * (sse, alerts) are all still there. */
	ingest_settle(d.ingest);
	exact = ingest_tallies_exact(d.ingest);

	sse_free(d.sse);
	http_free(d.http);
	http_web_free(d.web);
	http_auth_free(d.auth);
	/* Drained with the hook still set: its last batch is evaluated. */
	reload_free(d.reload);
	notify_free(d.notify);
	if (d.preauth)
		zap_set_hook(curve_zap(d.curve), NULL, NULL);
	preauth_free(d.preauth);
	ingest_free(d.ingest);
	retention_free(d.retention);
	alerts_free(d.alerts);
	silences_free(d.silences);
	curve_free(d.curve);
	event_free(d.ev_term);
	event_free(d.ev_int);
	event_free(d.ev_hup);
	if (d.ev_endpoints)
		event_free(d.ev_endpoints);
	if (d.ev_lock)
		event_free(d.ev_lock);
	zmq_ctx_term(d.zctx);
	event_base_free(d.base);
	if (exact)
		tallysnap_stop(d.snapshot, d.book);
	book_free(d.book);
	store_close(d.store);
	unlink(d.endpoints);
	log_notice("stopped");
	config_free(&d.conf);
	return d.exit_code;
}
