/*
 * ceiling.c - the raw ceiling for durable ingest: the daemon's own store
 * module inserting the rows loadgen sends, in transactions of the size the
 * daemon would group-commit, with the same settings (WAL,
 * synchronous=FULL), and no network, no decoding, no tallies.  tiendod's
 * sustained rate divided by this one says what the rest of the daemon
 * costs.
 *
 *   ceiling [--rows N] [--batch N] [--clients N] [--chunk N] [--db PATH]
 *           [--sync full|normal] [--units LIST] [--tasks LIST]
 *
 * Without --db the database goes into a fresh directory under $TMPDIR and
 * is removed afterwards; with --db the file must not exist yet (a reused
 * database would measure duplicates, not inserts) and is left in place.
 * The last line of output is "result key=value ..." for scripts.
 *
 * --db postgresql://... measures the PostgreSQL store the same way (the
 * database must hold no reports yet); with --copy the rows go in by COPY,
 * one COPY per transaction, not through the store: the raw ceiling of
 * PostgreSQL itself that tiendod's durable ingest is compared with.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "rows.h"
#include "store.h"
#include "store_pg.h"
#include "tally.h"
#include "when.h"

static int
ceil_split(char *list, char ***out, size_t *n)
{
	char *save = NULL, *tok;
	char **v = NULL;
	size_t k = 0;

	for (tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char **nv = realloc(v, (k + 1) * sizeof *v);

		if (nv == NULL) {
			free(v);
			return -1;
		}
		v = nv;
		v[k++] = tok;
	}
	if (k == 0)
		return -1;
	*out = v;
	*n = k;
	return 0;
}

static char *
ceil_default_list(char prefix, int n)
{
	char *s = malloc((size_t)n * 5 + 1), *p = s;

	if (s == NULL)
		return NULL;
	for (int i = 1; i <= n; i++)
		p += sprintf(p, "%s%c%02d", i > 1 ? "," : "", prefix, i);
	return s;
}

static int
ceil_num(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
ceil_usage(FILE *f)
{
	fprintf(f,
	    "usage: ceiling [--rows N] [--batch N] [--clients N] [--chunk N]\n"
	    "               [--db PATH] [--sync full|normal] [--units LIST]\n"
	    "               [--tasks LIST]\n"
	    "  --rows N      rows to insert (1000000)\n"
	    "  --batch N     rows per transaction (800)\n"
	    "  --clients N   client identities bench-0.. taking turns (8)\n"
	    "  --chunk N     consecutive rows of one client, loadgen's batch (100)\n"
	    "  --db PATH     database to create (default: a temporary one)\n"
	    "  --sync MODE   full (default) or normal\n"
	    "  --units LIST  unit codes, comma-separated (u01..u12)\n"
	    "  --tasks LIST  task codes, comma-separated (t01..t10)\n"
	    "  --copy        PostgreSQL: COPY the rows, bypassing the store\n");
}

/* One row in COPY's text format (none of rows.h's strings needs escaping). */
static int
ceil_copy_row(char **buf, size_t *len, size_t *cap,
              const struct store_report *r)
{
	char line[1024];
	int n = snprintf(line, sizeof line, "%s\t%lld\t%s\t%s\t%d\t%lld\t%lld"
	                 "\t%lld\t%s\t%s\n", r->client, (long long)r->seq,
	                 r->task, r->unit, r->kind, (long long)r->value,
	                 (long long)r->observed_at, (long long)r->received_at,
	                 r->reporter, r->note);

	if (*len + (size_t)n > *cap) {
		size_t ncap = (*cap + (size_t)n) * 2;
		char *nb = realloc(*buf, ncap);

		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, line, (size_t)n);
	*len += (size_t)n;
	return 0;
}

/* Sends the buffered rows by COPY, inside the open transaction. */
static int
ceil_copy_send(struct store *st, const char *buf, size_t len)
{
	PGconn *c = store_pg_conn(st);
	PGresult *res = PQexec(c, "COPY reports (client, seq, task, unit, kind,"
	                       " value, observed_at, received_at, reporter, note)"
	                       " FROM STDIN");
	int ok = PQresultStatus(res) == PGRES_COPY_IN;

	PQclear(res);
	if (!ok || PQputCopyData(c, buf, (int)len) != 1 ||
	    PQputCopyEnd(c, NULL) != 1) {
		fprintf(stderr, "ceiling: copy: %s", PQerrorMessage(c));
		return -1;
	}
	res = PQgetResult(c);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "ceiling: copy: %s", PQresultErrorMessage(res));
	PQclear(res);
	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
	return ok ? 0 : -1;
}

static void
ceil_unlink_db(const char *path)
{
	char side[4200];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rows", required_argument, NULL, 'r' },
		{ "batch", required_argument, NULL, 'b' },
		{ "clients", required_argument, NULL, 'n' },
		{ "chunk", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ "sync", required_argument, NULL, 's' },
		{ "units", required_argument, NULL, 'U' },
		{ "tasks", required_argument, NULL, 'T' },
		{ "copy", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long rows = 1000000, batch = 800, clients = 8, chunk = 100;
	enum store_sync sync = STORE_SYNC_FULL;
	char *units = ceil_default_list('u', 12), *tasks = ceil_default_list('t', 10);
	char **uv = NULL, **tv = NULL, *err = NULL, tmpdir[4096], path[4096];
	const char *db = NULL;
	size_t nu, nt;
	uint64_t *seqs;
	char (*names)[32];
	struct store *st;
	struct stat sb;
	long long inserted = 0, dups = 0, txns = 0;
	int64_t t0, t1;
	dec_t values[BENCH_NELEM(bench_values)];
	int ch, status = 1, copy = 0, is_pg;
	char *cbuf = NULL;
	size_t clen = 0, ccap = 0;
	double secs;

	if (units == NULL || tasks == NULL) {
		fprintf(stderr, "ceiling: out of memory\n");
		return 1;
	}
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *bad = NULL;

		switch (ch) {
		case 'r':
			if (ceil_num(optarg, 1, 1000000000000LL, &rows) < 0) bad = "--rows";
			break;
		case 'b':
			if (ceil_num(optarg, 1, 10000000, &batch) < 0) bad = "--batch";
			break;
		case 'n':
			if (ceil_num(optarg, 1, 100000, &clients) < 0) bad = "--clients";
			break;
		case 'k':
			if (ceil_num(optarg, 1, 10000000, &chunk) < 0) bad = "--chunk";
			break;
		case 'd': db = optarg; break;
		case 'C': copy = 1; break;
		case 's':
			if (strcmp(optarg, "full") == 0)
				sync = STORE_SYNC_FULL;
			else if (strcmp(optarg, "normal") == 0)
				sync = STORE_SYNC_NORMAL;
			else
				bad = "--sync";
			break;
		case 'U':
			free(units);
			if ((units = strdup(optarg)) == NULL) bad = "--units";
			break;
		case 'T':
			free(tasks);
			if ((tasks = strdup(optarg)) == NULL) bad = "--tasks";
			break;
		case 'h':
			ceil_usage(stdout);
			return 0;
		default:
			ceil_usage(stderr);
			return 64;
		}
		if (bad != NULL) {
			fprintf(stderr, "ceiling: bad %s: %s\n", bad, optarg);
			return 64;
		}
	}
	if (optind != argc || units == NULL || tasks == NULL ||
	    ceil_split(units, &uv, &nu) < 0 || ceil_split(tasks, &tv, &nt) < 0) {
		ceil_usage(stderr);
		return 64;
	}

	tmpdir[0] = '\0';
	is_pg = db && store_spec_is_pg(db);
	if (copy && !is_pg) {
		fprintf(stderr, "ceiling: --copy needs --db postgresql://...\n");
		return 64;
	}
	if (is_pg) {
		/* A database server: nothing to create or remove here. */
	} else if (db == NULL) {
		const char *t = getenv("TMPDIR");

		snprintf(tmpdir, sizeof tmpdir, "%s/tiendo-ceiling.XXXXXX",
		         t && *t ? t : "/tmp");
		if (mkdtemp(tmpdir) == NULL) {
			fprintf(stderr, "ceiling: mkdtemp %s: %s\n", tmpdir,
			        strerror(errno));
			return 1;
		}
		snprintf(path, sizeof path, "%s/reports.db", tmpdir);
		db = path;
	} else if (stat(db, &sb) == 0 || errno != ENOENT) {
		fprintf(stderr, "ceiling: %s exists: the ceiling needs a fresh "
		        "database\n", db);
		return 1;
	}
	seqs = calloc((size_t)clients, sizeof *seqs);
	names = calloc((size_t)clients, sizeof *names);
	for (long long i = 0; names != NULL && i < clients; i++)
		snprintf(names[i], sizeof names[i], "bench-%lld", i);
	st = seqs && names ? store_open(db, sync, &err) : NULL;
	if (st == NULL) {
		fprintf(stderr, "ceiling: %s: %s\n", db, err ? err : "out of memory");
		free(err);
		goto out;
	}

	/* Parsed once, outside the timing: "12.5" is 12500 thousandths. */
	for (size_t i = 0; i < BENCH_NELEM(bench_values); i++) {
		const char *why;
		if (dec_parse(bench_values[i], &values[i], &why) < 0) {
			fprintf(stderr, "ceiling: %s: %s\n", bench_values[i], why);
			goto out_close;
		}
	}
	t0 = bench_mono();
	for (long long r = 0; r < rows;) {
		long long end = r + batch < rows ? r + batch : rows;

		if (store_begin(st) < 0) {
			fprintf(stderr, "ceiling: begin: %s\n", store_errmsg(st));
			goto out_close;
		}
		for (; r < end; r++) {
			int idx = (int)((r / chunk) % clients), is_new;
			uint64_t seq = ++seqs[idx];
			size_t pairs = nu * nt;
			size_t p = (size_t)((seq + (uint64_t)idx * 13) % pairs);
			when_t now = when_now();
			struct store_report rep = {
				.client = names[idx],
				.seq = seq,
				.task = tv[p / nu],
				.unit = uv[p % nu],
				.kind = REPORT_ADD,
				.value = values[seq % BENCH_NELEM(bench_values)],
				.observed_at = now,
				.received_at = now,
				.reporter = bench_reporters[seq % BENCH_NELEM(bench_reporters)],
				.note = bench_notes[seq % BENCH_NELEM(bench_notes)],
			};

			if (copy) {
				if (ceil_copy_row(&cbuf, &clen, &ccap, &rep) < 0) {
					fprintf(stderr, "ceiling: out of memory\n");
					goto out_close;
				}
				inserted++;
				continue;
			}
			if (store_insert(st, &rep, &is_new) < 0) {
				fprintf(stderr, "ceiling: insert: %s\n",
				        store_errmsg(st));
				store_rollback(st);
				goto out_close;
			}
			if (is_new)
				inserted++;
			else
				dups++;
		}
		if (copy && ceil_copy_send(st, cbuf, clen) < 0) {
			store_rollback(st);
			goto out_close;
		}
		clen = 0;
		if (store_commit(st) < 0) {
			fprintf(stderr, "ceiling: commit: %s\n", store_errmsg(st));
			store_rollback(st);
			goto out_close;
		}
		txns++;
	}
	t1 = bench_mono();
	secs = (double)(t1 - t0) / 1e9;

	printf("ceiling: %lld rows in %lld transactions of %lld "
	       "(%s, synchronous=%s): %.3f s, %.0f reports/s\n", inserted,
	       txns, batch, copy ? "PostgreSQL COPY" : store_kind(st),
	       sync == STORE_SYNC_FULL ? "FULL" : "NORMAL", secs,
	       (double)inserted / secs);
	if (!is_pg && stat(db, &sb) == 0)
		printf("ceiling: database %s: %.1f MiB\n", db,
		       (double)sb.st_size / (1024.0 * 1024.0));
	if (dups > 0)
		fprintf(stderr, "ceiling: %lld rows were duplicates\n", dups);
	printf("result rows=%lld batch=%lld seconds=%.3f rate=%.0f dups=%lld\n",
	       inserted, batch, secs, (double)inserted / secs, dups);
	status = dups > 0;
out_close:
	free(cbuf);
	store_close(st);
out:
	if (tmpdir[0] != '\0') {
		ceil_unlink_db(path);
		rmdir(tmpdir);
	}
	free(seqs);
	free(names);
	free(uv);
	free(tv);
	free(units);
	free(tasks);
	return status;
}
