/*
 * fdbudget.c - see fdbudget.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "fdbudget.h"
#include "log.h"

long
fdbudget_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
		return 1024;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			/* The unit's SystemCallFilter forbids it; its
			 * LimitNOFILE= has set both already. */
			log_info("cannot raise the descriptor limit from %llu to "
			         "%llu: %s", (unsigned long long)was,
			         (unsigned long long)rl.rlim_max, strerror(errno));
			rl.rlim_cur = was;
		}
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1L << 30
	       ? 1L << 30 : (long)rl.rlim_cur;
}

int
fdbudget_http(long nofile, int wanted, int *clamped)
{
	long spare = nofile - FDBUDGET_RESERVE;
	long most = spare / 2, n;

	*clamped = 0;
	if (wanted > 0) {
		n = wanted;
		if (n > most) {
			n = most;
			*clamped = 1;
		}
	} else {
		n = spare / 4;
		if (n > FDBUDGET_HTTP_DEFAULT_MAX)
			n = FDBUDGET_HTTP_DEFAULT_MAX;
	}
	if (n < 8) {
		*clamped = wanted > 0 && wanted != 8;
		n = 8;
	}
	return (int)n;
}
