/*
 * slowloris - holds many HTTP connections open by trickling a request that
 * never ends, one header byte every --interval ms (loopback only), and
 * counts how many the server closes and when.
 *
 *   slowloris [--connections N] [--interval MS] [--hold SECONDS]
 *             [--ready FILE] http://IPv4:PORT
 *
 * When all are open it creates FILE (if given), then trickles for up to
 * --hold seconds and prints "opened N closed_by_peer K last_close_ms T"
 * (T: ms from the first connection to the last close seen).  Exit 0, or 1
 * when it could not open them all.
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

/* The next byte of an endless request: a first line, then one header that
 * never ends. */
static char
next_byte(size_t i)
{
	static const char head[] = "GET /healthz HTTP/1.1\r\nX-Slow: ";

	return i < sizeof head - 1 ? head[i] : 'a';
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connections", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'h' },
		{ "ready", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int n = 100, interval = 1000, hold = 10, c, port, open_n = 0, closed = 0;
	const char *ready = NULL;
	char host[64];
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct pollfd *pf;
	size_t *sent;
	struct rlimit rl;
	long long start, end, last_close = 0, next_tick;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'i': interval = atoi(optarg); break;
		case 'h': hold = atoi(optarg); break;
		case 'r': ready = optarg; break;
		default: return 64;
		}
	}
	if (optind + 1 != argc ||
	    sscanf(argv[optind], "http://%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (ntohl(sa.sin_addr.s_addr) >> 24) != 127 || n < 1 || n > 20000 ||
	    interval < 1 || hold < 1 || hold > 600) {
		fprintf(stderr, "usage: slowloris [--connections N<=20000] "
		        "[--interval MS] [--hold S<=600] [--ready FILE] "
		        "http://127.x.x.x:PORT\n");
		return 64;
	}
	sa.sin_port = htons((unsigned short)port);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	pf = calloc((size_t)n, sizeof *pf);
	sent = calloc((size_t)n, sizeof *sent);
	if (pf == NULL || sent == NULL)
		return 1;
	start = mono_ms();
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		pf[i].fd = -1;
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			fprintf(stderr, "slowloris: connection %d: %s\n", i,
			        strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
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
	next_tick = mono_ms();
	while (closed < open_n) {
		long long now = mono_ms(), wait;

		if (now >= end)
			break;
		if (now >= next_tick) {
			for (int i = 0; i < n; i++) {
				char b = next_byte(sent[i]);
				if (pf[i].fd >= 0 && send(pf[i].fd, &b, 1,
				                          MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
					sent[i]++;
			}
			next_tick = now + interval;
		}
		wait = (next_tick < end ? next_tick : end) - now;
		if (poll(pf, (nfds_t)n, (int)(wait > 0 ? wait : 0)) < 0 &&
		    errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			char buf[4096];
			ssize_t r;

			if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* A reply (408, 400) is data; EOF or an error is the
			 * server closing. */
			r = recv(pf[i].fd, buf, sizeof buf, MSG_DONTWAIT);
			if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				closed++;
				last_close = mono_ms() - start;
			}
		}
	}
	printf("opened %d closed_by_peer %d last_close_ms %lld\n", open_n, closed,
	       last_close);
	for (int i = 0; i < n; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	free(pf);
	free(sent);
	return open_n == n ? 0 : 1;
}
