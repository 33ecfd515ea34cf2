/*
 * outbox.h - a client's local queue of reports (SQLite), so that no report
 * is lost when the link or the daemon is down.
 *
 * A report goes into the outbox, with its seq, before it is ever sent; it
 * leaves only when the daemon has acknowledged it as accepted or duplicate
 * (then it is on the daemon's disk).  A report the daemon rejects stays,
 * marked rejected with the code and reason, and is not sent again.
 *
 * Sequence numbers: (client, seq) names a report for ever, so a seq must
 * never be reused, even if the outbox file is lost or an old copy of it is
 * restored.  The counter starts at the current time in microseconds and
 * each new seq is max(counter, now in µs): an outbox made afresh, or
 * restored from a backup, still hands out seqs above every one used before
 * (as long as fewer than one report per microsecond was ever queued).
 */
#ifndef TIENDO_OUTBOX_H
#define TIENDO_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct outbox;

enum outbox_state { OUTBOX_PENDING = 0, OUTBOX_REJECTED = 1 };

/* Same numbers as the protocol's Kind. */
enum outbox_kind { OUTBOX_ADD = 1, OUTBOX_SET = 2 };

struct outbox_item {
	uint64_t seq;          /* set by outbox_add */
	char *unit;
	char *task;
	char *value;           /* decimal string as it will be sent */
	enum outbox_kind kind;
	int64_t observed_at;   /* ms since the epoch, UTC */
	char *reporter;        /* "" when absent, never NULL */
	char *note;            /* "" when absent, never NULL */
	int64_t queued_at;     /* ms since the epoch, set by outbox_add */
	enum outbox_state state;
	char *code;            /* rejected: reject code name, else NULL */
	char *reason;          /* rejected: the daemon's reason, else NULL */
	uint64_t voids_seq;    /* non-zero: a correction voiding that seq */
	char *void_reason;     /* of a correction; "" otherwise, never NULL
	                          in what the outbox hands out */
	int fate;              /* history only: 1 accepted, 2 duplicate */
	int64_t done_at;       /* history only: ms when acknowledged */
};

/* Where outbox_find found a seq. */
enum outbox_where { OUTBOX_NOWHERE = 0, OUTBOX_IS_PENDING,
                    OUTBOX_IS_REJECTED, OUTBOX_IS_DELIVERED };

/*
 * Opens the outbox at path, creating it if `create` (the directory must
 * exist).  The file remembers the client it was made for; opening it for
 * another client fails, because its pending reports carry seqs of the first
 * one.  client may be NULL to take the stored one (an existing file only).
 * NULL on failure with a malloc'd message in *err.
 */
struct outbox *outbox_open(const char *path, const char *client, int create,
                           char **err);
void outbox_close(struct outbox *ob);
/* 1 when the disk had no room for the WAL index: the outbox was opened in
 * exclusive mode, to send what it holds; new writes may fail. */
int outbox_is_cramped(const struct outbox *ob);

/* The last error, for messages.  Valid until the next call. */
const char *outbox_errmsg(const struct outbox *ob);

/* Explicit write transaction (BEGIN IMMEDIATE ... COMMIT): a whole CSV file
 * goes in at once or not at all.  Calls outside one run in their own.
 * 0 or -1. */
int outbox_begin(struct outbox *ob);
int outbox_commit(struct outbox *ob);
void outbox_rollback(struct outbox *ob);

/* Queues a copy of *it as pending, giving it the next seq (returned in
 * *seq, may be NULL).  it->seq, queued_at, state, code and reason are
 * ignored.  0 or -1. */
int outbox_add(struct outbox *ob, const struct outbox_item *it, uint64_t *seq);

/* Up to `max` pending reports with seq > after, oldest (lowest seq) first,
 * in a malloc'd array (*items, *n) freed with outbox_items_free.  A
 * correction whose voided report is itself still pending is held back, so
 * that it never reaches the daemon before what it voids.  0 or -1. */
int outbox_pending(struct outbox *ob, uint64_t after, size_t max,
                   struct outbox_item **items, size_t *n);

/* Every report held, pending and rejected, by seq.  0 or -1. */
int outbox_list(struct outbox *ob, struct outbox_item **items, size_t *n);

void outbox_items_free(struct outbox_item *items, size_t n);

/* The daemon has it (accepted or duplicate): forget it.  0 or -1; deleting
 * a seq that is not there is not an error. */
int outbox_done(struct outbox *ob, uint64_t seq);

/* The same, remembering it in the delivered history (the last
 * OUTBOX_HISTORY reports, and a total) with its fate: 1 accepted,
 * 2 duplicate.  0 or -1. */
#define OUTBOX_HISTORY 1000
int outbox_deliver(struct outbox *ob, uint64_t seq, int fate);

/* The `max` most recently delivered reports, newest first.  0 or -1. */
int outbox_history(struct outbox *ob, size_t max, struct outbox_item **items,
                   size_t *n);

/* Reports delivered since the outbox was made (or upgraded).  -1 on error. */
int64_t outbox_delivered_total(struct outbox *ob);

/* Looks seq up: pending or rejected, or in the delivered history.  *where
 * says which; *it (freed with outbox_items_free(it, 1)) is a copy, NULL
 * when nowhere.  0 or -1. */
int outbox_find(struct outbox *ob, uint64_t seq, enum outbox_where *where,
                struct outbox_item **it);

/* The daemon refused it for good: keep it as rejected with code and reason.
 * 0 or -1. */
int outbox_reject(struct outbox *ob, uint64_t seq, const char *code,
                  const char *reason);

/* Drops every rejected report; *n (may be NULL) gets how many.  0 or -1. */
int outbox_clear_rejected(struct outbox *ob, int64_t *n);

/* Number of reports in a state.  -1 on error. */
int64_t outbox_count(struct outbox *ob, enum outbox_state state);

/* The seq the next outbox_add would hand out at the earliest (the stored
 * counter; outbox_add may go higher, see above).  0 on error. */
uint64_t outbox_next_seq(struct outbox *ob);

/* The client the outbox belongs to. */
const char *outbox_client(const struct outbox *ob);

#endif
