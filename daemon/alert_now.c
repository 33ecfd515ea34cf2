/*
 * alert_now.c - see alert_now.h.
 */
#include <string.h>

#include "alert_now.h"
#include "alertmsg.h"
#include "http.h"

/* The view of the alert's subject now; -1 when the plan lost it. */
static int
an_view(const struct book *b, const Tiendo__Alert *a, when_t now,
        struct rules_subject *s, struct tally_view *v, when_t *last)
{
	const struct plan *p = b->plan;
	size_t n;

	s->task = plan_task_find(p, a->task);
	s->unit = plan_unit_find(p, a->unit);
	if (s->task < 0 || s->unit < 0)
		return -1;
	*last = a->last_report;
	if (a->rollup) {
		if (board_rollup(b->board, s->task, s->unit, now, v, &n) < 0)
			return -1;
		s->target = -1;
		s->n_units = (int)n;
		return 0;
	}
	if ((s->target = plan_target_find(p, s->task, s->unit)) < 0)
		return -1;
	s->n_units = 1;
	board_view(b->board, s->target, now, v);
	*last = b->board->tallies[s->target].last_report_at;
	return 0;
}

json_t *
alert_now_json(const struct book *b, const Tiendo__Alert *a, when_t now)
{
	struct rules_subject s;
	struct rules_event e;
	char actual[DEC_BUFSZ], target[DEC_BUFSZ], msg[1024];
	enum alertmsg_lang lang = strcmp(a->language, "en") == 0 ? ALERTMSG_EN
	                                                         : ALERTMSG_VI;

	memset(&e, 0, sizeof e);
	if (a->rule < 1 || an_view(b, a, now, &s, &e.view, &e.last_report) < 0)
		return json_null();
	e.rule = (enum rules_rule)(a->rule - 1);
	e.transition = TR_FIRING; /* as it would be announced now */
	e.sev = (enum rules_sev)a->severity;
	e.at = now;
	e.since = a->since;
	alertmsg_format(b->plan, &s, &e, lang, msg, sizeof msg);
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:s}",
		"actual", dec_format(e.view.actual, actual, sizeof actual),
		"target", dec_format(e.view.target, target, sizeof target),
		"percent", http_json_pct(e.view.percent),
		"expected", http_json_pct(e.view.expected), "lag", http_json_pct(e.view.lag),
		"status", tally_status_name(e.view.status), "message", msg);
}
