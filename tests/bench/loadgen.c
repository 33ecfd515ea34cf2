/*
 * loadgen.c - drives tiendod's ingest socket with concurrent clients and
 * measures what comes back.
 *
 *   loadgen --connect tcp://127.0.0.1:7420 [options]
 *
 * Two modes:
 *
 *   throughput (default)  every client keeps --inflight batches outstanding
 *                         and sends the next one as soon as an ack frees a
 *                         slot; the result is the sustained durable rate.
 *   rate (--rate R)       R reports/s are offered on a fixed schedule that
 *                         never waits for acks, spread evenly over the
 *                         clients; latency is taken from each batch's
 *                         scheduled send time, so a stalled server cannot
 *                         hide its stall by slowing the sender (coordinated
 *                         omission).
 *
 * Each client has its own DEALER socket and identity NAME-i; the clients
 * are spread over --threads threads, each polling all of its sockets; its seqs run from --seq-base + 1 upwards.  Every report must come
 * back FATE_ACCEPTED: any other fate, a non-OK ack, a missing ack or a
 * stall longer than --timeout is counted as an error, printed (the first
 * few), and makes the exit status 1.
 *
 * Speaks the wire protocol with protobuf-c directly so that it measures the
 * daemon, not a client library.  The last line of output is
 * "result key=value ..." for scripts.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#include <zmq.h>

#include "keys.h"
#include "rows.h"
#include "tiendo.pb-c.h"
#include "when.h"

#define LG_MAX_BATCH 10000
#define LG_MAX_ERRORS_SHOWN 10
/* Rate mode: batches one client may have unacked.  tiendod drops an ack
 * that does not fit its queue for the peer (PROTOCOL.md 3.5); a client
 * with at most 100 unacked loses none since that queue is 256 (at 100, a
 * burst of acks after a stall overflowed it at about 50: libzmq learns
 * that the reader has caught up only every half queue, and a cap of 90
 * lost acks).  40 stays well inside.  A client at the cap sends late; its
 * latency still runs from when the batch was due, so the stall shows in
 * full. */
#define LG_RATE_MAX_OUTSTANDING 40

struct lg_conf {
	const char *connect;
	const char *name;
	const char *key, *server_key; /* CurveZMQ (keys.h); NULL: plain */
	int clients;
	int threads;       /* clients are spread over this many threads */
	int inflight;
	int batch;
	uint64_t total;    /* reports over all clients; 0 = no limit */
	double rate;       /* reports/s offered; 0 = closed loop */
	double duration;   /* seconds; 0 = no limit */
	double timeout;    /* seconds without an ack that make a stall */
	uint64_t seq_base;
	char **units;
	size_t n_units;
	char **tasks;
	size_t n_tasks;
};

/* Shared by the client threads. */
struct lg_run {
	const struct lg_conf *cf;
	void *zctx;
	pthread_barrier_t ready;
	int64_t start;     /* CLOCK_MONOTONIC ns, set once all are connected */
	atomic_int errors_shown;
};

struct lg_batch {
	int64_t t0;        /* scheduled (rate) or actual (throughput) send */
	uint32_t n;
	uint8_t acked;
};

struct lg_client {
	struct lg_run *run;
	int idx;
	char name[80];
	uint64_t quota;        /* reports this client sends; UINT64_MAX = open */
	uint64_t queued;       /* reports sent so far */
	uint64_t accepted;
	uint64_t errors;
	uint64_t bytes;        /* packed batches sent, for mqload's payload */
	struct lg_batch *batches; /* index = batch_id - 1 */
	size_t n_batches, cap_batches;
	size_t outstanding;
	int64_t *lat;          /* ns, one per acked batch */
	size_t n_lat;
	int64_t next_sched;    /* rate mode: when the next batch is due */
	int64_t period;        /* rate mode: ns between this client's batches */
	int64_t last_progress;
	int64_t last_ack;
	int failed;
	int done;
	int64_t wake;          /* when it must be stepped without input */
	/* Reused for every batch: the pointers never change, only the values. */
	Tiendo__Report *reports;
	Tiendo__Report **report_ptrs;
	uint8_t *buf;
	size_t cap_buf;
};

/* A thread and the clients it drives (consecutive in the array). */
struct lg_thread {
	pthread_t thread;
	struct lg_run *run;
	struct lg_client *cl;
	int n;
};

/* Errors from all threads go to stderr, but only the first few: a server
 * that rejects everything would otherwise print a million lines. */
static void
lg_error(struct lg_run *run, const char *fmt, ...)
{
	va_list ap;
	int shown = atomic_fetch_add(&run->errors_shown, 1);

	if (shown > LG_MAX_ERRORS_SHOWN)
		return;
	if (shown == LG_MAX_ERRORS_SHOWN) {
		fprintf(stderr, "loadgen: more errors not shown\n");
		return;
	}
	va_start(ap, fmt);
	fputs("loadgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *
lg_enum(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);

	return ev != NULL ? ev->name : "?";
}

static int
lg_more(const struct lg_client *c, int64_t now)
{
	const struct lg_conf *cf = c->run->cf;
	int64_t end;

	if (c->failed || c->queued >= c->quota)
		return 0;
	if (cf->duration <= 0)
		return 1;
	end = c->run->start + (int64_t)(cf->duration * 1e9);
	/* A rate run sends what was scheduled before the end, however late. */
	return cf->rate > 0 ? c->next_sched < end : now < end;
}

/* The rows are the ones ceiling.c writes: the same pairs, values and
 * notes, so the two rates compare like with like. */
static void
lg_fill(struct lg_client *c, Tiendo__Report *r, uint64_t seq, int64_t now_ms)
{
	const struct lg_conf *cf = c->run->cf;
	size_t pairs = cf->n_units * cf->n_tasks;
	size_t p = (size_t)((seq + (uint64_t)c->idx * 13) % pairs);

	r->seq = seq;
	r->unit = cf->units[p % cf->n_units];
	r->task = cf->tasks[p / cf->n_units];
	r->value = (char *)bench_values[seq % BENCH_NELEM(bench_values)];
	r->kind = TIENDO__KIND__KIND_ADD;
	r->observed_at = now_ms;
	r->reporter = (char *)bench_reporters[seq % BENCH_NELEM(bench_reporters)];
	r->note = (char *)bench_notes[seq % BENCH_NELEM(bench_notes)];
}

static int
lg_send(struct lg_client *c, void *sock, int64_t t0)
{
	const struct lg_conf *cf = c->run->cf;
	Tiendo__Batch b = TIENDO__BATCH__INIT;
	uint64_t left = c->quota - c->queued;
	uint32_t n = left < (uint64_t)cf->batch ? (uint32_t)left : (uint32_t)cf->batch;
	uint64_t first = cf->seq_base + c->queued + 1;
	int64_t now_ms = when_now();
	size_t len;

	if (c->n_batches == c->cap_batches) {
		/* lat gets one sample per acked batch, so it grows alike. */
		size_t cap = c->cap_batches ? c->cap_batches * 2 : 1024;
		struct lg_batch *nb = realloc(c->batches, cap * sizeof *nb);
		int64_t *nl;

		if (nb == NULL) {
			lg_error(c->run, "%s: out of memory", c->name);
			return -1;
		}
		c->batches = nb;
		if ((nl = realloc(c->lat, cap * sizeof *nl)) == NULL) {
			lg_error(c->run, "%s: out of memory", c->name);
			return -1;
		}
		c->lat = nl;
		c->cap_batches = cap;
	}
	for (uint32_t i = 0; i < n; i++)
		lg_fill(c, &c->reports[i], first + i, now_ms);
	b.version = 1;
	b.client = c->name;
	b.batch_id = c->n_batches + 1;
	b.n_reports = n;
	b.reports = c->report_ptrs;
	len = tiendo__batch__get_packed_size(&b);
	if (len > c->cap_buf) {
		uint8_t *nb = realloc(c->buf, len);

		if (nb == NULL) {
			lg_error(c->run, "%s: out of memory", c->name);
			return -1;
		}
		c->buf = nb;
		c->cap_buf = len;
	}
	tiendo__batch__pack(&b, c->buf);
	/* Blocking, but bounded by ZMQ_SNDTIMEO: a dead server is a stall. */
	if (zmq_send(sock, c->buf, len, 0) < 0) {
		lg_error(c->run, "%s: send batch %" PRIu64 ": %s", c->name,
		         b.batch_id, zmq_strerror(errno));
		return -1;
	}
	c->batches[c->n_batches++] = (struct lg_batch){ .t0 = t0, .n = n };
	c->bytes += len;
	c->queued += n;
	if (c->outstanding++ == 0)
		c->last_progress = bench_mono();
	return 0;
}

static int
lg_handle_ack(struct lg_client *c, const uint8_t *data, size_t len, int64_t now)
{
	struct lg_run *run = c->run;
	Tiendo__Ack *ack = tiendo__ack__unpack(NULL, len, data);
	struct lg_batch *b;
	uint64_t first;

	if (ack == NULL) {
		lg_error(run, "%s: reply of %zu bytes is not a tiendo.Ack",
		         c->name, len);
		c->errors++;
		return -1;
	}
	if (ack->batch_id == 0 || ack->batch_id > c->n_batches ||
	    c->batches[ack->batch_id - 1].acked) {
		lg_error(run, "%s: unexpected ack for batch %" PRIu64
		         " (%s, %s: %s)", c->name, ack->batch_id,
		         lg_enum(&tiendo__status__descriptor, ack->status),
		         lg_enum(&tiendo__batch_error__descriptor, ack->error),
		         ack->reason);
		c->errors++;
		tiendo__ack__free_unpacked(ack, NULL);
		return -1;
	}
	b = &c->batches[ack->batch_id - 1];
	b->acked = 1;
	c->outstanding--;
	c->last_progress = c->last_ack = now;
	c->lat[c->n_lat++] = now - b->t0;
	first = c->run->cf->seq_base + (ack->batch_id - 1) * (uint64_t)c->run->cf->batch + 1;
	if (ack->status != TIENDO__STATUS__STATUS_OK) {
		lg_error(run, "%s: batch %" PRIu64 ": %s, %s: %s", c->name,
		         ack->batch_id,
		         lg_enum(&tiendo__status__descriptor, ack->status),
		         lg_enum(&tiendo__batch_error__descriptor, ack->error),
		         ack->reason);
		c->errors += b->n;
	} else if (ack->n_reports != b->n) {
		lg_error(run, "%s: batch %" PRIu64 ": %zu report acks for %u "
		         "reports", c->name, ack->batch_id, ack->n_reports, b->n);
		c->errors += b->n;
	} else {
		for (size_t i = 0; i < ack->n_reports; i++) {
			const Tiendo__ReportAck *ra = ack->reports[i];

			if (ra->seq == first + i &&
			    ra->fate == TIENDO__FATE__FATE_ACCEPTED) {
				c->accepted++;
				continue;
			}
			c->errors++;
			lg_error(run, "%s: seq %" PRIu64 " (expected %" PRIu64
			         "): %s, %s: %s", c->name, ra->seq, first + i,
			         lg_enum(&tiendo__fate__descriptor, ra->fate),
			         lg_enum(&tiendo__reject__descriptor, ra->code),
			         ra->reason);
		}
	}
	tiendo__ack__free_unpacked(ack, NULL);
	return 0;
}

/* ZMQ_FD is edge-triggered: drain while ZMQ_EVENTS says POLLIN, so that
 * the caller may block on the descriptor afterwards. */
static int
lg_drain(struct lg_client *c, void *sock)
{
	for (;;) {
		int events;
		size_t sz = sizeof events;
		zmq_msg_t msg;

		if (zmq_getsockopt(sock, ZMQ_EVENTS, &events, &sz) < 0) {
			lg_error(c->run, "%s: ZMQ_EVENTS: %s", c->name,
			         zmq_strerror(errno));
			return -1;
		}
		if (!(events & ZMQ_POLLIN))
			return 0;
		zmq_msg_init(&msg);
		if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&msg);
			if (errno == EAGAIN)
				continue;
			lg_error(c->run, "%s: recv: %s", c->name,
			         zmq_strerror(errno));
			return -1;
		}
		if (zmq_msg_more(&msg)) {
			lg_error(c->run, "%s: ack in more than one frame",
			         c->name);
			c->errors++;
		}
		if (lg_handle_ack(c, zmq_msg_data(&msg), zmq_msg_size(&msg),
		                  bench_mono()) < 0) {
			zmq_msg_close(&msg);
			return -1;
		}
		zmq_msg_close(&msg);
	}
}

/* Sends what this client may send now: in throughput mode until its
 * window is full, in rate mode what its schedule says is due.  -1 on a
 * send error. */
static int
lg_send_due(struct lg_client *c, void *sock)
{
	const struct lg_conf *cf = c->run->cf;
	int64_t now = bench_mono();

	while (lg_more(c, now)) {
		int64_t t0 = now;

		if (cf->rate > 0) {
			if (c->next_sched > now ||
			    c->outstanding >= LG_RATE_MAX_OUTSTANDING)
				break;
			t0 = c->next_sched;
			c->next_sched += c->period;
		} else if (c->outstanding >= (size_t)cf->inflight) {
			break;
		}
		if (lg_send(c, sock, t0) < 0)
			return -1;
		now = bench_mono();
	}
	return 0;
}

/* One step of one client: send what is due, take the acks.  Returns how
 * long (ns) it may wait for something to happen: 0 to come back at once,
 * INT64_MAX when it is finished, -1 on failure. */
static int64_t
lg_step(struct lg_client *c, void *sock)
{
	const struct lg_conf *cf = c->run->cf;
	int64_t stall = (int64_t)(cf->timeout * 1e9), now, wait = stall;

	if (lg_send_due(c, sock) < 0 || lg_drain(c, sock) < 0)
		return -1;
	now = bench_mono();
	if (!lg_more(c, now) && c->outstanding == 0)
		return INT64_MAX;
	if (cf->rate <= 0 && lg_more(c, now) &&
	    c->outstanding < (size_t)cf->inflight)
		return 0;
	if (c->outstanding > 0) {
		wait = c->last_progress + stall - now;
		if (wait <= 0) {
			lg_error(c->run, "%s: no ack for %.1f s with %zu batches "
			         "outstanding", c->name, cf->timeout, c->outstanding);
			return -1;
		}
	}
	if (cf->rate > 0 && lg_more(c, now) &&
	    c->outstanding < LG_RATE_MAX_OUTSTANDING && c->next_sched - now < wait)
		wait = c->next_sched - now > 0 ? c->next_sched - now : 0;
	return wait;
}

/* The clients of one thread, until all are finished or failed: each
 * steps, then one zmq_poll over all their sockets waits for the nearest
 * thing to happen. */
/* Registers every client's ZMQ_FD with a new epoll instance; the event
 * carries the client's index.  -1 on failure. */
static int
lg_epoll(struct lg_client *cl, void **socks, int n)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);

	for (int i = 0; ep >= 0 && i < n; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = (uint32_t)i };
		size_t sz = sizeof(int);
		int fd;

		if (cl[i].failed)
			continue;
		if (zmq_getsockopt(socks[i], ZMQ_FD, &fd, &sz) < 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			lg_error(cl[i].run, "%s: epoll: %s", cl[i].name, strerror(errno));
			close(ep);
			return -1;
		}
	}
	return ep;
}

/* The clients of one thread until all are finished or failed.  ZeroMQ's
 * descriptors are edge-triggered, so one epoll over all of them wakes
 * only for the clients with input (lg_step drains each until ZMQ_EVENTS
 * says no more); the others are stepped when their deadline is due.
 * That keeps 1,000 clients as cheap per message as 8. */
static void
lg_loop(struct lg_client *cl, void **socks, int n)
{
	struct epoll_event evs[64];
	int ep = lg_epoll(cl, socks, n), k = 0;
	uint8_t *ready = calloc((size_t)n, 1);

	if (ep < 0 || ready == NULL) {
		for (int i = 0; i < n; i++)
			cl[i].failed = 1;
		free(ready);
		if (ep >= 0)
			close(ep);
		return;
	}
	memset(ready, 1, (size_t)n);
	for (;;) {
		int64_t now = bench_mono(), wait = INT64_MAX;
		int active = 0;

		for (int e = 0; e < k; e++)
			ready[evs[e].data.u32] = 1;
		for (int i = 0; i < n; i++) {
			struct lg_client *c = &cl[i];
			int64_t w;

			if (c->failed || c->done)
				continue;
			active++;
			if (!ready[i] && c->wake > now) {
				if (c->wake - now < wait)
					wait = c->wake - now;
				continue;
			}
			ready[i] = 0;
			w = lg_step(c, socks[i]);
			if (w < 0 || w == INT64_MAX) {
				c->failed = w < 0;
				c->done = w == INT64_MAX;
				active--;
				continue;
			}
			c->wake = now + w;
			if (w < wait)
				wait = w;
		}
		if (active == 0)
			break;
		k = epoll_wait(ep, evs, (int)(sizeof evs / sizeof evs[0]),
		               wait > 0 ? (int)((wait + 999999) / 1000000) : 0);
		if (k < 0 && errno != EINTR) {
			lg_error(cl[0].run, "epoll_wait: %s", strerror(errno));
			for (int i = 0; i < n; i++)
				cl[i].failed = 1;
			break;
		}
		if (k < 0)
			k = 0;
	}
	close(ep);
	free(ready);
}

static void *
lg_thread_main(void *arg)
{
	struct lg_thread *t = arg;
	struct lg_run *run = t->run;
	const struct lg_conf *cf = run->cf;
	int zero = 0, sndtimeo = (int)(cf->timeout * 1000);
	void **socks = calloc((size_t)t->n, sizeof *socks);

	for (int i = 0; i < t->n; i++) {
		struct lg_client *c = &t->cl[i];
		void *sock = socks ? zmq_socket(run->zctx, ZMQ_DEALER) : NULL;
		char *err = NULL;

		if (socks != NULL)
			socks[i] = sock;
		if (sock != NULL && keys_client_setup(sock, cf->key, cf->server_key,
		                                      c->name, &err) < 0) {
			lg_error(run, "%s: %s", c->name, err ? err : "out of memory");
			free(err);
			c->failed = 1;
		} else if (sock == NULL ||
		    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
		    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo) < 0 ||
		    zmq_connect(sock, cf->connect) < 0) {
			lg_error(run, "%s: socket/connect %s: %s", c->name,
			         cf->connect, zmq_strerror(errno));
			c->failed = 1;
		}
	}
	/* Everyone waits so that the clock starts with all clients ready. */
	if (pthread_barrier_wait(&run->ready) == PTHREAD_BARRIER_SERIAL_THREAD)
		run->start = bench_mono();
	pthread_barrier_wait(&run->ready);
	for (int i = 0; i < t->n; i++) {
		struct lg_client *c = &t->cl[i];

		if (cf->rate > 0) {
			c->period = (int64_t)((double)cf->clients * cf->batch * 1e9 / cf->rate);
			c->next_sched = run->start + c->period * c->idx / cf->clients;
		}
		c->last_progress = run->start;
	}
	if (socks != NULL)
		lg_loop(t->cl, socks, t->n);
	else
		for (int i = 0; i < t->n; i++)
			t->cl[i].failed = 1;
	for (int i = 0; socks != NULL && i < t->n; i++)
		if (socks[i] != NULL)
			zmq_close(socks[i]);
	free(socks);
	return NULL;
}

static int
lg_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least p of all at or below. */
static double
lg_pct_ms(const int64_t *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)ceil(p * (double)n);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)v[k - 1] / 1e6;
}

static int
lg_split(const char *list, char ***out, size_t *n)
{
	char *copy = strdup(list), *save = NULL, *tok;
	char **v = NULL;
	size_t k = 0;

	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char **nv = realloc(v, (k + 1) * sizeof *v);

		if (nv == NULL || (nv[k] = strdup(tok)) == NULL) {
			free(nv ? nv : v);
			free(copy);
			return -1;
		}
		v = nv;
		k++;
	}
	free(copy);
	if (k == 0)
		return -1;
	*out = v;
	*n = k;
	return 0;
}

static void
lg_free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "u01,u02,...,uNN" */
static char *
lg_default_list(char prefix, int n)
{
	char *s = malloc((size_t)n * 5 + 1), *p = s;

	if (s == NULL)
		return NULL;
	for (int i = 1; i <= n; i++)
		p += sprintf(p, "%s%c%02d", i > 1 ? "," : "", prefix, i);
	return s;
}

static void
lg_usage(FILE *f)
{
	fprintf(f,
	    "usage: loadgen --connect EP [--clients N] [--threads N] [--inflight N]\n"
	    "               [--batch N]\n"
	    "               [--total N] [--duration S] [--rate R] [--seq-base N]\n"
	    "               [--name PREFIX] [--units LIST] [--tasks LIST]\n"
	    "               [--timeout S] [--key PATH --server-key FILE]\n"
	    "  --connect EP    ingest endpoint, e.g. tcp://127.0.0.1:7420\n"
	    "  --clients N     concurrent clients, one DEALER socket each (8)\n"
	    "  --threads N     threads the clients are spread over (the number\n"
	    "                  of clients, at most 8)\n"
	    "  --inflight N    batches outstanding per client, throughput mode (8)\n"
	    "  --batch N       reports per batch (100)\n"
	    "  --total N       reports over all clients (1000000 unless --duration)\n"
	    "  --duration S    stop sending after S seconds (rate mode: 10)\n"
	    "  --rate R        offer R reports/s on a schedule; report latency\n"
	    "  --seq-base N    first seq is N+1 (0): reuse a database\n"
	    "  --name PREFIX   client identities PREFIX-0.. (bench)\n"
	    "  --units LIST    unit codes, comma-separated (u01..u12)\n"
	    "  --tasks LIST    task codes, comma-separated (t01..t10)\n"
	    "  --timeout S     an ack missing this long is an error (30)\n"
	    "  --key PATH      CurveZMQ: a directory with PREFIX-N.secret (and\n"
	    "                  server.pub), or one secret key file for all\n"
	    "  --server-key F  the server's public key file\n");
}

static int
lg_num(const char *s, double min, double max, double *out)
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

/* This process's CPU so far: the generator's own cost, beside the
 * server's, says whether the load or the generator was measured. */
static double
lg_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Each client's socket is a descriptor here and one or two inside
 * ZeroMQ: 1,000 clients need more than the usual soft limit of 1,024. */
static void
lg_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			perror("loadgen: setrlimit RLIMIT_NOFILE");
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "clients", required_argument, NULL, 'n' },
		{ "threads", required_argument, NULL, 'j' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "batch", required_argument, NULL, 'b' },
		{ "total", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seq-base", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'N' },
		{ "units", required_argument, NULL, 'U' },
		{ "tasks", required_argument, NULL, 'T' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "key", required_argument, NULL, 'K' },
		{ "server-key", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lg_conf cf = {
		.name = "bench", .clients = 8, .inflight = 8, .batch = 100,
		.timeout = 30,
	};
	struct lg_run run = { .cf = &cf };
	struct lg_client *cl;
	char *units = NULL, *tasks = NULL;
	uint64_t sent = 0, accepted = 0, errors = 0, bytes = 0;
	size_t n_lat = 0, n_batches = 0;
	int64_t *lat, end = 0;
	int failed = 0, ch, total_set = 0;
	double v, secs;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *bad = NULL;

		switch (ch) {
		case 'c': cf.connect = optarg; break;
		case 'N': cf.name = optarg; break;
		case 'K': cf.key = optarg; break;
		case 'S': cf.server_key = optarg; break;
		case 'U': units = optarg; break;
		case 'T': tasks = optarg; break;
		case 'n':
			if (lg_num(optarg, 1, 1024, &v) < 0) bad = "--clients";
			cf.clients = (int)v;
			break;
		case 'j':
			if (lg_num(optarg, 1, 1024, &v) < 0) bad = "--threads";
			cf.threads = (int)v;
			break;
		case 'i':
			if (lg_num(optarg, 1, 100000, &v) < 0) bad = "--inflight";
			cf.inflight = (int)v;
			break;
		case 'b':
			if (lg_num(optarg, 1, LG_MAX_BATCH, &v) < 0) bad = "--batch";
			cf.batch = (int)v;
			break;
		case 't':
			if (lg_num(optarg, 1, 1e15, &v) < 0) bad = "--total";
			cf.total = (uint64_t)v;
			total_set = 1;
			break;
		case 'd':
			if (lg_num(optarg, 0.001, 1e6, &v) < 0) bad = "--duration";
			cf.duration = v;
			break;
		case 'r':
			if (lg_num(optarg, 0.001, 1e9, &v) < 0) bad = "--rate";
			cf.rate = v;
			break;
		case 's':
			if (lg_num(optarg, 0, 1e18, &v) < 0) bad = "--seq-base";
			cf.seq_base = (uint64_t)v;
			break;
		case 'o':
			if (lg_num(optarg, 0.001, 1e6, &v) < 0) bad = "--timeout";
			cf.timeout = v;
			break;
		case 'h':
			lg_usage(stdout);
			return 0;
		default:
			lg_usage(stderr);
			return 64;
		}
		if (bad != NULL) {
			fprintf(stderr, "loadgen: bad %s: %s\n", bad, optarg);
			return 64;
		}
	}
	if (optind != argc || cf.connect == NULL) {
		lg_usage(stderr);
		return 64;
	}
	if (!total_set && cf.duration <= 0) {
		if (cf.rate > 0)
			cf.duration = 10;
		else
			cf.total = 1000000;
	}

	{
		char *du = lg_default_list('u', 12), *dt = lg_default_list('t', 10);
		int rc = (du == NULL || dt == NULL ||
		          lg_split(units ? units : du, &cf.units, &cf.n_units) < 0 ||
		          lg_split(tasks ? tasks : dt, &cf.tasks, &cf.n_tasks) < 0);

		free(du);
		free(dt);
		if (rc) {
			fprintf(stderr, "loadgen: bad --units or --tasks\n");
			return 64;
		}
	}

	lg_raise_nofile();
	if (cf.threads == 0 || cf.threads > cf.clients)
		cf.threads = cf.clients < 8 ? cf.clients : 8;
	run.zctx = zmq_ctx_new();
	/* 1,000 clients are 1,000 sockets: past ZeroMQ's default of 1,023
	 * once its own are counted. */
	if (run.zctx != NULL)
		zmq_ctx_set(run.zctx, ZMQ_MAX_SOCKETS, cf.clients + 64);
	cl = calloc((size_t)cf.clients, sizeof *cl);
	if (run.zctx == NULL || cl == NULL ||
	    pthread_barrier_init(&run.ready, NULL, (unsigned)cf.threads) != 0) {
		fprintf(stderr, "loadgen: cannot set up: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < cf.clients; i++) {
		struct lg_client *c = &cl[i];

		c->run = &run;
		c->idx = i;
		snprintf(c->name, sizeof c->name, "%s-%d", cf.name, i);
		c->quota = cf.total ? cf.total / (uint64_t)cf.clients +
		           ((uint64_t)i < cf.total % (uint64_t)cf.clients) : UINT64_MAX;
		c->reports = calloc((size_t)cf.batch, sizeof *c->reports);
		c->report_ptrs = calloc((size_t)cf.batch, sizeof *c->report_ptrs);
		if (c->reports == NULL || c->report_ptrs == NULL) {
			fprintf(stderr, "loadgen: out of memory\n");
			return 1;
		}
		for (int k = 0; k < cf.batch; k++) {
			tiendo__report__init(&c->reports[k]);
			c->report_ptrs[k] = &c->reports[k];
		}
	}
	/* Small stacks: only a few buffers live on them. */
	pthread_attr_t attr;
	struct lg_thread *th = calloc((size_t)cf.threads, sizeof *th);
	if (th == NULL || pthread_attr_init(&attr) != 0 ||
	    pthread_attr_setstacksize(&attr, 256 * 1024) != 0) {
		fprintf(stderr, "loadgen: cannot set up threads\n");
		return 1;
	}
	for (int i = 0, first = 0; i < cf.threads; i++) {
		int n = cf.clients / cf.threads + (i < cf.clients % cf.threads);

		th[i] = (struct lg_thread){ .run = &run, .cl = &cl[first], .n = n };
		first += n;
		if (pthread_create(&th[i].thread, &attr, lg_thread_main, &th[i]) != 0) {
			fprintf(stderr, "loadgen: pthread_create failed\n");
			return 1;
		}
	}
	pthread_attr_destroy(&attr);
	for (int i = 0; i < cf.threads; i++)
		pthread_join(th[i].thread, NULL);
	free(th);

	for (int i = 0; i < cf.clients; i++) {
		struct lg_client *c = &cl[i];
		uint64_t unacked = 0;

		for (size_t k = 0; k < c->n_batches; k++)
			if (!c->batches[k].acked)
				unacked += c->batches[k].n;
		if (unacked > 0)
			fprintf(stderr, "loadgen: %s: %" PRIu64 " reports never "
			        "acked\n", c->name, unacked);
		sent += c->queued;
		bytes += c->bytes;
		n_batches += c->n_batches;
		accepted += c->accepted;
		errors += c->errors + unacked;
		n_lat += c->n_lat;
		failed |= c->failed;
		if (c->last_ack > end)
			end = c->last_ack;
	}
	lat = malloc((n_lat ? n_lat : 1) * sizeof *lat);
	if (lat == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		return 1;
	}
	n_lat = 0;
	for (int i = 0; i < cf.clients; i++) {
		memcpy(lat + n_lat, cl[i].lat, cl[i].n_lat * sizeof *lat);
		n_lat += cl[i].n_lat;
	}
	qsort(lat, n_lat, sizeof *lat, lg_cmp_i64);
	secs = end > run.start ? (double)(end - run.start) / 1e9 : 0;

	if (cf.rate > 0)
		printf("loadgen: %d clients, batches of %d, offered %.0f reports/s "
		       "-> %s\n", cf.clients, cf.batch, cf.rate, cf.connect);
	else
		printf("loadgen: %d clients x %d in flight x %d reports -> %s\n",
		       cf.clients, cf.inflight, cf.batch, cf.connect);
	printf("loadgen: %" PRIu64 " reports sent, %" PRIu64 " accepted, %"
	       PRIu64 " errors in %.3f s: %.0f reports/s\n", sent, accepted,
	       errors, secs, secs > 0 ? (double)accepted / secs : 0.0);
	printf("loadgen: ack latency over %zu batches: p50 %.3f ms, p90 %.3f ms, "
	       "p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n", n_lat,
	       lg_pct_ms(lat, n_lat, 0.50), lg_pct_ms(lat, n_lat, 0.90),
	       lg_pct_ms(lat, n_lat, 0.99), lg_pct_ms(lat, n_lat, 0.999),
	       lg_pct_ms(lat, n_lat, 1.0));
	printf("result sent=%" PRIu64 " accepted=%" PRIu64 " errors=%" PRIu64
	       " seconds=%.3f rate=%.0f batches=%zu p50_ms=%.3f p90_ms=%.3f "
	       "p99_ms=%.3f p999_ms=%.3f max_ms=%.3f msg_bytes=%.0f cpu_s=%.2f\n", sent, accepted, errors,
	       secs, secs > 0 ? (double)accepted / secs : 0.0, n_lat,
	       lg_pct_ms(lat, n_lat, 0.50), lg_pct_ms(lat, n_lat, 0.90),
	       lg_pct_ms(lat, n_lat, 0.99), lg_pct_ms(lat, n_lat, 0.999),
	       lg_pct_ms(lat, n_lat, 1.0),
	       n_batches ? (double)bytes / (double)n_batches : 0.0, lg_cpu_s());
	fflush(stdout);

	for (int i = 0; i < cf.clients; i++) {
		free(cl[i].batches);
		free(cl[i].lat);
		free(cl[i].reports);
		free(cl[i].report_ptrs);
		free(cl[i].buf);
	}
	free(cl);
	free(lat);
	lg_free_list(cf.units, cf.n_units);
	lg_free_list(cf.tasks, cf.n_tasks);
	pthread_barrier_destroy(&run.ready);
	zmq_ctx_term(run.zctx);
	return failed || errors > 0 || accepted != sent ? 1 : 0;
}
