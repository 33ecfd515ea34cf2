/*
 * push_print.h - what tiendo-push prints: a report and its fate, --status,
 * and the summary at the end of a run; vi: in Vietnamese (lang.h).
 */
#ifndef TIENDO_PUSH_PRINT_H
#define TIENDO_PUSH_PRINT_H

#include <stdio.h>

#include "outbox.h"
#include "push.h"

/* What became of a report, in words. */
enum push_fate {
	PUSH_ACCEPTED, PUSH_DUPLICATE, PUSH_QUEUED,
	PUSH_NO_FATE, /* the daemon's reply said nothing of it */
};

/* "UNIT TASK +V @TIME: FATE" */
void push_print_report(FILE *out, const struct outbox_item *it, int vi,
                       const char *fate);
void push_print_fate(FILE *out, const struct outbox_item *it, int vi,
                     enum push_fate fate);
void push_print_rejected(FILE *out, const struct outbox_item *it, int vi,
                         const char *code, const char *reason);
/* --status: no network.  Returns an exit status. */
int push_print_status(struct outbox *ob, int history, int vi);
/* --status of an outbox not made yet */
void push_print_status_empty(int vi);
/* --no-send: "N queued, M pending" */
void push_print_queued(size_t queued, int64_t pending, int vi);
/* --clear-rejected: "N rejected reports forgotten" */
void push_print_forgotten(int64_t n, int vi);
/* --follow, after a pass that settled something */
void push_print_so_far(const struct push_stats *st, int64_t pending, int vi);
/* The counts of a run that sent, and its exit status. */
int push_print_summary(struct outbox *ob, const struct push_opts *o,
                       const struct push_stats *st);

#endif
