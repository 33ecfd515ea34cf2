/*
 * tiendo-ctl - look at a running tiendod, and check plans.
 *
 *   tiendo-ctl [--http URL] status [--task T] [--unit U] [--at TIME] [--json]
 *   tiendo-ctl check PLAN.ini...
 *   tiendo-ctl [--http URL | --config FILE] reload
 *   tiendo-ctl backup [--state-dir DIR | --db FILE] FILE
 *   tiendo-ctl keygen [--dir DIR] NAME...
 *
 * `status` asks the daemon's JSON API (GET /v1/tallies) and prints one
 * table per task; `check` loads plans with the daemon's own loader, so a
 * clerk can test an edited plan before the daemon is told to reload it.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>

#include "backup.h"
#include "ctl_conf.h"
#include "ctl_alerts.h"
#include "ctl_silence.h"
#include "ctl_reports.h"
#include "lang.h"
#include "httpget.h"
#include "keys.h"
#include "ctl_user.h"
#include "plan.h"
#include "reloadkey.h"
#include "showtime.h"
#include "table.h"
#include "when.h"

#define CTL_DEFAULT_HTTP "http://127.0.0.1:7480"
#define CTL_TIMEOUT 10 /* seconds for one HTTP exchange */
#define CTL_DEFAULT_STATE "/var/lib/tiendo"
/* The daemon's configuration file when --config names none, as tiendod
 * reads it: backup takes its store and state_dir from there. */
#define CTL_DEFAULT_CONF "/etc/tiendo/tiendod.conf"
/* A reload recounts every stored report under the new plan. */
#define CTL_RELOAD_TIMEOUT 120

static const char *progname = "tiendo-ctl";
/* --config FILE, for the commands that read the daemon's settings (backup) */
static const char *ctl_config;

static void
usage(FILE *out)
{
	fprintf(out,
"usage: tiendo-ctl [--lang vi|en] [--http URL] status [--task T] [--unit U]\n"
"                                     [--at TIME] [--period P] [--json]\n"
"       tiendo-ctl check PLAN.ini...\n"
"       tiendo-ctl [--http URL | --config FILE] reload\n"
"       tiendo-ctl backup [--state-dir DIR | --db FILE | --store SPEC] FILE\n"
"       tiendo-ctl alerts [--history] [--task T] [--unit U] [--severity S]\n"
"                         [--rule R] [--owner O] [--since SEQ] [--limit N]\n"
"                         [--json]\n"
"       tiendo-ctl reports [--task T] [--unit U] [--since ID] [--limit N]\n"
"                          [--json]\n"
"       tiendo-ctl [--http URL] silence add [--task T] [--unit U] --until DATE\n"
"                         --reason TEXT [--by NAME]\n"
"       tiendo-ctl [--http URL] silence list [--all] [--json]\n"
"       tiendo-ctl [--http URL] silence expire ID [--by NAME]\n"
"       tiendo-ctl keygen [--dir DIR] NAME...\n"
"       tiendo-ctl user [--accounts FILE] add NAME [--units U,...]\n"
"       tiendo-ctl user [--accounts FILE] del|passwd|token NAME | list\n"
"\n"
"  status     progress of every (task, unit) against its target and pace,\n"
"             one table per task; roll-ups first, in unit-tree order\n"
"    --task T, --unit U   only that task; only that unit and those below\n"
"    --at TIME            as it stood then (2021-03-01, 2021-03-01 08:00...)\n"
"    --period P           a month (2026-11), quarter (2026-Q4) or ISO week\n"
"                         (2026-W47): what happened in it, and the totals\n"
"                         at its end\n"
"    --json               the daemon's JSON, as received\n"
"  check      load plans, print every error as FILE:LINE: message\n"
"  reload     ask the daemon to re-read its configuration and plan\n"
"             (POST /v1/reload, served to loopback only); prints the\n"
"             plan now in force, or every error of a refused one;\n"
"             with --config, it also sends the daemon's reload key\n"
"             (STATE_DIR/reload.key), which stands for an account\n"
"  backup     copy the live database to FILE, consistently, while the\n"
"             daemon runs (SQLite online backup); run it as root or as\n"
"             the daemon's user\n"
"    --state-dir DIR      the daemon's state directory (default\n"
"                         $TIENDO_STATE_DIR, else the store or state_dir\n"
"                         of --config FILE or " CTL_DEFAULT_CONF "\n"
"                         when it exists, else " CTL_DEFAULT_STATE ")\n"
"    --db FILE            the database itself (DIR/tiendo.db)\n"
"    --store SPEC         the daemon's store= setting (sqlite:PATH); on\n"
"                         PostgreSQL this says to use pg_dump or\n"
"                         pgBackRest (exit 64)\n"
"  alerts     the active alerts; --history: every alert event; both paged\n"
"             by seq (--since, --limit) and filtered by the daemon: --unit\n"
"             is that unit and those below it (active list), --rule the\n"
"             active list only\n"
"  reports    the stored reports, oldest first, with reporter, note and\n"
"             corrections (what voids what, and why); paged by id\n"
"  silence    hold back the alert events of a task and/or a unit (and the\n"
"             units below it) from subscribers until DATE (a bare date:\n"
"             to its end); they are still stored.  --by (default $USER)\n"
"             and --reason go to the daemon's audit trail; list shows the\n"
"             running ones (--all: every one ever made); expire ends one\n"
"  keygen     make a CurveZMQ key pair per NAME: DIR/NAME.secret (mode\n"
"             0600) and DIR/NAME.pub (default DIR: .); never overwrites.\n"
"             NAME \"server\" is the daemon's (its keys_dir); a client's\n"
"             NAME.pub goes to the daemon's keys_dir/clients/NAME.key\n"
"  user       the dashboard's accounts (default FILE $TIENDO_ACCOUNTS or\n"
"             " CTL_DEFAULT_ACCOUNTS "): add (password from the terminal\n"
"             or stdin's first line; --units: the units it may see, with\n"
"             those below them; default *, all), del, passwd, list, and\n"
"             token (prints a new token for scripts, once)\n"
"\n"
"  --lang vi|en  the language of status, alerts, reports, silence, check,\n"
"              reload and backup, before the command (or after the first\n"
"              four, where it wins): vi writes\n"
"              Vietnamese headings and words, 1.750,5, dd/mm/yyyy, and\n"
"              reads --at and --until as 20/03/2021 too; default\n"
"              $TIENDO_LANG, else en.  --json is never translated\n"
"  --http URL  the daemon's HTTP address (default $TIENDO_HTTP or\n"
"              " CTL_DEFAULT_HTTP ")\n"
"  --config FILE  the daemon's tiendod.conf: the address it bound\n"
"              (STATE_DIR/endpoints), else its http setting (a wildcard\n"
"              host is reached on loopback); STATE_DIR/reload.key, the\n"
"              reload key; --http wins over it for the address\n"
"  -h, --help, --version\n"
"\n"
"Exit: 0 ok, 64 bad usage, 65 bad plan or bad request, 66 no database,\n"
"69 daemon unreachable, 73 cannot write the backup, 76 unexpected reply,\n"
"77 reload not allowed (not from loopback; accounts exist and neither an\n"
"account nor the reload key was sent), 78 bad --config file.\n");
}

/* ---- check ---- */

static int
ctl_check(int vi, int argc, char **argv)
{
	char nu[32], nt[32], ng[32];
	int ex = EX_OK;

	if (argc < 1) {
		fprintf(stderr, "%s: check needs at least one PLAN.ini\n",
		    progname);
		return EX_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		struct plan_errors errs = { NULL, 0 };
		struct plan *p;

		/* A file that is not there is not a plan with errors. */
		if (access(argv[i], R_OK) != 0) {
			fprintf(stderr, "%s: cannot open: %s\n", argv[i],
			    strerror(errno));
			ex = EX_NOINPUT;
			continue;
		}
		if ((p = plan_load(argv[i], &errs)) == NULL) {
			for (size_t k = 0; k < errs.n; k++)
				fprintf(stderr, "%s\n", errs.msgs[k]);
			if (errs.n == 0)
				fprintf(stderr, "%s: cannot be loaded\n",
				    argv[i]);
			if (ex == EX_OK)
				ex = EX_DATAERR;
		} else {
			/* schedules only when there are: an old plan's line
			 * stays as it was */
			printf(vi ? "%s: hợp lệ, %s đơn vị, %s nhiệm vụ, %s chỉ "
			    "tiêu" : "%s: ok, %s units, %s tasks, %s targets",
			    argv[i], lang_int((long long)p->n_units, vi, nu,
			    sizeof nu), lang_int((long long)p->n_tasks, vi, nt,
			    sizeof nt), lang_int((long long)p->n_targets, vi,
			    ng, sizeof ng));
			if (p->n_schedules > 0)
				printf(vi ? ", %zu lịch riêng của đơn vị"
				          : ", %zu schedules of units",
				    p->n_schedules);
			printf("\n");
			plan_free(p);
		}
		plan_errors_clear(&errs);
	}
	return ex;
}

/* ---- reload ---- */

static int
ctl_reload(const char *base, int vi, const struct ctl_conf *conf, int argc,
           char **argv)
{
	char nu[32], nt[32], ng[32];
	char key[RELOADKEY_HEXLEN + 1], kpath[4096] = "";
	struct httpget_opts opts;
	struct httpget_result res;
	int key_errno = 0;
	json_error_t jerr;
	json_t *doc, *v;
	size_t i;
	char *url;
	int ex, rc;

	if (argc > 1) {
		fprintf(stderr, "%s: reload takes no argument\n", progname);
		return EX_USAGE;
	}
	if ((url = httpget_url(base, "/v1/reload")) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return EX_OSERR;
	}
	/* The key stands for an account: the unit's ExecReload= has none. */
	if (conf != NULL) {
		snprintf(kpath, sizeof kpath, "%s/" RELOADKEY_FILE,
		    conf->state_dir);
		if (ctl_conf_reload_key(conf, key, sizeof key) < 0)
			key_errno = errno;
	}
	opts.header = conf && !key_errno ? RELOADKEY_HEADER : NULL;
	opts.value = key;
	opts.local = conf ? conf->local : NULL;
	if ((rc = httppost_opts(url, CTL_RELOAD_TIMEOUT, &opts, &res)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, rc == -2 ? "--http"
		        : "cannot reach tiendod", res.err);
		free(url);
		httpget_result_clear(&res);
		return rc == -2 ? EX_USAGE : EX_UNAVAILABLE;
	}
	free(url);
	doc = json_loadb(res.body, res.len, 0, &jerr);
	if (doc == NULL || !json_is_object(doc)) {
		fprintf(stderr, "%s: HTTP %d with a reply that is not JSON\n",
		    progname, res.status);
		/* a server error (libevent's own 500 page) is 69, as for
		 * every other command (httpget_json) */
		ex = res.status >= 500 ? EX_UNAVAILABLE : EX_PROTOCOL;
	} else if (res.status == 200) {
		printf(vi ? "đã nạp lại: kế hoạch %s có hiệu lực, %s đơn vị, "
		    "%s nhiệm vụ, %s chỉ tiêu\n" : "reloaded: %s in force, "
		    "%s units, %s tasks, %s targets\n",
		    httpget_str(doc, "plan", "?"),
		    lang_int(json_integer_value(json_object_get(doc, "units")),
		    vi, nu, sizeof nu),
		    lang_int(json_integer_value(json_object_get(doc, "tasks")),
		    vi, nt, sizeof nt),
		    lang_int(json_integer_value(json_object_get(doc, "targets")),
		    vi, ng, sizeof ng));
		json_array_foreach(json_object_get(doc, "restart_needed"), i, v)
			printf(vi ? "đã đổi, chỉ có hiệu lực khi khởi động lại: "
			    "%s\n" : "changed, applies only at restart: %s\n",
			    json_string_value(v));
		ex = EX_OK;
	} else if (res.status == 422) {
		json_array_foreach(json_object_get(doc, "errors"), i, v)
			fprintf(stderr, "%s\n", json_string_value(v));
		fprintf(stderr, vi ? "%s: không nạp lại; kế hoạch đang có hiệu "
		    "lực giữ nguyên\n" : "%s: reload refused; the plan in force "
		    "stays\n", progname);
		ex = EX_DATAERR;
	} else {
		fprintf(stderr, "%s: %s (HTTP %d)\n", progname,
		    httpget_str(doc, "error", "reload failed"), res.status);
		/* 401: accounts exist, and neither an account nor the key
		 * came with the request. */
		ex = res.status == 403 || res.status == 401 ? EX_NOPERM :
		     res.status >= 500 ? EX_UNAVAILABLE : EX_PROTOCOL;
		if ((res.status == 401 || res.status == 403) && key_errno)
			fprintf(stderr, "%s: no reload key sent: %s: %s\n",
			    progname, kpath, key_errno == EINVAL ?
			    "not a reload key" : strerror(key_errno));
	}
	json_decref(doc);
	httpget_result_clear(&res);
	return ex;
}

/* ---- backup ---- */

static int
ctl_is_pg(const char *spec)
{
	return strncmp(spec, "postgresql://", 13) == 0 ||
	       strncmp(spec, "postgres://", 11) == 0;
}

static int
ctl_backup(int vi, const char *config, int argc, char **argv)
{
	char nr[32];
	enum { O_STATE = 256, O_DB };
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "db", required_argument, NULL, O_DB },
		{ "store", required_argument, NULL, O_DB },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = getenv("TIENDO_STATE_DIR"), *db = NULL;
	struct ctl_conf conf;
	char path[4096], err[1024];
	int64_t n;
	int ch, ex = EX_OK;

	memset(&conf, 0, sizeof conf);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_STATE: state = optarg; break;
		case O_DB: db = optarg; break;
		case 'h': usage(stdout); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: backup needs exactly one FILE to write\n",
		    progname);
		return EX_USAGE;
	}
	/* Neither a database nor a directory given: the daemon's own
	 * settings (--config, else the default file when there is one), so
	 * that a daemon moved to PostgreSQL or to another state_dir is not
	 * "backed up" from the SQLite file it left behind. */
	if (db == NULL && (state == NULL || *state == '\0') &&
	    (config != NULL || access(CTL_DEFAULT_CONF, F_OK) == 0)) {
		if ((ex = ctl_conf_load_store(config ? config : CTL_DEFAULT_CONF,
		    &conf)) != EX_OK)
			goto out;
		if (conf.store != NULL)
			db = conf.store;
		else
			state = conf.state_dir;
	}
	if (db && ctl_is_pg(db)) {
		/* Its own tools do it better: consistent, online, and with
		 * point-in-time recovery. */
		fprintf(stderr, "%s: the store is PostgreSQL: back it up with "
		    "PostgreSQL's own tools, e.g. pg_dump -Fc -f %s '%s', or "
		    "pgBackRest / pg_basebackup with WAL archiving\n", progname,
		    argv[optind], db);
		ex = EX_USAGE;
		goto out;
	}
	/* the store setting's spelling of a SQLite database */
	if (db && strncmp(db, "sqlite:", 7) == 0)
		db += 7;
	if (db == NULL) {
		if (state == NULL || *state == '\0')
			state = CTL_DEFAULT_STATE;
		snprintf(path, sizeof path, "%s/tiendo.db", state);
		db = path;
	}
	if (access(db, R_OK) < 0) {
		fprintf(stderr, "%s: %s: no database there (--state-dir?)\n",
		    progname, db);
		ex = EX_NOINPUT;
		goto out;
	}
	if (backup_copy(db, argv[optind], &n, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", progname, err);
		ex = EX_CANTCREAT;
		goto out;
	}
	printf(vi ? "%s: đã sao %s báo cáo từ %s\n" :
	    "%s: %s reports, copied from %s\n", argv[optind],
	    lang_int((long long)n, vi, nr, sizeof nr), db);
out:
	ctl_conf_clear(&conf);
	return ex;
}

/* ---- keygen ---- */

static int
ctl_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = ".";
	char pub[41], *err = NULL;
	int ch, ex = EX_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'd') {
			usage(stderr);
			return EX_USAGE;
		}
		dir = optarg;
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: keygen needs at least one NAME\n", progname);
		return EX_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		/* The name becomes the client identity on the daemon. */
		if (strspn(argv[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
		           "QRSTUVWXYZ0123456789._-") != strlen(argv[i]) ||
		    argv[i][0] == '\0' || argv[i][0] == '.' ||
		    strlen(argv[i]) > 64) {
			fprintf(stderr, "%s: keygen: \"%s\": a name is 1 to 64 of "
			    "[A-Za-z0-9._-], not starting with a dot\n", progname,
			    argv[i]);
			return EX_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (keys_generate(dir, argv[i], pub, &err) < 0) {
			fprintf(stderr, "%s: keygen: %s\n", progname,
			    err ? err : "out of memory");
			free(err);
			ex = EX_CANTCREAT;
			continue;
		}
		printf("%s/%s.secret %s/%s.pub %s\n", dir, argv[i], dir, argv[i],
		    pub);
	}
	return ex;
}

/* ---- status ---- */

/* The reader's language, for status (lang_choose()). */
static int ctl_vi;
/* status --period: a column for what happened in the period. */
static int ctl_period;

/* A number as "%.1f" ("%.1f" with a comma in Vietnamese), or "-" when
 * absent or null. */
static const char *
ctl_pct(const json_t *o, const char *key, char *buf, size_t n)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return "-";
	return lang_pct(json_number_value(v), ctl_vi, buf, n);
}

/* A decimal of the reply; in Vietnamese grouped as the reader writes it. */
static const char *
ctl_num(const json_t *o, const char *key, char *buf, size_t n)
{
	const char *s = httpget_str(o, key, NULL);

	if (s == NULL)
		return "-";
	return ctl_vi ? lang_number(s, 1, buf, n) : s; /* en: as sent */
}

static const char *
ctl_status_sgr(const char *status)
{
	if (strcmp(status, "done") == 0)
		return "32";
	if (strcmp(status, "lagging") == 0)
		return "33";
	if (strcmp(status, "critical") == 0 || strcmp(status, "overdue") == 0)
		return "31";
	if (strcmp(status, "silent") == 0 ||
	    strcmp(status, "missing_report") == 0)
		return "35";
	if (strcmp(status, "not_started") == 0)
		return "2";
	return NULL;
}

static struct table *
ctl_table_new(void)
{
	static const char *const head[] = {
		"Unit", "Actual", "Target", "%", "Expected", "Lag", "Reports",
		"Status",
	};
	static const char *const head_vi[] = {
		"Đơn vị", "Thực hiện", "Chỉ tiêu", "%", "Kế hoạch %",
		"Chậm (điểm %)", "Số báo cáo", "Tình trạng",
	};
	static const char *const head_p[] = {
		"Unit", "In period", "Cumulative", "Target", "%", "Expected",
		"Lag", "Reports", "Status",
	};
	static const char *const head_p_vi[] = {
		"Đơn vị", "Phát sinh trong kỳ", "Lũy kế", "Chỉ tiêu", "%",
		"Kế hoạch %", "Chậm (điểm %)", "Số báo cáo", "Tình trạng",
	};
	static const enum table_align align[] = {
		TABLE_LEFT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT,
		TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT, TABLE_LEFT,
	};
	static const enum table_align align8[] = {
		TABLE_LEFT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT, TABLE_RIGHT,
		TABLE_RIGHT, TABLE_RIGHT, TABLE_LEFT,
	};

	if (ctl_period)
		return table_new(9, ctl_vi ? head_p_vi : head_p, align);
	return table_new(8, ctl_vi ? head_vi : head, align8);
}

/* One row; 0 or -1 (out of memory). */
static int
ctl_row(struct table *t, const json_t *row, json_int_t base,
        int own_after_rollup)
{
	const char *status = httpget_str(row, "status", "?");
	const json_t *depth = json_object_get(row, "depth");
	int rollup = json_is_true(json_object_get(row, "rollup"));
	json_int_t d = json_is_integer(depth) ? json_integer_value(depth) : 0;
	char name[512], p1[32], p2[32], p3[32], reports[32], a[64], tg[64];
	char in[64];
	size_t c = ctl_period ? 1 : 0; /* columns after the period's */
	int ind;

	d -= base; /* with --unit, the chosen unit is the left margin */
	if (d < 0)
		d = 0;
	if (d > 32)
		d = 32;
	/* A unit's own target, shown after the roll-up of its subtree, sits
	 * one level in, so the roll-up reads as its parent. */
	ind = (int)d * 2 + (own_after_rollup ? 2 : 0);
	snprintf(name, sizeof(name), "%*s%s%s", ind, "",
	    httpget_str(row, "unit_name", httpget_str(row, "unit", "?")),
	    !own_after_rollup ? "" : ctl_vi ? " (chỉ tiêu riêng)" :
	    " (own target)");
	lang_int(json_is_integer(json_object_get(row, "reports")) ?
	    json_integer_value(json_object_get(row, "reports")) : 0, ctl_vi,
	    reports, sizeof(reports));
	if (table_row(t, rollup ? "1" : NULL) != 0 ||
	    table_cell(t, 0, name, NULL) != 0 ||
	    (ctl_period && table_cell(t, 1, ctl_num(json_object_get(row,
	        "period"), "in_period", in, sizeof in), NULL) != 0) ||
	    table_cell(t, c + 1, ctl_num(row, "actual", a, sizeof a),
	        NULL) != 0 ||
	    table_cell(t, c + 2, ctl_num(row, "target", tg, sizeof tg),
	        NULL) != 0 ||
	    table_cell(t, c + 3, ctl_pct(row, "percent", p1, sizeof(p1)),
	        NULL) != 0 ||
	    table_cell(t, c + 4, ctl_pct(row, "expected", p2, sizeof(p2)),
	        NULL) != 0 ||
	    table_cell(t, c + 5, ctl_pct(row, "lag", p3, sizeof(p3)),
	        NULL) != 0 ||
	    table_cell(t, c + 6, reports, NULL) != 0 ||
	    table_cell(t, c + 7, lang_status(status, ctl_vi),
	        ctl_status_sgr(status)) != 0)
		return -1;
	return 0;
}

static void
ctl_task_header(const json_t *row, int color)
{
	char pct[32];

	printf(ctl_vi ? "%s%s%s — %s (%s), kế hoạch đến nay %s%%\n" :
	    "%s%s%s — %s (%s), expected %s%% now\n",
	    color ? "\033[1m" : "", httpget_str(row, "task_title", "?"),
	    color ? "\033[0m" : "", httpget_str(row, "task", "?"),
	    httpget_str(row, "measure", ""),
	    ctl_pct(row, "expected", pct, sizeof(pct)));
}

/* Prints the tallies document; EX_OK or EX_PROTOCOL. */
static int
ctl_print_tallies(const json_t *doc, int color)
{
	const json_t *rows = json_object_get(doc, "tallies");
	const char *now = httpget_str(doc, "now", NULL);
	const char *tz = httpget_str(doc, "timezone", WHEN_DEFAULT_TZ);
	const char *cur_task = NULL, *prev_unit = NULL;
	json_int_t base = 0;
	int prev_rollup = 0;
	struct table *t = NULL;
	char when[SHOWTIME_BUFSZ];
	size_t i;

	if (!json_is_array(rows)) {
		fprintf(stderr, "%s: the reply has no \"tallies\" list\n",
		    progname);
		return EX_PROTOCOL;
	}
	/* The instant in the reader's zone with its offset (showtime.h); the
	 * plan's zone by name, as the one its dates, days and periods are
	 * counted in. */
	if (now != NULL)
		now = showtime_text(now, ctl_vi, when, sizeof(when));
	if (ctl_vi)
		printf("%s (múi giờ %s) — tính đến %s\n",
		    httpget_str(doc, "plan", "?"), tz, now ? now : "?");
	else
		printf("Plan %s (zone %s), as of %s\n",
		    httpget_str(doc, "plan", "?"), tz, now ? now : "?");
	if (json_array_size(rows) == 0) {
		printf(ctl_vi ? "\nkhông có chỉ tiêu nào khớp\n" :
		    "\nno targets match\n");
		return EX_OK;
	}
	for (i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		const char *task = httpget_str(row, "task", "");
		const char *unit = httpget_str(row, "unit", "");
		int rollup = json_is_true(json_object_get(row, "rollup"));

		if (!json_is_object(row)) {
			table_free(t);
			fprintf(stderr, "%s: tally %zu is not an object\n",
			    progname, i);
			return EX_PROTOCOL;
		}
		if (cur_task == NULL || strcmp(task, cur_task) != 0) {
			if (t != NULL) {
				table_print(t, stdout, color);
				table_free(t);
			}
			putchar('\n');
			ctl_task_header(row, color);
			if ((t = ctl_table_new()) == NULL)
				goto nomem;
			cur_task = task;
			prev_unit = NULL;
			base = json_integer_value(json_object_get(row,
			    "depth"));
		}
		if (ctl_row(t, row, base, !rollup && prev_rollup && prev_unit &&
		    strcmp(prev_unit, unit) == 0) != 0)
			goto nomem;
		prev_unit = unit;
		prev_rollup = rollup;
	}
	if (t != NULL) {
		table_print(t, stdout, color);
		table_free(t);
	}
	return EX_OK;
nomem:
	table_free(t);
	fprintf(stderr, "%s: out of memory\n", progname);
	return EX_OSERR;
}

static int
ctl_status(const char *base, const char *lang, int argc, char **argv)
{
	enum { O_TASK = 256, O_UNIT, O_AT, O_JSON, O_HTTP, O_LANG, O_PERIOD };
	static const struct option longopts[] = {
		{ "lang", required_argument, NULL, O_LANG },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "task", required_argument, NULL, O_TASK },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "at", required_argument, NULL, O_AT },
		{ "json", no_argument, NULL, O_JSON },
		{ "http", required_argument, NULL, O_HTTP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *task = NULL, *unit = NULL, *at = NULL, *why;
	const char *period = NULL;
	char at_iso[128];
	json_t *doc = NULL;
	char *url = NULL;
	int ch, as_json = 0, first = 1, ex;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_TASK: task = optarg; break;
		case O_UNIT: unit = optarg; break;
		case O_AT: at = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HTTP: base = optarg; break;
		case O_LANG: lang = optarg; break;
		case O_PERIOD: period = optarg; ctl_period = 1; break;
		case 'h': usage(stdout); return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: status: unexpected argument \"%s\"\n",
		    progname, argv[optind]);
		return EX_USAGE;
	}
	if ((ctl_vi = lang_choose(lang, "tiendo-ctl: status")) < 0)
		return EX_USAGE;
	/* 20/03/2021 is a date to a Vietnamese reader */
	if (at && (ch = lang_date_in(at, ctl_vi, at_iso, sizeof at_iso,
	    &why)) != 0) {
		fprintf(stderr, "%s: status: --at \"%s\": %s\n", progname, at,
		    ch == -2 ? why : "too long");
		return EX_USAGE;
	}
	if (at)
		at = at_iso;

	if ((url = httpget_url(base, "/v1/tallies")) == NULL ||
	    httpget_param(&url, &first, "task", task) != 0 ||
	    httpget_param(&url, &first, "unit", unit) != 0 ||
	    httpget_param(&url, &first, "at", at) != 0 ||
	    httpget_param(&url, &first, "period", period) != 0) {
		fprintf(stderr, "%s: out of memory\n", progname);
		free(url);
		return EX_OSERR;
	}
	ex = httpget_json(url, 0, CTL_TIMEOUT, as_json, &doc);
	free(url);
	ctl_vi = lang_settle(ctl_vi, lang, httpget_language());
	if (ex != EX_OK || as_json)
		goto out;
	ex = ctl_print_tallies(doc, table_color());
out:
	json_decref(doc);
	if (fflush(stdout) != 0 && ex == EX_OK)
		ex = EX_IOERR;
	return ex;
}

static const char *const ctl_commands[] = {
	"status", "check", "alerts", "silence", "reports", "reload", "backup",
	"keygen", "user",
};

/* Whether -h or --help follows a known command (before a "--"): every
 * command answers it with the usage, as people try it after any. */
static int
ctl_asks_help(const char *cmd, int argc, char **argv)
{
	size_t k = 0, n = sizeof ctl_commands / sizeof ctl_commands[0];

	while (k < n && strcmp(cmd, ctl_commands[k]) != 0)
		k++;
	for (int i = optind + 1; k < n && i < argc && strcmp(argv[i], "--") != 0;
	     i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* The command at argv[optind]; its sysexits code. */
static int
ctl_run(const char *cmd, const char *http, const char *lang,
        const struct ctl_conf *conf, int argc, char **argv)
{
	int vi = 0;

	if (ctl_asks_help(cmd, argc, argv)) {
		usage(stdout);
		return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	if (strcmp(cmd, "status") == 0)
		return ctl_status(http, lang, argc - optind, argv + optind);
	/* check, reload and backup take the language before the command */
	if ((strcmp(cmd, "check") == 0 || strcmp(cmd, "reload") == 0 ||
	     strcmp(cmd, "backup") == 0) &&
	    (vi = lang_choose(lang, "tiendo-ctl")) < 0)
		return EX_USAGE;
	if (strcmp(cmd, "check") == 0) {
		if (optind + 1 < argc && strcmp(argv[optind + 1], "--") == 0)
			optind++;
		return ctl_check(vi, argc - optind - 1, argv + optind + 1);
	}
	if (strcmp(cmd, "reload") == 0)
		return ctl_reload(http, vi, conf, argc - optind, argv + optind);
	if (strcmp(cmd, "backup") == 0)
		return ctl_backup(vi, ctl_config, argc - optind, argv + optind);
	if (strcmp(cmd, "alerts") == 0)
		return ctl_alerts(http, lang, argc - optind, argv + optind);
	if (strcmp(cmd, "reports") == 0)
		return ctl_reports(http, lang, argc - optind, argv + optind);
	if (strcmp(cmd, "keygen") == 0)
		return ctl_keygen(argc - optind, argv + optind);
	if (strcmp(cmd, "silence") == 0)
		return ctl_silence(http, lang, argc - optind, argv + optind);
	if (strcmp(cmd, "user") == 0)
		return ctl_user(argc - optind, argv + optind);
	fprintf(stderr, "%s: unknown command \"%s\" (status, check, alerts, "
	        "silence, reports, reload, backup, keygen, user)\n", progname, cmd);
	return EX_USAGE;
}

int
main(int argc, char **argv)
{
	enum { O_HTTP = 256, O_VERSION, O_CONFIG, O_LANG };
	static const struct option longopts[] = {
		{ "http", required_argument, NULL, O_HTTP },
		{ "lang", required_argument, NULL, O_LANG },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *http = getenv("TIENDO_HTTP"), *cmd, *config = NULL;
	const char *lang = NULL;
	struct ctl_conf conf;
	int ch, http_given = 0, ex;

	memset(&conf, 0, sizeof conf);
	/* Display widths need a UTF-8 character type; numbers stay "C" so
	 * that 33.7 is not printed as 33,7 under vi_VN. */
	if (setlocale(LC_CTYPE, "") == NULL ||
	    strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");

	if (http == NULL || http[0] == '\0')
		http = CTL_DEFAULT_HTTP;
	/* '+': options after the command belong to it */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_HTTP: http = optarg; http_given = 1; break;
		case O_CONFIG: config = ctl_config = optarg; break;
		case O_LANG: lang = optarg; break;
		case 'h': usage(stdout); return EX_OK;
		case O_VERSION:
			printf("tiendo-ctl %s\n", TIENDO_VERSION);
			return EX_OK;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[optind];
	if (config != NULL) {
		if ((ex = ctl_conf_load(config, &conf)) != EX_OK) {
			ctl_conf_clear(&conf);
			return ex;
		}
		if (!http_given)
			http = conf.url;
	}
	ex = ctl_run(cmd, http, lang, config ? &conf : NULL, argc, argv);
	ctl_conf_clear(&conf);
	return ex;
}
