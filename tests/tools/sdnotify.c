/*
 * sdnotify - plays systemd's side of sd_notify(3) for tests.
 *
 *   sdnotify SOCKET [--on-ready CMD]
 *
 * Binds a unix datagram socket at SOCKET (set NOTIFY_SOCKET to it for the
 * daemon) and prints each datagram on one line, as
 *   MS MONO_US PAYLOAD
 * where MS is milliseconds since sdnotify started, MONO_US is
 * CLOCK_MONOTONIC in µs at receipt (to compare with MONOTONIC_USEC=), and
 * the payload's newlines are shown as spaces.  When a datagram holds
 * READY=1, CMD is run with sh -c before anything else is read, and
 * "on-ready rc=N" is printed: a test checks there that the daemon already
 * answers on every socket.  Runs until killed; exit 1 on setup errors.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
has_line(const char *buf, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = buf; (p = strstr(p, line)) != NULL; p++)
		if ((p == buf || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *on_ready = NULL;
	char buf[8192];
	double t0 = mono_us();
	int fd;

	if (argc == 4 && strcmp(argv[2], "--on-ready") == 0)
		on_ready = argv[3];
	else if (argc != 2) {
		fprintf(stderr, "usage: sdnotify SOCKET [--on-ready CMD]\n");
		return 64;
	}
	if (strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "sdnotify: %s: path too long\n", argv[1]);
		return 1;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "sdnotify: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening\n");
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		double now;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "sdnotify: recv: %s\n", strerror(errno));
			return 1;
		}
		now = mono_us();
		buf[n] = '\0';
		printf("%.3f %.0f ", (now - t0) / 1000, now);
		for (ssize_t i = 0; i < n; i++)
			putchar(buf[i] == '\n' ? ' ' : buf[i]);
		putchar('\n');
		if (on_ready && has_line(buf, "READY=1")) {
			int rc = system(on_ready);
			printf("on-ready rc=%d\n", WIFEXITED(rc) ? WEXITSTATUS(rc) : 128);
			on_ready = NULL;
		}
	}
}
