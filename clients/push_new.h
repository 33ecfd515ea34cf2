/*
 * push_new.h - the new reports of one run: checked field by field, then
 * queued in the outbox in one transaction.
 */
#ifndef TIENDO_PUSH_NEW_H
#define TIENDO_PUSH_NEW_H

#include <stddef.h>

#include "outbox.h"
#include "push.h"
#include "when.h"

void push_new_item_clear(struct outbox_item *it);
void push_new_free(struct push_new *nw);
/* A string field: present (unless optional), within max bytes, UTF-8.
 * NULL when good, else why not. */
const char *push_new_check_text(const char *s, size_t max, int optional);
/* Checks one report and appends it to nw.  `at` NULL or "" means now.
 * On a bad field writes "FIELD: why" into err and returns 1; -1 when out
 * of memory; 0 when added.  names: what to call unit, task, value, at,
 * reporter, note. */
int push_new_add(struct push_new *nw, const char *unit, const char *task,
                 enum outbox_kind kind, const char *value, const char *at,
                 const char *reporter, const char *note, const char *tz,
                 when_t now, char *err, size_t errlen,
                 const char *const *names);
/* Queues them all, or none (said).  0 or -1. */
int push_new_queue(struct outbox *ob, struct push_new *nw);

#endif
