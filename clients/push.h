/*
 * push.h - what the rooms of tiendo-push share: its options, the reports
 * of one run, what happened in it, and its warnings.
 */
#ifndef TIENDO_PUSH_H
#define TIENDO_PUSH_H

#include <stddef.h>
#include <stdint.h>

#include "outbox.h"
#include "when.h"

#define PUSH_MIN_TIME ((when_t)946684800000LL) /* 2000-01-01, as the daemon */

struct push_opts {
	const char *connect, *client, *outbox, *tz;
	const char *key, *server_key; /* CurveZMQ; both NULL: plain */
	const char *unit, *task, *value, *at, *note, *reporter, *csv;
	const char *reason;
	enum outbox_kind kind;
	int timeout, retries, batch, quiet, status, clear_rejected;
	uint64_t void_seq;         /* --void */
	int no_send, follow, interval, history;
	const char *lang;          /* --lang, NULL: $TIENDO_LANG (lang.h) */
	int vi;                    /* what it chose: 1 Vietnamese */
};

/* Reports of one run, before they are queued. */
struct push_new {
	struct outbox_item *v;
	size_t n, cap;
};

/* What happened in this run. */
struct push_stats {
	size_t accepted, duplicate, rejected;
	size_t resent; /* reports sent again (no reply in time, or RETRY) */
};

/* "tiendo-push: " and the message on stderr. */
void push_warn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
