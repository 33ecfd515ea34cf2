/*
 * snapflood - an authorised subscriber misbehaving on the snapshot socket
 * (loopback tests and the bench only): asks once and reads the answer,
 * then sends --requests more without reading a single reply, holds the
 * connection, and optionally asks again on the same connection later.
 *
 *   snapflood [--name NAME] [--requests N] [--seconds S] [--hold S]
 *             [--ready FILE] [--ask-after FILE] [--timeout MS] ENDPOINT
 *
 * --name       whose key to use from $TIENDO_KEY (default "sub")
 * --requests   how many to send unread (default 0, at most 1000000), spread
 *              over --seconds (default 0: as fast as possible)
 * --hold       keep the connection open this long after the flood (default 0)
 * --ready      create FILE once the flood has been sent
 * --ask-after  wait (up to 60 s) until FILE exists, throw away the replies
 *              queued by then, and ask once more on the same connection
 *
 * Prints "first answered|unanswered", "sent N", and with --ask-after
 * "after answered|unanswered".  Exit 0, 2 when the first was unanswered,
 * 64 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "keys.h"
#include "tiendo.pb-c.h"

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads replies until one with last = true: 1 answered, 0 not in time. */
static int
await_reply(void *sock, int timeout)
{
	long long end = mono_ms() + timeout;

	for (;;) {
		zmq_msg_t m;
		Tiendo__Snapshot *s;
		int last, left = (int)(end - mono_ms());

		if (left <= 0)
			return 0;
		zmq_setsockopt(sock, ZMQ_RCVTIMEO, &left, sizeof left);
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			return 0;
		}
		s = tiendo__snapshot__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		last = s && s->last;
		tiendo__snapshot__free_unpacked(s, NULL);
		zmq_msg_close(&m);
		if (last)
			return 1;
	}
}

static void
drain(void *sock)
{
	zmq_msg_t m;

	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) >= 0)
		;
	zmq_msg_close(&m);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "requests", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "hold", required_argument, NULL, 'h' },
		{ "ready", required_argument, NULL, 'y' },
		{ "ask-after", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "sub", *ready = NULL, *ask_after = NULL;
	long requests = 0, seconds = 0, hold = 0;
	int timeout = 5000, c, zero = 0, big = 2000000, first;
	Tiendo__SnapshotRequest rq = TIENDO__SNAPSHOT_REQUEST__INIT;
	uint8_t buf[32];
	size_t len;
	long sent = 0;
	char *err = NULL;
	void *ctx, *sock;
	long long start;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'r': requests = atol(optarg); break;
		case 's': seconds = atol(optarg); break;
		case 'h': hold = atol(optarg); break;
		case 'y': ready = optarg; break;
		case 'a': ask_after = optarg; break;
		case 't': timeout = atoi(optarg); break;
		default: return 64;
		}
	}
	if (optind + 1 != argc || strncmp(argv[optind], "tcp://127.", 10) != 0 ||
	    requests < 0 || requests > 1000000 || seconds < 0 || seconds > 600 ||
	    hold < 0 || hold > 600) {
		fprintf(stderr, "usage: snapflood [--name NAME] [--requests N] "
		        "[--seconds S] [--hold S] [--ready FILE] [--ask-after FILE] "
		        "[--timeout MS] tcp://127.x.x.x:PORT\n");
		return 64;
	}
	rq.version = 1;
	len = tiendo__snapshot_request__pack(&rq, buf);
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_SNDHWM, &big, sizeof big);
	/* Not reading: keep what arrives small on our side, so the replies
	 * pile up in the daemon, as a real stalled peer's would. */
	{
		int one = 1, small = 4096;
		zmq_setsockopt(sock, ZMQ_RCVHWM, &one, sizeof one);
		zmq_setsockopt(sock, ZMQ_RCVBUF, &small, sizeof small);
	}
	if (keys_client_setup(sock, getenv(KEYS_ENV_KEY),
	                      getenv(KEYS_ENV_SERVER_KEY), name, &err) < 0) {
		fprintf(stderr, "snapflood: %s\n", err ? err : "out of memory");
		return 64;
	}
	if (zmq_connect(sock, argv[optind]) < 0) {
		fprintf(stderr, "snapflood: connect: %s\n", zmq_strerror(errno));
		return 64;
	}
	if (zmq_send(sock, buf, len, 0) < 0)
		return 2;
	first = await_reply(sock, timeout);
	printf("first %s\n", first ? "answered" : "unanswered");
	fflush(stdout);
	start = mono_ms();
	while (sent < requests) {
		/* Spread over --seconds: send what is due by now. */
		long due = seconds ? (long)((mono_ms() - start) * requests /
		                            (seconds * 1000)) + 1 : requests;
		if (due > requests)
			due = requests;
		while (sent < due && zmq_send(sock, buf, len, ZMQ_DONTWAIT) >= 0)
			sent++;
		if (sent < requests)
			usleep(1000);
		if (mono_ms() - start > 1000LL * (seconds + 30))
			break;
	}
	printf("sent %ld\n", sent);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	if (hold)
		sleep((unsigned)hold);
	if (ask_after) {
		struct stat sb;
		long long end = mono_ms() + 60000;

		while (stat(ask_after, &sb) != 0 && mono_ms() < end)
			usleep(20000);
		drain(sock);
		if (zmq_send(sock, buf, len, 0) < 0)
			return 2;
		printf("after %s\n", await_reply(sock, timeout) ? "answered"
		                                                : "unanswered");
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return first ? 0 : 2;
}
