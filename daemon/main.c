/*
 * tiendod - receives, stores and tallies the progress reports of a plan.
 *
 * One process, one libevent loop: the ingest ROUTER, the HTTP server and
 * the signals all take turns on it, so no state needs a lock.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/event.h>
#include <zmq.h>

#include "book.h"
#include "config.h"
#include "curve.h"
#include "http.h"
#include "ingest.h"
#include "log.h"

struct tiendod {
	struct config conf;
	struct event_base *base;
	void *zctx;
	struct store *store;
	struct book *book;
	struct ingest *ingest;
	struct http *http;
	struct curve *curve;
	struct event *ev_term, *ev_int, *ev_hup_keys;
	char endpoints[4096];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: tiendod [-c FILE] [--plan FILE] [--state-dir DIR] [--ingest EP]\n"
	    "               [--http HOST:PORT] [--log-level LEVEL] [--check]\n"
	    "               [--keys-dir DIR] [--plain]\n"
	    "\n"
	    "  -c, --config FILE   settings (default " CONFIG_DEFAULT_PATH " if present)\n"
	    "      --plan FILE     the plan (units, tasks, targets)\n"
	    "      --state-dir DIR database and endpoints file\n"
	    "      --ingest EP     ZeroMQ endpoint for reports (port 0: any free one)\n"
	    "      --http ADDR     host:port of the JSON API (port 0: any free one)\n"
	    "      --log-level L   err, warning, notice, info, debug\n"
	    "      --check         check the settings and the plan, then exit\n"
	    "      --keys-dir DIR  server.secret and clients/NAME.key (CurveZMQ)\n"
	    "      --plain         no CurveZMQ: for one machine, on loopback\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n");
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct tiendod *d = arg;

	/* The loop is single-threaded, so no batch is half done here: the
	 * last one drained has been committed and acknowledged. */
	log_notice("signal %d: stopping", (int)sig);
	event_base_loopbreak(d->base);
}

/* SIGHUP: re-read the authorised client keys.  A key removed is locked out
 * from its next batch on. */
static void
on_hup_keys(evutil_socket_t sig, short what, void *arg)
{
	struct tiendod *d = arg;

	curve_reload(d->curve);
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
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, d->endpoints);
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
		{ "keys-dir", required_argument, NULL, 'K' },
		{ "plain", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[128] = {
		['p'] = "plan", ['s'] = "state_dir", ['i'] = "ingest",
		['H'] = "http", ['l'] = "log_level", ['K'] = "keys_dir",
		['P'] = "curve",
	};
	const char *config = NULL, *why;
	const char *over[128] = { 0 };
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
			over[c] = optarg;
			break;
		case 'P':
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
	if (config && config_load(&d->conf, config) < 0)
		exit(EX_CONFIG);
	/* The command line wins over the file. */
	for (c = 0; c < 128; c++)
		if (over[c] && config_set(&d->conf, keys[c], over[c], &why) < 0) {
			fprintf(stderr, "tiendod: --%s %s: %s\n", keys[c], over[c], why);
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

int
main(int argc, char **argv)
{
	struct tiendod d = { 0 };
	struct plan *plan;
	char path[4096], *err = NULL;
	int check = 0;
	int64_t n;

	parse_args(&d, argc, argv, &check);
	if ((plan = load_plan(d.conf.plan)) == NULL)
		fatal(EX_CONFIG, "%s: plan refused; nothing started", d.conf.plan);
	if (check) {
		printf("%s: ok, %zu units, %zu tasks, %zu targets\n", d.conf.plan,
		       plan->n_units, plan->n_tasks, plan->n_targets);
		plan_free(plan);
		config_free(&d.conf);
		return 0;
	}
	if (curve_check_libzmq(d.conf.curve, &err) < 0)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "libzmq: unusable");
	signal(SIGPIPE, SIG_IGN);
	if (mkdir(d.conf.state_dir, 0750) < 0 && errno != EEXIST)
		fatal(EX_CANTCREAT, "%s: %s", d.conf.state_dir, strerror(errno));
	snprintf(path, sizeof path, "%s/endpoints", d.conf.state_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/tiendo.db", d.conf.state_dir);
	if ((d.store = store_open(path, d.conf.sync, &err)) == NULL)
		fatal(EX_CANTCREAT, "%s: %s", path, err);
	if ((d.book = book_new(plan, d.store)) == NULL)
		fatal(EX_SOFTWARE, "cannot rebuild the tallies from %s", path);
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
	if ((d.http = http_new(d.base, d.conf.http, &d.book, d.ingest, &err)) == NULL)
		fatal(EX_UNAVAILABLE, "%s", err ? err : "http: failed");
	d.ev_term = evsignal_new(d.base, SIGTERM, on_stop, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, on_stop, &d);
	if (!d.ev_term || !d.ev_int || event_add(d.ev_term, NULL) < 0 ||
	    event_add(d.ev_int, NULL) < 0)
		fatal(EX_OSERR, "cannot watch signals");
	d.ev_hup_keys = evsignal_new(d.base, SIGHUP, on_hup_keys, &d);
	if (!d.ev_hup_keys || event_add(d.ev_hup_keys, NULL) < 0)
		fatal(EX_OSERR, "cannot watch SIGHUP");
	if (write_endpoints(&d) < 0)
		fatal(EX_CANTCREAT, "%s: %s", d.endpoints, strerror(errno));
	n = store_count(d.store);
	log_notice("tiendod %s ready: plan %s (%zu units, %zu tasks, %zu targets), "
	           "%lld reports stored, ingest %s (%s), http %s", TIENDO_VERSION,
	           d.conf.plan, plan->n_units, plan->n_tasks, plan->n_targets,
	           (long long)n, ingest_endpoint(d.ingest),
	           curve_enabled(d.curve) ? "CurveZMQ" : "PLAIN", http_url(d.http));

	if (event_base_dispatch(d.base) < 0)
		log_err("event loop failed");

	http_free(d.http);
	ingest_free(d.ingest);
	curve_free(d.curve);
	event_free(d.ev_term);
	event_free(d.ev_int);
	event_free(d.ev_hup_keys);
	zmq_ctx_term(d.zctx);
	event_base_free(d.base);
	book_free(d.book);
	store_close(d.store);
	unlink(d.endpoints);
	log_notice("stopped");
	config_free(&d.conf);
	return 0;
}
