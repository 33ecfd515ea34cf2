/*
 * planb.h - the plan reader's builder, shared by its rooms: plan_build.c
 * (arrays, code map, error list), plan_read.c (the INI reader and its
 * handler), plan_check.c (the checks once the whole file is read) and
 * plan.c (assembling the result).  Internal to core/plan*.c.
 */
#ifndef TIENDO_PLANB_H
#define TIENDO_PLANB_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"

#define DEFAULT_WARN 10.0
#define DEFAULT_CRITICAL 25.0
#define DEFAULT_STALE (7 * WHEN_DAY)
#define KIND_MAX 32
/* A milestone whose date could not be read, or was refused. */
#define NO_TIME INT64_MIN
/* A plan for the whole country is ~15 MB; anything far larger is a mistake
 * (a database dump, a log) that should not be read into memory. */
#define PLAN_FILE_MAX ((size_t)256 << 20)

/* A value as written, and where. */
struct field {
	char *val;
	int line;
};

enum { P_NAME, P_TZ, P_NKEYS };

enum { U_NAME, U_KIND, U_PARENT, U_NKEYS };

enum {
	T_TITLE, T_MEASURE, T_OWNER, T_START, T_DEADLINE, T_PACING, T_WARN,
	T_CRITICAL, T_STALE, T_KIND, T_HOLD, T_INTEGER, T_NEGATIVE, T_NUM,
	T_DEN, T_EVERY, T_DUE, T_PARENT_TARGETS, T_INDICATORS, T_CRIT_AFTER, T_NKEYS
};

struct bunit {
	char *code;
	int line;
	struct field f[U_NKEYS];
};

struct btask {
	char *code;
	int line;
	struct field f[T_NKEYS];
	struct field *ms; /* milestone lines */
	size_t n_ms, cap_ms;
	int n_targets;    /* target lines seen, valid or not */
};

enum { S_DEADLINE, S_NKEYS };

struct bsched { /* a [schedule TASK UNIT] section */
	char *key;  /* "TASK UNIT": the duplicate check's map key */
	char *task, *unit;
	int line;
	struct field f[S_NKEYS];
	struct field *ms; /* milestone lines */
	size_t n_ms, cap_ms;
	when_t deadline; /* f[S_DEADLINE] parsed, else 0 */
	struct plan_milestone *parsed; /* n_ms, once checked; moved into the
	                                  plan by assemble() */
};

struct bsect { /* a [targets CODE] section */
	char *task;
	int line;
};

struct btarget {
	int sect;
	char *unit;
	dec_t value;
	char *from_text; /* "VALUE from DATE": a revision; else NULL */
	char *by_text;   /* "VALUE by DATE": the unit's own deadline */
	when_t by;
	int by_ok;       /* by_text parsed and checked */
	int sched;       /* index into b->scheds of its [schedule], or -1 */
	when_t from;     /* from_text parsed (planb_check_revisions) */
	int ok; /* value parsed */
	int allocated; /* a parent's total allocated below: checked, then
	                  not a target of its own (planb_check_allocations) */
	int line;
	int task_i, unit_i; /* resolved */
};

struct bdate { /* a date already read (planb_parse_date) */
	char *key;   /* 'E' (end of day) or 'S', then the text */
	when_t at;
};

struct berr {
	int line;
	size_t seq;
	char *msg;
};

/* Code -> index, open addressing; keys are borrowed. */
struct map {
	const char **keys;
	int *vals;
	size_t cap, n;
};

enum sec_kind {
	SEC_NONE, SEC_SKIP, SEC_PLAN, SEC_UNIT, SEC_TASK, SEC_TARGETS,
	SEC_SCHEDULE
};

struct build {
	const char *name; /* file name for messages */
	const char *text;
	size_t len, pos;
	int lineno;
	int oom;

	enum sec_kind sec;
	int cur;
	int plan_line;
	struct field pf[P_NKEYS];

	struct bunit *units;
	size_t n_units, cap_units;
	struct btask *tasks;
	size_t n_tasks, cap_tasks;
	struct bsect *sects;
	size_t n_sects, cap_sects;
	struct btarget *targets;
	size_t n_targets, cap_targets;
	struct bsched *scheds;
	size_t n_scheds, cap_scheds;
	struct map unit_map, task_map, sect_map, sched_map;

	/* A plan repeats a few dates thousands of times (the same milestones
	 * for many units), and each reading costs system calls (when.c checks
	 * the zone's file): each text is read once. */
	struct bdate *dates;
	size_t n_dates, cap_dates;
	struct map date_map;

	struct berr *errs;
	size_t n_errs, cap_errs;
};
/* plan_build.c */
int planb_grow(void *arrp, size_t *cap, size_t n, size_t size);
int planb_map_get(const struct map *m, const char *k);
int planb_map_put(struct map *m, const char *k, int v);
void planb_map_free(struct map *m);
void planb_errf(struct build *b, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int planb_errs_append(struct plan_errors *errs, char *msg);
void planb_errs_appendf(struct plan_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *planb_code_problem(const char *s);
int planb_kind_valid(const char *s);
int planb_is_blank(char c);
void planb_build_free(struct build *b);

/* plan_read.c: libinih's reader and handler. */
char *planb_read_line(char *str, int num, void *stream);
int planb_handle(void *user, const char *section, const char *key,
                 const char *value);
/* Keeps key = value in f[i] where keys[i] is key; an unknown key or one
 * given twice is an error naming the open section and what was
 * `expected`. */
void planb_set_field(struct build *b, const char *const *keys,
                     struct field *f, const char *key, const char *value,
                     const char *expected);

/* plan_check.c */
/* A plan date in zone tz (the plan's, the same for every call on b); a
 * bare date is the end of that day when end_of_day.  0, or -1 with *why. */
int planb_parse_date(struct build *b, const char *s, const char *tz,
                     int end_of_day, when_t *out, const char **why);
/* Keeps one "milestone = " line (value, at b->lineno) in ms[n], to be
 * read by planb_parse_milestones once the plan is read. */
void planb_add_milestone(struct build *b, struct field **ms, size_t *n,
                         size_t *cap, const char *value);
/* Parses n "DATE PERCENT" lines of `whose` ("task 'trong-cay'"); one that
 * cannot be read gets at = NO_TIME or percent = -1, and an error. */
void planb_parse_milestones(struct build *b, const struct field *ms, size_t n,
                            const char *whose, const char *tz,
                            struct plan_milestone *out);
/* Each milestone strictly inside (start, deadline), both growing; a bound
 * whose text is NULL (it could not be read) is not checked. */
void planb_check_milestone_order(struct build *b, const struct field *ms,
                                 const struct plan_milestone *m, size_t n,
                                 const char *whose, when_t start,
                                 const char *start_text, when_t deadline,
                                 const char *deadline_text);
void planb_check_units(struct build *b, int *parent);
void planb_check_tasks(struct build *b, const char *tz, struct plan_task *out);
size_t planb_check_targets(struct build *b, const struct plan_task *tasks);
/* In the targets as planb_check_targets sorts them (by task, unit; a
 * pair's first value before its revisions): the first index not before
 * (task, unit), and the first line of that pair, or -1. */
size_t planb_targets_from(const struct build *b, int task, int unit);
int planb_find_target(const struct build *b, int task, int unit);

/* plan_group.c: kind = group, a task of several indicator tasks. */
/* 1 when the task says kind = group (then most task keys do not apply). */
int planb_is_group(const struct btask *t);
/* A group's own keys; in planb_check_tasks' place. */
void planb_check_group_task(struct build *b, struct btask *t,
                            struct plan_task *pt);
/* Resolves every group's indicators (after all tasks are checked). */
void planb_check_groups(struct build *b, struct plan_task *tasks);

/* plan_alloc.c: parent_targets = allocation: each parent's total must be
 * the sum of the targets below it, and is then not counted again.  Returns
 * how many targets were allocated totals (no longer targets). */
size_t planb_check_allocations(struct build *b, struct plan_task *tasks,
                               const int *parent);

/* plan_period.c: report_every and report_due, and the periods they make
 * (after planb_check_tasks, whose dates they need). */
void planb_check_periods(struct build *b, const char *tz,
                         struct plan_task *tasks);

/* plan_sched.c: a unit's own schedule: "UNIT = VALUE by DATE" (its
 * deadline) and [schedule TASK UNIT] (its milestones). */
/* Splits "VALUE by DATE" in place; the date text, or NULL. */
char *planb_split_by(char *value);
/* Opens [schedule TASK UNIT]; `codes` is what follows the word (n bytes,
 * trimmed), `line` the header's. */
void planb_open_schedule(struct build *b, const char *codes, size_t n,
                         int line);
/* One key of the open [schedule] section. */
void planb_schedule_key(struct build *b, const char *key, const char *value);
/* Parses and checks each unit's deadline and [schedule] against its task
 * and target; after planb_check_tasks, planb_check_targets and
 * planb_check_allocations (a total shared out has no pace of its own). */
void planb_check_schedules(struct build *b, const char *tz,
                           const struct plan_task *tasks);
/* Gives p->targets[k], assembled from b->targets[i], its own deadline
 * and milestones, moved from the builder into p->schedules (allocated for
 * every [schedule] section by the caller). */
void planb_assemble_schedule(struct build *b, size_t i, struct plan *p,
                             size_t k);

/* plan_revise.c: "UNIT = VALUE from DATE" lines, revisions of a target. */
/* Splits "VALUE from DATE" in place; the date text, or NULL. */
char *planb_split_from(char *value);
/* Parses every revision's date; before planb_check_targets. */
void planb_check_revisions(struct build *b, const char *tz);
/* Checks revision t against the line before it of the same pair (p, or
 * NULL), in the sorted targets: a first value must come before, and no
 * two revisions share a date. */
void planb_check_revision(struct build *b, struct btarget *t,
                          const struct btarget *p);
/* Fills p->targets[k].revs from the base at b->targets[i] and the
 * revisions after it.  0, or -1 out of memory. */
int planb_assemble_revisions(struct build *b, size_t i, struct plan_target *pt);

/* plan_kind.c: what a task's number means (kind, hold, integer,
 * negative_adds) and which target values fit it. */
void planb_check_kind(struct build *b, const struct btask *t,
                      struct plan_task *pt);
/* 0 if `v` is a valid target for task `pt`, else -1 with an error at
 * `line`. */
/* Each rate's numerator and denominator tasks, and the targets a rate
 * needs in them; after planb_check_targets (targets sorted). */
void planb_check_rates(struct build *b, struct plan_task *tasks);
int planb_check_target_value(struct build *b, const struct plan_task *pt,
                             const char *task, const char *unit, dec_t v,
                             int line);

#endif
