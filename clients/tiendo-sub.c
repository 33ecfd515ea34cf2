/*
 * tiendo-sub - follow the daemon's alerts: one line per alert event.
 *
 *   tiendo-sub [--pub EP] [--snapshot EP] [--unit U] [--task T] [--owner O]
 *              [--severity S] [--json] [--exec CMD] [--since N]
 *              [--state FILE]
 *
 * The Clone pattern (PROTOCOL.md section 4.4): subscribe first, buffering
 * what arrives; ask the snapshot socket for the state at some seq N (the
 * active alerts, or the events after the last seq we saw); print it; then
 * print the buffered and live events after N and drop those at or before
 * it.  A hole in the sequence, or a heartbeat ahead of what we hold, means
 * something was lost (a network cut, the PUB's high-water mark, a daemon
 * restart while we were away): ask again from the last seq we have, which
 * also delivers the resolves that happened meanwhile.
 *
 * It subscribes to the whole "sev/" family and filters here, because a
 * gap can only be seen in the complete sequence.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "alertjson.h"
#include "keys.h"
#include "seqset.h"
#include "lang.h"
#include "showtime.h"
#include "table.h"
#include "sub_grouped.h"
#include "tiendo.pb-c.h"

#define SUB_SNAPSHOT_TIMEOUT 3000 /* ms to wait for a whole snapshot */
#define SUB_QUIET 5000            /* ms without a heartbeat: say so */

extern char **environ;

static const char *progname = "tiendo-sub";
static volatile sig_atomic_t stopping;

struct filter {
	const char *unit, *task, *owner, *severity; /* comma lists or NULL */
};

struct sub {
	void *ctx, *sub, *snap;
	const char *pub_ep, *snap_ep; /* each one endpoint or a list A,B */
	size_t snap_i;        /* which of the --snapshot list is asked */
	const char *key, *server_key, *name; /* CurveZMQ (keys.h) */
	struct filter f;
	int json, color;
	const char *lang;     /* --lang; NULL: $TIENDO_LANG (lang.h) */
	int vi;               /* lines in Vietnamese */
	int held;             /* --held: show what the daemon holds back */
	int grouped;          /* --grouped: the groups instead */
	const char *exec;
	const char *state;    /* --state: where the last seq is kept */
	uint64_t saved;       /* the seq last written there */
	uint64_t last;        /* the last seq we hold */
	/* Events of an unfinished active snapshot (seq > last) already
	 * delivered: a retry, or a restart with --state (STATE.active),
	 * skips them. */
	struct seqset *done;
	FILE *done_f;
	char done_path[4096];
	int syncing;
	int64_t snap_deadline;
	int64_t last_heard;
	int quiet_said;
	/* Live events that arrived while syncing, packed. */
	zmq_msg_t *buf;
	size_t n_buf, cap_buf;
};

static void
usage(FILE *out)
{
	fprintf(out,
"usage: tiendo-sub [--pub EP] [--snapshot EP] [--unit U] [--task T]\n"
"                  [--owner O] [--severity S] [--json] [--exec CMD]\n"
"                  [--since N] [--state FILE] [--held] [--grouped]\n"
"                  [--key FILE|DIR] [--server-key FILE] [--name NAME]\n"
"                  [--lang vi|en]\n"
"\n"
"Prints the alerts already active, then every alert event as it happens,\n"
"one line each; keeps going across daemon restarts and network cuts.\n"
"\n"
"  --pub EP, --snapshot EP  the daemon's endpoints (default $TIENDO_PUB,\n"
"                           $TIENDO_SNAPSHOT, or tcp://127.0.0.1:7421/7422);\n"
"                           lists A,B for an active daemon and its standby:\n"
"                           events from either, snapshots asked of the next\n"
"                           one when one does not answer\n"
"  --unit U, --task T, --owner O, --severity S\n"
"                           only those (comma-separated lists; severity is\n"
"                           info, warning or critical)\n"
"  --json                   one JSON object per line\n"
"  --lang vi|en             vi: lines in Vietnamese (severity, transition,\n"
"                           1.250,5, 20/03/2021 08:30:00 +07:00); --json\n"
"                           and --exec are never translated (default\n"
"                           $TIENDO_LANG, else en)\n"
"  --held                   also the events the daemon holds back (under\n"
"                           a silence, or an inhibited lag resolve)\n"
"  --grouped                the grouped notifications instead (one per\n"
"                           rule, task and parent unit per window), live;\n"
"                           with --task and --json only\n"
"  --exec CMD               run CMD (with sh -c) for each event, the alert\n"
"                           in TIENDO_ALERT_* variables and as JSON on stdin\n"
"  --since N                the last seq already seen: start with the events\n"
"                           after it instead of the active set\n"
"  --state FILE             keep the last seq seen in FILE, and start from\n"
"                           it: a restarted tiendo-sub gets what it missed\n"
"  --key FILE|DIR           CurveZMQ: our secret key file, or a directory\n"
"                           holding NAME.secret (default $TIENDO_KEY)\n"
"  --server-key FILE        the daemon's public key (default\n"
"                           $TIENDO_SERVER_KEY, or server.pub in a --key\n"
"                           directory)\n"
"  --name NAME              whose key to take from a --key directory (sub)\n"
"  -h, --help, --version\n");
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	stopping = 1;
}

/* 1 if `v` is one of the comma-separated `list` (or list is NULL). */
static int
in_list(const char *list, const char *v)
{
	size_t n = strlen(v);
	const char *p = list;

	if (list == NULL)
		return 1;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

static int
wanted(const struct sub *s, const Tiendo__Alert *a)
{
	/* Silenced or inhibited: in the stream for its seq, not for people. */
	if (!s->held && (a->silence != 0 || a->inhibited))
		return 0;
	/* The severity is the higher of before and after, as in the daemon's
	 * sev/ topics (PROTOCOL.md 4.2): --severity critical sees a critical
	 * alert ease, or it would never learn that it stopped being one. */
	int sev = a->severity > a->previous_severity ? a->severity
	                                             : a->previous_severity;

	return in_list(s->f.unit, a->unit) && in_list(s->f.task, a->task) &&
	       in_list(s->f.owner, a->owner) &&
	       in_list(s->f.severity, alertjson_severity(sev));
}

static const char *
sev_sgr(int sev)
{
	return sev == TIENDO__SEVERITY__SEVERITY_CRITICAL ? "\033[1;31m"
	     : sev == TIENDO__SEVERITY__SEVERITY_WARNING ? "\033[33m"
	     : "\033[32m";
}

/* s, then blanks up to `width` terminal columns (lang.h's words are not
 * ASCII, and printf pads bytes). */
static void
print_padded(const char *s, size_t width)
{
	printf("%s%*s", s, table_fill(s, width), "");
}

static void
print_line(const struct sub *s, const Tiendo__Alert *a, const char *kind)
{
	char when[SHOWTIME_BUFSZ], sev[16], act[64], tgt[64];
	const char *tr = strcmp(kind, "active") == 0 ? "active"
	                 : alertjson_transition(a->transition);

	showtime(a->at, s->vi, when, sizeof when);
	if (s->vi) {
		/* the widest words: "nghiêm trọng", "đã khắc phục" */
		printf("%s %s", when, s->color ? sev_sgr(a->severity) : "");
		print_padded(lang_severity(alertjson_severity(a->severity), 1), 12);
		printf("%s ", s->color ? "\033[0m" : "");
		print_padded(lang_transition(tr, 1), 12);
		printf(" %-12s %-12s %s/%s %s  %s\n", a->unit, a->task,
		       lang_value(a->actual, 1, act, sizeof act),
		       lang_value(a->target, 1, tgt, sizeof tgt), a->measure,
		       a->message);
		return;
	}
	snprintf(sev, sizeof sev, "%-8s", alertjson_severity(a->severity));
	for (char *p = sev; *p && *p != ' '; p++)
		*p = (char)(*p - 'a' + 'A');
	printf("%s %s%s%s %-9s %-12s %-12s %s/%s %s  %s\n", when,
	       s->color ? sev_sgr(a->severity) : "", sev,
	       s->color ? "\033[0m" : "", tr, a->unit, a->task, a->actual,
	       a->target, a->measure, a->message);
}

static char *
alert_json_text(const Tiendo__Alert *a, const char *kind)
{
	json_t *o = alertjson(a);
	char *text;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "kind", json_string(kind));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* Runs --exec for one alert and waits for it, so events stay in order. */
static void
run_exec(const struct sub *s, const Tiendo__Alert *a, const char *json,
         const char *kind)
{
	char vars[16][1200], *envp[512], seq[32], id[32], at[32];
	const char *names[] = { "SEQ", "ID", "TRANSITION", "RULE", "SEVERITY",
		"TASK", "UNIT", "OWNER", "ACTUAL", "TARGET", "EXPECTED", "LAG",
		"MEASURE", "MESSAGE", "AT", "KIND" };
	const char *vals[16];
	char *argv[] = { "sh", "-c", (char *)s->exec, NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], status, n = 0;
	pid_t pid;
	size_t len;

	snprintf(seq, sizeof seq, "%" PRIu64, a->seq);
	snprintf(id, sizeof id, "%" PRIu64, a->id);
	snprintf(at, sizeof at, "%" PRId64, a->at);
	vals[0] = seq; vals[1] = id;
	vals[2] = alertjson_transition(a->transition);
	vals[3] = alertjson_rule(a->rule);
	vals[4] = alertjson_severity(a->severity);
	vals[5] = a->task; vals[6] = a->unit; vals[7] = a->owner;
	vals[8] = a->actual; vals[9] = a->target; vals[10] = a->expected;
	vals[11] = a->lag; vals[12] = a->measure; vals[13] = a->message;
	vals[14] = at; vals[15] = kind;
	for (char **e = environ; *e && n < 480; e++)
		if (strncmp(*e, "TIENDO_ALERT_", 13) != 0)
			envp[n++] = *e;
	for (int i = 0; i < 16; i++) {
		snprintf(vars[i], sizeof vars[i], "TIENDO_ALERT_%s=%s", names[i],
		         vals[i]);
		envp[n++] = vars[i];
	}
	envp[n] = NULL;
	if (pipe(fds) < 0) {
		fprintf(stderr, "%s: --exec: pipe: %s\n", progname, strerror(errno));
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	errno = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (errno != 0) {
		fprintf(stderr, "%s: --exec: %s\n", progname, strerror(errno));
		close(fds[1]);
		return;
	}
	len = strlen(json);
	/* A command that does not read stdin is fine: EPIPE is ignored. */
	if ((write(fds[1], json, len) < 0 || write(fds[1], "\n", 1) < 0) &&
	    errno != EPIPE)
		fprintf(stderr, "%s: --exec: writing stdin: %s\n", progname,
		        strerror(errno));
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "%s: --exec: seq %" PRIu64 ": command failed "
		        "(status %d)\n", progname, a->seq, status);
}

static void
emit(struct sub *s, const Tiendo__Alert *a, const char *kind)
{
	char *json = NULL;

	if (!wanted(s, a))
		return;
	if (s->json || s->exec)
		json = alert_json_text(a, kind);
	if (s->json && json)
		printf("%s\n", json);
	else if (!s->json)
		print_line(s, a, kind);
	fflush(stdout);
	if (s->exec && json)
		run_exec(s, a, json, kind);
	free(json);
}

static void state_save(struct sub *s);

/* An event of the sequence (live or replayed): held, and saved with
 * --state, before it is printed or run, so that no restart or resync
 * delivers it again. */
static void
deliver_next(struct sub *s, const Tiendo__Alert *a, const char *kind)
{
	s->last = a->seq;
	state_save(s);
	emit(s, a, kind);
}

/* An active alert out of a snapshot (its latest event): delivered once,
 * even if the snapshot is asked for again. */
static void
deliver_active(struct sub *s, const Tiendo__Alert *a)
{
	if (a->seq <= s->last || seqset_has(s->done, a->seq))
		return;
	if (seqset_add(s->done, a->seq) < 0)
		fprintf(stderr, "%s: out of memory\n", progname);
	if (s->done_f && (fprintf(s->done_f, "%" PRIu64 "\n", a->seq) < 0 ||
	                  fflush(s->done_f) != 0))
		fprintf(stderr, "%s: %s: %s\n", progname, s->done_path,
		        strerror(errno));
	emit(s, a, "active");
}

/* A snapshot is complete: everything up to its seq is held. */
static void
deliver_done(struct sub *s)
{
	seqset_clear(s->done);
	if (s->done_f && (fflush(s->done_f) != 0 ||
	                  ftruncate(fileno(s->done_f), 0) != 0))
		fprintf(stderr, "%s: %s: %s\n", progname, s->done_path,
		        strerror(errno));
}

/* --state's companion: the seqs listed in STATE.active. */
static int
done_open(struct sub *s)
{
	unsigned long long v;
	FILE *f;

	if ((s->done = seqset_new()) == NULL)
		return -1;
	if (s->state == NULL)
		return 0;
	snprintf(s->done_path, sizeof s->done_path, "%s.active", s->state);
	if ((f = fopen(s->done_path, "r")) != NULL) {
		while (fscanf(f, "%llu", &v) == 1)
			if (seqset_add(s->done, v) < 0)
				break;
		fclose(f);
	}
	if ((s->done_f = fopen(s->done_path, "a")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, s->done_path,
		        strerror(errno));
		return -1;
	}
	return 0;
}

/* The last seq, written so that a crash leaves the old or the new value,
 * never half of one. */
static void
state_save(struct sub *s)
{
	char tmp[4096];
	FILE *f;

	if (s->state == NULL || s->saved == s->last)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", s->state);
	if ((f = fopen(tmp, "w")) == NULL ||
	    fprintf(f, "%" PRIu64 "\n", s->last) < 0 || fclose(f) != 0 ||
	    rename(tmp, s->state) < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, s->state, strerror(errno));
		return;
	}
	s->saved = s->last;
}

static int
state_load(struct sub *s)
{
	FILE *f = fopen(s->state, "r");
	unsigned long long v;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	if (fscanf(f, "%llu", &v) == 1)
		s->last = s->saved = v;
	/* A file there that cannot be read (a directory, an I/O error) must
	 * not pass for an empty one: we would start from the active alerts
	 * and never replay what was missed. */
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		errno = e;
		return -1;
	}
	fclose(f);
	return 0;
}

/* Both sockets speak CurveZMQ when keys are given: a daemon with CURVE on
 * answers nobody else. */
static int
sub_secure(struct sub *s, void *sock)
{
	char *err = NULL;

	if (keys_client_setup(sock, s->key, s->server_key, s->name, &err) < 0) {
		fprintf(stderr, "%s: %s\n", progname, err ? err : "bad keys");
		free(err);
		return -1;
	}
	return 0;
}

/* Item i (mod their number) of a comma-separated list, into buf. */
static const char *
list_item(const char *list, size_t i, char *buf, size_t n)
{
	size_t count = 1, len;

	for (const char *q = list; *q; q++)
		count += *q == ',';
	for (i %= count; i > 0; i--)
		list = strchr(list, ',') + 1;
	len = strcspn(list, ",");
	snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), list);
	return buf;
}

/* Every endpoint of a list: a SUB hears whichever daemon is active. */
static int
connect_all(void *sock, const char *list)
{
	char ep[512];
	size_t count = 1;

	for (const char *q = list; *q; q++)
		count += *q == ',';
	for (size_t i = 0; i < count; i++)
		if (zmq_connect(sock, list_item(list, i, ep, sizeof ep)) < 0)
			return -1;
	return 0;
}

static int
snap_connect(struct sub *s)
{
	int linger = 0;
	char ep[512];

	if (s->snap)
		zmq_close(s->snap);
	if ((s->snap = zmq_socket(s->ctx, ZMQ_DEALER)) == NULL ||
	    zmq_setsockopt(s->snap, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    sub_secure(s, s->snap) < 0 ||
	    zmq_connect(s->snap, list_item(s->snap_ep, s->snap_i, ep,
	                                   sizeof ep)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, s->snap_ep,
		        zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static void
request_snapshot(struct sub *s)
{
	Tiendo__SnapshotRequest req = TIENDO__SNAPSHOT_REQUEST__INIT;
	uint8_t buf[32];
	size_t len;

	req.version = 1;
	req.since = s->last;
	len = tiendo__snapshot_request__pack(&req, buf);
	if (zmq_send(s->snap, buf, len, ZMQ_DONTWAIT) < 0)
		fprintf(stderr, "%s: snapshot request: %s\n", progname,
		        zmq_strerror(errno));
	s->syncing = 1;
	s->snap_deadline = now_ms() + SUB_SNAPSHOT_TIMEOUT;
}

static void
resync(struct sub *s, const char *why)
{
	fprintf(stderr, "%s: %s; resynchronising from seq %" PRIu64 "\n",
	        progname, why, s->last);
	/* A fresh socket: a late reply to an older request must not be
	 * taken for this one's.  With a list, the next daemon: the one
	 * asked may be dead and its standby active. */
	s->snap_i++;
	if (snap_connect(s) == 0)
		request_snapshot(s);
}

static void
buffer_live(struct sub *s, zmq_msg_t *m)
{
	if (s->n_buf == s->cap_buf) {
		size_t cap = s->cap_buf ? 2 * s->cap_buf : 64;
		zmq_msg_t *b = realloc(s->buf, cap * sizeof *b);
		if (b == NULL) {
			zmq_msg_close(m);
			return; /* a gap will show and be repaired */
		}
		s->buf = b;
		s->cap_buf = cap;
	}
	zmq_msg_init(&s->buf[s->n_buf]);
	zmq_msg_move(&s->buf[s->n_buf++], m);
}

static void
live(struct sub *s, const void *data, size_t len)
{
	Tiendo__Alert *a = tiendo__alert__unpack(NULL, len, data);
	char why[96];

	if (a == NULL) {
		fprintf(stderr, "%s: an alert that does not decode; ignored\n",
		        progname);
		return;
	}
	if (a->seq == s->last + 1) {
		deliver_next(s, a, "live");
	} else if (a->seq > s->last + 1) {
		snprintf(why, sizeof why, "gap: seq %" PRIu64 " after %" PRIu64,
		         a->seq, s->last);
		resync(s, why);
	}
	tiendo__alert__free_unpacked(a, NULL);
}

static void
heartbeat(struct sub *s, const void *data, size_t len)
{
	Tiendo__AlertHeartbeat *hb = tiendo__alert_heartbeat__unpack(NULL, len,
	                                                              data);
	char why[96];

	if (hb == NULL)
		return;
	if (hb->seq != s->last) {
		snprintf(why, sizeof why, "heartbeat at seq %" PRIu64 ", we hold %"
		         PRIu64, hb->seq, s->last);
		resync(s, why);
	}
	tiendo__alert_heartbeat__free_unpacked(hb, NULL);
}

/* One message off the SUB socket: [topic][body]. */
static void
on_sub(struct sub *s)
{
	zmq_msg_t topic, body;
	int hb;

	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	if (zmq_msg_recv(&topic, s->sub, ZMQ_DONTWAIT) < 0)
		goto out;
	if (!zmq_msg_more(&topic) || zmq_msg_recv(&body, s->sub, 0) < 0)
		goto out;
	s->last_heard = now_ms();
	if (s->quiet_said) {
		fprintf(stderr, "%s: hearing from the daemon again\n", progname);
		s->quiet_said = 0;
	}
	hb = zmq_msg_size(&topic) >= 3 && memcmp(zmq_msg_data(&topic), "hb/", 3) == 0;
	if (s->syncing) {
		if (!hb)
			buffer_live(s, &body);
	} else if (hb) {
		heartbeat(s, zmq_msg_data(&body), zmq_msg_size(&body));
	} else {
		live(s, zmq_msg_data(&body), zmq_msg_size(&body));
	}
out:
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
}

/* One Snapshot chunk.  Returns 1 when the sync is complete. */
static void
on_snap(struct sub *s)
{
	zmq_msg_t m;
	Tiendo__Snapshot *snap;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, s->snap, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		return;
	}
	snap = tiendo__snapshot__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
	zmq_msg_close(&m);
	if (snap == NULL || !s->syncing) {
		tiendo__snapshot__free_unpacked(snap, NULL);
		return;
	}
	if (snap->error && snap->error[0]) {
		fprintf(stderr, "%s: snapshot refused: %s\n", progname, snap->error);
		tiendo__snapshot__free_unpacked(snap, NULL);
		return; /* the deadline retries */
	}
	/* Replayed events are consecutive: each one is held as it is
	 * delivered, and a retry asks from there. */
	for (size_t i = 0; i < snap->n_alerts && !stopping; i++) {
		const Tiendo__Alert *a = snap->alerts[i];
		if (!snap->replay)
			deliver_active(s, a);
		else if (a->seq == s->last + 1)
			deliver_next(s, a, "replay");
	}
	/* The deadline is for the daemon's silence, not for our own work
	 * (a slow --exec): it starts again after every chunk. */
	s->snap_deadline = now_ms() + SUB_SNAPSHOT_TIMEOUT;
	if (snap->last && !stopping) {
		size_t n = s->n_buf;
		s->last = snap->seq;
		state_save(s);
		deliver_done(s);
		s->syncing = 0;
		/* What arrived meanwhile: after N it is new, before it is in
		 * the snapshot already. */
		s->n_buf = 0;
		for (size_t i = 0; i < n; i++) {
			if (!s->syncing)
				live(s, zmq_msg_data(&s->buf[i]), zmq_msg_size(&s->buf[i]));
			zmq_msg_close(&s->buf[i]);
		}
	}
	tiendo__snapshot__free_unpacked(snap, NULL);
}

static int
sub_open(struct sub *s)
{
	int linger = 0, hwm = 0;

	if ((s->sub = zmq_socket(s->ctx, ZMQ_SUB)) == NULL ||
	    zmq_setsockopt(s->sub, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
	    zmq_setsockopt(s->sub, ZMQ_RCVHWM, &hwm, sizeof hwm) < 0 ||
	    zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, "sev/", 4) < 0 ||
	    zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, "hb/", 3) < 0 ||
	    sub_secure(s, s->sub) < 0 ||
	    connect_all(s->sub, s->pub_ep) < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, s->pub_ep,
		        zmq_strerror(errno));
		return -1;
	}
	return snap_connect(s);
}

static int
run(struct sub *s)
{
	s->last_heard = now_ms();
	request_snapshot(s);
	while (!stopping) {
		zmq_pollitem_t items[2] = {
			{ s->sub, 0, ZMQ_POLLIN, 0 },
			{ s->snap, 0, ZMQ_POLLIN, 0 },
		};
		int64_t now;

		if (zmq_poll(items, 2, 250) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", progname, zmq_strerror(errno));
			return EX_SOFTWARE;
		}
		if (items[1].revents & ZMQ_POLLIN)
			on_snap(s);
		if (items[0].revents & ZMQ_POLLIN)
			on_sub(s);
		if (!s->syncing)
			state_save(s);
		now = now_ms();
		if (s->syncing && now >= s->snap_deadline)
			resync(s, "no snapshot from the daemon yet");
		if (!s->quiet_said && now - s->last_heard > SUB_QUIET) {
			fprintf(stderr, "%s: nothing from %s for %d s; waiting\n",
			        progname, s->pub_ep, SUB_QUIET / 1000);
			s->quiet_said = 1;
		}
	}
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "snapshot", required_argument, NULL, 's' },
		{ "unit", required_argument, NULL, 'u' },
		{ "task", required_argument, NULL, 't' },
		{ "owner", required_argument, NULL, 'o' },
		{ "severity", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "held", no_argument, NULL, 'H' },
		{ "grouped", no_argument, NULL, 'G' },
		{ "exec", required_argument, NULL, 'x' },
		{ "since", required_argument, NULL, 'n' },
		{ "state", required_argument, NULL, 'F' },
		{ "key", required_argument, NULL, 'k' },
		{ "server-key", required_argument, NULL, 'K' },
		{ "name", required_argument, NULL, 'N' },
		{ "lang", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sub s = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *nc = getenv("NO_COLOR"), *sev;
	char *end;
	int c, rc;

	s.pub_ep = getenv("TIENDO_PUB");
	s.snap_ep = getenv("TIENDO_SNAPSHOT");
	s.key = getenv(KEYS_ENV_KEY);
	s.server_key = getenv(KEYS_ENV_SERVER_KEY);
	s.name = "sub";
	if (s.pub_ep == NULL || !*s.pub_ep)
		s.pub_ep = "tcp://127.0.0.1:7421";
	if (s.snap_ep == NULL || !*s.snap_ep)
		s.snap_ep = "tcp://127.0.0.1:7422";
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': s.pub_ep = optarg; break;
		case 's': s.snap_ep = optarg; break;
		case 'u': s.f.unit = optarg; break;
		case 't': s.f.task = optarg; break;
		case 'o': s.f.owner = optarg; break;
		case 'S': s.f.severity = optarg; break;
		case 'j': s.json = 1; break;
		case 'H': s.held = 1; break;
		case 'G': s.grouped = 1; break;
		case 'x': s.exec = optarg; break;
		case 'n':
			errno = 0;
			s.last = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9') {
				fprintf(stderr, "%s: --since %s: not a seq\n",
				        progname, optarg);
				return EX_USAGE;
			}
			break;
		case 'F': s.state = optarg; break;
		case 'k': s.key = optarg; break;
		case 'K': s.server_key = optarg; break;
		case 'N': s.name = optarg; break;
		case 'L': s.lang = optarg; break;
		case 'h': usage(stdout); return EX_OK;
		case 'V': printf("tiendo-sub %s\n", TIENDO_VERSION); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", progname,
		        argv[optind]);
		return EX_USAGE;
	}
	/* Every item one of the three: an empty one ("warning,", "")
	 * would select nothing, silently. */
	for (sev = s.f.severity; sev != NULL;) {
		size_t len = strcspn(sev, ",");
		if (!(len == 4 && !strncmp(sev, "info", 4)) &&
		    !(len == 7 && !strncmp(sev, "warning", 7)) &&
		    !(len == 8 && !strncmp(sev, "critical", 8))) {
			fprintf(stderr, "%s: --severity: info, warning or critical"
			        " (a comma-separated list)\n", progname);
			return EX_USAGE;
		}
		sev = sev[len] == ',' ? sev + len + 1 : NULL;
	}
	if ((s.vi = lang_choose(s.lang, progname)) < 0)
		return EX_USAGE;
	if (s.grouped && (s.f.unit || s.f.owner || s.f.severity || s.exec ||
	                  s.state || s.last || s.held)) {
		fprintf(stderr, "%s: --grouped takes --task and --json only\n",
		        progname);
		return EX_USAGE;
	}
	if (s.state && s.last == 0 && state_load(&s) < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, s.state, strerror(errno));
		return EX_NOINPUT;
	}
	if (done_open(&s) < 0)
		return s.done ? EX_CANTCREAT : EX_OSERR;
	s.color = !s.json && isatty(STDOUT_FILENO) && (nc == NULL || !*nc);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((s.ctx = zmq_ctx_new()) == NULL) {
		fprintf(stderr, "%s: zmq: %s\n", progname, zmq_strerror(errno));
		return EX_OSERR;
	}
	if (s.grouped) {
		struct sub_grouped sg = { s.ctx, s.pub_ep, s.key, s.server_key,
		                          s.name, s.f.task, s.json, &stopping,
		                          s.vi };
		rc = sub_grouped_run(&sg);
	} else {
		rc = sub_open(&s) < 0 ? EX_USAGE : run(&s);
	}
	for (size_t i = 0; i < s.n_buf; i++)
		zmq_msg_close(&s.buf[i]);
	free(s.buf);
	if (s.sub)
		zmq_close(s.sub);
	if (s.snap)
		zmq_close(s.snap);
	zmq_ctx_term(s.ctx);
	if (s.done_f)
		fclose(s.done_f);
	seqset_free(s.done);
	return rc;
}
