/*
 * plan.h - the district's plan: units, tasks, targets.
 *
 * A plan is an INI file (read with libinih) that a clerk can edit.  Loading
 * either yields a complete, consistent plan or every error found, each as
 * "file:line: message"; never half a plan.  The format is described at the
 * top of plan.c and in README.md; examples/tam-duong-2021.ini is a real one.
 *
 * Once loaded a plan is immutable; a reload builds a new one and swaps it.
 * Units form a tree of any depth (province > commune > village...): nothing
 * here assumes a district level.
 */
#ifndef TIENDO_PLAN_H
#define TIENDO_PLAN_H

#include <stddef.h>

#include "decimal.h"
#include "when.h"

#define PLAN_CODE_MAX 64 /* bytes in a unit or task code */

struct plan_unit {
	char *code;   /* [a-z0-9-], 1..PLAN_CODE_MAX, unique among units */
	char *name;   /* UTF-8, e.g. "Hoàng Đan" */
	char *kind;   /* free word: province, district, commune, town, village,
	                 department...; levels are data, not code */
	int parent;   /* index into plan.units, or -1 for a root */
	int depth;    /* 0 for a root */
	int line;
};

enum pacing_kind { PACING_LINEAR = 0, PACING_MILESTONES = 1 };

struct plan_milestone {
	when_t at;      /* instant by which `percent` is expected */
	double percent; /* 0 < percent < 100, strictly increasing */
};

/* How often a task wants a report (report_every). */
enum plan_every {
	PLAN_EVERY_NONE = 0,
	PLAN_EVERY_WEEK,    /* ISO weeks, Monday to Sunday */
	PLAN_EVERY_MONTH,
	PLAN_EVERY_QUARTER,
};

/* One reporting period, in the plan's zone: [start, end), its report due
 * before `due` (the end of the due day in the next period). */
struct plan_period {
	when_t start, end, due;
	int year; /* the ISO year for a week */
	int num;  /* week 1-53, month 1-12 or quarter 1-4 */
};

/* What a task's number means; see indicator.h. */
enum plan_kind {
	PLAN_KIND_QUANTITY = 0, /* grows toward the target on a pace */
	PLAN_KIND_LEVEL,        /* a level to hold over the whole period */
	PLAN_KIND_MILESTONE,    /* yes/no by the deadline */
	PLAN_KIND_CEILING,      /* lower is better: must not exceed target */
	PLAN_KIND_RATE,         /* numerator / denominator, in percent */
	PLAN_KIND_GROUP,        /* several indicators: no targets of its own */
};

struct plan_task {
	char *code;    /* unique among tasks */
	char *title;   /* UTF-8 */
	char *measure; /* unit of measure: "cây", "ha", "triệu đồng" */
	int owner;     /* index of the owning unit (a department), or -1 */
	when_t start;
	when_t deadline;            /* > start */
	enum pacing_kind pacing;
	struct plan_milestone *milestones; /* strictly increasing in at and
	                                      percent, all in (start, deadline) */
	size_t n_milestones;
	double warn;     /* lag in percentage points that makes "lagging" */
	double critical; /* lag that makes "critical"; >= warn */
	int64_t stale_after; /* ms without a report that makes "silent"; 0 = off */
	enum plan_kind kind;
	int hold_below;    /* level: 1 = stay at or below target, 0 = at or
	                      above */
	int integer;       /* values and targets are whole numbers */
	int no_negative_adds; /* refuse an ADD below zero (0, the default,
	                         allows a take-back) */
	int held;          /* a rate held like a level (hold = given); a
	                      rate without it is paced like a quantity */
	int64_t critical_after; /* held: out of bounds this long (since the
	                           report that showed it) is critical; 0 off */
	int numerator;     /* rate: index of the task counting the part */
	int denominator;   /* rate: index of the task counting the whole */
	int read_by_rate;  /* some rate task counts this one: its changes
	                      move that rate (rate_follow) */
	int allocate;      /* parent_targets = allocation: a parent's own
	                      target was the total of those below it (checked
	                      when read) and is not a target of its own */
	int *indicators;   /* group: its indicator tasks, in plan order */
	size_t n_indicators;
	enum plan_every every;       /* PLAN_EVERY_NONE: no periods */
	int due_day;                 /* day of the next period the report is
	                                due by: 1-7 (Monday = 1) for a week,
	                                1-28 of the next month otherwise */
	struct plan_period *periods; /* every period the task overlaps, in
	                                order; NULL when every is NONE */
	size_t n_periods;
	int line;
};

/* A target as revised from an instant on (điều chỉnh chỉ tiêu). */
struct plan_revision {
	when_t from;  /* INT64_MIN for the value first written */
	dec_t value;
	int line;
};

struct plan_target {
	int task;   /* index into plan.tasks */
	int unit;   /* index into plan.units */
	dec_t value; /* > 0; >= 0 for a ceiling or a level held below; the
	                latest revision's when there are revisions */
	int line;
	int schedule;     /* 0: the task's milestones; else 1 + the index
	                     into plan.schedules of the unit's own (the
	                     padding before `deadline` holds it for free) */
	when_t deadline;  /* the unit's own deadline ("by DATE", or its
	                     [schedule]'s), or 0 for the task's */
	struct plan_revision *revs; /* NULL, or n_revs >= 2 sorted by from,
	                               revs[0] the first value (from
	                               INT64_MIN): plan_target_value() */
	size_t n_revs;
};

/* A unit's own milestones for one task ([schedule TASK UNIT]): they
 * replace the task's for that unit's view; roll-ups keep the task's. */
struct plan_schedule {
	struct plan_milestone *milestones; /* as a task's: strictly
	                                      increasing, inside (task start,
	                                      the unit's deadline) */
	size_t n_milestones; /* >= 1 */
	int target;          /* index into plan.targets */
	int line;            /* of the [schedule] header */
};

struct plan {
	char *path;     /* file it was read from */
	char *name;     /* [plan] name */
	char *timezone; /* [plan] timezone, default WHEN_DEFAULT_TZ */
	struct plan_unit *units;
	size_t n_units;
	struct plan_task *tasks;
	size_t n_tasks;
	struct plan_target *targets; /* sorted by (task, unit), unique */
	size_t n_targets;
	struct plan_schedule *schedules; /* in target order */
	size_t n_schedules;
	/* Unit and task indexes sorted by code, for plan_unit_find() and
	 * plan_task_find(); built by plan_parse().  A plan put together by
	 * hand (in tests) may leave them NULL: the finds then scan. */
	int *unit_order;
	int *task_order;
	/* Of the text it was parsed from (FNV-1a 64; 0 for a plan put
	 * together by hand): the same text, the same plan, to the order of
	 * its targets.  The tally snapshot (tallysnap.h) keys on it. */
	uint64_t digest;
};

/* Errors found while loading, in file order. */
struct plan_errors {
	char **msgs;  /* each "file:line: message" */
	size_t n;
};

/* Reads and checks the plan in `path`.  Returns the plan, or NULL with every
 * error appended to errs (errs may be NULL). */
struct plan *plan_load(const char *path, struct plan_errors *errs);

/* Same from memory; `name` stands for the file name in messages. */
struct plan *plan_parse(const char *text, size_t len, const char *name,
                        struct plan_errors *errs);

void plan_free(struct plan *p);
void plan_errors_clear(struct plan_errors *errs);

/* Index of the unit/task with that code, or -1.  O(log n). */
int plan_unit_find(const struct plan *p, const char *code);
int plan_task_find(const struct plan *p, const char *code);
/* Index into p->targets of (task, unit), or -1.  O(log n). */
int plan_target_find(const struct plan *p, int task, int unit);

/* Index of the first target of `task`: targets are sorted by (task, unit),
 * so a task's targets run from here while .task == task.  O(log n). */
size_t plan_task_first_target(const struct plan *p, int task);

/* Whether target i has a pace of its own (a deadline, milestones), not
 * its task's. */
int plan_target_own_pace(const struct plan *p, size_t i);

/* The schedule of target i: its task, with the unit's own deadline when
 * it has one ("by DATE" or its [schedule]'s; the task's milestones before
 * it kept) and the unit's own milestones when its [schedule] gives them.
 * Returns the task itself, or *buf filled (borrowing from p). */
const struct plan_task *plan_target_task(const struct plan *p, size_t i,
                                         struct plan_task *buf);

/* The value of target `i` in force at instant `at`: revisions apply from
 * their date on, so a view of the past keeps the target it had. */
dec_t plan_target_value(const struct plan *p, size_t i, when_t at);

/* A period named "2026-11" (month), "2026-Q4" (quarter) or "2026-W47" (ISO
 * week) as [start, end) in zone tz.  0, or -1 with *why. */
int plan_period_parse(const char *s, const char *tz, when_t *start,
                      when_t *end, const char **why);

/* 1 if unit `u` is `ancestor` or lies below it. */
int plan_unit_within(const struct plan *p, int u, int ancestor);

#endif
