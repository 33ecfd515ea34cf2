/*
 * alertjson.c - Alert -> JSON.  The proto's enum numbers are the rules
 * engine's (rule numbers one more), so the names come from rules.c.
 */
#include "alertjson.h"
#include "rules.h"
#include "when.h"

const char *
alertjson_transition(int t)
{
	return rules_transition_name((enum rules_transition)t);
}

const char *
alertjson_rule(int r)
{
	return rules_rule_name((enum rules_rule)(r - 1));
}

const char *
alertjson_severity(int s)
{
	return rules_sev_name((enum rules_sev)s);
}

static json_t *
aj_when(int64_t t)
{
	char buf[WHEN_BUFSZ];

	return t ? json_string(when_format_utc(t, buf, sizeof buf)) : json_null();
}

json_t *
alertjson(const Tiendo__Alert *a)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	                 " s:b, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o,"
	                 " s:o, s:o, s:s, s:s}",
		"seq", (json_int_t)a->seq, "id", (json_int_t)a->id,
		"transition", alertjson_transition(a->transition),
		"rule", alertjson_rule(a->rule),
		"severity", alertjson_severity(a->severity),
		"previous_severity", alertjson_severity(a->previous_severity),
		"task", a->task, "task_title", a->task_title,
		"unit", a->unit, "unit_name", a->unit_name,
		"rollup", a->rollup, "units", (int)a->units,
		"owner", a->owner, "measure", a->measure,
		"actual", a->actual, "target", a->target,
		"percent", a->percent, "expected", a->expected, "lag", a->lag,
		"at", aj_when(a->at), "since", aj_when(a->since),
		"last_report", aj_when(a->last_report),
		"message", a->message, "language", a->language);

	/* Held back from subscribers (PROTOCOL.md 4.6). */
	if (o && (json_object_set_new(o, "silence", json_integer(
	              (json_int_t)a->silence)) < 0 ||
	          json_object_set_new(o, "inhibited",
	                              json_boolean(a->inhibited)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}
