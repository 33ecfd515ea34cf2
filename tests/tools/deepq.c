/*
 * deepq - a deep ingest queue for tests: several DEALERs each send many
 * batches at once, without waiting for acks, then count the replies.
 *
 *   deepq [--dealers N] [--batches M] [--reports K] [--ready FILE]
 *         [--quiet-ms MS] ENDPOINT
 *
 * Dealer d is client "dq<d>"; its batch b has batch_id b + 1 and reports
 * seq b*K+1 .. b*K+K, ADD 1 to cay/xa-a (the test plan).  Without CurveZMQ.
 * When every batch is handed to libzmq it creates FILE, then reads acks
 * until all came or none came for --quiet-ms (default 3000), and prints
 * "sent S ok A shutdown R other O missing X".  Exit 0, 1 on a ZMQ error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "tiendo.pb-c.h"

static long long
deepq_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
deepq_send(void *sock, int d, int b, int k, long long now_ms)
{
	Tiendo__Batch batch = TIENDO__BATCH__INIT;
	Tiendo__Report *r = calloc((size_t)k, sizeof *r);
	Tiendo__Report **rp = calloc((size_t)k, sizeof *rp);
	char client[32];
	uint8_t *buf;
	size_t len;
	int rc;

	if (r == NULL || rp == NULL) {
		free(r);
		free(rp);
		return -1;
	}
	snprintf(client, sizeof client, "dq%d", d);
	for (int i = 0; i < k; i++) {
		tiendo__report__init(&r[i]);
		r[i].seq = (uint64_t)b * (uint64_t)k + (uint64_t)i + 1;
		r[i].unit = "xa-a";
		r[i].task = "cay";
		r[i].value = "1";
		r[i].kind = TIENDO__KIND__KIND_ADD;
		r[i].observed_at = now_ms - 60000;
		rp[i] = &r[i];
	}
	batch.version = 1;
	batch.client = client;
	batch.batch_id = (uint64_t)b + 1;
	batch.n_reports = (size_t)k;
	batch.reports = rp;
	len = tiendo__batch__get_packed_size(&batch);
	buf = malloc(len);
	rc = -1;
	if (buf != NULL) {
		tiendo__batch__pack(&batch, buf);
		rc = zmq_send(sock, buf, len, 0) < 0 ? -1 : 0;
	}
	free(buf);
	free(r);
	free(rp);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dealers", required_argument, NULL, 'd' },
		{ "batches", required_argument, NULL, 'b' },
		{ "reports", required_argument, NULL, 'k' },
		{ "ready", required_argument, NULL, 'r' },
		{ "quiet-ms", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	int n = 4, m = 90, k = 1000, quiet = 3000, c, zero = 0;
	long ok = 0, shutdown = 0, other = 0, got = 0;
	const char *ready = NULL;
	void *ctx, **socks;
	zmq_pollitem_t *items;
	long long last;
	struct timespec ts;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': n = atoi(optarg); break;
		case 'b': m = atoi(optarg); break;
		case 'k': k = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'q': quiet = atoi(optarg); break;
		default: return 64;
		}
	}
	if (optind != argc - 1 || n < 1 || m < 1 || k < 1) {
		fprintf(stderr, "usage: deepq [--dealers N] [--batches M] "
		        "[--reports K] [--ready FILE] [--quiet-ms MS] ENDPOINT\n");
		return 64;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ctx = zmq_ctx_new();
	socks = calloc((size_t)n, sizeof *socks);
	items = calloc((size_t)n, sizeof *items);
	if (ctx == NULL || socks == NULL || items == NULL)
		return 1;
	for (int d = 0; d < n; d++) {
		socks[d] = zmq_socket(ctx, ZMQ_DEALER);
		zmq_setsockopt(socks[d], ZMQ_SNDHWM, &zero, sizeof zero);
		zmq_setsockopt(socks[d], ZMQ_RCVHWM, &zero, sizeof zero);
		zmq_setsockopt(socks[d], ZMQ_LINGER, &zero, sizeof zero);
		if (zmq_connect(socks[d], argv[optind]) < 0) {
			fprintf(stderr, "deepq: %s: %s\n", argv[optind],
			        zmq_strerror(zmq_errno()));
			return 1;
		}
		items[d].socket = socks[d];
		items[d].events = ZMQ_POLLIN;
	}
	for (int b = 0; b < m; b++)
		for (int d = 0; d < n; d++)
			if (deepq_send(socks[d], d, b, k, (long long)ts.tv_sec *
			               1000 + ts.tv_nsec / 1000000) < 0) {
				fprintf(stderr, "deepq: send: %s\n",
				        zmq_strerror(zmq_errno()));
				return 1;
			}
	if (ready != NULL) {
		FILE *f = fopen(ready, "w");
		if (f != NULL)
			fclose(f);
	}
	last = deepq_ms();
	while (got < (long)n * m && deepq_ms() - last < quiet) {
		if (zmq_poll(items, n, 100) <= 0)
			continue;
		for (int d = 0; d < n; d++) {
			zmq_msg_t msg;
			Tiendo__Ack *ack;

			if (!(items[d].revents & ZMQ_POLLIN))
				continue;
			zmq_msg_init(&msg);
			if (zmq_msg_recv(&msg, socks[d], 0) < 0)
				continue;
			ack = tiendo__ack__unpack(NULL, zmq_msg_size(&msg),
			                          zmq_msg_data(&msg));
			got++;
			last = deepq_ms();
			if (ack && ack->status == TIENDO__STATUS__STATUS_OK)
				ok++;
			else if (ack && ack->status == TIENDO__STATUS__STATUS_RETRY &&
			         ack->error == TIENDO__BATCH_ERROR__BATCH_SHUTDOWN)
				shutdown++;
			else
				other++;
			tiendo__ack__free_unpacked(ack, NULL);
			zmq_msg_close(&msg);
		}
	}
	printf("sent %ld ok %ld shutdown %ld other %ld missing %ld\n",
	       (long)n * m, ok, shutdown, other, (long)n * m - got);
	for (int d = 0; d < n; d++)
		zmq_close(socks[d]);
	zmq_ctx_term(ctx);
	free(socks);
	free(items);
	return 0;
}
