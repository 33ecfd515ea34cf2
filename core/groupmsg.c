/*
 * groupmsg.c - group sentences.  The members are called by their kind when
 * they all share one ("xã"), "đơn vị" (units) otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "groupmsg.h"
#include "rules.h"

/* What happened to them, by rule and kind: [rule][kind][lang]. */
static const char *const what[RULE_N][3][2] = {
	[RULE_LAG] = { { "chậm tiến độ", "are behind on" },
	               { "đã bắt kịp tiến độ", "caught up on" },
	               { "", "" } },
	[RULE_OVERDUE] = { { "quá hạn", "are overdue on" },
	                   { "đã hoàn thành (muộn)", "completed, late," },
	                   { "", "" } },
	[RULE_SILENT] = { { "không báo cáo", "have not reported on" },
	                  { "đã báo cáo lại", "reported again on" },
	                  { "", "" } },
	[RULE_DONE] = { { "", "" }, { "", "" },
	                { "đã hoàn thành", "completed" } },
};

static const char *
gm_noun(const struct plan *p, const struct group *gr, int en)
{
	const char *kind = NULL;

	for (size_t i = 0; i < gr->n; i++) {
		const char *k = p->units[gr->members[i].unit].kind;
		if (kind && (k == NULL || strcmp(kind, k) != 0))
			return en ? "units" : "đơn vị";
		kind = k;
	}
	if (kind && strcmp(kind, "commune") == 0)
		return en ? "communes" : "xã";
	return en ? "units" : "đơn vị";
}

char *
groupmsg_format(const struct plan *p, const struct group *gr,
                enum alertmsg_lang lang, char *buf, size_t n)
{
	int en = lang == ALERTMSG_EN;
	const char *verb = (unsigned)gr->key.rule < RULE_N &&
	                   (unsigned)gr->key.kind < 3
	                   ? what[gr->key.rule][gr->key.kind][en] : "";
	const char *title = p->tasks[gr->key.task].title;
	size_t off;

	if (n == 0)
		return buf;
	/* The quotes of alertmsg: “…” in Vietnamese, "…" in English. */
	const char *lq = en ? "\"" : "“", *rq = en ? "\"" : "”";

	if (gr->key.parent >= 0)
		off = (size_t)snprintf(buf, n, en ? "%zu %s of %s %s %s%s%s: "
		                       : "%zu %s thuộc %s %s %s%s%s: ", gr->n,
		                       gm_noun(p, gr, en),
		                       p->units[gr->key.parent].name, verb, lq,
		                       title, rq);
	else
		off = (size_t)snprintf(buf, n, "%zu %s %s %s%s%s: ", gr->n,
		                       gm_noun(p, gr, en), verb, lq, title, rq);
	for (size_t i = 0; i < gr->n && i < GROUPMSG_NAMES && off < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? ", " : "",
		                        p->units[gr->members[i].unit].name);
	if (gr->n > GROUPMSG_NAMES && off < n)
		snprintf(buf + off, n - off, en ? " and %zu more" :
		         " và %zu đơn vị khác", gr->n - GROUPMSG_NAMES);
	return buf;
}
