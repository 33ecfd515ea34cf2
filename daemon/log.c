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
#include <unistd.h>

#include "log.h"

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
