/*
 * rules_eval - how long the timer's full evaluation takes: every (task,
 * unit) pair and every roll-up of a plan of UNITS communes under one
 * district, times TASKS tasks, through core/rules.c over a board whose
 * tallies are spread around the pace.
 *
 *   rules_eval [--units 1000] [--tasks 100] [--rounds 20] [--slice 8192]
 *
 * Times are CPU time of the evaluating thread (the daemon has one), so
 * that other load on the machine does not count.  Prints the first
 * evaluation (which raises most alerts), then the
 * median and worst of the next rounds (the steady state, an hour apart),
 * then the same two on a second engine in slices of --slice subjects as
 * the daemon runs them (rules_eval_slice, no rows budget: the worst
 * case of a slice's CPU), the engine's bytes per subject and what the
 * process's RSS grew by for that second engine, and a "result" line for
 * run.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "plan.h"
#include "rules.h"

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp_dbl(const void *a, const void *b);

/* VmRSS of this process, in KiB; 0 when unknown. */
static long
rss_kib(void)
{
	char line[256];
	long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

struct sliced {
	double total, median, worst; /* ms of CPU */
	size_t slices, events;
};

/* One full pass in slices of `work` subjects; 0 or -1. */
static int
eval_sliced(struct rules *r, const struct board *b, when_t now, size_t work,
            struct sliced *out)
{
	size_t cursor = 0, cap = 0, n_ev;
	double *ms = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	do {
		struct timespec t0;

		if (out->slices == cap) {
			double *m = realloc(ms, (cap = cap ? 2 * cap : 256) *
			                    sizeof *m);
			if (m == NULL) {
				free(ms);
				return -1;
			}
			ms = m;
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		rc = rules_eval_slice(r, b, now, &cursor, work, SIZE_MAX);
		ms[out->slices] = ms_since(&t0);
		out->total += ms[out->slices++];
		rules_events(r, &n_ev);
		out->events += n_ev;
		rules_clear(r);
	} while (rc == 0);
	qsort(ms, out->slices, sizeof *ms, cmp_dbl);
	out->median = ms[out->slices / 2];
	out->worst = ms[out->slices - 1];
	free(ms);
	return rc < 0 ? -1 : 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The plan as INI text, read by the daemon's own loader. */
static char *
plan_text(int units, int tasks, size_t *len)
{
	size_t cap = (size_t)units * tasks * 24 + (size_t)units * 80 +
	             (size_t)tasks * 200 + 4096, off = 0;
	char *s = malloc(cap);

	if (s == NULL)
		return NULL;
	off += (size_t)snprintf(s + off, cap - off, "[plan]\nname = bench\n"
	                        "[unit huyen]\nname = Huyện\nkind = district\n");
	for (int u = 0; u < units; u++)
		off += (size_t)snprintf(s + off, cap - off, "[unit x%04d]\nname = "
		                        "Xã %04d\nkind = commune\nparent = huyen\n",
		                        u, u);
	for (int t = 0; t < tasks; t++)
		off += (size_t)snprintf(s + off, cap - off, "[task t%03d]\ntitle = "
		                        "Nhiệm vụ %03d\nmeasure = cây\nstart = "
		                        "2021-01-01\ndeadline = 2021-12-31\n"
		                        "stale_after = 30d\n", t, t);
	for (int t = 0; t < tasks; t++) {
		off += (size_t)snprintf(s + off, cap - off, "[targets t%03d]\n", t);
		for (int u = 0; u < units; u++)
			off += (size_t)snprintf(s + off, cap - off, "x%04d = 1000\n", u);
	}
	*len = off;
	return s;
}

int
main(int argc, char **argv)
{
	int units = 1000, tasks = 100, rounds = 20, slice = 8192;
	struct sliced first_sl, steady_sl;
	struct rules *r2;
	size_t mem, queue;
	long rss0, rss1;
	struct plan_errors errs = { 0 };
	struct rules_config cfg = { 0, 2, 0 };
	struct timespec t0;
	struct plan *p;
	struct board *b;
	struct rules *r;
	double first, *ms;
	size_t len, n_ev, total_ev = 0;
	char *text;
	when_t now = 1625097600000LL; /* 2021-07-01: mid-campaign */

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--units") == 0)
			units = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--tasks") == 0)
			tasks = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--rounds") == 0)
			rounds = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--slice") == 0)
			slice = atoi(argv[i + 1]);
	}
	if (units < 1 || tasks < 1 || rounds < 1 || slice < 1 ||
	    (text = plan_text(units, tasks, &len)) == NULL) {
		fprintf(stderr, "usage: rules_eval [--units N] [--tasks N] "
		        "[--rounds N] [--slice N]\n");
		return 64;
	}
	if ((p = plan_parse(text, len, "bench.ini", &errs)) == NULL) {
		fprintf(stderr, "rules_eval: plan: %s\n", errs.n ? errs.msgs[0] : "?");
		return 1;
	}
	free(text);
	b = board_new(p);
	r = rules_new(p, &cfg);
	ms = calloc((size_t)rounds, sizeof *ms);
	if (b == NULL || r == NULL || ms == NULL)
		return 1;
	/* Around the pace (50 % on 1 July): a third behind, some far. */
	srand(1);
	for (size_t i = 0; i < p->n_targets; i++) {
		struct tally_report rep = { REPORT_SET, (dec_t)(rand() % 700) * 1000,
		                            now - (rand() % 40) * WHEN_DAY, 1, 1 };
		board_apply(b, (int)i, &rep);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	rules_eval_all(r, b, now);
	first = ms_since(&t0);
	rules_events(r, &n_ev);
	total_ev += n_ev;
	rules_clear(r);
	for (int k = 0; k < rounds; k++) {
		now += WHEN_HOUR;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		rules_eval_all(r, b, now);
		ms[k] = ms_since(&t0);
		rules_events(r, &n_ev);
		rules_clear(r);
	}
	qsort(ms, (size_t)rounds, sizeof *ms, cmp_dbl);
	/* The same in slices, on an engine of its own: its RSS is what the
	 * daemon's holds (whose event queue a slice's events bound). */
	rss0 = rss_kib();
	if ((r2 = rules_new(p, &cfg)) == NULL ||
	    eval_sliced(r2, b, now - rounds * WHEN_HOUR, (size_t)slice,
	                &first_sl) < 0 ||
	    eval_sliced(r2, b, now, (size_t)slice, &steady_sl) < 0) {
		fprintf(stderr, "rules_eval: out of memory\n");
		return 1;
	}
	rss1 = rss_kib();
	mem = rules_memory(r2, &queue);
	printf("rules_eval: %d units x %d tasks: %zu subjects (%zu pairs + "
	       "roll-ups), first evaluation %.1f ms raising %zu alerts; then "
	       "median %.1f ms, worst %.1f ms over %d rounds\n", units, tasks,
	       rules_n_subjects(r), p->n_targets, first, total_ev,
	       ms[rounds / 2], ms[rounds - 1], rounds);
	printf("rules_eval: in slices of %d subjects: first evaluation %.1f ms "
	       "in %zu slices (median %.2f ms, worst %.2f ms) raising %zu alerts; "
	       "then %.1f ms (median slice %.2f ms, worst %.2f ms)\n", slice,
	       first_sl.total, first_sl.slices, first_sl.median, first_sl.worst,
	       first_sl.events, steady_sl.total, steady_sl.median,
	       steady_sl.worst);
	printf("rules_eval: engine %.1f bytes per subject (a rule state %zu B, "
	       "%d rules), %.1f MiB, event queue %.1f MiB; RSS +%.1f MiB for "
	       "it (%.1f bytes per subject)\n",
	       (double)mem / (double)rules_n_subjects(r2),
	       sizeof(struct rules_state), RULE_N, mem / 1048576.0,
	       queue / 1048576.0, (rss1 - rss0) / 1024.0,
	       (rss1 - rss0) * 1024.0 / (double)rules_n_subjects(r2));
	printf("result subjects=%zu first_ms=%.2f median_ms=%.2f max_ms=%.2f "
	       "slice_first_ms=%.2f slice_max_ms=%.3f bytes_per_subject=%.1f "
	       "rss_per_subject=%.1f\n",
	       rules_n_subjects(r), first, ms[rounds / 2], ms[rounds - 1],
	       first_sl.total, first_sl.worst > steady_sl.worst ? first_sl.worst
	       : steady_sl.worst, (double)mem / (double)rules_n_subjects(r2),
	       (rss1 - rss0) * 1024.0 / (double)rules_n_subjects(r2));
	rules_free(r2);
	free(ms);
	rules_free(r);
	board_free(b);
	plan_free(p);
	return 0;
}
