/*
 * rawflood - opens many raw TCP connections to a ZeroMQ listener that never
 * finish a handshake (CVE-2020-15166's case), holds them, and counts how
 * many the server closes.
 *
 *   rawflood [--connections N] [--hold SECONDS] [--ready FILE] [--from IP]
 *            tcp://HOST:PORT
 *
 * A third of the connections send nothing, a third send garbage, a third
 * send the first bytes of a ZMTP greeting and stall.  When all are open it
 * creates FILE (if given), then waits up to --hold seconds, and prints
 * "opened N closed_by_peer K" (K: connections the server closed).  --from
 * binds the connections to that source address (127.0.0.2: another host
 * than the real clients on 127.0.0.1).  Exit 0,
 * or 1 when it could not open them all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connections", required_argument, NULL, 'n' },
		{ "hold", required_argument, NULL, 'h' },
		{ "ready", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	/* ZMTP 3 greeting: signature, then version; we stop after 11 bytes. */
	static const unsigned char greeting[] = {
		0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3,
	};
	int n = 1000, hold = 15, c, port, open_n = 0, closed = 0;
	const char *ready = NULL, *from = NULL;
	struct sockaddr_in src = { .sin_family = AF_INET };
	char host[64];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd *pf;
	struct rlimit rl;
	long long end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'h': hold = atoi(optarg); break;
		case 'r': ready = optarg; break;
		case 'f': from = optarg; break;
		default: return 64;
		}
	}
	if (optind + 1 != argc ||
	    sscanf(argv[optind], "tcp://%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1 || n < 1) {
		fprintf(stderr, "usage: rawflood [--connections N] [--hold S] "
		        "[--ready FILE] [--from IP] tcp://IPv4:PORT\n");
		return 64;
	}
	sa.sin_port = htons((unsigned short)port);
	if (from && inet_pton(AF_INET, from, &src.sin_addr) != 1) {
		fprintf(stderr, "--from %s: not an IPv4 address\n", from);
		return 64;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((pf = calloc((size_t)n, sizeof *pf)) == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		pf[i].fd = -1;
		if (fd < 0 || (from && bind(fd, (struct sockaddr *)&src,
		                            sizeof src) < 0) ||
		    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			fprintf(stderr, "rawflood: connection %d: %s\n", i,
			        strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		if (i % 3 == 1) {
			unsigned char junk[64];
			for (size_t k = 0; k < sizeof junk; k++)
				junk[k] = (unsigned char)(rand() & 0xff);
			junk[0] = 0x01; /* not the greeting's 0xff */
			if (write(fd, junk, sizeof junk) < 0)
				{ /* the server may already have hung up */ }
		} else if (i % 3 == 2) {
			if (write(fd, greeting, sizeof greeting) < 0)
				{ /* likewise */ }
		}
		pf[i].fd = fd;
		pf[i].events = POLLIN;
		open_n++;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	end = mono_ms() + hold * 1000LL;
	while (closed < open_n) {
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
			/* The server's greeting is data; EOF or an error is
			 * the server closing. */
			r = read(pf[i].fd, buf, sizeof buf);
			if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				closed++;
			}
		}
	}
	printf("opened %d closed_by_peer %d\n", open_n, closed);
	for (int i = 0; i < n; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(pf);
	return open_n == n ? 0 : 1;
}
