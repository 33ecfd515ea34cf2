/*
 * alert_now.h - an alert's numbers as they stand now.  A stored alert keeps
 * the numbers it fired with; a reader of the active alerts also wants where
 * the pair is now (the tally moved, the target was revised by a reload),
 * and the sentence it would read now.
 */
#ifndef TIENDO_ALERT_NOW_H
#define TIENDO_ALERT_NOW_H

#include <jansson.h>

#include "book.h"
#include "tiendo.pb-c.h"

/* {"actual", "target", "percent", "expected", "lag", "status",
 * "message"} of the alert's (task, unit) or roll-up at `now` in book b;
 * JSON null when the plan in force no longer has it. */
json_t *alert_now_json(const struct book *b, const Tiendo__Alert *a,
                       when_t now);

#endif
