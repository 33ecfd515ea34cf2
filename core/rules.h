/*
 * rules.h - the alert rules and the life of each alert.  Pure: no I/O, no
 * clock; `now` is passed in, so tests replay months in milliseconds.
 *
 * A subject is one (task, unit) target, or one roll-up: a task summed over
 * a unit that has targets below it (the same rows as GET /v1/tallies).  Each
 * subject carries one state per rule:
 *
 *   lag      warning when lag >= warn, critical when lag >= critical, while
 *            the task runs (start <= now < deadline) and the target is not met
 *   overdue  critical when the deadline has passed and the target is not met
 *   silent   warning when a running task has had no report for stale_after
 *   done     info: a one-off notice when the target is met
 *
 * Lifecycle: a condition must hold for `pending` ms before it fires or
 * escalates (0: at once); it eases and resolves at once, but only when lag
 * has fallen `margin` points below the threshold it crossed (hysteresis); a
 * firing alert is re-announced every `reminder` ms (0: never).  Each change
 * is one event with the next global sequence number.  "done" fires a NOTICE
 * and then stays latched, silently, until the target is no longer met.
 *
 * Inhibition: when the deadline passes with the target unmet, the lag
 * alert ends (lag only holds while the task runs) and the overdue alert
 * takes over.  That lag `resolved` event is marked `inhibited`: it is
 * stored like any event, but it is no news ("caught up" it is not), so
 * it is not pushed to subscribers.  No other rule inhibits another: lag
 * and silent may fire together (behind, and not reporting), and overdue
 * and silent cannot (silent only holds while the task runs).
 *
 * The caller persists the events and the changed states (rules_dirty) and
 * only then publishes: see daemon/alerts.c.
 */
#ifndef TIENDO_RULES_H
#define TIENDO_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"

enum rules_rule { RULE_LAG = 0, RULE_OVERDUE, RULE_SILENT, RULE_DONE, RULE_N };

/* Numbers match tiendo.proto's Severity and AlertTransition. */
enum rules_sev { SEV_NONE = 0, SEV_INFO = 1, SEV_WARNING = 2, SEV_CRITICAL = 3 };

enum rules_transition {
	TR_FIRING = 1,    /* a new alert */
	TR_ESCALATED = 2, /* severity went up */
	TR_EASED = 3,     /* severity went down, still firing */
	TR_REMINDER = 4,  /* still firing, announced again */
	TR_RESOLVED = 5,  /* no longer holds */
	TR_NOTICE = 6,    /* one-off (done) */
};

struct rules_config {
	int64_t pending;  /* ms a condition must hold before it fires */
	double margin;    /* points below a threshold before it lets go */
	int64_t reminder; /* ms between reminders; 0 = off */
};

/* What is kept (and persisted) per (subject, rule): the engine keeps it in
 * a denser form of its own, and hands out copies (rules_state_get/set). */
struct rules_state {
	uint8_t sev;          /* announced severity; SEV_NONE = not firing */
	uint8_t pend_sev;     /* severity waiting for `pending`; SEV_NONE = none */
	when_t pending_since; /* when the pending condition began to hold */
	when_t since;         /* when the alert fired */
	when_t announced;     /* last announcement, for reminders */
	uint64_t id;          /* seq of the event that opened the alert */
	uint64_t last_seq;    /* seq of its latest event */
};

struct rules_subject {
	int task;
	int unit;
	int target;  /* index into plan->targets, or -1 for a roll-up */
	int n_units; /* targets summed (1 for a target) */
};

struct rules_event {
	uint64_t seq;
	uint64_t id;
	enum rules_transition transition;
	enum rules_rule rule;
	enum rules_sev sev;      /* after the transition (RESOLVED: as it was) */
	enum rules_sev prev_sev; /* before it */
	int subject;
	struct tally_view view;  /* the numbers at that moment */
	when_t at;
	when_t since;
	when_t last_report;
	bool inhibited;          /* not news: see "Inhibition" above */
};

struct rules;

/* NULL when out of memory.  The plan is borrowed and must outlive it. */
struct rules *rules_new(const struct plan *plan, const struct rules_config *cfg);
void rules_free(struct rules *r);

size_t rules_n_subjects(const struct rules *r);
/* Subject i: a target's is made in *buf (the plan holds it already), a
 * roll-up's is the engine's own.  NULL past the last. */
const struct rules_subject *rules_subject(const struct rules *r, size_t i,
                                          struct rules_subject *buf);
/* Subject of (task, unit), a target or a roll-up; -1 if none. */
int rules_subject_find(const struct rules *r, int task, int unit, bool rollup);

void rules_state_get(const struct rules *r, size_t subject,
                     enum rules_rule rule, struct rules_state *out);
/* -1 (and nothing kept) when a severity is not one of enum rules_sev's. */
int rules_state_set(struct rules *r, size_t subject, enum rules_rule rule,
                    const struct rules_state *in);
/* Its announced severity, and in *pend (unless NULL) the pending one: the
 * cheap read for counting over every subject. */
enum rules_sev rules_state_sev(const struct rules *r, size_t subject,
                               enum rules_rule rule, enum rules_sev *pend);

/* Bytes the engine holds: its per-subject tables and scratch, and in
 * *queue the event queue's capacity (which grows with the largest
 * evaluation since rules_new, not with the plan). */
size_t rules_memory(const struct rules *r, size_t *queue);

uint64_t rules_last_seq(const struct rules *r);
void rules_set_last_seq(struct rules *r, uint64_t seq);

/* Evaluates every subject, or the subjects of the given targets and the
 * roll-ups of their tasks.  Events go to the queue below.  0, or -1 when
 * out of memory (the queue then holds what was produced so far). */
int rules_eval_all(struct rules *r, const struct board *b, when_t now);

/* The same full evaluation in slices, so that a country-sized plan never
 * holds the caller's loop (or its event queue) for long.  *cursor starts
 * at 0 and walks the targets, then the tasks' roll-ups; each call stops
 * once about `max_work` subjects were evaluated or `max_rows` events and
 * changed states are queued, each a row for the caller to write (a
 * pending clock that starts is a changed state without an event).  A
 * task's roll-ups are done together, so a slice may pass max_rows by
 * that task's roll-ups x 2 x RULE_N.  1 when the pass is
 * complete (the cursor is then back at 0), 0 when more remains, -1 when
 * out of memory (the cursor then at the subject that could not be
 * evaluated, which changed nothing).  Each slice may take its own `now`;
 * where the slices end does not change what they say. */
int rules_eval_slice(struct rules *r, const struct board *b, when_t now,
                     size_t *cursor, size_t max_work, size_t max_rows);
int rules_eval_targets(struct rules *r, const struct board *b,
                       const int *targets, size_t n, when_t now);

/* The events produced since the last rules_clear(), in seq order, and the
 * (subject * RULE_N + rule) indexes of the states changed. */
const struct rules_event *rules_events(const struct rules *r, size_t *n);
const size_t *rules_dirty(const struct rules *r, size_t *n);
void rules_clear(struct rules *r);

/* Forgets all states and events (before reloading them). */
void rules_reset(struct rules *r);

const char *rules_rule_name(enum rules_rule rule);     /* "lag"... */
const char *rules_sev_name(enum rules_sev sev);        /* "warning"... */
const char *rules_transition_name(enum rules_transition t); /* "firing"... */
/* -1 when unknown. */
int rules_rule_parse(const char *s);
int rules_sev_parse(const char *s);

#endif
