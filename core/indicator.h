/*
 * indicator.h - what a tally means for each kind of indicator.  Pure: no
 * I/O, no clock; `now` is passed in.
 *
 * quantity   (today's, tally_view) grows toward the target on a pace.
 * level      a level to hold over the whole period, at least (or at most)
 *            the target.  The status comes from the latest value: in
 *            bounds is on_track until the deadline and done from it;
 *            out of bounds is lagging, critical when it misses the
 *            target by `critical` points of it or more, or when it has
 *            been out of bounds for `critical_after` (counted from its
 *            latest report, which showed it so: a lower bound of the
 *            time out of bounds); overdue from the deadline.  Nothing is "done"
 *            before the period ends.  A roll-up of percentages shows
 *            the mean of its reporting units' levels against the mean
 *            of their targets; of amounts, their sums.
 * milestone  yes (1) or no (0) by the deadline.  Nothing is expected
 *            before it (expected 0, never lagging); done once reached;
 *            overdue after the deadline if not.  A roll-up counts the
 *            units that reached it.
 * ceiling    lower is better: the actual must not exceed the target (0 is
 *            allowed).  Above it: critical before the deadline, overdue
 *            from it; within it: on_track, and done once the period ends.
 * rate       the ratio of two quantity tasks' tallies (numerator /
 *            denominator, in percent, exact sums divided once): a tally
 *            of a rate carries the numerator in `actual` and the
 *            denominator in `base` (rate_derive), and every roll-up sums
 *            both.  Held like a level when the plan says `hold`, else
 *            paced like a quantity.  With no denominator yet it has no
 *            value (0%, on track until silent).
 *
 * For every kind: percent = actual / target * 100 (0 when the target is
 * 0); `lag` is in points, positive when the indicator is worse than it
 * should be, and the alert rules read it against warn and critical.  A
 * paced rate's lag is in points of the rate (planned rate by now minus
 * the rate), as its alert says it, not expected - percent.
 */
#ifndef TIENDO_INDICATOR_H
#define TIENDO_INDICATOR_H

#include "decimal.h"
#include "plan.h"
#include "rate.h"
#include "tally.h"

/* "quantity", "level", "milestone", "ceiling", "rate". */
const char *indicator_kind_name(enum plan_kind k);

/* Word -> kind; 0 on success, -1 when unknown (leaves *out alone). */
int indicator_kind_parse(const char *s, enum plan_kind *out);

/* Whether one report value fits the task: NULL if it does, else a static
 * English reason ("a whole number is expected: ..."). */
const char *indicator_check_value(const struct plan_task *t,
                                  enum report_kind kind, dec_t v);

/* part / whole * 100 in thousandths (a percentage with 3 decimals),
 * rounded; 0 when whole <= 0. */
dec_t indicator_ratio(dec_t part, dec_t whole);

/* Whether a running task's unit has gone quiet at `now`, and how: the
 * report of a period missing past its due day (period.h) is
 * STATUS_MISSING, the more precise of the two; nothing observed for
 * stale_after is STATUS_SILENT.  Returns 1 and sets *status, or 0. */
int indicator_quiet(const struct tally *t, const struct plan_task *task,
                    when_t now, enum tally_status *status);

/* What is expected of the task at `now`, in percent of its target, as its
 * kind reads it: the pace of a quantity or a paced rate; 0 for a
 * milestone before its deadline and 100 from it; 100 for what is held
 * (a level, a ceiling, a held rate); 0 for a group. */
double indicator_expected(const struct plan_task *t, when_t now);

/* What one target's tally counts for: its actual, but a milestone's is at
 * most 1 (reached), so that a second `add 1` neither makes it "2 of 1"
 * nor counts the commune twice in a roll-up. */
dec_t indicator_value(const struct plan_task *task, dec_t actual);

/* Whether a level's values are percentages (its measure is "%"): a
 * roll-up then averages them; a level of amounts (a reserve in tonnes)
 * adds up like a quantity. */
int indicator_in_percent(const struct plan_task *task);

/* What a roll-up gathers of its targets besides the tallies' sums, for
 * indicator_rollup: a rate's goal (rate.h), and which targets of a level
 * in percent have a value.  Zeroed, then indicator_acc_add() once per
 * target summed. */
struct indicator_acc {
	struct rate_goal goal;
	uint32_t valued;       /* targets with a value: a report */
	dec_t target_valued;   /* their targets, summed */
};

/* Target k's share: its target (as revised by then), its tally's base (a
 * rate's denominator) and whether it has any value yet. */
void indicator_acc_add(struct indicator_acc *a, const struct plan_task *task,
                       dec_t target, dec_t base, int has_value);

/* What a roll-up of n targets holds, from their sums (actuals, bases and
 * targets added up) and what `a` gathered (NULL: nothing): *actual and
 * *target are changed in place.  A quantity, a ceiling, a milestone
 * (communes counted) and a level of amounts keep their sums.  A rate
 * divides its summed parts, and its target is the goal of its units'
 * targets (weighted by their denominators; their mean without `a`),
 * never their sum.  A level in percent (98% of dossiers on time) is the
 * mean of the values of the units that have one against the mean of
 * their targets: 95.1% against 94%, not 190.2% against 188%, and a
 * commune that has not reported yet is not taken for 0%. */
void indicator_rollup(const struct plan_task *task, size_t n,
                      const struct indicator_acc *a, dec_t *actual,
                      dec_t *target);

/* tally_view() for a task whose kind is not quantity. */
void indicator_view(const struct tally *t, const struct plan_task *task,
                    dec_t target, when_t now, struct tally_view *out);

#endif
