/*
 * alertlat - latency from sending the report that crosses a threshold to
 * the alert arriving at a subscriber.
 *
 *   alertlat --connect INGEST --pub PUB --unit U[,U2,...] --task T --target V
 *            [--probes 200] [--interval-ms 50]
 *
 * Every pair (U, T) must lag critically at the start (nothing reported)
 * and the daemon must run with --alert-pending 0.  Each probe sends one SET
 * report that flips its pair: to 60 % of V (the lag alert resolves), then
 * back to 0 (it fires again); the clock runs from just before the send to
 * the arrival of that event on a SUB socket subscribed to the pairs' topic
 * families.  With several units, every pair has a probe in flight at
 * once (each waits --interval-ms after its event before the next), so the
 * alerts are measured many at a time, not one by one.  --probes is the
 * number of samples over all pairs.  Run it beside a load (run.sh runs loadgen at 10,000 reports/s)
 * to see the latency under load.  The last line is "result ...".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "rows.h"
#include "tiendo.pb-c.h"
#include "when.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int
send_set(void *dealer, const char *unit, const char *task, const char *value,
         uint64_t seq)
{
	Tiendo__Report r = TIENDO__REPORT__INIT, *rp = &r;
	Tiendo__Batch b = TIENDO__BATCH__INIT;
	uint8_t buf[512];
	size_t len;

	r.seq = seq;
	r.unit = (char *)unit;
	r.task = (char *)task;
	r.value = (char *)value;
	r.kind = TIENDO__KIND__KIND_SET;
	r.observed_at = when_now();
	b.version = 1;
	b.client = "alertlat";
	b.batch_id = seq;
	b.n_reports = 1;
	b.reports = &rp;
	len = tiendo__batch__pack(&b, buf);
	return zmq_send(dealer, buf, len, 0) < 0 ? -1 : 0;
}

/* One pair under test: what it waits for and since when. */
struct al_probe {
	char unit[64];
	int up;          /* the next send raises the pair (resolves the alert) */
	int64_t t0;      /* send time of the probe in flight; 0: idle */
	int64_t due;     /* idle: when the next probe goes */
};

/* The alert on the SUB socket: which probe it answers, or -1. */
static int
al_match(struct al_probe *pr, int np, const uint8_t *buf, size_t n)
{
	Tiendo__Alert *a = tiendo__alert__unpack(NULL, n, buf);
	int hit = -1;

	for (int i = 0; a != NULL && i < np; i++) {
		Tiendo__AlertTransition want = pr[i].up
		    ? TIENDO__ALERT_TRANSITION__TRANSITION_RESOLVED
		    : TIENDO__ALERT_TRANSITION__TRANSITION_FIRING;

		if (pr[i].t0 != 0 && strcmp(a->unit, pr[i].unit) == 0 &&
		    a->rule == TIENDO__ALERT_RULE__RULE_LAG && !a->rollup &&
		    a->transition == want)
			hit = i;
	}
	tiendo__alert__free_unpacked(a, NULL);
	return hit;
}

static int
al_split(char *list, struct al_probe **out)
{
	struct al_probe *pr = NULL;
	char *save = NULL;
	int n = 0;

	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		struct al_probe *np = realloc(pr, (size_t)(n + 1) * sizeof *pr);

		if (np == NULL || strlen(t) >= sizeof np->unit) {
			free(np ? np : pr);
			return -1;
		}
		pr = np;
		memset(&pr[n], 0, sizeof pr[n]);
		snprintf(pr[n].unit, sizeof pr[n].unit, "%s", t);
		pr[n++].up = 1; /* first: catch up (resolve) */
	}
	*out = pr;
	return n;
}

int
main(int argc, char **argv)
{
	const char *connect = NULL, *pub = NULL, *task = NULL;
	char *units = NULL;
	double target = 0;
	int probes = 200, interval = 50, lost = 0, n = 0, np, sent = 0;
	char high[64];
	int64_t *lat;
	struct al_probe *pr = NULL;
	void *ctx, *sub, *dealer;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--connect")) connect = argv[i + 1];
		else if (!strcmp(argv[i], "--pub")) pub = argv[i + 1];
		else if (!strcmp(argv[i], "--unit")) units = argv[i + 1];
		else if (!strcmp(argv[i], "--task")) task = argv[i + 1];
		else if (!strcmp(argv[i], "--target")) target = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--probes")) probes = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--interval-ms")) interval = atoi(argv[i + 1]);
	}
	if (!connect || !pub || !units || !task || target <= 0 || probes < 2 ||
	    interval < 0 || (np = al_split(units, &pr)) <= 0) {
		fprintf(stderr, "usage: alertlat --connect EP --pub EP --unit U[,U...] "
		        "--task T --target V [--probes N] [--interval-ms MS]\n");
		return 64;
	}
	lat = calloc((size_t)probes, sizeof *lat);
	ctx = zmq_ctx_new();
	sub = zmq_socket(ctx, ZMQ_SUB);
	dealer = zmq_socket(ctx, ZMQ_DEALER);
	if (!lat || !sub || !dealer ||
	    zmq_setsockopt(sub, ZMQ_LINGER, &(int){ 0 }, sizeof(int)) < 0 ||
	    zmq_setsockopt(dealer, ZMQ_LINGER, &(int){ 0 }, sizeof(int)) < 0 ||
	    zmq_connect(sub, pub) < 0 || zmq_connect(dealer, connect) < 0) {
		fprintf(stderr, "alertlat: %s\n", zmq_strerror(errno));
		return 1;
	}
	for (int i = 0; i < np; i++) {
		char topic[256];

		/* The task family: only this pair's events, every severity. */
		snprintf(topic, sizeof topic, "task/%s/%s/", task, pr[i].unit);
		if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, strlen(topic)) < 0) {
			fprintf(stderr, "alertlat: subscribe: %s\n", zmq_strerror(errno));
			return 1;
		}
	}
	{
		struct timespec ts = { 0, 300000000 }; /* let SUBSCRIBE arrive */
		nanosleep(&ts, NULL);
	}
	snprintf(high, sizeof high, "%.3f", target * 0.6);
	uint64_t seq = (uint64_t)when_now() * 1000;
	while (n + lost < probes) {
		int64_t now = bench_mono(), next = now + 100000000;
		zmq_pollitem_t it[2] = { { sub, 0, ZMQ_POLLIN, 0 },
		                         { dealer, 0, ZMQ_POLLIN, 0 } };
		uint8_t buf[8192];
		int len;

		for (int i = 0; i < np; i++) {
			if (pr[i].t0 != 0 && now - pr[i].t0 > 5000000000LL) {
				lost++; /* no event in 5 s: count it, go on */
				pr[i].t0 = 0;
				pr[i].due = now;
			}
			if (pr[i].t0 == 0 && pr[i].due <= now && sent < probes) {
				pr[i].t0 = bench_mono();
				if (send_set(dealer, pr[i].unit, task,
				             pr[i].up ? high : "0", ++seq) < 0) {
					fprintf(stderr, "alertlat: send: %s\n",
					        zmq_strerror(errno));
					return 1;
				}
				sent++;
			}
			if (pr[i].t0 == 0 && pr[i].due < next)
				next = pr[i].due;
		}
		if (zmq_poll(it, 2, (long)((next - now) / 1000000 + 1)) < 0)
			return 1;
		while (zmq_recv(dealer, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
			; /* the acks: only the alerts are timed */
		while (zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
			int64_t t;
			int i;

			if ((len = zmq_recv(sub, buf, sizeof buf, 0)) < 0)
				return 1;
			t = bench_mono();
			if (len > (int)sizeof buf ||
			    (i = al_match(pr, np, buf, (size_t)len)) < 0)
				continue;
			lat[n++] = t - pr[i].t0;
			pr[i].t0 = 0;
			pr[i].up = !pr[i].up;
			pr[i].due = t + (int64_t)interval * 1000000;
		}
	}
	if (n == 0) {
		fprintf(stderr, "alertlat: no alert arrived (is --alert-pending 0?)\n");
		return 1;
	}
	qsort(lat, (size_t)n, sizeof *lat, cmp_i64);
	/* Nearest rank, as loadgen computes it. */
	double p50 = (double)lat[(n + 1) / 2 - 1] / 1e6;
	double p99 = (double)lat[(int)ceil(0.99 * n) - 1] / 1e6;
	double mx = (double)lat[n - 1] / 1e6;
	printf("alertlat: %d probes over %d pairs, %d lost: report to alert "
	       "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", n, np, lost, p50, p99, mx);
	printf("result probes=%d pairs=%d lost=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	       n, np, lost, p50, p99, mx);
	zmq_close(sub);
	zmq_close(dealer);
	zmq_ctx_term(ctx);
	free(lat);
	free(pr);
	return lost ? 1 : 0;
}
