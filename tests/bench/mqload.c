/*
 * mqload.c - the broker anchor: drives an MQTT broker (Mosquitto) the way
 * loadgen drives tiendod, so that the two rates compare like with like.
 *
 *   mqload --port P [--host H] [--clients N] [--inflight W] [--payload B]
 *          [--total N | --duration S] [--timeout S]
 *
 * N publishers in one thread (one poll over all their sockets), each
 * keeping W QoS 1 PUBLISHes of B bytes outstanding and sending the next
 * one when a PUBACK frees a slot.  Latency runs from the PUBLISH being
 * queued to its PUBACK.  No subscriber: the broker's work per message is
 * receiving, (not) storing and acknowledging it, which is what tiendod's
 * ack is compared with.  Every PUBLISH must be acked before --timeout of
 * silence; otherwise it is an error and the exit status is 1.
 * The last line of output is "result key=value ..." for scripts.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <mosquitto.h>

#include "rows.h"

struct mq_conf {
	const char *host;
	int port, clients, inflight, payload;
	uint64_t total;   /* 0: until --duration */
	double duration, timeout;
};

struct mq_slot {
	int mid;          /* 0: free */
	int64_t t0;
};

struct mq_client {
	struct mosquitto *m;
	struct mq_run *run;
	char topic[32];
	int connected;
	uint64_t quota, sent, acked;
	struct mq_slot *slots;
	int outstanding;
};

struct mq_run {
	const struct mq_conf *cf;
	uint8_t *payload;
	int64_t start, last_ack, last_progress;
	int64_t *lat;
	size_t n_lat, cap_lat;
	uint64_t errors;
	int connected;
};

static int
mq_more(const struct mq_client *c, int64_t now)
{
	const struct mq_conf *cf = c->run->cf;

	if (c->sent >= c->quota)
		return 0;
	return cf->duration <= 0 || now < c->run->start + (int64_t)(cf->duration * 1e9);
}

static int
mq_publish(struct mq_client *c)
{
	struct mq_run *run = c->run;
	int mid = 0, rc, k;

	for (k = 0; k < run->cf->inflight && c->slots[k].mid != 0; k++)
		;
	if (k == run->cf->inflight)
		return 0;
	rc = mosquitto_publish(c->m, &mid, c->topic, run->cf->payload,
	                       run->payload, 1, false);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqload: %s: publish: %s\n", c->topic,
		        mosquitto_strerror(rc));
		run->errors++;
		return -1;
	}
	c->slots[k] = (struct mq_slot){ .mid = mid, .t0 = bench_mono() };
	c->sent++;
	c->outstanding++;
	return 0;
}

static void
mq_fill(struct mq_client *c)
{
	int64_t now = bench_mono();

	while (c->connected && c->outstanding < c->run->cf->inflight &&
	       mq_more(c, now))
		if (mq_publish(c) < 0)
			break;
}

static void
mq_on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct mq_client *c = arg;

	(void)m;
	if (rc != 0) {
		fprintf(stderr, "mqload: %s: CONNACK %d: %s\n", c->topic, rc,
		        mosquitto_connack_string(rc));
		c->run->errors++;
		return;
	}
	c->connected = 1;
	c->run->connected++;
}

static void
mq_on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct mq_client *c = arg;
	struct mq_run *run = c->run;
	int64_t now = bench_mono();

	(void)m;
	for (int k = 0; k < run->cf->inflight; k++) {
		if (c->slots[k].mid != mid)
			continue;
		if (run->n_lat == run->cap_lat) {
			size_t cap = run->cap_lat ? run->cap_lat * 2 : 65536;
			int64_t *nl = realloc(run->lat, cap * sizeof *nl);

			if (nl == NULL) {
				fprintf(stderr, "mqload: out of memory\n");
				exit(1);
			}
			run->lat = nl;
			run->cap_lat = cap;
		}
		run->lat[run->n_lat++] = now - c->slots[k].t0;
		c->slots[k].mid = 0;
		c->outstanding--;
		c->acked++;
		run->last_ack = run->last_progress = now;
		mq_fill(c);
		return;
	}
	fprintf(stderr, "mqload: %s: PUBACK for unknown mid %d\n", c->topic, mid);
	run->errors++;
}

/* One pass of poll over every client's socket and the library's
 * read/write/keepalive steps.  -1 on a lost connection. */
static int
mq_step(struct mq_client *cl, struct pollfd *pfd, int n, int ms)
{
	for (int i = 0; i < n; i++) {
		pfd[i].fd = mosquitto_socket(cl[i].m);
		pfd[i].events = POLLIN | (mosquitto_want_write(cl[i].m) ? POLLOUT : 0);
		pfd[i].revents = 0;
	}
	if (poll(pfd, (nfds_t)n, ms) < 0 && errno != EINTR) {
		perror("mqload: poll");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int rc = MOSQ_ERR_SUCCESS;

		if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
			rc = mosquitto_loop_read(cl[i].m, 1);
		if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(cl[i].m))
			rc = mosquitto_loop_write(cl[i].m, 1);
		if (rc == MOSQ_ERR_SUCCESS)
			rc = mosquitto_loop_misc(cl[i].m);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqload: %s: %s\n", cl[i].topic,
			        mosquitto_strerror(rc));
			return -1;
		}
	}
	return 0;
}

/* This process's CPU: the generator's own cost, beside the broker's. */
static double
mq_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int
mq_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank, as loadgen computes it. */
static double
mq_pct_ms(const int64_t *v, size_t n, double p)
{
	size_t k = (size_t)ceil(p * (double)n);

	if (n == 0)
		return 0;
	k = k < 1 ? 1 : k > n ? n : k;
	return (double)v[k - 1] / 1e6;
}

static int
mq_num(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}

static void
mq_usage(FILE *f)
{
	fprintf(f,
	    "usage: mqload --port P [--host H] [--clients N] [--inflight W]\n"
	    "              [--payload B] [--total N | --duration S] [--timeout S]\n"
	    "  --port P      the broker's MQTT port on --host (127.0.0.1)\n"
	    "  --clients N   publishers, each its own connection (8)\n"
	    "  --inflight W  QoS 1 PUBLISHes outstanding per publisher (4)\n"
	    "  --payload B   bytes per message (100)\n"
	    "  --total N     messages over all publishers (100000)\n"
	    "  --duration S  or: publish for S seconds\n"
	    "  --timeout S   this long without a PUBACK is an error (30)\n");
}

/* Each publisher holds a socket: 1,000 of them need more than the usual
 * 1,024 descriptors once the broker's side is counted. */
static void
mq_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			perror("mqload: setrlimit RLIMIT_NOFILE");
	}
}

static int
mq_parse(int argc, char **argv, struct mq_conf *cf)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'n' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "payload", required_argument, NULL, 'b' },
		{ "total", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	double v;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *bad = NULL;

		switch (ch) {
		case 'H': cf->host = optarg; break;
		case 'p':
			if (mq_num(optarg, 1, 65535, &v) < 0) bad = "--port";
			cf->port = (int)v;
			break;
		case 'n':
			if (mq_num(optarg, 1, 100000, &v) < 0) bad = "--clients";
			cf->clients = (int)v;
			break;
		case 'i':
			if (mq_num(optarg, 1, 65535, &v) < 0) bad = "--inflight";
			cf->inflight = (int)v;
			break;
		case 'b':
			if (mq_num(optarg, 1, 1 << 20, &v) < 0) bad = "--payload";
			cf->payload = (int)v;
			break;
		case 't':
			if (mq_num(optarg, 1, 1e12, &v) < 0) bad = "--total";
			cf->total = (uint64_t)v;
			break;
		case 'd':
			if (mq_num(optarg, 0.001, 1e6, &v) < 0) bad = "--duration";
			cf->duration = v;
			break;
		case 'o':
			if (mq_num(optarg, 0.001, 1e6, &v) < 0) bad = "--timeout";
			cf->timeout = v;
			break;
		case 'h':
			mq_usage(stdout);
			exit(0);
		default:
			mq_usage(stderr);
			return -1;
		}
		if (bad != NULL) {
			fprintf(stderr, "mqload: bad %s: %s\n", bad, optarg);
			return -1;
		}
	}
	if (optind != argc || cf->port == 0) {
		mq_usage(stderr);
		return -1;
	}
	if (cf->total == 0 && cf->duration <= 0)
		cf->total = 100000;
	return 0;
}

/* Connects every publisher and waits for every CONNACK. */
static int
mq_connect_all(struct mq_client *cl, struct mq_run *run, struct pollfd *pfd)
{
	const struct mq_conf *cf = run->cf;
	int64_t deadline;

	for (int i = 0; i < cf->clients; i++) {
		struct mq_client *c = &cl[i];
		char id[32];
		int rc;

		snprintf(id, sizeof id, "mqload-%d", i);
		snprintf(c->topic, sizeof c->topic, "bench/%d", i);
		c->run = run;
		c->quota = cf->total ? cf->total / (uint64_t)cf->clients +
		           ((uint64_t)i < cf->total % (uint64_t)cf->clients) : UINT64_MAX;
		c->slots = calloc((size_t)cf->inflight, sizeof *c->slots);
		c->m = mosquitto_new(id, true, c);
		if (c->slots == NULL || c->m == NULL) {
			fprintf(stderr, "mqload: out of memory\n");
			return -1;
		}
		mosquitto_connect_callback_set(c->m, mq_on_connect);
		mosquitto_publish_callback_set(c->m, mq_on_publish);
		/* The window is ours: the library must not hold messages back. */
		mosquitto_max_inflight_messages_set(c->m, (unsigned)cf->inflight);
		/* As ZeroMQ does for tiendod's clients: no Nagle delay. */
		mosquitto_int_option(c->m, MOSQ_OPT_TCP_NODELAY, 1);
		rc = mosquitto_connect(c->m, cf->host, cf->port, 60);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqload: connect %s:%d (%s): %s\n", cf->host,
			        cf->port, id, mosquitto_strerror(rc));
			return -1;
		}
	}
	deadline = bench_mono() + (int64_t)(cf->timeout * 1e9);
	while (run->connected < cf->clients) {
		if (run->errors > 0 || bench_mono() > deadline) {
			fprintf(stderr, "mqload: %d of %d publishers connected\n",
			        run->connected, cf->clients);
			return -1;
		}
		if (mq_step(cl, pfd, cf->clients, 100) < 0)
			return -1;
	}
	return 0;
}

static int
mq_run_load(struct mq_client *cl, struct mq_run *run, struct pollfd *pfd)
{
	const struct mq_conf *cf = run->cf;

	run->start = run->last_progress = bench_mono();
	for (int i = 0; i < cf->clients; i++)
		mq_fill(&cl[i]);
	for (;;) {
		int64_t now = bench_mono();
		int busy = 0;

		for (int i = 0; i < cf->clients; i++) {
			mq_fill(&cl[i]);
			busy |= cl[i].outstanding > 0 || mq_more(&cl[i], now);
		}
		if (!busy)
			return 0;
		if (now - run->last_progress > (int64_t)(cf->timeout * 1e9)) {
			fprintf(stderr, "mqload: no PUBACK for %.1f s\n", cf->timeout);
			return -1;
		}
		if (mq_step(cl, pfd, cf->clients, 100) < 0)
			return -1;
	}
}

int
main(int argc, char **argv)
{
	struct mq_conf cf = {
		.host = "127.0.0.1", .clients = 8, .inflight = 4, .payload = 100,
		.timeout = 30,
	};
	struct mq_run run = { .cf = &cf };
	struct mq_client *cl;
	struct pollfd *pfd;
	uint64_t sent = 0, acked = 0;
	double secs;
	int rc;

	if (mq_parse(argc, argv, &cf) < 0)
		return 64;
	mq_raise_nofile();
	mosquitto_lib_init();
	cl = calloc((size_t)cf.clients, sizeof *cl);
	pfd = calloc((size_t)cf.clients, sizeof *pfd);
	run.payload = malloc((size_t)cf.payload);
	if (cl == NULL || pfd == NULL || run.payload == NULL) {
		fprintf(stderr, "mqload: out of memory\n");
		return 1;
	}
	for (int i = 0; i < cf.payload; i++)
		run.payload[i] = (uint8_t)('a' + i % 26);
	rc = mq_connect_all(cl, &run, pfd) < 0 || mq_run_load(cl, &run, pfd) < 0;
	for (int i = 0; i < cf.clients; i++) {
		sent += cl[i].sent;
		acked += cl[i].acked;
		if (cl[i].m != NULL) {
			mosquitto_disconnect(cl[i].m);
			mosquitto_destroy(cl[i].m);
		}
		free(cl[i].slots);
	}
	qsort(run.lat, run.n_lat, sizeof *run.lat, mq_cmp);
	secs = run.last_ack > run.start ? (double)(run.last_ack - run.start) / 1e9 : 0;
	printf("mqload: %d publishers x %d in flight, QoS 1, %d-byte payload -> "
	       "%s:%d\n", cf.clients, cf.inflight, cf.payload, cf.host, cf.port);
	printf("mqload: %" PRIu64 " sent, %" PRIu64 " acked in %.3f s: %.0f msgs/s; "
	       "ack latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", sent, acked,
	       secs, secs > 0 ? (double)acked / secs : 0.0,
	       mq_pct_ms(run.lat, run.n_lat, 0.50),
	       mq_pct_ms(run.lat, run.n_lat, 0.99),
	       mq_pct_ms(run.lat, run.n_lat, 1.0));
	printf("result sent=%" PRIu64 " acked=%" PRIu64 " errors=%" PRIu64
	       " seconds=%.3f rate=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f"
	       " cpu_s=%.2f\n",
	       sent, acked, run.errors, secs, secs > 0 ? (double)acked / secs : 0.0,
	       mq_pct_ms(run.lat, run.n_lat, 0.50),
	       mq_pct_ms(run.lat, run.n_lat, 0.99),
	       mq_pct_ms(run.lat, run.n_lat, 1.0), mq_cpu_s());
	free(cl);
	free(pfd);
	free(run.payload);
	free(run.lat);
	mosquitto_lib_cleanup();
	return rc || run.errors > 0 || acked != sent ? 1 : 0;
}
