/*
 * log.c - stderr logging with journald priority prefixes.
 *
 * Under systemd stderr goes to the journal, which reads the "<N>" prefix as
 * the priority; on a terminal the prefix is still short and readable.  One
 * write(2) per line, so lines from a crash are not interleaved.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "ratelimit.h"

static enum log_level log_level = LOG_LVL_INFO;
static log_capture_fn log_capture_to;
static void *log_capture_arg;

void
log_capture(log_capture_fn fn, void *arg)
{
	log_capture_to = fn;
	log_capture_arg = arg;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

int
log_level_parse(const char *name)
{
	static const struct { const char *name; int level; } names[] = {
		{ "err", LOG_LVL_ERR }, { "error", LOG_LVL_ERR },
		{ "warning", LOG_LVL_WARNING }, { "warn", LOG_LVL_WARNING },
		{ "notice", LOG_LVL_NOTICE }, { "info", LOG_LVL_INFO },
		{ "debug", LOG_LVL_DEBUG },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].level;
	return -1;
}

static void
log_vemit(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	int n, m;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof line, "<%d>", (int)level);
	m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	if (m < 0)
		return;
	if (level <= LOG_LVL_ERR && log_capture_to != NULL)
		log_capture_to(log_capture_arg, line + n);
	n += (size_t)m < sizeof line - n - 1 ? m : (int)(sizeof line - n - 2);
	line[n++] = '\n';
	/* Nothing sensible to do if stderr is gone. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

#define LOG_FN(fn, level)                        \
	void fn(const char *fmt, ...)            \
	{                                        \
		va_list ap;                      \
		va_start(ap, fmt);               \
		log_vemit(level, fmt, ap);       \
		va_end(ap);                      \
	}

LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARNING)
LOG_FN(log_notice, LOG_LVL_NOTICE)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void
fatal(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(code);
}

/* libevent's own warnings, with a priority and at most a few lines per
 * message a minute: a warning repeated in a loop must not fill the disk. */
static struct ratelimit *log_libevent_rl;

static void
log_from_libevent(int severity, const char *msg)
{
	struct timespec ts;
	uint64_t suppressed;
	enum log_level level = severity >= EVENT_LOG_ERR ? LOG_LVL_ERR
	                       : severity == EVENT_LOG_WARN ? LOG_LVL_WARNING
	                       : LOG_LVL_DEBUG;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (log_libevent_rl && !ratelimit_allow(log_libevent_rl, msg,
	    (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, &suppressed))
		return;
	if (log_libevent_rl && suppressed > 0)
		log_notice("libevent: %llu more lines like the next one were not "
		           "logged", (unsigned long long)suppressed);
	if (level == LOG_LVL_ERR)
		log_err("libevent: %s", msg);
	else if (level == LOG_LVL_WARNING)
		log_warn("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

void
log_route_libevent(void)
{
	if (log_libevent_rl == NULL)
		log_libevent_rl = ratelimit_new(3, 60000);
	event_set_log_callback(log_from_libevent);
}
