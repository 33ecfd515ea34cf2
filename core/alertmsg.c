/*
 * alertmsg.c - alert sentences.  Vietnamese groups thousands with "." and
 * writes the decimal comma; English the other way round.  The sentences are
 * short enough for an SMS gateway to forward as they are.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alertmsg.h"
#include "period.h"

int
alertmsg_lang_parse(const char *s)
{
	if (strcmp(s, "vi") == 0)
		return ALERTMSG_VI;
	if (strcmp(s, "en") == 0)
		return ALERTMSG_EN;
	return -1;
}

char *
alertmsg_number(dec_t v, enum alertmsg_lang lang, char *buf, size_t n)
{
	char plain[DEC_BUFSZ], out[64];
	char group = lang == ALERTMSG_VI ? '.' : ',';
	char point = lang == ALERTMSG_VI ? ',' : '.';
	const char *s = dec_format(v, plain, sizeof plain), *dot;
	size_t o = 0, digits;

	if (*s == '-')
		out[o++] = *s++;
	dot = strchr(s, '.');
	digits = dot ? (size_t)(dot - s) : strlen(s);
	for (size_t i = 0; i < digits; i++) {
		if (i > 0 && (digits - i) % 3 == 0)
			out[o++] = group;
		out[o++] = s[i];
	}
	if (dot) {
		out[o++] = point;
		for (s = dot + 1; *s; s++)
			out[o++] = *s;
	}
	out[o] = '\0';
	snprintf(buf, n, "%s", out);
	return buf;
}

char *
alertmsg_points(double v, enum alertmsg_lang lang, char *buf, size_t n)
{
	double r = round(v * 10) / 10;
	dec_t d;

	if (!isfinite(r) || fabs(r) > 1e12)
		r = 0;
	d = (dec_t)llround(r * 10) * 100; /* thousandths, one decimal */
	return alertmsg_number(d, lang, buf, n);
}

struct msg_words {
	const char *rollup; /* "%s (%d units)" */
	const char *nums;   /* actual/target measure (pct%, expected pct%) */
	const char *lag[4];  /* by severity: firing */
	const char *escalated, *eased, *caught_up;
	const char *overdue, *overdue_over;
	const char *silent, *silent_over; /* who, title, days, numbers */
	const char *missing;        /* who, period, title, numbers */
	const char *done;
	const char *reminder;
	/* Other kinds of indicator (indicator.h). */
	const char *level_nums;     /* "91% (ngưỡng ≥ 98%)" */
	const char *rate_nums;      /* "62,5% (chỉ tiêu 95%, ...)" */
	const char *level_out[4];   /* by severity */
	const char *level_back;
	const char *ceiling_nums;   /* "1 vụ (trần 0 vụ)" */
	const char *ceiling_over, *ceiling_back;
	const char *ms_yes, *ms_no, *ms_rollup;
};

/* Quotes are “…”; a percent sign follows its number without a space, and
 * every other measure after one space. */
static const struct msg_words words[2] = {
	[ALERTMSG_VI] = {
		.rollup = "%s (tổng %d đơn vị)",
		.nums = "%s/%s (%s%%, kế hoạch %s%%)",
		.lag = { [SEV_WARNING] = "%s chậm tiến độ “%s”: %s, chậm %s điểm phần trăm.",
		         [SEV_CRITICAL] = "%s chậm tiến độ nghiêm trọng “%s”: %s, chậm %s điểm phần trăm." },
		.escalated = "%s chậm tiến độ nghiêm trọng hơn “%s”: %s, chậm %s điểm phần trăm.",
		.eased = "%s đã bớt chậm “%s”: %s, còn chậm %s điểm phần trăm.",
		.caught_up = "%s đã bắt kịp tiến độ “%s”: %s.",
		.overdue = "%s quá hạn “%s” mà chưa đạt chỉ tiêu: %s.",
		.overdue_over = "%s đã đạt chỉ tiêu “%s” sau hạn: %s.",
		.silent = "%1$s đã %3$s ngày chưa báo cáo “%2$s”: %4$s.",
		.silent_over = "%s đã báo cáo lại “%s”: %s.",
		.missing = "%s chưa nộp báo cáo %s “%s”: %s.",
		.done = "%s đã hoàn thành “%s”: %s.",
		.reminder = "Nhắc lại: ",
		.level_nums = "%s (ngưỡng %s %s)",
		.rate_nums = "%s (chỉ tiêu %s, theo kế hoạch đến nay %s)",
		.level_out = { [SEV_WARNING] = "%s không giữ được mức “%s”: %s.",
		               [SEV_CRITICAL] = "%s còn xa mức phải giữ “%s”: %s." },
		.level_back = "%s đã trở lại mức phải giữ “%s”: %s.",
		.ceiling_nums = "%s (mức trần %s)",
		.ceiling_over = "%s vượt mức trần “%s”: %s.",
		.ceiling_back = "%s đã trở về trong mức trần “%s”: %s.",
		.ms_yes = "đã đạt",
		.ms_no = "chưa đạt",
		.ms_rollup = "%s/%s đơn vị đã đạt",
	},
	[ALERTMSG_EN] = {
		.rollup = "%s (%d units in all)",
		.nums = "%s/%s (%s%%, plan %s%%)",
		.lag = { [SEV_WARNING] = "%s is behind on \"%s\": %s, %s points behind.",
		         [SEV_CRITICAL] = "%s is far behind on \"%s\": %s, %s points behind." },
		.escalated = "%s has fallen further behind on \"%s\": %s, %s points behind.",
		.eased = "%s is less behind on \"%s\": %s, still %s points behind.",
		.caught_up = "%s has caught up on \"%s\": %s.",
		.overdue = "%s is past the deadline of \"%s\" without meeting the target: %s.",
		.overdue_over = "%s has met the target of \"%s\" after the deadline: %s.",
		.silent = "%s has not reported on \"%s\" for %s days: %s.",
		.silent_over = "%s reports again on \"%s\": %s.",
		.missing = "%s has not sent its report for %s on \"%s\": %s.",
		.done = "%s has met the target of \"%s\": %s.",
		.reminder = "Reminder: ",
		.level_nums = "%s (to hold %s %s)",
		.rate_nums = "%s (target %s, planned by now %s)",
		.level_out = { [SEV_WARNING] = "%s does not hold the level of \"%s\": %s.",
		               [SEV_CRITICAL] = "%s is far from the level of \"%s\": %s." },
		.level_back = "%s holds the level of \"%s\" again: %s.",
		.ceiling_nums = "%s (ceiling %s)",
		.ceiling_over = "%s is over the ceiling of \"%s\": %s.",
		.ceiling_back = "%s is back within the ceiling of \"%s\": %s.",
		.ms_yes = "reached",
		.ms_no = "not reached",
		.ms_rollup = "%s/%s units reached it",
	},
};

/* "91%" or "1.750 cây". */
static char *
with_measure(dec_t v, const char *measure, enum alertmsg_lang lang,
             char *buf, size_t n)
{
	char num[48];

	alertmsg_number(v, lang, num, sizeof num);
	snprintf(buf, n, strcmp(measure, "%") == 0 ? "%s%s" : "%s %s", num,
	         measure);
	return buf;
}

/* Where a paced rate should be by now, in thousandths of a percent. */
static dec_t
rate_expected(const struct tally_view *v)
{
	double e = (double)v->target * v->expected / 100.0;

	return (dec_t)llround(e);
}

/* The numbers of an event, as its indicator's kind reads them. */
static void
format_nums(const struct plan_task *t, const struct rules_subject *s,
            const struct tally_view *v, const struct msg_words *w,
            enum alertmsg_lang lang, char *buf, size_t n)
{
	char a[96], tg[96], pc[48], ex[96];

	if (t->kind == PLAN_KIND_RATE && !t->held) {
		snprintf(buf, n, w->rate_nums,
		         with_measure(v->actual, "%", lang, a, sizeof a),
		         with_measure(v->target, "%", lang, tg, sizeof tg),
		         strcat(alertmsg_points((double)rate_expected(v) /
		                                DEC_SCALE, lang, ex, 48), "%"));
		return;
	}
	switch (t->kind) {
	case PLAN_KIND_RATE:
	case PLAN_KIND_LEVEL:
		snprintf(buf, n, w->level_nums,
		         with_measure(v->actual, t->measure, lang, a, sizeof a),
		         t->hold_below ? "≤" : "≥",
		         with_measure(v->target, t->measure, lang, tg, sizeof tg));
		break;
	case PLAN_KIND_CEILING:
		snprintf(buf, n, w->ceiling_nums,
		         with_measure(v->actual, t->measure, lang, a, sizeof a),
		         with_measure(v->target, t->measure, lang, tg, sizeof tg));
		break;
	case PLAN_KIND_MILESTONE:
		if (s->target < 0)
			snprintf(buf, n, w->ms_rollup,
			         alertmsg_number(v->actual, lang, a, sizeof a),
			         alertmsg_number(v->target, lang, tg, sizeof tg));
		else
			snprintf(buf, n, "%s", v->actual >= v->target ? w->ms_yes
			                                              : w->ms_no);
		break;
	default:
		alertmsg_number(v->actual, lang, a, sizeof a);
		snprintf(buf, n, w->nums, a,
		         with_measure(v->target, t->measure, lang, tg, sizeof tg),
		         alertmsg_points(v->percent, lang, pc, sizeof pc),
		         alertmsg_points(v->expected, lang, ex, sizeof ex));
		break;
	}
}

/* RULE_LAG of a level or a ceiling: out of bounds, not behind a pace. */
static void
format_bound(const struct plan_task *t, const struct rules_event *e,
             const struct msg_words *w, const char *who, const char *nums,
             char *buf, size_t n)
{
	int level = t->kind != PLAN_KIND_CEILING; /* a level or a held rate */
	const char *f;

	if (e->transition == TR_RESOLVED)
		f = level ? w->level_back : w->ceiling_back;
	else if (!level)
		f = w->ceiling_over;
	else
		f = w->level_out[e->sev == SEV_CRITICAL ? SEV_CRITICAL
		                                        : SEV_WARNING];
	snprintf(buf, n, f, who, t->title, nums);
}

char *
alertmsg_format(const struct plan *p, const struct rules_subject *s,
                const struct rules_event *e, enum alertmsg_lang lang,
                char *buf, size_t n)
{
	const struct msg_words *w = &words[lang == ALERTMSG_EN];
	const struct plan_task *t = &p->tasks[s->task];
	char who[512], nums[256], lag[48], d[48];
	const char *title = t->title, *pre = "";
	const struct plan_period *per;
	size_t off;

	if (s->target < 0)
		snprintf(who, sizeof who, w->rollup, p->units[s->unit].name,
		         s->n_units);
	else
		snprintf(who, sizeof who, "%s", p->units[s->unit].name);
	format_nums(t, s, &e->view, w, lang, nums, sizeof nums);
	if (t->kind == PLAN_KIND_RATE && !t->held)
		/* A rate's lag in points of the rate itself, not of its
		 * target: 80,4% planned by now, 62,5% reached: 17,9. */
		alertmsg_points((double)(rate_expected(&e->view) -
		                         e->view.actual) / DEC_SCALE, lang, lag,
		                sizeof lag);
	else
		alertmsg_points(e->view.lag, lang, lag, sizeof lag);
	if (e->transition == TR_REMINDER)
		pre = w->reminder;
	off = (size_t)snprintf(buf, n, "%s", pre);
	if (off >= n)
		return buf;
	buf += off;
	n -= off;
	switch (e->rule) {
	case RULE_LAG:
		if (t->kind == PLAN_KIND_LEVEL || t->kind == PLAN_KIND_CEILING ||
		    (t->kind == PLAN_KIND_RATE && t->held))
			format_bound(t, e, w, who, nums, buf, n);
		else if (e->transition == TR_RESOLVED)
			snprintf(buf, n, w->caught_up, who, title, nums);
		else if (e->transition == TR_ESCALATED)
			snprintf(buf, n, w->escalated, who, title, nums, lag);
		else if (e->transition == TR_EASED)
			snprintf(buf, n, w->eased, who, title, nums, lag);
		else
			snprintf(buf, n, w->lag[e->sev == SEV_CRITICAL ? SEV_CRITICAL
			         : SEV_WARNING], who, title, nums, lag);
		break;
	case RULE_OVERDUE:
		snprintf(buf, n, e->transition == TR_RESOLVED ? w->overdue_over
		         : w->overdue, who, title, nums);
		break;
	case RULE_SILENT:
		if (e->transition == TR_RESOLVED) {
			snprintf(buf, n, w->silent_over, who, title, nums);
		} else if ((per = period_missing(t, e->last_report, e->at))) {
			snprintf(buf, n, w->missing, who,
			         period_label(t, per, lang == ALERTMSG_EN, d,
			                      sizeof d), title, nums);
		} else {
			when_t quiet = e->last_report > t->start ? e->last_report
			                                         : t->start;
			snprintf(d, sizeof d, "%lld",
			         (long long)((e->at - quiet) / WHEN_DAY));
			snprintf(buf, n, w->silent, who, title, d, nums);
		}
		break;
	default:
		snprintf(buf, n, w->done, who, title, nums);
		break;
	}
	return buf - off;
}
