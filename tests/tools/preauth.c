/*
 * preauth - unauthenticated peers that make a ZeroMQ listener allocate
 * before any key is checked (loopback only): each sends a ZMTP 3.0 greeting
 * for CURVE, then a command frame that declares --declare bytes, sends
 * --body bytes of it, and stalls.
 *
 *   preauth [--connections N] [--declare BYTES] [--body BYTES]
 *           [--hold SECONDS] [--ready FILE] [--from IP] tcp://127.x.x.x:PORT
 *
 * Creates FILE (if given) once every peer has sent what it sends, holds
 * the connections up to --hold seconds and prints "opened N reset_at_once
 * R closed_by_peer K" (R: closed before the body was sent: the declared
 * size was refused at once).  --from binds the connections to that source
 * address (127.0.0.2: another host than the real clients).  Exit 0, or 1 when not all could be opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends all of buf unless the peer hangs up: 0, or -1. */
static int
send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connections", required_argument, NULL, 'n' },
		{ "declare", required_argument, NULL, 'd' },
		{ "body", required_argument, NULL, 'b' },
		{ "hold", required_argument, NULL, 'h' },
		{ "ready", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char greeting[64] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0 };
	unsigned char head[9];
	static char zeros[65536];
	long long declare = 4 * 1024 * 1024 - 64, body = 0, end;
	int n = 100, hold = 10, c, port, open_n = 0, reset = 0, closed = 0;
	const char *ready = NULL, *from = NULL;
	struct sockaddr_in src = { .sin_family = AF_INET };
	char host[64];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd *pf;
	struct rlimit rl;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'd': declare = atoll(optarg); break;
		case 'b': body = atoll(optarg); break;
		case 'h': hold = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'f': from = optarg; break;
		default: return 64;
		}
	}
	if (optind + 1 != argc ||
	    sscanf(argv[optind], "tcp://%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127 || n < 1 || n > 10000 ||
	    declare < 256 || body < 0 || body >= declare ||
	    body > 64LL * 1024 * 1024 || hold < 0 || hold > 600) {
		fprintf(stderr, "usage: preauth [--connections N<=10000] "
		        "[--declare BYTES] [--body BYTES<DECLARE] [--hold S] "
		        "[--ready FILE] tcp://127.x.x.x:PORT\n");
		return 64;
	}
	sa.sin_port = htons((unsigned short)port);
	if (from && inet_pton(AF_INET, from, &src.sin_addr) != 1) {
		fprintf(stderr, "--from %s: not an IPv4 address\n", from);
		return 64;
	}
	memcpy(greeting + 12, "CURVE", 5);      /* mechanism, 20 bytes */
	head[0] = 0x06;                          /* command, long size */
	for (int i = 0; i < 8; i++)
		head[1 + i] = (unsigned char)((unsigned long long)declare >> (56 - 8 * i));
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((pf = calloc((size_t)n, sizeof *pf)) == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		long long left = body;
		int ok;

		pf[i].fd = -1;
		if (fd < 0 || (from && bind(fd, (struct sockaddr *)&src,
		                            sizeof src) < 0) ||
		    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			fprintf(stderr, "preauth: connection %d: %s\n", i,
			        strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		ok = send_all(fd, greeting, sizeof greeting) == 0 &&
		     send_all(fd, head, sizeof head) == 0;
		while (ok && left > 0) {
			size_t k = left > (long long)sizeof zeros ? sizeof zeros
			                                          : (size_t)left;
			ok = send_all(fd, zeros, k) == 0;
			left -= (long long)k;
		}
		open_n++;
		if (!ok) {
			reset++;
			close(fd);
			continue;
		}
		pf[i].fd = fd;
		pf[i].events = POLLIN;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	end = mono_ms() + hold * 1000LL;
	while (closed + reset < open_n) {
		long long left = end - mono_ms();
		if (left <= 0)
			break;
		if (poll(pf, (nfds_t)n, (int)(left > 1000 ? 1000 : left)) < 0 &&
		    errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			char buf[4096];
			ssize_t r;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(pf[i].fd, buf, sizeof buf, MSG_DONTWAIT);
			if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				closed++;
			}
		}
	}
	printf("opened %d reset_at_once %d closed_by_peer %d\n", open_n, reset,
	       closed);
	for (int i = 0; i < n; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(pf);
	return open_n == n ? 0 : 1;
}
