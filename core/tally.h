/*
 * tally.h - the running total of one (task, unit) pair.  Pure: no I/O, no
 * clock; `now` is passed in.
 *
 * Order independence.  An "add" report adds its value; a "set" report states
 * the total as of its observed-at.  The total is: the value of the latest set
 * (greatest (observed_at, seq, client_hash)), plus every add observed strictly
 * after that set's observed_at; with no set, the sum of all adds.  So reports
 * that arrive late or out of order give the same total.
 *
 * Keeping that exact with O(1) memory per pair: a tally remembers the latest
 * add's instant.  When a newer set arrives and some add is later than it,
 * the adds between the two sets are not known here; tally_apply() then says
 * TALLY_RECOUNT and the caller refolds the pair from the stored reports
 * (tally_fold).  In-order streams, the normal case, never need it.
 */
#ifndef TIENDO_TALLY_H
#define TIENDO_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "decimal.h"
#include "plan.h"
#include "when.h"

enum report_kind { REPORT_ADD = 1, REPORT_SET = 2 };

struct tally_report {
	enum report_kind kind;
	dec_t value;
	when_t observed_at;
	uint64_t seq;         /* the client's sequence number */
	uint64_t client_hash; /* tally_client_hash(client): last tie-break */
};

struct tally {
	dec_t actual;          /* the total, as defined above */
	bool has_set;
	dec_t set_value;       /* latest set */
	when_t set_at;
	uint64_t set_seq, set_client;
	dec_t adds_after;      /* sum of adds observed after set_at (all adds
	                          when !has_set) */
	when_t last_add_at;    /* latest observed_at of any add; 0 if none */
	when_t last_report_at; /* latest observed_at of any report; 0 if none */
	uint32_t n_reports;
	dec_t base;            /* a rate's denominator (actual is its
	                          numerator); 0 for every other kind */
};

enum tally_result {
	TALLY_OK = 0,
	TALLY_RECOUNT = 1,  /* refold this pair from all its reports */
	TALLY_OVERFLOW = 2, /* the sum left int64; tally unchanged */
};

/* A zeroed struct tally is an empty tally. */
void tally_init(struct tally *t);

/* Applies one report. */
enum tally_result tally_apply(struct tally *t, const struct tally_report *r);

/* Rebuilds *t from all of a pair's reports, in any order.  Never returns
 * TALLY_RECOUNT. */
enum tally_result tally_fold(struct tally *t, const struct tally_report *r,
                             size_t n);

/* FNV-1a 64 of the client identity. */
uint64_t tally_client_hash(const char *client);

enum tally_status {
	STATUS_NOT_STARTED = 0, /* before the task's start */
	STATUS_ON_TRACK,
	STATUS_LAGGING,  /* lag >= warn */
	STATUS_CRITICAL, /* lag >= critical */
	STATUS_SILENT,   /* running, and nothing observed for stale_after */
	STATUS_OVERDUE,  /* deadline passed, target not met */
	STATUS_DONE,     /* actual >= target */
	STATUS_MISSING,  /* running, and a period's report missing past its
	                    due day (period.h); last so that the numbers of
	                    the others stay as they were */
	STATUS_N
};

/* "not_started", "on_track", "lagging", "critical", "silent", "overdue",
 * "done", "missing_report". */
const char *tally_status_name(enum tally_status s);

/* What a tally means at `now`. */
struct tally_view {
	dec_t actual;
	dec_t target;
	double percent;  /* actual / target * 100 (may exceed 100) */
	double expected; /* pacing_expected(task, now) */
	double lag;      /* expected - percent, in points; <= 0 when ahead */
	enum tally_status status;
};

/*
 * Precedence, first that holds: done (actual >= target); overdue (now >=
 * deadline); not_started (now < start); missing_report (the report of a
 * period past its due day not come); silent (stale_after > 0 and
 * now - max(last_report_at, start) >= stale_after); critical (lag >=
 * critical); lagging (lag >= warn); on_track.
 */
void tally_view(const struct tally *t, const struct plan_task *task,
                dec_t target, when_t now, struct tally_view *out);

/* Whether any report was counted in t: a value to judge, not an
 * unreported 0. */
int tally_has_value(const struct tally *t);

#endif
