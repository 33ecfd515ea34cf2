/*
 * push_print.h - what tiendo-push prints: a report and its fate, --status,
 * and the summary at the end of a run.
 */
#ifndef TIENDO_PUSH_PRINT_H
#define TIENDO_PUSH_PRINT_H

#include <stdio.h>

#include "outbox.h"
#include "push.h"

void push_print_report(FILE *out, const struct outbox_item *it,
                       const char *fate);
void push_print_rejected(FILE *out, const struct outbox_item *it,
                         const char *code, const char *reason);
/* --status: no network.  Returns an exit status. */
int push_print_status(struct outbox *ob, int history);
/* The counts of a run that sent, and its exit status. */
int push_print_summary(struct outbox *ob, const struct push_opts *o,
                       const struct push_stats *st);

#endif
