/*
 * http_kinds.c - see http_kinds.h.  Numbers as /v1/tallies writes them:
 * decimals as strings, percentages with two decimals, RFC 3339 UTC times.
 */
#include <stdio.h>

#include "taskgroup.h"
#include "http_kinds.h"
#include "http.h"
#include "indicator.h"
#include "period.h"

/* The statuses of group ti's indicators that apply at unit u (a target
 * at or below it), at most 64, into st, and each one's numbers into inds
 * when it is not NULL; *most: the most targets one of them sums.  How
 * many. */
static size_t
group_indicators(const struct plan *p, const struct board *board, int ti,
                 int u, when_t now, enum tally_status st[64], json_t *inds,
                 size_t *most)
{
	const struct plan_task *g = &p->tasks[ti];
	size_t k, n = 0;

	*most = 0;
	for (k = 0; k < g->n_indicators && n < 64; k++) {
		int task = g->indicators[k], own = plan_target_find(p, task, u);
		struct tally_view v;
		size_t below = 0;

		if (board_rollup(board, task, u, now, &v, &below) < 0)
			continue;
		if (below == 1 && own >= 0)
			board_view(board, own, now, &v); /* its own schedule */
		if (below > *most)
			*most = below;
		st[n++] = v.status;
		if (inds != NULL)
			json_array_append_new(inds, json_pack("{s:s, s:s, s:o, s:o, s:o}",
				"task", p->tasks[task].code,
				"status", tally_status_name(v.status),
				"actual", http_json_dec(v.actual),
				"target", http_json_dec(v.target),
				"percent", http_json_pct(v.percent)));
	}
	return n;
}

int
http_group_status(const struct plan *p, const struct board *board, int ti,
                  int u, when_t now, enum tally_status *out)
{
	enum tally_status st[64];
	size_t most, n = group_indicators(p, board, ti, u, now, st, NULL, &most);

	if (n == 0)
		return -1;
	*out = taskgroup_status(st, n);
	return 0;
}

/* One row of a group for unit u, or NULL when none of its indicators
 * applies there: each indicator's status and numbers, and the group's
 * (taskgroup.h gives the rule). */
json_t *
http_group_row(const struct plan *p, const struct board *board, int ti,
               int u, when_t now)
{
	const struct plan_task *g = &p->tasks[ti];
	enum tally_status st[64];
	json_t *inds = json_array();
	size_t most, n = group_indicators(p, board, ti, u, now, st, inds, &most);

	if (n == 0) {
		json_decref(inds);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s, s:o}",
		"task", g->code, "task_title", g->title, "kind", "group",
		"unit", p->units[u].code, "unit_name", p->units[u].name,
		"unit_kind", p->units[u].kind, "depth", p->units[u].depth,
		"rollup", most > 1, "status", tally_status_name(taskgroup_status(st, n)),
		"indicators", inds);
}

/*
 * period=: what happened in the period (phát sinh trong kỳ) and where it
 * stood at its end (lũy kế).  In the period: the sum of its adds for a
 * quantity or a ceiling, the ratio of the period's parts for a rate; a
 * level or a milestone has only a value at the end.
 */
json_t *
http_period_json(const char *name, when_t start, when_t end_at,
                 const struct plan_task *tk, const struct tally *end,
                 const struct tally *before, const struct tally_view *v)
{
	dec_t d = end->actual - before->actual;
	json_t *in;

	if (tk->kind == PLAN_KIND_RATE)
		in = http_json_dec(indicator_ratio(d, end->base - before->base));
	else if (tk->kind == PLAN_KIND_QUANTITY || tk->kind == PLAN_KIND_CEILING)
		in = http_json_dec(d);
	else
		in = json_null();
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", name,
		"from", http_json_when(start), "to", http_json_when(end_at),
		"in_period", in, "cumulative", http_json_dec(v->actual));
}

/* A row whose period's report is missing names that period, as period=
 * would: {"period": "2026-11", "due": "..."}. */
void
http_period_missing(const struct plan_task *tk, const struct tally *t,
                    const struct tally_view *v, when_t now, json_t *row)
{
	const struct plan_period *pp;
	char name[32];

	if (v->status != STATUS_MISSING ||
	    (pp = period_missing(tk, t->last_report_at, now)) == NULL)
		return;
	if (tk->every == PLAN_EVERY_WEEK)
		snprintf(name, sizeof name, "%04d-W%02d", pp->year, pp->num);
	else if (tk->every == PLAN_EVERY_QUARTER)
		snprintf(name, sizeof name, "%04d-Q%d", pp->year, pp->num);
	else
		snprintf(name, sizeof name, "%04d-%02d", pp->year, pp->num);
	json_object_set_new(row, "missing_report", json_pack("{s:s, s:o}",
		"period", name, "due", http_json_when(pp->due)));
}


json_t *
http_schedule_json(const struct plan *p, size_t k)
{
	const struct plan_target *t = &p->targets[k];
	const struct plan_task *own;
	struct plan_task buf;
	json_t *ms;

	own = plan_target_task(p, k, &buf);
	if ((ms = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < own->n_milestones; i++)
		if (json_array_append_new(ms, json_pack("{s:o, s:o}",
		        "at", http_json_when(own->milestones[i].at),
		        "percent", http_json_pct(own->milestones[i].percent))) < 0) {
			json_decref(ms);
			return NULL;
		}
	/* the line that gave it: its [schedule], else its target line */
	return json_pack("{s:o, s:o, s:i}", "deadline",
	                 http_json_when(own->deadline), "milestones", ms, "line",
	                 t->schedule ? p->schedules[t->schedule - 1].line
	                             : t->line);
}
