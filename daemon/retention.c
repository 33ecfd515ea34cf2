/*
 * retention.c - the pruning pass, in slices of alert events, each its own
 * short transaction and one loop turn (its COMMIT off the loop, through
 * store_commit_start; never while another commit is in flight), with a
 * rest as long as the slice between two: a year of a country's alerts goes in many small bites that
 * ingest acks and /healthz pass between.  A slice's rows adapt to keep it
 * near RETENTION_SLICE_MS (deleting from two indexes and the fsync cost
 * what the disk and its other users make them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <event2/buffer.h>

#include "log.h"
#include "retention.h"
#include "retention_sql.h"

#define RETENTION_SLICE_MS 10.0
#define RETENTION_ROWS_MIN 16
#define RETENTION_ROWS_MAX 4000
#define RETENTION_REST_MAX_MS 50.0

struct retention {
	struct event_base *base;
	struct store *store;
	int64_t keep;
	struct event *ev_timer, *ev_slice;
	int running;
	uint64_t cursor;
	size_t rows;       /* per slice, adapted */
	when_t cutoff;
	uint64_t pass_pruned;
	/* A slice's COMMIT in flight (store_commit_start), and what
	 * rt_on_committed needs of it. */
	int committing;
	size_t slice_deleted;
	int slice_more;
	struct timespec slice_t0;
	struct retention_stats stats;
};

static double
rt_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
rt_pass_end(struct retention *r)
{
	struct timespec t0;
	char err[256];
	double ms;

	r->running = 0;
	r->stats.passes++;
	/* On the loop (PASSIVE: at most what the commits' own checkpoints
	 * left, and never waiting for a reader): counted as a slice of its
	 * own, all of it loop time. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (retention_sql_checkpoint(r->store, err, sizeof err) < 0)
		log_err("%s", err);
	else
		r->stats.checkpoints++;
	ms = rt_ms(&t0);
	if (ms > r->stats.max_slice_ms)
		r->stats.max_slice_ms = ms;
	if (ms > r->stats.max_slice_loop_ms)
		r->stats.max_slice_loop_ms = ms;
	if (r->pass_pruned > 0)
		log_info("retention: %llu alert events older than the retention "
		         "deleted", (unsigned long long)r->pass_pruned);
}

/* The answer of a slice's COMMIT, on the loop: counted, adapted, and the
 * next slice queued (or the pass over). */
static void
rt_on_committed(void *arg, int rc)
{
	struct retention *r = arg;
	struct timeval rest = { 0, 0 };
	double ms;

	r->committing = 0;
	if (rc < 0) {
		store_rollback(r->store);
		log_err("retention: %s; pass abandoned", store_errmsg(r->store));
		rt_pass_end(r);
		return;
	}
	r->stats.pruned += r->slice_deleted;
	r->pass_pruned += r->slice_deleted;
	ms = rt_ms(&r->slice_t0);
	if (ms > r->stats.max_slice_ms)
		r->stats.max_slice_ms = ms;
	if (ms > RETENTION_SLICE_MS && r->rows > RETENTION_ROWS_MIN)
		r->rows /= 2;
	else if (ms < RETENTION_SLICE_MS / 2 && r->rows < RETENTION_ROWS_MAX)
		r->rows *= 2;
	if (!r->slice_more) {
		rt_pass_end(r);
		return;
	}
	ms = ms < RETENTION_REST_MAX_MS ? ms : RETENTION_REST_MAX_MS;
	rest.tv_usec = (suseconds_t)(ms * 1000);
	if (event_add(r->ev_slice, &rest) < 0) {
		log_err("retention: cannot schedule a slice; pass abandoned");
		rt_pass_end(r);
	}
}

/* One slice: its deletions in this turn, its COMMIT off the loop. */
static void
rt_on_slice(evutil_socket_t fd, short what, void *arg)
{
	struct retention *r = arg;
	char err[256];
	double ms;

	/* Another commit in flight (a drain's, an alert slice's): its answer
	 * wakes us, rather than the loop waiting at the busy gate. */
	if (store_commit_pending(r->store)) {
		if (store_commit_wait(r->store, r->ev_slice) < 0) {
			log_err("retention: cannot schedule a slice; pass "
			        "abandoned");
			rt_pass_end(r);
		}
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->slice_t0);
	r->slice_deleted = 0;
	r->slice_more = 0;
	if (store_begin(r->store) < 0) {
		log_err("retention: %s; pass abandoned", store_errmsg(r->store));
		rt_pass_end(r);
		return;
	}
	if (retention_sql_slice(r->store, &r->cursor, r->rows, r->cutoff,
	                        &r->slice_deleted, &r->slice_more, err,
	                        sizeof err) < 0) {
		store_rollback(r->store);
		log_err("%s; pass abandoned", err);
		rt_pass_end(r);
		return;
	}
	if (store_commit_start(r->store, r->base, rt_on_committed, r) < 0) {
		store_rollback(r->store);
		log_err("retention: %s; pass abandoned", store_errmsg(r->store));
		rt_pass_end(r);
		return;
	}
	r->committing = 1;
	/* The deletions held the loop; the commit's wait does not. */
	ms = rt_ms(&r->slice_t0);
	if (ms > r->stats.max_slice_loop_ms)
		r->stats.max_slice_loop_ms = ms;
}

static void
rt_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct retention *r = arg;
	const struct timeval zero = { 0, 0 };

	if (r->running)
		return;
	r->running = 1;
	r->cursor = 0;
	r->pass_pruned = 0;
	/* keep 0: no event is old enough; the pass only checkpoints. */
	r->cutoff = r->keep > 0 ? when_now() - r->keep : INT64_MIN;
	if (r->keep <= 0) {
		rt_pass_end(r);
		return;
	}
	if (event_add(r->ev_slice, &zero) < 0) {
		log_err("retention: cannot schedule a pass");
		r->running = 0;
	}
}

struct retention *
retention_new(struct event_base *base, struct store *store, int64_t keep,
              int64_t every, char **err)
{
	struct retention *r = calloc(1, sizeof *r);
	struct timeval tv;
	char why[256];

	*err = NULL;
	if (r == NULL)
		goto nomem;
	r->base = base;
	r->store = store;
	r->keep = keep;
	r->rows = 256;
	if (retention_sql_prepare(store, why, sizeof why) < 0) {
		if (asprintf(err, "%s", why) < 0)
			*err = NULL;
		goto fail;
	}
	tv.tv_sec = every / 1000;
	tv.tv_usec = (every % 1000) * 1000;
	r->ev_timer = event_new(base, -1, EV_PERSIST, rt_on_timer, r);
	r->ev_slice = event_new(base, -1, 0, rt_on_slice, r);
	if (r->ev_timer == NULL || r->ev_slice == NULL ||
	    event_add(r->ev_timer, &tv) < 0)
		goto nomem;
	event_active(r->ev_timer, 0, 0);
	return r;
nomem:
	if (*err == NULL && asprintf(err, "retention: out of memory") < 0)
		*err = NULL;
fail:
	retention_free(r);
	return NULL;
}

void
retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	if (r->ev_timer)
		event_free(r->ev_timer);
	/* Its answer would find us gone: given now. */
	if (r->committing)
		store_commit_settle(r->store);
	if (r->ev_slice) {
		store_commit_unwait(r->store, r->ev_slice);
		event_free(r->ev_slice);
	}
	free(r);
}

void
retention_metrics(void *arg, struct evbuffer *out)
{
	const struct retention *r = arg;

	evbuffer_add_printf(out,
	    "# HELP tiendo_retention_passes_total Retention passes completed.\n"
	    "# TYPE tiendo_retention_passes_total counter\n"
	    "tiendo_retention_passes_total %llu\n"
	    "# HELP tiendo_retention_pruned_total Alert events deleted as older than the retention.\n"
	    "# TYPE tiendo_retention_pruned_total counter\n"
	    "tiendo_retention_pruned_total %llu\n"
	    "# HELP tiendo_retention_slice_max_seconds Longest retention slice since start, its commit included (a pass's closing WAL checkpoint counts as one).\n"
	    "# TYPE tiendo_retention_slice_max_seconds gauge\n"
	    "tiendo_retention_slice_max_seconds %.6f\n"
	    "# HELP tiendo_retention_slice_loop_max_seconds Longest time retention held the loop at once: a slice's deletions (not the wait for its commit, off the loop), or a pass's closing WAL checkpoint.\n"
	    "# TYPE tiendo_retention_slice_loop_max_seconds gauge\n"
	    "tiendo_retention_slice_loop_max_seconds %.6f\n",
	    (unsigned long long)r->stats.passes,
	    (unsigned long long)r->stats.pruned, r->stats.max_slice_ms / 1000,
	    r->stats.max_slice_loop_ms / 1000);
}
