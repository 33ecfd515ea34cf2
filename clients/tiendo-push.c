/*
 * tiendo-push - queue progress reports in the local outbox and send what
 * the outbox holds to tiendod.
 *
 * A report is written to the outbox (SQLite) before anything is sent, and
 * leaves it only when the daemon acknowledges it, so a dropped link or a
 * daemon restart loses nothing: the next run sends it again with the same
 * seq, and the daemon counts it once.  Sending is the zguide's Lazy Pirate
 * over a DEALER socket, with a few batches in flight: when a reply does not
 * come in time the socket is closed and opened afresh (a DEALER would
 * otherwise keep queueing into a dead connection) and the unacknowledged
 * batches are sent again, a bounded number of times, with backoff.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <zmq.h>

#include "keys.h"
#include "lang.h"
#include "outbox.h"
#include "push.h"
#include "push_csv.h"
#include "push_follow.h"
#include "push_new.h"
#include "push_print.h"
#include "push_send.h"
#include "when.h"
#include "wire.h"

#define PUSH_DEFAULT_CONNECT "tcp://127.0.0.1:7420"

static void
usage(FILE *out)
{
	fprintf(out,
"usage: tiendo-push [OPTIONS] --unit U --task T (--add V | --set V)\n"
"                   [--at TIME] [--note TEXT] [--reporter NAME]\n"
"       tiendo-push [OPTIONS] --csv FILE     (- reads standard input)\n"
"       tiendo-push [OPTIONS]                (send what the outbox holds)\n"
"       tiendo-push [OPTIONS] --status       (list the outbox, no network)\n"
"       tiendo-push [OPTIONS] --clear-rejected\n"
"       tiendo-push [OPTIONS] --void SEQ --reason TEXT  (take a report back)\n"
"       tiendo-push [OPTIONS] --follow       (keep sending, for ever)\n"
"\n"
"Queues progress reports in a local outbox, then sends every pending report\n"
"to tiendod and removes those it acknowledges.\n"
"\n"
"  --unit U, --task T     unit and task codes from the plan\n"
"  --add V                progress since the last report (decimal, 3 places)\n"
"  --set V                the total as of --at\n"
"  --at TIME              when it was observed: 2021-03-01, 2021-03-01 08:00,\n"
"                         RFC 3339, or @UNIXSECONDS (default: now)\n"
"  --note TEXT            remark (at most 1000 bytes)\n"
"  --reporter NAME        who reports (at most 100 bytes)\n"
"  --csv FILE             reports from a CSV file with a header row naming\n"
"                         unit, task, kind, value[, observed_at, reporter, note]\n"
"  --status               list pending and rejected reports in the outbox,\n"
"                         and the last --history N delivered (default 10)\n"
"  --void SEQ             queue a correction voiding your report SEQ (see\n"
"                         --status): the daemon stops counting it\n"
"  --reason TEXT          why it is voided (required with --void)\n"
"  --no-send              only queue; send later (or let --follow send)\n"
"  --follow               stay running: send whatever the outbox holds as\n"
"                         soon as the daemon answers, retrying for ever with\n"
"                         capped backoff; look again every --interval\n"
"                         seconds (default 2); SIGTERM stops it\n"
"  --clear-rejected       forget the rejected reports kept in the outbox\n"
"\n"
"  --connect EP[,EP...]   daemon endpoint (default $TIENDO_CONNECT or\n"
"                         " PUSH_DEFAULT_CONNECT "); with a list (--server\n"
"                         A,B: an active and its standby), the next one\n"
"                         is tried after each timeout\n"
"  --client ID            client identity (default $TIENDO_CLIENT, else --unit);\n"
"                         with CurveZMQ the daemon uses the key's identity\n"
"  --key PATH             CurveZMQ: this client's secret key file, or a\n"
"                         directory holding CLIENT.secret [and server.pub]\n"
"                         (default $TIENDO_KEY; none: plain, no encryption)\n"
"  --server-key FILE      the daemon's public key (default $TIENDO_SERVER_KEY)\n"
"  --outbox FILE          default $XDG_STATE_HOME/tiendo/outbox-CLIENT.db\n"
"  --timeout SECONDS      wait for each reply (default 5)\n"
"  --retries N            resend unanswered batches N times (default 3)\n"
"  --batch N              reports per batch (default 500, at most 1000)\n"
"  --tz ZONE              zone --at and CSV times are read in (default\n"
"                         " WHEN_DEFAULT_TZ "); times are printed in $TZ's zone,\n"
"                         with their offset\n"
"  --lang vi|en           vi: print in Vietnamese (đã nhận, +1.250,5,\n"
"                         20/03/2021 08:30:00 +07:00) and read --add/--set\n"
"                         as 1,5 or 1.750,5 and --at as 20/03/2021 too\n"
"                         (default $TIENDO_LANG, else en)\n"
"  -q, --quiet            print only rejected reports and the summary\n"
"  -h, --help, --version\n"
"\n"
"Exit: 0 all delivered, 65 some rejected, 75 some still pending (daemon\n"
"unreachable), 64 bad usage, 66 no CSV file, 74 outbox trouble.\n"
"--follow exits 0 when stopped by a signal; what is pending stays queued.\n");
}

/* Integer option within [lo, hi]; -1 when not. */
static int
push_int(const char *name, const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		push_warn("%s: \"%s\" is not a number from %ld to %ld", name, s,
		    lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* mkdir -p with mode 0700 for every directory it makes. */
static int
push_mkdirs(const char *dir)
{
	char *p, *d = strdup(dir);
	struct stat sb;
	int rc = 0;

	if (d == NULL)
		return -1;
	for (p = d + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST)
			rc = -1;
		else if (stat(d, &sb) != 0 || !S_ISDIR(sb.st_mode))
			rc = -1;
		*p = c;
		if (c == '\0')
			break;
	}
	if (rc != 0)
		push_warn("%s: %s", d, strerror(errno ? errno : ENOTDIR));
	free(d);
	return rc;
}

/* The default outbox path; malloc'd, NULL on failure (reported). */
static char *
push_default_outbox(const char *client)
{
	const char *state = getenv("XDG_STATE_HOME"), *home;
	char *path = NULL;
	int n;

	if (state != NULL && state[0] == '/') {
		n = asprintf(&path, "%s/tiendo/outbox-%s.db", state, client);
	} else {
		home = getenv("HOME");
		if (home == NULL || home[0] == '\0') {
			struct passwd *pw = getpwuid(getuid());

			home = pw ? pw->pw_dir : NULL;
		}
		if (home == NULL) {
			push_warn("no home directory: give --outbox");
			return NULL;
		}
		n = asprintf(&path, "%s/.local/state/tiendo/outbox-%s.db", home,
		    client);
	}
	if (n < 0) {
		push_warn("out of memory");
		return NULL;
	}
	return path;
}

/* Makes the directory that will hold path. */
static int
push_outbox_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (slash == NULL || slash == path)
		return 0;
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL)
		return -1;
	rc = push_mkdirs(dir);
	free(dir);
	return rc;
}

/* --void SEQ: one correction, checked against what the outbox knows. */
static int
push_void_item(struct outbox *ob, const struct push_opts *o, when_t now,
               struct push_new *nw)
{
	enum outbox_where where;
	struct outbox_item *old, it;
	const char *why;
	when_t t = now;

	if ((why = push_new_check_text(o->reason, WIRE_NOTE_MAX, 0)) != NULL) {
		push_warn("--reason %s", why);
		return EX_DATAERR;
	}
	if ((why = push_new_check_text(o->note ? o->note : "", WIRE_NOTE_MAX,
	        1)) != NULL ||
	    (why = push_new_check_text(o->reporter ? o->reporter : "",
	        WIRE_REPORTER_MAX, 1)) != NULL) {
		push_warn("--note or --reporter %s", why);
		return EX_DATAERR;
	}
	if (o->at != NULL && (when_parse(o->at, o->tz, &t, NULL, &why) != 0 ||
	    t < PUSH_MIN_TIME)) {
		push_warn("--at \"%s\": %s", o->at, t < PUSH_MIN_TIME ?
		    "before 2000-01-01" : why);
		return EX_DATAERR;
	}
	if (outbox_find(ob, o->void_seq, &where, &old) != 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	if (where == OUTBOX_IS_REJECTED) {
		push_warn("seq %" PRIu64 " was rejected (%s): it never counted, "
		    "there is nothing to void (--clear-rejected forgets it)",
		    o->void_seq, old->code);
		outbox_items_free(old, 1);
		return EX_DATAERR;
	}
	if (old != NULL && old->voids_seq != 0) {
		push_warn("seq %" PRIu64 " is a correction; it cannot be voided",
		    o->void_seq);
		outbox_items_free(old, 1);
		return EX_DATAERR;
	}
	/* Unknown here (history trimmed, another machine): the daemon knows. */
	memset(&it, 0, sizeof(it));
	it.unit = strdup(old ? old->unit : "");
	it.task = strdup(old ? old->task : "");
	it.value = strdup("0");
	it.reporter = strdup(o->reporter ? o->reporter : "");
	it.note = strdup(o->note ? o->note : "");
	it.void_reason = strdup(o->reason);
	it.kind = OUTBOX_ADD;
	it.observed_at = t;
	it.voids_seq = o->void_seq;
	outbox_items_free(old, old ? 1 : 0);
	if (!it.unit || !it.task || !it.value || !it.reporter || !it.note ||
	    !it.void_reason || (nw->v = calloc(1, sizeof(*nw->v))) == NULL) {
		push_new_item_clear(&it);
		push_warn("out of memory");
		return EX_OSERR;
	}
	nw->v[0] = it;
	nw->n = nw->cap = 1;
	return EX_OK;
}

/* In Vietnamese (--lang vi, TIENDO_LANG=vi), --add 1,5 and --at
 * 20/03/2021 are read as a Vietnamese clerk writes them.  EX_OK, or the
 * exit status after saying what is wrong, quoting what was typed. */
static int
push_lang_input(struct push_opts *o, char *vb, size_t vn, char *ab, size_t an)
{
	const char *why;
	int rc;

	if ((o->vi = lang_choose(o->lang, "tiendo-push")) < 0)
		return EX_USAGE;
	if (o->value && lang_decimal_in(o->value, o->vi, vb, vn) != 0) {
		push_warn("%s \"%.40s\": not a number as written in "
		    "Vietnamese (1.750,5; 1,5: a point groups thousands, a "
		    "comma is the decimal point)",
		    o->kind == OUTBOX_SET ? "--set" : "--add", o->value);
		return EX_USAGE;
	}
	if (o->value)
		o->value = vb;
	if (o->at && (rc = lang_date_in(o->at, o->vi, ab, an, &why)) != 0) {
		/* a date that is not one is bad data, as for --at in ISO */
		push_warn("--at \"%.60s\": %s; nothing queued", o->at,
		    rc == -2 ? why : "too long");
		return EX_DATAERR;
	}
	if (o->at)
		o->at = ab;
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static char value_buf[64], at_buf[128];
	enum { O_UNIT = 256, O_TASK, O_ADD, O_SET, O_AT, O_NOTE, O_REPORTER,
	       O_CSV, O_STATUS, O_CLEAR, O_CONNECT, O_CLIENT, O_OUTBOX,
	       O_TIMEOUT, O_RETRIES, O_TZ, O_BATCH, O_VERSION, O_VOID,
	       O_REASON, O_NOSEND, O_FOLLOW, O_INTERVAL, O_HISTORY, O_KEY,
	       O_SERVER_KEY, O_LANG };
	static const struct option longopts[] = {
		{ "unit", required_argument, NULL, O_UNIT },
		{ "task", required_argument, NULL, O_TASK },
		{ "add", required_argument, NULL, O_ADD },
		{ "set", required_argument, NULL, O_SET },
		{ "at", required_argument, NULL, O_AT },
		{ "note", required_argument, NULL, O_NOTE },
		{ "reporter", required_argument, NULL, O_REPORTER },
		{ "csv", required_argument, NULL, O_CSV },
		{ "status", no_argument, NULL, O_STATUS },
		{ "clear-rejected", no_argument, NULL, O_CLEAR },
		{ "connect", required_argument, NULL, O_CONNECT },
		{ "server", required_argument, NULL, O_CONNECT },
		{ "client", required_argument, NULL, O_CLIENT },
		{ "outbox", required_argument, NULL, O_OUTBOX },
		{ "key", required_argument, NULL, O_KEY },
		{ "server-key", required_argument, NULL, O_SERVER_KEY },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "tz", required_argument, NULL, O_TZ },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ "void", required_argument, NULL, O_VOID },
		{ "reason", required_argument, NULL, O_REASON },
		{ "no-send", no_argument, NULL, O_NOSEND },
		{ "follow", no_argument, NULL, O_FOLLOW },
		{ "daemon", no_argument, NULL, O_FOLLOW },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "lang", required_argument, NULL, O_LANG },
		{ NULL, 0, NULL, 0 },
	};
	struct push_opts o;
	struct push_new nw = { 0 };
	struct push_sender s = { 0 };
	struct outbox *ob = NULL;
	char *outbox_path = NULL, *err = NULL;
	int ch, ex = EX_OK, nvalues = 0, single;
	int64_t pending;
	when_t now = when_now();

	memset(&o, 0, sizeof(o));
	o.timeout = 5;
	o.retries = 3;
	o.batch = 500;
	o.tz = WHEN_DEFAULT_TZ;
	o.interval = 2;
	o.history = 10;
	o.connect = getenv("TIENDO_CONNECT");
	o.client = getenv("TIENDO_CLIENT");
	o.key = getenv(KEYS_ENV_KEY);
	o.server_key = getenv(KEYS_ENV_SERVER_KEY);
	if (o.client != NULL && o.client[0] == '\0')
		o.client = NULL;

	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_UNIT: o.unit = optarg; break;
		case O_TASK: o.task = optarg; break;
		case O_ADD: o.value = optarg; o.kind = OUTBOX_ADD; nvalues++;
			break;
		case O_SET: o.value = optarg; o.kind = OUTBOX_SET; nvalues++;
			break;
		case O_AT: o.at = optarg; break;
		case O_NOTE: o.note = optarg; break;
		case O_REPORTER: o.reporter = optarg; break;
		case O_CSV: o.csv = optarg; break;
		case O_STATUS: o.status = 1; break;
		case O_CLEAR: o.clear_rejected = 1; break;
		case O_CONNECT: o.connect = optarg; break;
		case O_CLIENT: o.client = optarg; break;
		case O_OUTBOX: o.outbox = optarg; break;
		case O_KEY: o.key = optarg; break;
		case O_SERVER_KEY: o.server_key = optarg; break;
		case O_TZ: o.tz = optarg; break;
		case O_LANG: o.lang = optarg; break;
		case O_TIMEOUT:
			if (push_int("--timeout", optarg, 1, 3600,
			    &o.timeout) != 0)
				return EX_USAGE;
			break;
		case O_RETRIES:
			if (push_int("--retries", optarg, 0, 100,
			    &o.retries) != 0)
				return EX_USAGE;
			break;
		case O_BATCH:
			if (push_int("--batch", optarg, 1, WIRE_MAX_REPORTS,
			    &o.batch) != 0)
				return EX_USAGE;
			break;
		case O_VOID: {
			char *end;

			errno = 0;
			o.void_seq = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || o.void_seq == 0 ||
			    optarg[0] == '-') {
				push_warn("--void: \"%s\" is not a seq (see "
				    "--status)", optarg);
				return EX_USAGE;
			}
			break;
		}
		case O_REASON: o.reason = optarg; break;
		case O_NOSEND: o.no_send = 1; break;
		case O_FOLLOW: o.follow = 1; break;
		case O_INTERVAL:
			if (push_int("--interval", optarg, 1, 3600,
			    &o.interval) != 0)
				return EX_USAGE;
			break;
		case O_HISTORY:
			if (push_int("--history", optarg, 0, OUTBOX_HISTORY,
			    &o.history) != 0)
				return EX_USAGE;
			break;
		case 'q': o.quiet = 1; break;
		case 'h': usage(stdout); return EX_OK;
		case O_VERSION:
			printf("tiendo-push %s\n", TIENDO_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		push_warn("unexpected argument \"%s\"", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	if ((ex = push_lang_input(&o, value_buf, sizeof value_buf, at_buf,
	    sizeof at_buf)) != EX_OK)
		return ex;
	if (o.connect == NULL || o.connect[0] == '\0')
		o.connect = PUSH_DEFAULT_CONNECT;

	/* which mode */
	single = o.unit || o.task || nvalues ||
	    (!o.void_seq && (o.at || o.note || o.reporter));
	if (single + (o.csv != NULL) + o.status + o.clear_rejected +
	    (o.void_seq != 0) > 1) {
		push_warn("one report, --csv, --void, --status and "
		    "--clear-rejected do not mix");
		return EX_USAGE;
	}
	if ((o.void_seq != 0) != (o.reason != NULL)) {
		push_warn("--void SEQ and --reason TEXT go together");
		return EX_USAGE;
	}
	if ((o.follow || o.no_send) && (o.status || o.clear_rejected)) {
		push_warn("--follow and --no-send do not mix with --status or "
		    "--clear-rejected");
		return EX_USAGE;
	}
	if (o.follow && o.no_send) {
		push_warn("--follow sends; --no-send does not");
		return EX_USAGE;
	}
	if (single) {
		if (!o.unit || !o.task || nvalues != 1) {
			push_warn("a report needs --unit, --task and one of "
			    "--add or --set");
			return EX_USAGE;
		}
		if (o.client == NULL)
			o.client = o.unit;
	}
	if (!when_zone_valid(o.tz)) {
		push_warn("--tz \"%s\": not a time zone of the tz database",
		    o.tz);
		return EX_USAGE;
	}
	if (o.client == NULL && !((o.status || o.clear_rejected) && o.outbox)) {
		push_warn("no client identity: give --client or set "
		    "TIENDO_CLIENT");
		return EX_USAGE;
	}
	if (o.client != NULL && !wire_client_valid(o.client)) {
		push_warn("client identity \"%s\": must be 1 to 64 of "
		    "A-Z a-z 0-9 . _ -", o.client);
		return EX_USAGE;
	}

	/* new reports are checked before the outbox is touched */
	if (single) {
		const char *const names[] = {
			"--unit", "--task", o.kind == OUTBOX_SET ? "--set" :
			"--add", "--at", "--reporter", "--note",
		};
		char why[256];
		int rc = push_new_add(&nw, o.unit, o.task, o.kind, o.value,
		    o.at, o.reporter ? o.reporter : "", o.note ? o.note : "",
		    o.tz, now, why, sizeof(why), names);

		if (rc < 0) {
			push_warn("out of memory");
			return EX_OSERR;
		}
		if (rc > 0) {
			push_warn("%s; nothing queued", why);
			return EX_DATAERR;
		}
	} else if (o.csv != NULL) {
		if ((ex = push_csv_read(o.csv, o.tz, now, &nw)) != EX_OK) {
			push_new_free(&nw);
			return ex;
		}
	}

	if (o.outbox == NULL) {
		if ((outbox_path = push_default_outbox(o.client)) == NULL) {
			push_new_free(&nw);
			return EX_IOERR;
		}
		o.outbox = outbox_path;
	}
	if (o.status || o.clear_rejected) {
		struct stat sb;

		if (stat(o.outbox, &sb) != 0 && errno == ENOENT) {
			if (o.status)
				push_print_status_empty(o.vi);
			free(outbox_path);
			return EX_OK;
		}
	} else if (push_outbox_dir(o.outbox) != 0) {
		free(outbox_path);
		push_new_free(&nw);
		return EX_IOERR;
	}
	if ((ob = outbox_open(o.outbox, o.client, !o.status, &err)) == NULL) {
		push_warn("%s: %s", o.outbox, err ? err : "out of memory");
		free(err);
		free(outbox_path);
		push_new_free(&nw);
		return EX_IOERR;
	}
	if (outbox_is_cramped(ob))
		push_warn("%s: the disk is full: sending what is queued; what is "
		          "delivered may be sent again later (the daemon answers "
		          "duplicate)", o.outbox);

	if (o.status) {
		ex = push_print_status(ob, o.history, o.vi);
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.ob = ob;
	/* A bad endpoint or key is a usage error: found before the report is
	 * queued, or the corrected command would send it a second time. */
	if (!o.no_send && !o.clear_rejected) {
		if ((s.ctx = zmq_ctx_new()) == NULL) {
			push_warn("zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
			ex = EX_OSERR;
			goto out;
		}
		if ((ex = push_send_check(&s)) != EX_OK)
			goto out;
	}
	if (o.void_seq && (ex = push_void_item(ob, &o, now, &nw)) != EX_OK)
		goto out;
	if (o.clear_rejected) {
		int64_t n;

		if (outbox_clear_rejected(ob, &n) != 0) {
			push_warn("outbox: %s", outbox_errmsg(ob));
			ex = EX_IOERR;
		} else if (!o.quiet) {
			push_print_forgotten(n, o.vi);
		}
		goto out;
	}
	if (push_new_queue(ob, &nw) != 0) {
		ex = EX_IOERR;
		goto out;
	}
	if (o.no_send) {
		if (!o.quiet)
			for (size_t i = 0; i < nw.n; i++) {
				printf("%" PRIu64 " ", nw.v[i].seq);
				push_print_fate(stdout, &nw.v[i], o.vi,
				    PUSH_QUEUED);
			}
		pending = outbox_count(ob, OUTBOX_PENDING);
		push_print_queued(nw.n, pending, o.vi);
		ex = pending < 0 ? EX_IOERR : EX_OK;
		goto out;
	}
	push_new_free(&nw);

	srandom((unsigned)(getpid() ^ now));
	if (o.follow)
		ex = push_follow_run(&s);
	else if (push_send_passes(&s) != 0)
		ex = s.fatal ? s.fatal : EX_SOFTWARE;
	push_send_close(&s);
	if (ex != EX_OK)
		goto out;

	ex = push_print_summary(ob, &o, &s.st);
out:
	if (fflush(stdout) != 0 && ex == EX_OK)
		ex = EX_IOERR;
	push_new_free(&nw);
	if (s.ctx != NULL)
		zmq_ctx_term(s.ctx);
	outbox_close(ob);
	free(outbox_path);
	return ex;
}
