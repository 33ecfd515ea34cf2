/*
 * sub_grouped.h - `tiendo-sub --grouped`: the grouped notifications
 * (PROTOCOL.md 4.7) instead of the events, one line (or JSON object) per
 * group.  No snapshot: groups are derived, and live only.
 */
#ifndef TIENDO_SUB_GROUPED_H
#define TIENDO_SUB_GROUPED_H

#include <signal.h>

struct sub_grouped {
	void *ctx;
	const char *pub_ep;
	const char *key, *server_key, *name; /* CurveZMQ (keys.h) */
	const char *tasks;  /* comma list, NULL: every task */
	int json;
	const volatile sig_atomic_t *stopping;
	int vi;             /* lines in Vietnamese (lang.h); JSON never */
};

/* Runs until *stopping.  Returns a sysexits code. */
int sub_grouped_run(const struct sub_grouped *g);

#endif
