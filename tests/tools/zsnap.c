/*
 * zsnap - a protocol probe for tests: sends one hand-made request to a
 * tiendod snapshot endpoint (PROTOCOL.md 4.4) and prints the reply.
 *
 *   zsnap [--since N] [--version V] [--garbage N] [--timeout MS]
 *         [--plain] ENDPOINT
 *
 *   --since N      SnapshotRequest.since (default 0)
 *   --version V    SnapshotRequest.version (default 1)
 *   --garbage N    send N bytes of junk instead of a SnapshotRequest
 *   --timeout MS   wait this long for each part (default 5000)
 *   --plain        no CurveZMQ, whatever the environment says; else the
 *                  key "sub" of $TIENDO_KEY and $TIENDO_SERVER_KEY
 *
 * Prints one line per part, "part SEQ replay=R last=L alerts=K error=E",
 * then "alert SEQ" for each alert of the part.  Exit 0 once the part with
 * last = true came, 2 on timeout or a reply that does not decode, 64 on
 * bad usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "keys.h"
#include "tiendo.pb-c.h"

/* Prints the parts of one reply until its last.  0, or 2. */
static int
print_reply(void *sock)
{
	for (;;) {
		zmq_msg_t m;
		Tiendo__Snapshot *s;
		int last;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			fprintf(stderr, "zsnap: no reply\n");
			return 2;
		}
		s = tiendo__snapshot__unpack(NULL, zmq_msg_size(&m),
		                             zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (s == NULL) {
			fprintf(stderr, "zsnap: reply is not a Snapshot\n");
			return 2;
		}
		printf("part %llu replay=%d last=%d alerts=%zu error=%s\n",
		       (unsigned long long)s->seq, (int)s->replay, (int)s->last,
		       s->n_alerts, s->error);
		for (size_t i = 0; i < s->n_alerts; i++)
			printf("alert %llu\n", (unsigned long long)s->alerts[i]->seq);
		last = s->last;
		tiendo__snapshot__free_unpacked(s, NULL);
		if (last)
			return 0;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "version", required_argument, NULL, 'v' },
		{ "garbage", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "plain", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	Tiendo__SnapshotRequest rq = TIENDO__SNAPSHOT_REQUEST__INIT;
	const char *key = getenv(KEYS_ENV_KEY);
	const char *server_key = getenv(KEYS_ENV_SERVER_KEY);
	long garbage = -1;
	int timeout = 5000, zero = 0, c, rc;
	uint8_t buf[4096];
	size_t len;
	char *err = NULL;
	void *ctx, *sock;

	rq.version = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': rq.since = strtoull(optarg, NULL, 10); break;
		case 'v': rq.version = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'g': garbage = atol(optarg); break;
		case 't': timeout = atoi(optarg); break;
		case 'P': key = server_key = NULL; break;
		default: return 64;
		}
	}
	if (optind + 1 != argc || garbage > (long)sizeof buf) {
		fprintf(stderr, "usage: zsnap [--since N] [--version V] "
		        "[--garbage N<=4096] [--timeout MS] [--plain] ENDPOINT\n");
		return 64;
	}
	if (garbage >= 0) {
		len = (size_t)garbage;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(0xff - i % 7);
	} else {
		len = tiendo__snapshot_request__pack(&rq, buf);
	}
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	if (sock == NULL ||
	    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) < 0 ||
	    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout) < 0) {
		fprintf(stderr, "zsnap: socket: %s\n", zmq_strerror(zmq_errno()));
		return 64;
	}
	if (keys_client_setup(sock, key, server_key, "sub", &err) < 0) {
		fprintf(stderr, "zsnap: %s\n", err ? err : "out of memory");
		return 64;
	}
	if (zmq_connect(sock, argv[optind]) < 0 ||
	    zmq_send(sock, buf, len, 0) < 0) {
		fprintf(stderr, "zsnap: %s: %s\n", argv[optind],
		        zmq_strerror(zmq_errno()));
		return 64;
	}
	rc = print_reply(sock);
	fflush(stdout);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	free(err);
	return rc;
}
