/*
 * zsink - a ROUTER that never answers, for watching what a client sends
 * when no acknowledgement comes (tests/integration/test_push_window.sh).
 *
 *   zsink ENDPOINT_FILE MS
 *
 * Binds a plain ROUTER on a free loopback port, writes its endpoint to
 * ENDPOINT_FILE (atomically), and for MS milliseconds prints each message
 * it receives on one line:
 *   MS PEER FRAMES BYTES
 * where MS is milliseconds since it started, PEER the routing id ZeroMQ
 * gave the connection (hex: a new one for each connection), FRAMES the
 * frames after it and BYTES the size of the last.  Exit 1 on setup errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int
write_endpoint(void *sock, const char *file)
{
	char ep[256], tmp[4096];
	size_t len = sizeof ep;
	FILE *f;

	if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len) != 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp", file);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%s\n", ep);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, file);
}

/* Receives one multipart message and prints its line. */
static int
record(void *sock, long long t0)
{
	char peer[2 * 256 + 1] = "";
	int frames = -1, more = 1;
	size_t bytes = 0;

	while (more) {
		zmq_msg_t m;
		size_t ml = sizeof more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0)
			return -1;
		if (frames < 0) {
			const unsigned char *p = zmq_msg_data(&m);
			for (size_t i = 0; i < zmq_msg_size(&m) && i < 256; i++)
				sprintf(peer + 2 * i, "%02x", p[i]);
		}
		bytes = zmq_msg_size(&m);
		frames++;
		zmq_msg_close(&m);
		if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &ml) != 0)
			return -1;
	}
	printf("%lld %s %d %zu\n", mono_ms() - t0, peer, frames, bytes);
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	long long t0 = mono_ms(), end;
	void *ctx, *sock;

	if (argc != 3) {
		fprintf(stderr, "usage: zsink ENDPOINT_FILE MS\n");
		return 1;
	}
	end = t0 + atoll(argv[2]);
	ctx = zmq_ctx_new();
	sock = ctx ? zmq_socket(ctx, ZMQ_ROUTER) : NULL;
	if (sock == NULL || zmq_bind(sock, "tcp://127.0.0.1:*") != 0 ||
	    write_endpoint(sock, argv[1]) != 0) {
		fprintf(stderr, "zsink: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	while (mono_ms() < end) {
		zmq_pollitem_t pi = { sock, 0, ZMQ_POLLIN, 0 };

		if (zmq_poll(&pi, 1, 50) < 0 || ((pi.revents & ZMQ_POLLIN) &&
		    record(sock, t0) != 0)) {
			fprintf(stderr, "zsink: %s\n", zmq_strerror(zmq_errno()));
			return 1;
		}
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return 0;
}
