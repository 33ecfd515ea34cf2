/*
 * alertlat - latency from sending the report that crosses a threshold to
 * the alert arriving at a subscriber.
 *
 *   alertlat --connect INGEST --pub PUB --unit U --task T --target V
 *            [--probes 200] [--interval-ms 50]
 *
 * The pair (U, T) must lag critically at the start (nothing reported) and
 * the daemon must run with --alert-pending 0.  Each probe sends one SET
 * report that flips the pair: to 60 % of V (the lag alert resolves), then
 * back to 0 (it fires again); the clock runs from just before the send to
 * the arrival of that event on a SUB socket subscribed to the pair's topic
 * family.  Run it beside a load (run.sh runs loadgen at 10,000 reports/s)
 * to see the latency under load.  The last line is "result ...".
 */
#include <errno.h>
#include <inttypes.h>
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

/* Waits for the lag event of the pair with transition `want`; drains acks
 * meanwhile.  Returns the time it arrived, or -1 after 5 s. */
static int64_t
wait_event(void *sub, void *dealer, Tiendo__AlertTransition want)
{
	int64_t deadline = bench_mono() + 5000000000LL;

	while (bench_mono() < deadline) {
		zmq_pollitem_t it[2] = { { sub, 0, ZMQ_POLLIN, 0 },
		                         { dealer, 0, ZMQ_POLLIN, 0 } };
		char buf[8192];
		int n;

		if (zmq_poll(it, 2, 100) < 0)
			return -1;
		if (it[1].revents & ZMQ_POLLIN)
			zmq_recv(dealer, buf, sizeof buf, 0);
		if (!(it[0].revents & ZMQ_POLLIN))
			continue;
		if (zmq_recv(sub, buf, sizeof buf, 0) < 0 ||
		    (n = zmq_recv(sub, buf, sizeof buf, 0)) < 0)
			return -1;
		int64_t t = bench_mono();
		Tiendo__Alert *a = tiendo__alert__unpack(NULL, (size_t)n,
		                                         (uint8_t *)buf);
		int hit = a && a->rule == TIENDO__ALERT_RULE__RULE_LAG &&
		          !a->rollup && a->transition == want;
		tiendo__alert__free_unpacked(a, NULL);
		if (hit)
			return t;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	const char *connect = NULL, *pub = NULL, *unit = NULL, *task = NULL;
	double target = 0;
	int probes = 200, interval = 50, lost = 0, n = 0;
	char topic[256], high[64];
	int64_t *lat;
	void *ctx, *sub, *dealer;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--connect")) connect = argv[i + 1];
		else if (!strcmp(argv[i], "--pub")) pub = argv[i + 1];
		else if (!strcmp(argv[i], "--unit")) unit = argv[i + 1];
		else if (!strcmp(argv[i], "--task")) task = argv[i + 1];
		else if (!strcmp(argv[i], "--target")) target = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--probes")) probes = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--interval-ms")) interval = atoi(argv[i + 1]);
	}
	if (!connect || !pub || !unit || !task || target <= 0 || probes < 2) {
		fprintf(stderr, "usage: alertlat --connect EP --pub EP --unit U "
		        "--task T --target V [--probes N] [--interval-ms MS]\n");
		return 64;
	}
	lat = calloc((size_t)probes, sizeof *lat);
	ctx = zmq_ctx_new();
	sub = zmq_socket(ctx, ZMQ_SUB);
	dealer = zmq_socket(ctx, ZMQ_DEALER);
	/* The task family: only this pair's events, every severity. */
	snprintf(topic, sizeof topic, "task/%s/%s/", task, unit);
	if (!lat || !sub || !dealer ||
	    zmq_setsockopt(sub, ZMQ_LINGER, &(int){ 0 }, sizeof(int)) < 0 ||
	    zmq_setsockopt(dealer, ZMQ_LINGER, &(int){ 0 }, sizeof(int)) < 0 || zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic,
	    strlen(topic)) < 0 || zmq_connect(sub, pub) < 0 ||
	    zmq_connect(dealer, connect) < 0) {
		fprintf(stderr, "alertlat: %s\n", zmq_strerror(errno));
		return 1;
	}
	{
		struct timespec ts = { 0, 300000000 }; /* let SUBSCRIBE arrive */
		nanosleep(&ts, NULL);
	}
	snprintf(high, sizeof high, "%.3f", target * 0.6);
	uint64_t seqbase = (uint64_t)when_now() * 1000;
	for (int i = 0; i < probes; i++) {
		int up = i % 2 == 0; /* first: catch up (resolve) */
		struct timespec ts = { 0, (long)interval * 1000000 };
		int64_t t0 = bench_mono(), t1;

		if (send_set(dealer, unit, task, up ? high : "0",
		             seqbase + (uint64_t)i + 1) < 0) {
			fprintf(stderr, "alertlat: send: %s\n", zmq_strerror(errno));
			return 1;
		}
		t1 = wait_event(sub, dealer, up ? TIENDO__ALERT_TRANSITION__TRANSITION_RESOLVED
		                                : TIENDO__ALERT_TRANSITION__TRANSITION_FIRING);
		if (t1 < 0)
			lost++;
		else
			lat[n++] = t1 - t0;
		nanosleep(&ts, NULL);
	}
	if (n == 0) {
		fprintf(stderr, "alertlat: no alert arrived (is --alert-pending 0?)\n");
		return 1;
	}
	qsort(lat, (size_t)n, sizeof *lat, cmp_i64);
	double p50 = (double)lat[n / 2] / 1e6;
	double p99 = (double)lat[(size_t)((n - 1) * 0.99)] / 1e6;
	double mx = (double)lat[n - 1] / 1e6;
	printf("alertlat: %d probes, %d lost: report to alert p50 %.2f ms, "
	       "p99 %.2f ms, max %.2f ms\n", n, lost, p50, p99, mx);
	printf("result probes=%d lost=%d p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
	       n, lost, p50, p99, mx);
	zmq_close(sub);
	zmq_close(dealer);
	zmq_ctx_term(ctx);
	free(lat);
	return lost ? 1 : 0;
}
