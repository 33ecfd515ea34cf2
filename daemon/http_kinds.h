/*
 * http_kinds.h - the parts of /v1/tallies rows that the kinds of indicator
 * add: a group's row, a period's numbers (period=), a missing report, a
 * unit's own schedule (also in /v1/tasks).
 */
#ifndef TIENDO_HTTP_KINDS_H
#define TIENDO_HTTP_KINDS_H

#include <jansson.h>

#include "board.h"

/* The status of group task ti at unit u, as its row gives it: 0, or -1
 * when none of its indicators applies there. */
int http_group_status(const struct plan *p, const struct board *board,
                      int ti, int u, when_t now, enum tally_status *out);

/* The row of group task ti for unit u at `now`, or NULL when none of its
 * indicators applies there (group.h gives the rule). */
json_t *http_group_row(const struct plan *p, const struct board *board,
                       int ti, int u, when_t now);

/* {"name", "from", "to", "in_period", "cumulative"} of a row for period
 * `name` = [start, end_at): `end` is the tally at its end (or now),
 * `before` the tally before it began, v the view at its end. */
json_t *http_period_json(const char *name, when_t start, when_t end_at,
                         const struct plan_task *tk, const struct tally *end,
                         const struct tally *before,
                         const struct tally_view *v);

/* Adds "missing_report" to a silent row whose period's report is
 * missing at `now`. */
void http_period_missing(const struct plan_task *tk, const struct tally *t,
                         const struct tally_view *v, when_t now, json_t *row);

/* {"deadline", "milestones": [{"at", "percent"}], "line"} of target k,
 * which has a schedule of its own ("by DATE" or [schedule],
 * plan_target_own_pace): the pace its view follows.  NULL out of
 * memory. */
json_t *http_schedule_json(const struct plan *p, size_t k);

#endif
