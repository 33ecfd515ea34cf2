/*
 * store_wait.c - whom to wake when the commit in flight is answered.
 *
 * Three things commit on the loop: ingest's drain, an alert slice and a
 * retention slice.  One commit is in flight at a time, and a store_begin
 * during one would stop the loop at the busy gate for the whole fsync, so
 * the later one does not start: it leaves its timer here and returns, and
 * the answer of the commit in flight adds that timer with a zero timeout.
 */
#include <event2/event.h>

#include "log.h"
#include "store.h"

int
store_commit_wait(struct store *s, struct event *ev)
{
	static const struct timeval poll = { 0, 1000 };

	for (size_t i = 0; i < s->n_waiters; i++)
		if (s->waiters[i] == ev)
			return 0;
	/* No room: it polls, a millisecond at a time. */
	if (s->n_waiters == STORE_WAITERS)
		return event_add(ev, &poll) < 0 ? -1 : 0;
	s->waiters[s->n_waiters++] = ev;
	return 0;
}

void
store_commit_unwait(struct store *s, struct event *ev)
{
	for (size_t i = 0; i < s->n_waiters; i++)
		if (s->waiters[i] == ev) {
			s->waiters[i] = s->waiters[--s->n_waiters];
			return;
		}
}

void
store_commit_answering(struct store *s)
{
	s->pending = 0;
}

void
store_commit_answered(struct store *s)
{
	static const struct timeval zero = { 0, 0 };
	struct event *ev[STORE_WAITERS];
	size_t n = s->n_waiters;

	/* Taken first: a waiter woken may wait again (a new commit). */
	for (size_t i = 0; i < n; i++)
		ev[i] = s->waiters[i];
	s->n_waiters = 0;
	for (size_t i = 0; i < n; i++)
		/* A timer with no fd: event_add fails only out of memory. */
		if (event_add(ev[i], &zero) < 0)
			log_err("store: cannot wake what waited for the commit "
			        "(out of memory); it starts at its next turn");
}
