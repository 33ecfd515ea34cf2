/*
 * rules_eval - how long the timer's full evaluation takes: every (task,
 * unit) pair and every roll-up of a plan of UNITS communes under one
 * district, times TASKS tasks, through core/rules.c over a board whose
 * tallies are spread around the pace.
 *
 *   rules_eval [--units 1000] [--tasks 100] [--rounds 20]
 *
 * Times are CPU time of the evaluating thread (the daemon has one), so
 * that other load on the machine does not count.  Prints the first
 * evaluation (which raises most alerts), then the
 * median and worst of the next rounds (the steady state, an hour apart),
 * and a "result" line for run.sh.
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
	int units = 1000, tasks = 100, rounds = 20;
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
	}
	if (units < 1 || tasks < 1 || rounds < 1 ||
	    (text = plan_text(units, tasks, &len)) == NULL) {
		fprintf(stderr, "usage: rules_eval [--units N] [--tasks N] "
		        "[--rounds N]\n");
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
	printf("rules_eval: %d units x %d tasks: %zu subjects (%zu pairs + "
	       "roll-ups), first evaluation %.1f ms raising %zu alerts; then "
	       "median %.1f ms, worst %.1f ms over %d rounds\n", units, tasks,
	       rules_n_subjects(r), p->n_targets, first, total_ev,
	       ms[rounds / 2], ms[rounds - 1], rounds);
	printf("result subjects=%zu first_ms=%.2f median_ms=%.2f max_ms=%.2f\n",
	       rules_n_subjects(r), first, ms[rounds / 2], ms[rounds - 1]);
	free(ms);
	rules_free(r);
	board_free(b);
	plan_free(p);
	return 0;
}
