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
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "csv.h"
#include "decimal.h"
#include "keys.h"
#include "lang.h"
#include "outbox.h"
#include "utf8.h"
#include "when.h"
#include "wire.h"

#define PUSH_DEFAULT_CONNECT "tcp://127.0.0.1:7420"
#define PUSH_WINDOW 4              /* batches in flight at once */
#define PUSH_BACKOFF_MS 250        /* first pause before a resend */
#define PUSH_BACKOFF_MAX_MS 8000
#define PUSH_FOLLOW_BACKOFF_MAX_MS 30000 /* --follow retries for ever */
#define PUSH_CSV_MAX (256L << 20)  /* bytes of one CSV file */
#define PUSH_MIN_TIME ((when_t)946684800000LL) /* 2000-01-01, as the daemon */

static const char *progname = "tiendo-push";

struct push_opts {
	const char *connect, *client, *outbox, *tz;
	const char *key, *server_key; /* CurveZMQ; both NULL: plain */
	const char *unit, *task, *value, *at, *note, *reporter, *csv;
	const char *reason;
	enum outbox_kind kind;
	int timeout, retries, batch, quiet, status, clear_rejected;
	uint64_t void_seq;         /* --void */
	int no_send, follow, interval, history;
};

/* Reports of one run, before they are queued. */
struct push_new {
	struct outbox_item *v;
	size_t n, cap;
};

/* What happened in this run. */
struct push_stats {
	size_t accepted, duplicate, rejected;
	size_t resent; /* reports sent again (no reply in time, or RETRY) */
};

/* --follow stops on SIGTERM or SIGINT, between two steps. */
static volatile sig_atomic_t push_stop;
static int64_t push_backoff_max = PUSH_BACKOFF_MAX_MS;

static void
push_on_signal(int sig)
{
	push_stop = 1;
}

static void
push_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

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
"  --tz ZONE              zone of --at and of printed times\n"
"                         (default " WHEN_DEFAULT_TZ ")\n"
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

static void
push_item_clear(struct outbox_item *it)
{
	free(it->unit);
	free(it->task);
	free(it->value);
	free(it->reporter);
	free(it->note);
	free(it->code);
	free(it->reason);
	free(it->void_reason);
	memset(it, 0, sizeof(*it));
}

static void
push_new_free(struct push_new *nw)
{
	for (size_t i = 0; i < nw->n; i++)
		push_item_clear(&nw->v[i]);
	free(nw->v);
	nw->v = NULL;
	nw->n = nw->cap = 0;
}

/* A string field: present (unless optional), within max bytes, UTF-8. */
static const char *
push_check_text(const char *s, size_t max, int optional)
{
	size_t len = strlen(s);

	if (len == 0 && !optional)
		return "is empty";
	if (len > max)
		return max == WIRE_CODE_MAX ? "is longer than 64 bytes" :
		    max == WIRE_REPORTER_MAX ? "is longer than 100 bytes" :
		    "is longer than 1000 bytes";
	if (utf8_check(s, len) >= 0)
		return "is not valid UTF-8";
	return NULL;
}

/*
 * Checks one report and appends it to nw.  `at` NULL or "" means now.
 * On a bad field writes "FIELD: why" into err and returns 1; -1 when out
 * of memory; 0 when added.
 */
static int
push_new_add(struct push_new *nw, const char *unit, const char *task,
             enum outbox_kind kind, const char *value, const char *at,
             const char *reporter, const char *note, const char *tz,
             when_t now, char *err, size_t errlen, const char *const *names)
{
	struct outbox_item it;
	const char *why;
	char buf[DEC_BUFSZ];
	when_t t = now;
	dec_t v;

	/* names: what to call unit, task, value, at, reporter, note */
	if ((why = push_check_text(unit, WIRE_CODE_MAX, 0)) != NULL) {
		snprintf(err, errlen, "%s %s", names[0], why);
		return 1;
	}
	if ((why = push_check_text(task, WIRE_CODE_MAX, 0)) != NULL) {
		snprintf(err, errlen, "%s %s", names[1], why);
		return 1;
	}
	if (dec_parse(value, &v, &why) != 0) {
		snprintf(err, errlen, "%s \"%.40s\": %s", names[2], value, why);
		return 1;
	}
	if (kind == OUTBOX_SET && v < 0) {
		snprintf(err, errlen, "%s \"%.40s\": a total cannot be negative",
		    names[2], value);
		return 1;
	}
	if (at != NULL && at[0] != '\0') {
		if (when_parse(at, tz, &t, NULL, &why) != 0) {
			snprintf(err, errlen, "%s \"%.60s\": %s", names[3], at,
			    why);
			return 1;
		}
		if (t < PUSH_MIN_TIME) {
			snprintf(err, errlen, "%s \"%.60s\": before 2000-01-01",
			    names[3], at);
			return 1;
		}
	}
	if ((why = push_check_text(reporter, WIRE_REPORTER_MAX, 1)) != NULL) {
		snprintf(err, errlen, "%s %s", names[4], why);
		return 1;
	}
	if ((why = push_check_text(note, WIRE_NOTE_MAX, 1)) != NULL) {
		snprintf(err, errlen, "%s %s", names[5], why);
		return 1;
	}

	if (nw->n == nw->cap) {
		size_t cap = nw->cap ? nw->cap * 2 : 16;
		struct outbox_item *nv = realloc(nw->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		nw->v = nv;
		nw->cap = cap;
	}
	memset(&it, 0, sizeof(it));
	it.kind = kind;
	it.observed_at = t;
	it.unit = strdup(unit);
	it.task = strdup(task);
	it.value = strdup(dec_format(v, buf, sizeof(buf)));
	it.reporter = strdup(reporter);
	it.note = strdup(note);
	if (it.unit == NULL || it.task == NULL || it.value == NULL ||
	    it.reporter == NULL || it.note == NULL) {
		push_item_clear(&it);
		return -1;
	}
	nw->v[nw->n++] = it;
	return 0;
}

/* ---- CSV input ---- */

enum { COL_UNIT, COL_TASK, COL_KIND, COL_VALUE, COL_AT, COL_REPORTER,
       COL_NOTE, COL_N };

static const char *const push_col_names[COL_N] = {
	"unit", "task", "kind", "value", "observed_at", "reporter", "note",
};

struct push_csv {
	const char *name; /* for messages */
	const char *tz;
	when_t now;
	struct push_new *nw;
	int seen_header;
	int header_ok;
	size_t ncols;
	int col[COL_N];   /* column of each known field, or -1 */
	size_t errors;
	int nomem;
};

static void
push_csv_error(void *arg, size_t line, const char *msg)
{
	struct push_csv *c = arg;

	fprintf(stderr, "%s:%zu: %s\n", c->name, line, msg);
	c->errors++;
	c->seen_header = 1; /* a bad first record is a bad header */
}

/* Copies s without surrounding blanks (spreadsheets leave them). */
static char *
push_trim(const char *s, char *buf, size_t n)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

static int
push_csv_header(struct push_csv *c, const struct csv_record *rec)
{
	char name[CSV_FIELD_MAX + 1];
	int ok = 1;

	for (int k = 0; k < COL_N; k++)
		c->col[k] = -1;
	c->ncols = rec->n;
	for (size_t i = 0; i < rec->n; i++) {
		int k;

		push_trim(rec->fields[i], name, sizeof(name));
		for (k = 0; k < COL_N; k++)
			if (strcasecmp(name, push_col_names[k]) == 0)
				break;
		if (k == COL_N) {
			fprintf(stderr, "%s:%zu: unknown column \"%.64s\" "
			    "(known: unit, task, kind, value, observed_at, "
			    "reporter, note)\n", c->name, rec->line, name);
			ok = 0;
		} else if (c->col[k] >= 0) {
			fprintf(stderr, "%s:%zu: column \"%s\" appears twice\n",
			    c->name, rec->line, push_col_names[k]);
			ok = 0;
		} else {
			c->col[k] = (int)i;
		}
	}
	for (int k = COL_UNIT; k <= COL_VALUE; k++) {
		if (c->col[k] < 0) {
			fprintf(stderr, "%s:%zu: missing column \"%s\"\n",
			    c->name, rec->line, push_col_names[k]);
			ok = 0;
		}
	}
	if (!ok)
		c->errors++;
	return ok;
}

static int
push_csv_record(void *arg, const struct csv_record *rec)
{
	static const char *const names[] = {
		"unit", "task", "value", "observed_at", "reporter", "note",
	};
	struct push_csv *c = arg;
	char f[COL_N][CSV_FIELD_MAX + 1], err[256];
	enum outbox_kind kind;
	int rc;

	if (!c->seen_header) {
		c->seen_header = 1;
		c->header_ok = push_csv_header(c, rec);
		return 0;
	}
	if (!c->header_ok)
		return 0; /* rows cannot be read without their header */
	if (rec->n != c->ncols) {
		fprintf(stderr, "%s:%zu: %zu fields, but the header has %zu\n",
		    c->name, rec->line, rec->n, c->ncols);
		c->errors++;
		return 0;
	}
	for (int k = 0; k < COL_N; k++) {
		if (c->col[k] < 0)
			f[k][0] = '\0';
		else if (k == COL_NOTE)
			snprintf(f[k], sizeof(f[k]), "%s",
			    rec->fields[c->col[k]]);
		else
			push_trim(rec->fields[c->col[k]], f[k], sizeof(f[k]));
	}
	if (strcasecmp(f[COL_KIND], "add") == 0) {
		kind = OUTBOX_ADD;
	} else if (strcasecmp(f[COL_KIND], "set") == 0) {
		kind = OUTBOX_SET;
	} else {
		fprintf(stderr, "%s:%zu: kind \"%.20s\": neither add nor set\n",
		    c->name, rec->line, f[COL_KIND]);
		c->errors++;
		return 0;
	}
	rc = push_new_add(c->nw, f[COL_UNIT], f[COL_TASK], kind, f[COL_VALUE],
	    f[COL_AT], f[COL_REPORTER], f[COL_NOTE], c->tz, c->now, err,
	    sizeof(err), names);
	if (rc < 0) {
		c->nomem = 1;
		return 1;
	}
	if (rc > 0) {
		fprintf(stderr, "%s:%zu: %s\n", c->name, rec->line, err);
		c->errors++;
	}
	return 0;
}

/* Reads a whole file (or stdin for "-"); malloc'd.  -1 reported. */
static int
push_slurp(const char *path, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		push_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (cap >= (size_t)PUSH_CSV_MAX) {
				push_warn("%s: larger than %ld MiB", path,
				    PUSH_CSV_MAX >> 20);
				goto fail;
			}
			if ((nb = realloc(buf, ncap)) == NULL) {
				push_warn("out of memory");
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		push_warn("%s: read error", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	*out = buf;
	*len = n;
	return 0;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return -1;
}

/* Reads the CSV into nw; returns an exit status (EX_OK when all good). */
static int
push_read_csv(const char *path, const char *tz, when_t now,
              struct push_new *nw)
{
	struct push_csv c;
	char *buf;
	size_t len;
	int rc;

	if (push_slurp(path, &buf, &len) != 0)
		return strcmp(path, "-") == 0 ? EX_IOERR : EX_NOINPUT;
	memset(&c, 0, sizeof(c));
	c.name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	c.tz = tz;
	c.now = now;
	c.nw = nw;
	rc = csv_parse(buf, len, push_csv_record, push_csv_error, &c);
	free(buf);
	if (rc == -2 || c.nomem) {
		push_warn("out of memory");
		return EX_OSERR;
	}
	if (!c.seen_header) {
		fprintf(stderr, "%s:1: no header row (unit,task,kind,value,...)"
		    "\n", c.name);
		c.errors++;
	}
	if (c.errors > 0) {
		push_warn("%s: %zu error%s, nothing queued", c.name, c.errors,
		    c.errors == 1 ? "" : "s");
		return EX_DATAERR;
	}
	return EX_OK;
}

/* ---- output ---- */

static void
push_print_report(FILE *out, const struct outbox_item *it, const char *tz,
                  const char *fate)
{
	char tbuf[WHEN_BUFSZ];
	const char *sign = it->kind == OUTBOX_SET ? "=" :
	    it->value[0] == '-' ? "" : "+";

	if (it->voids_seq != 0) {
		fprintf(out, "%s %s void of seq %" PRIu64 " (%s) @%s: %s\n",
		    it->unit[0] ? it->unit : "*", it->task[0] ? it->task : "*",
		    it->voids_seq, it->void_reason ? it->void_reason : "",
		    when_format(it->observed_at, tz, tbuf, sizeof(tbuf)), fate);
		return;
	}
	fprintf(out, "%s %s %s%s @%s: %s\n", it->unit, it->task, sign,
	    it->value, when_format(it->observed_at, tz, tbuf, sizeof(tbuf)),
	    fate);
}

static void
push_print_rejected(FILE *out, const struct outbox_item *it, const char *tz,
                    const char *code, const char *reason)
{
	char fate[1200];

	snprintf(fate, sizeof(fate), "rejected (%s): %s", code,
	    reason && *reason ? reason : "no reason given");
	push_print_report(out, it, tz, fate);
}

/* --status: no network. */
static int
push_status(struct outbox *ob, const char *tz, int history)
{
	struct outbox_item *items;
	size_t n, pending = 0, rejected = 0;
	char fate[64], tbuf[WHEN_BUFSZ];
	int64_t delivered;

	if (outbox_history(ob, (size_t)history, &items, &n) != 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	/* oldest first, like the rest */
	for (size_t i = n; i-- > 0;) {
		const struct outbox_item *it = &items[i];

		snprintf(fate, sizeof(fate), "%s %s",
		    it->fate == 2 ? "duplicate" : "accepted",
		    when_format(it->done_at, tz, tbuf, sizeof(tbuf)));
		printf("%" PRIu64 " ", it->seq);
		push_print_report(stdout, it, tz, fate);
	}
	outbox_items_free(items, n);
	if (outbox_list(ob, &items, &n) != 0 ||
	    (delivered = outbox_delivered_total(ob)) < 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	for (size_t i = 0; i < n; i++) {
		const struct outbox_item *it = &items[i];

		printf("%" PRIu64 " ", it->seq);
		if (it->state == OUTBOX_REJECTED) {
			push_print_rejected(stdout, it, tz, it->code,
			    it->reason);
			rejected++;
		} else {
			snprintf(fate, sizeof(fate), "pending since %s",
			    when_format(it->queued_at, tz, tbuf,
			    sizeof(tbuf)));
			push_print_report(stdout, it, tz, fate);
			pending++;
		}
	}
	outbox_items_free(items, n);
	printf("%zu pending, %zu rejected, %" PRId64 " delivered\n", pending,
	    rejected, delivered);
	return EX_OK;
}

/* ---- sending ---- */

struct push_flight {
	uint64_t batch_id;
	struct outbox_item *items; /* owned; n of them */
	size_t n;
	void *msg;                 /* encoded Batch */
	size_t len;
	int64_t deadline;          /* monotonic ms by which a reply is due */
	int64_t resend_at;         /* > 0: waiting to resend after RETRY */
	int tries;                 /* RETRY replies so far */
};

struct push_sender {
	const struct push_opts *o;
	struct outbox *ob;
	void *ctx, *sock;
	struct push_flight fl[PUSH_WINDOW];
	size_t nfl;
	uint64_t next_batch;
	uint64_t cursor;    /* highest seq taken from the outbox */
	int exhausted;      /* nothing more pending in the outbox */
	int give_up;        /* stop taking new batches */
	int link_down;      /* --follow: told the user the daemon is away */
	int fatal;          /* exit status when the outbox failed, else 0 */
	size_t server;      /* which of the --connect list (A,B,...) */
	struct push_stats st;
};

static int64_t
push_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
push_sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !push_stop)
		;
}

/* Exponential, with jitter so that communes cut off together do not all
 * come back in the same millisecond. */
static int64_t
push_backoff(int attempt)
{
	int64_t ms = PUSH_BACKOFF_MS;

	while (--attempt > 0 && ms < push_backoff_max)
		ms *= 2;
	if (ms > push_backoff_max)
		ms = push_backoff_max;
	return ms / 2 + (int64_t)(random() % (ms + 1));
}

static void
push_flight_free(struct push_flight *f)
{
	outbox_items_free(f->items, f->n);
	free(f->msg);
	memset(f, 0, sizeof(*f));
}

/* Keeps the others in the order they were sent, so that a resend after a
 * reconnect goes out in seq order too. */
static void
push_flight_drop(struct push_sender *s, size_t i)
{
	push_flight_free(&s->fl[i]);
	memmove(&s->fl[i], &s->fl[i + 1], (s->nfl - i - 1) * sizeof(s->fl[0]));
	memset(&s->fl[s->nfl - 1], 0, sizeof(s->fl[0]));
	s->nfl--;
}

/* The endpoint in use: item s->server (mod their number) of the list. */
static void
push_endpoint(const struct push_sender *s, char *buf, size_t n)
{
	const char *p = s->o->connect;
	size_t count = 1, k, len;

	for (const char *q = p; *q; q++)
		count += *q == ',';
	for (k = s->server % count; k > 0; k--)
		p = strchr(p, ',') + 1;
	len = strcspn(p, ",");
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), p);
}

/* Opens the DEALER.  EX_OK, or the exit status that fits, the same at the
 * first connect and at every reconnect: EX_USAGE when the endpoint or the
 * keys are what is wrong. */
static int
push_sock_open(struct push_sender *s)
{
	char ep[512];
	int linger = 0, ex = EX_SOFTWARE;
	int64_t maxmsg = 4 * WIRE_MAX_MSG; /* acks carry reasons: be lenient */
	char *err = NULL;

	if ((s->sock = zmq_socket(s->ctx, ZMQ_DEALER)) == NULL) {
		push_warn("zmq_socket: %s", zmq_strerror(zmq_errno()));
		return EX_OSERR;
	}
	if (zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_setsockopt(s->sock, ZMQ_MAXMSGSIZE, &maxmsg,
	        sizeof(maxmsg)) != 0) {
		push_warn("zmq_setsockopt: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	ex = EX_USAGE;
	if (keys_client_setup(s->sock, s->o->key, s->o->server_key,
	    s->o->client, &err) != 0) {
		push_warn("%s", err ? err : "out of memory");
		free(err);
		goto fail;
	}
	push_endpoint(s, ep, sizeof ep);
	if (zmq_connect(s->sock, ep) != 0) {
		push_warn("%s: %s", ep, zmq_strerror(zmq_errno()));
		goto fail;
	}
	return EX_OK;
fail:
	zmq_close(s->sock);
	s->sock = NULL;
	return ex;
}

static void
push_sock_close(struct push_sender *s)
{
	if (s->sock != NULL)
		zmq_close(s->sock);
	s->sock = NULL;
}

static int
push_send(struct push_sender *s, struct push_flight *f)
{
	/* A DEALER queues while unconnected; EAGAIN only at its HWM, which
	 * our window keeps far away. */
	while (zmq_send(s->sock, f->msg, f->len, 0) < 0) {
		if (zmq_errno() == EINTR)
			continue;
		push_warn("send: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	f->deadline = push_mono_ms() + (int64_t)s->o->timeout * 1000;
	f->resend_at = 0;
	return 0;
}

/* Takes the next batch from the outbox and sends it.  0 or -1. */
static int
push_fill(struct push_sender *s)
{
	struct push_flight *f = &s->fl[s->nfl];
	struct outbox_item *items;
	struct wire_report *wr;
	size_t n, used;

	if (outbox_pending(s->ob, s->cursor, (size_t)s->o->batch, &items,
	        &n) != 0) {
		push_warn("outbox: %s", outbox_errmsg(s->ob));
		s->fatal = EX_IOERR;
		return -1;
	}
	if (n == 0) {
		free(items);
		s->exhausted = 1;
		return 0;
	}
	if (s->sock == NULL && (s->fatal = push_sock_open(s)) != EX_OK) {
		outbox_items_free(items, n);
		return -1;
	}
	if ((wr = calloc(n, sizeof(*wr))) == NULL) {
		outbox_items_free(items, n);
		push_warn("out of memory");
		s->fatal = EX_OSERR;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		wr[i].seq = items[i].seq;
		wr[i].unit = items[i].unit;
		wr[i].task = items[i].task;
		wr[i].value = items[i].value;
		wr[i].kind = items[i].kind == OUTBOX_SET ? TIENDO__KIND__KIND_SET :
		    TIENDO__KIND__KIND_ADD;
		wr[i].observed_at = items[i].observed_at;
		wr[i].reporter = items[i].reporter;
		wr[i].note = items[i].note;
		wr[i].voids_seq = items[i].voids_seq;
		wr[i].void_reason = items[i].void_reason;
	}
	memset(f, 0, sizeof(*f));
	f->batch_id = ++s->next_batch;
	if (wire_batch_encode(outbox_client(s->ob), f->batch_id, wr, n,
	        WIRE_MAX_MSG, &f->msg, &f->len, &used) != 0) {
		push_warn("cannot encode a batch (report seq %" PRIu64 ")",
		    items[0].seq);
		free(wr);
		outbox_items_free(items, n);
		s->fatal = EX_SOFTWARE;
		return -1;
	}
	free(wr);
	/* what did not fit in one message goes in the next batch */
	for (size_t i = used; i < n; i++)
		push_item_clear(&items[i]);
	f->items = items;
	f->n = used;
	s->cursor = items[used - 1].seq;
	s->nfl++;
	if (push_send(s, f) != 0) {
		s->fatal = EX_SOFTWARE;
		return -1;
	}
	return 0;
}

static void push_print_fates(struct push_sender *s, struct push_flight *f,
                             const Tiendo__Ack *ack);

/* Applies an OK ack to the outbox, then prints the fates. */
static int
push_apply_ok(struct push_sender *s, struct push_flight *f,
              const Tiendo__Ack *ack)
{
	char code[64];

	if (ack->n_reports != f->n) {
		push_warn("reply to batch %" PRIu64 " names %zu reports, not "
		    "%zu: left pending", f->batch_id, ack->n_reports, f->n);
		return 0;
	}
	for (size_t i = 0; i < f->n; i++) {
		if (ack->reports[i]->seq != f->items[i].seq) {
			push_warn("reply to batch %" PRIu64 " is out of order "
			    "(seq %" PRIu64 " for %" PRIu64 "): left pending",
			    f->batch_id, ack->reports[i]->seq,
			    f->items[i].seq);
			return 0;
		}
	}
	if (outbox_begin(s->ob) != 0)
		goto fail;
	for (size_t i = 0; i < f->n; i++) {
		const Tiendo__ReportAck *ra = ack->reports[i];
		int rc;

		switch (ra->fate) {
		case TIENDO__FATE__FATE_ACCEPTED:
		case TIENDO__FATE__FATE_DUPLICATE:
			rc = outbox_deliver(s->ob, ra->seq,
			    ra->fate == TIENDO__FATE__FATE_ACCEPTED ? 1 : 2);
			break;
		case TIENDO__FATE__FATE_REJECTED:
			rc = outbox_reject(s->ob, ra->seq,
			    wire_reject_name(ra->code, code, sizeof(code)),
			    ra->reason);
			break;
		default:
			rc = 0; /* no fate: stays pending, sent next time */
			break;
		}
		if (rc != 0)
			goto fail;
	}
	if (outbox_commit(s->ob) != 0)
		goto fail;
	push_print_fates(s, f, ack);
	return 0;
fail:
	push_warn("outbox: %s", outbox_errmsg(s->ob));
	outbox_rollback(s->ob);
	/* A full disk: the daemon has them all the same.  Say so, and stop:
	 * they stay pending here and are answered duplicate next time. */
	if (outbox_is_cramped(s->ob)) {
		push_print_fates(s, f, ack);
		push_warn("outbox: no room to record these deliveries: they stay "
		    "queued and will be answered duplicate when sent again");
	}
	s->fatal = EX_IOERR;
	return -1;
}

/* Prints the fates of an applied ack and counts them. */
static void
push_print_fates(struct push_sender *s, struct push_flight *f,
                 const Tiendo__Ack *ack)
{
	char code[64];
	const char *tz = s->o->tz;

	for (size_t i = 0; i < f->n; i++) {
		const Tiendo__ReportAck *ra = ack->reports[i];
		const struct outbox_item *it = &f->items[i];

		switch (ra->fate) {
		case TIENDO__FATE__FATE_ACCEPTED:
			s->st.accepted++;
			if (!s->o->quiet)
				push_print_report(stdout, it, tz, "accepted");
			break;
		case TIENDO__FATE__FATE_DUPLICATE:
			s->st.duplicate++;
			if (!s->o->quiet)
				push_print_report(stdout, it, tz, "duplicate");
			break;
		case TIENDO__FATE__FATE_REJECTED:
			s->st.rejected++;
			push_print_rejected(stdout, it, tz,
			    wire_reject_name(ra->code, code, sizeof(code)),
			    ra->reason);
			break;
		default:
			if (!s->o->quiet)
				push_print_report(stdout, it, tz,
				    "no fate in the reply, left pending");
			break;
		}
	}
}

static int
push_apply_bad_batch(struct push_sender *s, struct push_flight *f,
                     const Tiendo__Ack *ack)
{
	char code[64], reason[600];

	wire_batch_error_name(ack->error, code, sizeof(code));
	snprintf(reason, sizeof(reason), "batch refused: %s",
	    ack->reason && *ack->reason ? ack->reason : code);
	if (outbox_begin(s->ob) != 0)
		goto fail;
	for (size_t i = 0; i < f->n; i++)
		if (outbox_reject(s->ob, f->items[i].seq, code, reason) != 0)
			goto fail;
	if (outbox_commit(s->ob) != 0)
		goto fail;
	for (size_t i = 0; i < f->n; i++) {
		push_print_rejected(stdout, &f->items[i], s->o->tz, code,
		    reason);
		s->st.rejected++;
	}
	return 0;
fail:
	push_warn("outbox: %s", outbox_errmsg(s->ob));
	outbox_rollback(s->ob);
	s->fatal = EX_IOERR;
	return -1;
}

/* One reply frame.  -1 only when the outbox failed. */
static int
push_reply(struct push_sender *s, const void *data, size_t len)
{
	Tiendo__Ack *ack = wire_ack_decode(data, len);
	struct push_flight *f = NULL;
	size_t i;
	int rc = 0;

	if (ack == NULL) {
		push_warn("ignoring a reply that is not an Ack (%zu bytes)",
		    len);
		return 0;
	}
	for (i = 0; i < s->nfl; i++) {
		if (s->fl[i].batch_id == ack->batch_id) {
			f = &s->fl[i];
			break;
		}
	}
	if (f == NULL || f->resend_at > 0) {
		/* a late answer to a batch already settled or re-queued */
		wire_ack_free(ack);
		return 0;
	}
	switch (ack->status) {
	case TIENDO__STATUS__STATUS_OK:
		rc = push_apply_ok(s, f, ack);
		push_flight_drop(s, i);
		break;
	case TIENDO__STATUS__STATUS_BAD_BATCH:
		rc = push_apply_bad_batch(s, f, ack);
		push_flight_drop(s, i);
		break;
	case TIENDO__STATUS__STATUS_RETRY:
		f->tries++;
		if (f->tries > s->o->retries && !s->o->follow) {
			push_warn("server still asks to retry (%s): giving up "
			    "for now", ack->reason);
			push_flight_drop(s, i);
			s->give_up = 1;
		} else {
			if (!s->o->quiet)
				push_warn("server asks to retry (%s)",
				    ack->reason);
			f->resend_at = push_mono_ms() + push_backoff(f->tries);
		}
		break;
	default:
		push_warn("reply to batch %" PRIu64 " has status %d: left "
		    "pending", f->batch_id, (int)ack->status);
		push_flight_drop(s, i);
		break;
	}
	wire_ack_free(ack);
	return rc;
}

/* Reads every reply waiting on the socket. */
static int
push_drain(struct push_sender *s)
{
	for (;;) {
		zmq_msg_t msg;
		int more = 0;
		size_t sz = sizeof(more);

		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, s->sock, ZMQ_DONTWAIT) < 0) {
			int e = zmq_errno();

			zmq_msg_close(&msg);
			if (e == EAGAIN)
				return 0;
			if (e == EINTR)
				continue;
			push_warn("receive: %s", zmq_strerror(e));
			return -1;
		}
		if (zmq_getsockopt(s->sock, ZMQ_RCVMORE, &more, &sz) == 0 &&
		    more) {
			/* a reply is one frame: drop the rest of this one */
			push_warn("ignoring a reply of several frames");
			zmq_msg_close(&msg);
			do {
				zmq_msg_init(&msg);
				if (zmq_msg_recv(&msg, s->sock, 0) < 0) {
					zmq_msg_close(&msg);
					return -1;
				}
				more = zmq_msg_more(&msg);
				zmq_msg_close(&msg);
			} while (more);
			continue;
		}
		if (push_reply(s, zmq_msg_data(&msg), zmq_msg_size(&msg)) != 0) {
			zmq_msg_close(&msg);
			return -1;
		}
		zmq_msg_close(&msg);
	}
}

/*
 * Sends everything pending.  Returns 0, or -1 when the outbox failed
 * (s->fatal says the exit status); giving up on an unreachable daemon is
 * not a failure here: the reports stay pending.
 */
static int
push_run(struct push_sender *s)
{
	int fails = 0; /* timeouts in a row */

	for (;;) {
		int64_t now, wait = -1;
		zmq_pollitem_t pi;
		int rc, late;

		if (push_stop)
			return 0;
		while (!s->give_up && !s->exhausted && s->nfl < PUSH_WINDOW)
			if (push_fill(s) != 0)
				return -1;
		if (s->nfl == 0)
			return 0;

		now = push_mono_ms();
		for (size_t i = 0; i < s->nfl; i++) {
			struct push_flight *f = &s->fl[i];
			int64_t due;

			if (f->resend_at > 0 && f->resend_at <= now) {
				s->st.resent += f->n;
				if (push_send(s, f) != 0) {
					s->fatal = EX_SOFTWARE;
					return -1;
				}
			}
			due = (f->resend_at > 0 ? f->resend_at : f->deadline) -
			    now;
			if (due < 0)
				due = 0;
			if (wait < 0 || due < wait)
				wait = due;
		}

		pi.socket = s->sock;
		pi.fd = -1;
		pi.events = ZMQ_POLLIN;
		pi.revents = 0;
		rc = zmq_poll(&pi, 1, (long)wait);
		if (rc < 0) {
			if (zmq_errno() == EINTR)
				continue;
			push_warn("poll: %s", zmq_strerror(zmq_errno()));
			s->fatal = EX_SOFTWARE;
			return -1;
		}
		if (rc > 0) {
			fails = 0;
			if (s->link_down && !s->o->quiet)
				push_warn("%s answers again", s->o->connect);
			s->link_down = 0;
			if (push_drain(s) != 0) {
				if (s->fatal == 0)
					s->fatal = EX_SOFTWARE;
				return -1;
			}
			continue;
		}

		now = push_mono_ms();
		late = 0;
		for (size_t i = 0; i < s->nfl; i++)
			if (s->fl[i].resend_at == 0 && s->fl[i].deadline <= now)
				late = 1;
		if (!late)
			continue;
		/* Lazy Pirate: the connection is presumed dead. */
		fails++;
		if (fails > s->o->retries && s->o->follow) {
			if (!s->link_down)
				push_warn("no reply from %s; %" PRId64 " report%s "
				    "pending; retrying until it answers",
				    s->o->connect, outbox_count(s->ob,
				    OUTBOX_PENDING), "(s)");
			s->link_down = 1;
		} else if (fails > s->o->retries) {
			push_warn("no reply from %s after %d tr%s; reports stay "
			    "in the outbox", s->o->connect, fails,
			    fails == 1 ? "y" : "ies");
			while (s->nfl > 0)
				push_flight_drop(s, s->nfl - 1);
			s->give_up = 1;
			return 0;
		}
		if (!s->o->quiet && !s->link_down)
			push_warn("no reply from %s in %d s, reconnecting "
			    "(%d/%d)", s->o->connect, s->o->timeout, fails,
			    s->o->retries);
		push_sock_close(s);
		push_sleep_ms(push_backoff(fails));
		/* With a list, the one that did not answer may be dead and
		 * its standby active: resends are safe, (client, seq) is
		 * unique in the store. */
		s->server++;
		if ((s->fatal = push_sock_open(s)) != EX_OK)
			return -1;
		for (size_t i = 0; i < s->nfl; i++) {
			s->st.resent += s->fl[i].n;
			if (push_send(s, &s->fl[i]) != 0) {
				s->fatal = EX_SOFTWARE;
				return -1;
			}
		}
	}
}

static int
push_queue(struct outbox *ob, struct push_new *nw)
{
	if (nw->n == 0)
		return 0;
	if (outbox_begin(ob) != 0)
		goto fail;
	for (size_t i = 0; i < nw->n; i++)
		if (outbox_add(ob, &nw->v[i], &nw->v[i].seq) != 0)
			goto fail;
	if (outbox_commit(ob) != 0)
		goto fail;
	return 0;
fail:
	push_warn("outbox: %s; nothing queued", outbox_errmsg(ob));
	outbox_rollback(ob);
	return -1;
}

/* Reports settled (acknowledged one way or the other) so far. */
static size_t
push_settled(const struct push_sender *s)
{
	return s->st.accepted + s->st.duplicate + s->st.rejected;
}

/*
 * Passes over the outbox until nothing more can go: a correction held back
 * until its report was delivered goes in a later pass of the same run.
 * 0, or -1 when the outbox failed.
 */
static int
push_passes(struct push_sender *s)
{
	for (;;) {
		size_t before = push_settled(s);
		int64_t pending;

		s->cursor = 0;
		s->exhausted = 0;
		if (push_run(s) != 0)
			return -1;
		while (s->nfl > 0)
			push_flight_drop(s, s->nfl - 1);
		if (s->give_up || push_stop || push_settled(s) == before)
			return 0;
		if ((pending = outbox_count(s->ob, OUTBOX_PENDING)) < 0) {
			push_warn("outbox: %s", outbox_errmsg(s->ob));
			s->fatal = EX_IOERR;
			return -1;
		}
		if (pending == 0)
			return 0;
	}
}

/*
 * --follow: an office PC that reports through the day.  Looks at the
 * outbox every interval, sends what is there, never gives up on the
 * daemon (backoff capped), and stops cleanly on SIGTERM or SIGINT: what
 * was in flight stays pending and is sent again next time (the daemon
 * answers "duplicate" if it had it).
 */
static int
push_follow(struct push_sender *s)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = push_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) != 0 ||
	    sigaction(SIGINT, &sa, NULL) != 0) {
		push_warn("sigaction: %s", strerror(errno));
		return EX_OSERR;
	}
	push_backoff_max = PUSH_FOLLOW_BACKOFF_MAX_MS;
	if (!s->o->quiet)
		push_warn("following %s: sending to %s as reports are queued",
		    "the outbox", s->o->connect);
	while (!push_stop) {
		int64_t pending = outbox_count(s->ob, OUTBOX_PENDING);
		size_t before = push_settled(s);

		if (pending < 0) {
			push_warn("outbox: %s", outbox_errmsg(s->ob));
			return EX_IOERR;
		}
		if (pending > 0) {
			s->give_up = 0;
			if (push_passes(s) != 0)
				return s->fatal ? s->fatal : EX_SOFTWARE;
			if (push_settled(s) != before && !s->o->quiet)
				printf("%zu accepted, %zu duplicate, %zu rejected "
				    "so far, %" PRId64 " pending\n",
				    s->st.accepted, s->st.duplicate,
				    s->st.rejected, outbox_count(s->ob,
				    OUTBOX_PENDING));
			fflush(stdout);
		}
		push_sleep_ms((int64_t)s->o->interval * 1000);
	}
	return EX_OK;
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

	if ((why = push_check_text(o->reason, WIRE_NOTE_MAX, 0)) != NULL) {
		push_warn("--reason %s", why);
		return EX_DATAERR;
	}
	if ((why = push_check_text(o->note ? o->note : "", WIRE_NOTE_MAX,
	        1)) != NULL ||
	    (why = push_check_text(o->reporter ? o->reporter : "",
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
		push_item_clear(&it);
		push_warn("out of memory");
		return EX_OSERR;
	}
	nw->v[0] = it;
	nw->n = nw->cap = 1;
	return EX_OK;
}

/* With TIENDO_LANG=vi, --add 1,5 and --at 20/03/2021 are read as a
 * Vietnamese clerk writes them.  0, or -1 (said) on a bad value. */
static int
push_lang_input(struct push_opts *o, char *vb, size_t vn, char *ab, size_t an)
{
	int vi = lang_vi(NULL);

	if (vi < 0) {
		push_warn("TIENDO_LANG=\"%s\" is neither vi nor en",
		    getenv("TIENDO_LANG"));
		return -1;
	}
	if (o->value && lang_decimal_in(o->value, vi, vb, vn) != 0) {
		push_warn("value \"%.40s\": not a number as written in "
		    "Vietnamese (1.750,5; 1,5)", o->value);
		return -1;
	}
	if (o->value)
		o->value = vb;
	if (o->at && lang_date_in(o->at, vi, ab, an) == 0)
		o->at = ab;
	return 0;
}

int
main(int argc, char **argv)
{
	static char value_buf[64], at_buf[64];
	enum { O_UNIT = 256, O_TASK, O_ADD, O_SET, O_AT, O_NOTE, O_REPORTER,
	       O_CSV, O_STATUS, O_CLEAR, O_CONNECT, O_CLIENT, O_OUTBOX,
	       O_TIMEOUT, O_RETRIES, O_TZ, O_BATCH, O_VERSION, O_VOID,
	       O_REASON, O_NOSEND, O_FOLLOW, O_INTERVAL, O_HISTORY, O_KEY,
	       O_SERVER_KEY };
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
		{ NULL, 0, NULL, 0 },
	};
	struct push_opts o;
	struct push_new nw = { 0 };
	struct push_sender s;
	struct outbox *ob = NULL;
	char *outbox_path = NULL, *err = NULL;
	int ch, ex = EX_OK, nvalues = 0, single;
	int64_t pending, rejected_kept;
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
	if (push_lang_input(&o, value_buf, sizeof value_buf, at_buf,
	    sizeof at_buf) != 0)
		return EX_USAGE;
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
		if ((ex = push_read_csv(o.csv, o.tz, now, &nw)) != EX_OK) {
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
				printf("0 pending, 0 rejected, 0 delivered\n");
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
		ex = push_status(ob, o.tz, o.history);
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
			printf("%" PRId64 " rejected report%s forgotten\n", n,
			    n == 1 ? "" : "s");
		}
		goto out;
	}
	if (push_queue(ob, &nw) != 0) {
		ex = EX_IOERR;
		goto out;
	}
	if (o.no_send) {
		if (!o.quiet)
			for (size_t i = 0; i < nw.n; i++) {
				printf("%" PRIu64 " ", nw.v[i].seq);
				push_print_report(stdout, &nw.v[i], o.tz,
				    "queued");
			}
		pending = outbox_count(ob, OUTBOX_PENDING);
		printf("%zu queued, %" PRId64 " pending\n", nw.n, pending);
		ex = pending < 0 ? EX_IOERR : EX_OK;
		goto out;
	}
	push_new_free(&nw);

	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.ob = ob;
	if ((s.ctx = zmq_ctx_new()) == NULL) {
		push_warn("zmq_ctx_new: %s", zmq_strerror(zmq_errno()));
		ex = EX_OSERR;
		goto out;
	}
	srandom((unsigned)(getpid() ^ now));
	if (o.follow)
		ex = push_follow(&s);
	else if (push_passes(&s) != 0)
		ex = s.fatal ? s.fatal : EX_SOFTWARE;
	while (s.nfl > 0)
		push_flight_drop(&s, s.nfl - 1);
	push_sock_close(&s);
	zmq_ctx_term(s.ctx);
	if (ex != EX_OK)
		goto out;

	pending = outbox_count(ob, OUTBOX_PENDING);
	rejected_kept = outbox_count(ob, OUTBOX_REJECTED);
	if (pending < 0 || rejected_kept < 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		ex = EX_IOERR;
		goto out;
	}
	printf("%zu accepted, %zu duplicate, %zu rejected, %" PRId64
	    " pending, %zu resent\n", s.st.accepted, s.st.duplicate,
	    s.st.rejected, pending, s.st.resent);
	if (pending > 0 && !o.follow)
		push_warn("%" PRId64 " report%s still pending in %s: run "
		    "tiendo-push again, or keep tiendo-push --follow running",
		    pending, pending == 1 ? "" : "s", o.outbox);
	if (!o.quiet && (size_t)rejected_kept > s.st.rejected)
		push_warn("%" PRId64 " rejected report%s from earlier runs kept "
		    "in %s (--status lists them)",
		    rejected_kept - (int64_t)s.st.rejected,
		    rejected_kept - (int64_t)s.st.rejected == 1 ? "" : "s",
		    o.outbox);
	if (o.follow)
		ex = EX_OK; /* stopped as asked; what is pending stays queued */
	else if (s.st.rejected > 0)
		ex = EX_DATAERR;
	else if (pending > 0)
		ex = EX_TEMPFAIL;
out:
	if (fflush(stdout) != 0 && ex == EX_OK)
		ex = EX_IOERR;
	push_new_free(&nw);
	outbox_close(ob);
	free(outbox_path);
	return ex;
}
