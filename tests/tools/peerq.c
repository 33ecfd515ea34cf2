/*
 * peerq - one raw DEALER, for the tests of the per-peer queues
 * (tests/integration/test_peer_queue.sh): a client that sends batches and
 * reads its acks late, or never, or at once.
 *
 *   peerq [--client ID] [--unit U] [--batches N] [--reports K]
 *         [--seq-base S] [--bad B] [--window W] [--warmup M] [--rcvhwm H]
 *         [--rcvbuf BYTES] [--ready FILE] [--go FILE] [--sent FILE]
 *         [--hold FILE] [--until FILE] [--quiet-ms MS] ENDPOINT
 *
 * Batch b (from 0) has batch_id b + 1 and the reports seq S + b*K + 1 ..
 * S + b*K + K, each ADD 1 to cay/U (default xa-a, the test plan), from
 * client ID (default "pq").  Without CurveZMQ.
 *
 *   --bad B        the last B reports of each batch are for a unit not in
 *                  the plan, a 64-character code: each is answered
 *                  REJECTED with a reason of about 100 bytes, so the acks
 *                  are big and fill the kernel's buffers quickly
 *
 *   --warmup M     first M batches one at a time, each waiting for its ack
 *                  (traffic on the connection before the main phase)
 *   --ready FILE   created after the warm-up
 *   --go FILE      the main phase waits until FILE exists
 *   --window W     main phase: at most W batches unacked (0, the default:
 *                  all N sent without reading anything)
 *   --sent FILE    created when every batch is handed to libzmq
 *   --hold FILE    then read nothing until FILE exists
 *   --until FILE   with a window: send until FILE exists (N at most)
 *   --rcvhwm H, --rcvbuf BYTES  the DEALER's ZMQ_RCVHWM and ZMQ_RCVBUF
 *                  (a reader that takes little off the daemon)
 *
 * Then it reads acks until every batch sent has one or none came for
 * --quiet-ms (default 3000), and prints
 *   sent S acks A accepted X duplicate D rejected R other O max_ms L
 * (A: acks received; X, D, R: reports; O: acks not STATUS_OK; L: the longest
 * time from a batch's send to its ack).  Exit 0, 1 on a ZeroMQ error, 64 on
 * bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "tiendo.pb-c.h"

#define BAD_UNIT "not-in-the-plan-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

struct pq {
	void *sock;
	const char *client, *unit;
	int k, bad;
	unsigned long long seq_base;
	long long *t_sent;     /* per batch, ms; 0: not sent */
	long sent, acks, accepted, duplicate, rejected, other;
	long long max_ms;
};

static long long
pq_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
pq_nap(void)
{
	struct timespec ts = { 0, 20 * 1000000 };

	nanosleep(&ts, NULL);
}

static int
pq_exists(const char *file)
{
	return access(file, F_OK) == 0;
}

static int
pq_touch(const char *file)
{
	FILE *f;

	if (file == NULL)
		return 0;
	if ((f = fopen(file, "w")) == NULL || fclose(f) != 0) {
		fprintf(stderr, "peerq: %s: %s\n", file, strerror(errno));
		return -1;
	}
	return 0;
}

static int
pq_send(struct pq *q, int b)
{
	Tiendo__Batch batch = TIENDO__BATCH__INIT;
	Tiendo__Report *r = calloc((size_t)q->k, sizeof *r);
	Tiendo__Report **rp = calloc((size_t)q->k, sizeof *rp);
	struct timespec ts;
	uint8_t *buf = NULL;
	size_t len;
	int rc = -1;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (r == NULL || rp == NULL)
		goto out;
	for (int i = 0; i < q->k; i++) {
		tiendo__report__init(&r[i]);
		r[i].seq = q->seq_base + (unsigned long long)b * (unsigned)q->k +
		           (unsigned)i + 1;
		r[i].unit = i >= q->k - q->bad ? BAD_UNIT : (char *)q->unit;
		r[i].task = "cay";
		r[i].value = "1";
		r[i].kind = TIENDO__KIND__KIND_ADD;
		r[i].observed_at = (int64_t)ts.tv_sec * 1000 - 60000;
		rp[i] = &r[i];
	}
	batch.version = 1;
	batch.client = (char *)q->client;
	batch.batch_id = (uint64_t)b + 1;
	batch.n_reports = (size_t)q->k;
	batch.reports = rp;
	len = tiendo__batch__get_packed_size(&batch);
	if ((buf = malloc(len)) == NULL)
		goto out;
	tiendo__batch__pack(&batch, buf);
	q->t_sent[b] = pq_ms();
	if (zmq_send(q->sock, buf, len, 0) < 0) {
		fprintf(stderr, "peerq: send: %s\n", zmq_strerror(errno));
		goto out;
	}
	q->sent++;
	rc = 0;
out:
	free(buf);
	free(r);
	free(rp);
	return rc;
}

/* Waits up to MS for one ack and counts it.  1: one came, 0: none. */
static int
pq_recv(struct pq *q, int ms, int n)
{
	zmq_pollitem_t item = { q->sock, 0, ZMQ_POLLIN, 0 };
	zmq_msg_t msg;
	Tiendo__Ack *ack;

	if (zmq_poll(&item, 1, ms) <= 0 || !(item.revents & ZMQ_POLLIN))
		return 0;
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, q->sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return 0;
	}
	ack = tiendo__ack__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
	zmq_msg_close(&msg);
	q->acks++;
	if (ack == NULL || ack->status != TIENDO__STATUS__STATUS_OK) {
		q->other++;
	} else {
		for (size_t i = 0; i < ack->n_reports; i++) {
			if (ack->reports[i]->fate == TIENDO__FATE__FATE_ACCEPTED)
				q->accepted++;
			else if (ack->reports[i]->fate == TIENDO__FATE__FATE_DUPLICATE)
				q->duplicate++;
			else
				q->rejected++;
		}
	}
	if (ack != NULL && ack->batch_id >= 1 && ack->batch_id <= (uint64_t)n &&
	    q->t_sent[ack->batch_id - 1] > 0) {
		long long lat = pq_ms() - q->t_sent[ack->batch_id - 1];
		if (lat > q->max_ms)
			q->max_ms = lat;
	}
	tiendo__ack__free_unpacked(ack, NULL);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "client", required_argument, NULL, 'c' },
		{ "unit", required_argument, NULL, 'u' },
		{ "batches", required_argument, NULL, 'b' },
		{ "reports", required_argument, NULL, 'k' },
		{ "seq-base", required_argument, NULL, 's' },
		{ "bad", required_argument, NULL, 'x' },
		{ "window", required_argument, NULL, 'w' },
		{ "warmup", required_argument, NULL, 'm' },
		{ "rcvhwm", required_argument, NULL, 'H' },
		{ "rcvbuf", required_argument, NULL, 'B' },
		{ "ready", required_argument, NULL, 'r' },
		{ "go", required_argument, NULL, 'g' },
		{ "sent", required_argument, NULL, 'S' },
		{ "hold", required_argument, NULL, 'h' },
		{ "until", required_argument, NULL, 'U' },
		{ "quiet-ms", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct pq q = { .client = "pq", .unit = "xa-a", .k = 1 };
	const char *ready = NULL, *go = NULL, *sent = NULL, *hold = NULL,
	           *until = NULL;
	int n = 100, window = 0, warmup = 0, rcvhwm = -1, rcvbuf = -1;
	int quiet = 3000, zero = 0, c, b;
	long long last;
	void *ctx;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': q.client = optarg; break;
		case 'u': q.unit = optarg; break;
		case 'b': n = atoi(optarg); break;
		case 'k': q.k = atoi(optarg); break;
		case 's': q.seq_base = strtoull(optarg, NULL, 10); break;
		case 'x': q.bad = atoi(optarg); break;
		case 'w': window = atoi(optarg); break;
		case 'm': warmup = atoi(optarg); break;
		case 'H': rcvhwm = atoi(optarg); break;
		case 'B': rcvbuf = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'g': go = optarg; break;
		case 'S': sent = optarg; break;
		case 'h': hold = optarg; break;
		case 'U': until = optarg; break;
		case 'q': quiet = atoi(optarg); break;
		default: return 64;
		}
	}
	if (optind != argc - 1 || n < 1 || q.k < 1 || window < 0 ||
	    q.bad < 0 || q.bad > q.k ||
	    warmup < 0 || (until && window == 0)) {
		fprintf(stderr, "usage: peerq [--client ID] [--unit U] "
		        "[--batches N] [--reports K] [--seq-base S] [--bad B] "
		        "[--window W] "
		        "[--warmup M] [--rcvhwm H] [--rcvbuf BYTES] [--ready FILE] "
		        "[--go FILE] [--sent FILE] [--hold FILE] [--until FILE] "
		        "[--quiet-ms MS] ENDPOINT\n");
		return 64;
	}
	if ((q.t_sent = calloc((size_t)(warmup + n), sizeof *q.t_sent)) == NULL ||
	    (ctx = zmq_ctx_new()) == NULL ||
	    (q.sock = zmq_socket(ctx, ZMQ_DEALER)) == NULL)
		return 1;
	/* Our own send queue unbounded: every batch leaves at once, and
	 * the daemon's queues are the ones under test. */
	if (zmq_setsockopt(q.sock, ZMQ_SNDHWM, &zero, sizeof zero) < 0 ||
	    zmq_setsockopt(q.sock, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    (rcvhwm >= 0 && zmq_setsockopt(q.sock, ZMQ_RCVHWM, &rcvhwm,
	                                   sizeof rcvhwm) < 0) ||
	    (rcvbuf >= 0 && zmq_setsockopt(q.sock, ZMQ_RCVBUF, &rcvbuf,
	                                   sizeof rcvbuf) < 0) ||
	    zmq_connect(q.sock, argv[optind]) < 0) {
		fprintf(stderr, "peerq: %s: %s\n", argv[optind],
		        zmq_strerror(errno));
		return 1;
	}
	/* The warm-up batches are b = 0 .. M-1; the main phase follows. */
	for (b = 0; b < warmup; b++) {
		if (pq_send(&q, b) < 0)
			return 1;
		if (!pq_recv(&q, 10000, warmup + n)) {
			fprintf(stderr, "peerq: no ack for warm-up batch %d\n", b + 1);
			return 1;
		}
	}
	if (pq_touch(ready) < 0)
		return 1;
	while (go && !pq_exists(go))
		pq_nap();
	for (; b < warmup + n; b++) {
		if (until && pq_exists(until))
			break;
		while (window > 0 && q.sent - q.acks >= window)
			if (!pq_recv(&q, quiet, warmup + n))
				goto sent; /* an ack lost: stop, and say so */
		if (pq_send(&q, b) < 0)
			return 1;
	}
sent:
	if (pq_touch(sent) < 0)
		return 1;
	while (hold && !pq_exists(hold))
		pq_nap();
	last = pq_ms();
	while (q.acks < q.sent && pq_ms() - last < quiet)
		if (pq_recv(&q, 100, warmup + n))
			last = pq_ms();
	printf("sent %ld acks %ld accepted %ld duplicate %ld rejected %ld "
	       "other %ld max_ms %lld\n", q.sent, q.acks, q.accepted,
	       q.duplicate, q.rejected, q.other, q.max_ms);
	zmq_close(q.sock);
	zmq_ctx_term(ctx);
	free(q.t_sent);
	return 0;
}
