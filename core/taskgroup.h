/*
 * taskgroup.h - the status of a task of several indicators.  Pure.
 *
 * The rule: a group is done for a unit when every indicator that applies
 * to it (a target there or below) is done; otherwise it is the most urgent
 * status among them, in this order: overdue, critical, silent, lagging,
 * on_track, not_started (a done indicator counts as on_track beside the
 * others).  So one lagging indicator makes the programme lagging, however
 * well the others go, and it is done only when all are.
 */
#ifndef TIENDO_TASKGROUP_H
#define TIENDO_TASKGROUP_H

#include <stddef.h>

#include "tally.h"

/* n >= 1 statuses of the indicators -> the group's. */
enum tally_status taskgroup_status(const enum tally_status *s, size_t n);

#endif
