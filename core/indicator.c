/*
 * indicator.c - levels, milestones and ceilings (see indicator.h); the
 * quantity stays in tally.c.
 */
#include <string.h>

#include "indicator.h"
#include "pacing.h"
#include "period.h"

static const char *const kind_names[] = {
	[PLAN_KIND_QUANTITY] = "quantity",
	[PLAN_KIND_LEVEL] = "level",
	[PLAN_KIND_MILESTONE] = "milestone",
	[PLAN_KIND_CEILING] = "ceiling",
	[PLAN_KIND_RATE] = "rate",
	[PLAN_KIND_GROUP] = "group",
};

const char *
indicator_kind_name(enum plan_kind k)
{
	if ((unsigned)k >= sizeof kind_names / sizeof kind_names[0])
		return "unknown";
	return kind_names[k];
}

int
indicator_kind_parse(const char *s, enum plan_kind *out)
{
	for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum plan_kind)i;
			return 0;
		}
	return -1;
}

const char *
indicator_check_value(const struct plan_task *t, enum report_kind kind,
                      dec_t v)
{
	if (t->kind == PLAN_KIND_RATE)
		return "a rate is computed from its numerator and denominator "
		       "tasks: report those";
	if (t->integer && v % DEC_SCALE != 0)
		return "a whole number is expected: the task counts whole "
		       "things (integer = yes)";
	if (kind == REPORT_ADD && v < 0 && t->no_negative_adds)
		return "an ADD cannot be negative for this task "
		       "(negative_adds = no); send a correction instead";
	if (t->kind == PLAN_KIND_MILESTONE && (v < 0 || v > DEC_SCALE))
		return "a milestone is reached (1) or not (0)";
	return NULL;
}

int
indicator_quiet(const struct tally *t, const struct plan_task *task,
                when_t now, enum tally_status *status)
{
	when_t quiet = t->last_report_at > task->start ? t->last_report_at
	                                               : task->start;

	if (period_missing(task, t->last_report_at, now) != NULL)
		*status = STATUS_MISSING;
	else if (task->stale_after > 0 && now - quiet >= task->stale_after)
		*status = STATUS_SILENT;
	else
		return 0;
	return 1;
}

/* The statuses every kind shares, in tally_view's precedence, once `met`
 * (the target's condition holds now) is known.  Returns 1 when one of them
 * applies. */
static int
common_status(const struct tally *t, const struct plan_task *task, int met,
              when_t now, struct tally_view *out)
{
	if (now >= task->deadline)
		out->status = met ? STATUS_DONE : STATUS_OVERDUE;
	else if (now < task->start)
		out->status = STATUS_NOT_STARTED;
	else if (!indicator_quiet(t, task, now, &out->status))
		return 0;
	return 1;
}

static void
view_milestone(const struct tally *t, const struct plan_task *task,
               when_t now, struct tally_view *out)
{
	int met = out->actual >= out->target;

	out->expected = indicator_expected(task, now);
	out->lag = out->expected - out->percent;
	if (met)
		out->status = STATUS_DONE; /* reached early is reached */
	else if (!common_status(t, task, 0, now, out))
		out->status = STATUS_ON_TRACK;
}

/* Points by which a level or ceiling misses its bound: positive when out
 * of bounds.  Against a bound of 0, any amount above it is a whole
 * target's worth (100 points). */
static double
miss_points(const struct tally_view *v, int below)
{
	if (v->target == 0)
		return v->actual > 0 ? 100.0 : 0.0;
	return below ? v->percent - 100.0 : 100.0 - v->percent;
}

static void
view_bound(const struct tally *t, const struct plan_task *task, int below,
           when_t now, struct tally_view *out)
{
	int has_value = task->kind == PLAN_KIND_RATE ? t->base > 0 :
	                tally_has_value(t) || task->kind == PLAN_KIND_CEILING;
	int met = below ? out->actual <= out->target
	                : out->actual >= out->target;
	double miss = miss_points(out, below);

	out->expected = indicator_expected(task, now);
	out->lag = has_value ? miss : 0.0;
	if (has_value && !met && out->lag < task->warn)
		out->lag = task->warn; /* out of bounds is never on track */
	if (task->kind == PLAN_KIND_CEILING && !met && out->lag < task->critical)
		out->lag = task->critical; /* a ceiling broken stays broken */
	/* Out of bounds since at least the report that showed it: held too
	 * long is critical, however small the miss. */
	if (has_value && !met && task->critical_after > 0 &&
	    now - t->last_report_at >= task->critical_after &&
	    out->lag < task->critical)
		out->lag = task->critical;
	if (common_status(t, task, has_value && met, now, out))
		return;
	if (!has_value || met)
		out->status = STATUS_ON_TRACK;
	else if (out->lag >= task->critical)
		out->status = STATUS_CRITICAL;
	else
		out->status = STATUS_LAGGING;
}

dec_t
indicator_ratio(dec_t part, dec_t whole)
{
	__int128 n, q;

	if (whole <= 0)
		return 0;
	/* part / whole * 100, in thousandths, rounded half away from 0 */
	n = (__int128)part * 100 * DEC_SCALE;
	q = (n + (n >= 0 ? whole / 2 : -(whole / 2))) / whole;
	if (q > DEC_MAX)
		return DEC_MAX;
	if (q < -DEC_MAX)
		return -DEC_MAX;
	return (dec_t)q;
}

/* The rate's value is its ratio; then it is a level (held) or a quantity
 * (paced) of that value.  Its sums stay in the tally: a roll-up divides
 * the sums, never adds rates. */
static void
view_rate(const struct tally *t, const struct plan_task *task, dec_t target,
          when_t now, struct tally_view *out)
{
	struct tally r = *t;
	struct plan_task as = *task;

	r.actual = indicator_ratio(t->actual, t->base);
	out->actual = r.actual;
	out->percent = dec_percent(r.actual, target);
	if (task->held) {
		view_bound(&r, task, task->hold_below, now, out);
		return;
	}
	as.kind = PLAN_KIND_QUANTITY;
	tally_view(&r, &as, target, now, out);
	/* Its lag is in points of the rate, as its alert says it (80.4%
	 * planned by now, 62.5% reached: 17.9 points), not in points of the
	 * target's share (84.6% - 65.8%): warn and critical read that. */
	out->lag = out->expected * (double)target / (100.0 * DEC_SCALE) -
	           (double)r.actual / DEC_SCALE;
	if (out->status == STATUS_ON_TRACK || out->status == STATUS_LAGGING ||
	    out->status == STATUS_CRITICAL)
		out->status = out->lag >= task->critical ? STATUS_CRITICAL
		            : out->lag >= task->warn ? STATUS_LAGGING
		            : STATUS_ON_TRACK;
}

dec_t
indicator_value(const struct plan_task *task, dec_t actual)
{
	if (task->kind == PLAN_KIND_MILESTONE && actual > DEC_SCALE)
		return DEC_SCALE;
	return actual;
}

/* v / n, rounded half away from 0. */
static dec_t
dec_mean(dec_t v, size_t n)
{
	int64_t k = (int64_t)n;

	return v >= 0 ? (v + k / 2) / k : -((-v + k / 2) / k);
}

int
indicator_in_percent(const struct plan_task *task)
{
	return task->measure != NULL && strcmp(task->measure, "%") == 0;
}

void
indicator_acc_add(struct indicator_acc *a, const struct plan_task *task,
                  dec_t target, dec_t base, int has_value)
{
	if (task->kind == PLAN_KIND_RATE)
		rate_goal_add(&a->goal, target, base);
	if (task->kind == PLAN_KIND_LEVEL && has_value) {
		a->valued++;
		/* a sum past int64 stops growing: nonsense already */
		if (dec_add(a->target_valued, target, &a->target_valued) < 0)
			a->target_valued = INT64_MAX;
	}
}

void
indicator_rollup(const struct plan_task *task, size_t n,
                 const struct indicator_acc *a, dec_t *actual, dec_t *target)
{
	if (n == 0)
		return;
	if (task->kind == PLAN_KIND_RATE)
		*target = a ? rate_goal_target(&a->goal) : dec_mean(*target, n);
	if (task->kind != PLAN_KIND_LEVEL || !indicator_in_percent(task))
		return;
	if (a != NULL && a->valued > 0) {
		*actual = dec_mean(*actual, a->valued);
		*target = dec_mean(a->target_valued, a->valued);
	} else {
		*actual = dec_mean(*actual, n);
		*target = dec_mean(*target, n);
	}
}

double
indicator_expected(const struct plan_task *t, when_t now)
{
	switch (t->kind) {
	case PLAN_KIND_MILESTONE:
		return now >= t->deadline ? 100.0 : 0.0;
	case PLAN_KIND_LEVEL:
	case PLAN_KIND_CEILING:
		return 100.0;
	case PLAN_KIND_RATE:
		return t->held ? 100.0 : pacing_expected(t, now);
	case PLAN_KIND_GROUP:
		return 0.0;
	default:
		return pacing_expected(t, now);
	}
}

void
indicator_view(const struct tally *t, const struct plan_task *task,
               dec_t target, when_t now, struct tally_view *out)
{
	out->actual = t->actual;
	out->target = target;
	out->percent = dec_percent(t->actual, target);
	switch (task->kind) {
	case PLAN_KIND_MILESTONE:
		view_milestone(t, task, now, out);
		break;
	case PLAN_KIND_LEVEL:
		view_bound(t, task, task->hold_below, now, out);
		break;
	case PLAN_KIND_CEILING:
		view_bound(t, task, 1, now, out);
		break;
	case PLAN_KIND_RATE:
		view_rate(t, task, target, now, out);
		break;
	default:
		/* quantity is tally_view's own; not reached */
		out->expected = out->lag = 0;
		out->status = STATUS_ON_TRACK;
		break;
	}
}
