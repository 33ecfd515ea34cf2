/*
 * log.h - one line per event worth knowing, on stderr, with the "<N>"
 * priority prefixes that journald understands (sd-daemon(3)).
 */
#ifndef TIENDO_LOG_H
#define TIENDO_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARNING = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* Messages above `level` are dropped. */
void log_set_level(enum log_level level);
/* "err", "warning", "notice", "info", "debug" -> level; -1 if unknown. */
int log_level_parse(const char *name);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* While set, every line logged at err is also handed to fn (without its
 * priority prefix): how a reload lists the errors a module logged.  NULL
 * stops. */
typedef void (*log_capture_fn)(void *arg, const char *line);
void log_capture(log_capture_fn fn, void *arg);

/* Logs at err and exits with `code` (a sysexits value). */
void fatal(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* libevent's messages through these, rate-limited per message. */
void log_route_libevent(void);

#endif
