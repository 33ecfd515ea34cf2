/*
 * seqmark.h - the highest seq the store holds for each client, remembered,
 * so that a report above it needs no lookup to be known new.
 *
 * A client sends its seqs in increasing order (tiendo-push's outbox does),
 * so nearly every report of a group commit is above its client's mark and
 * the store is asked only about the rest: resends and clients not met
 * since the store's session began.  On PostgreSQL that lookup was a
 * quarter of a group commit's time (issue 14).
 *
 * The mark may be higher than the truth, never lower: a client's mark is
 * learnt from the store (seqmark_set), raised by every row stored after
 * (seqmark_raise; a rollback leaves it high, which only costs a lookup),
 * and forgotten whenever another writer may have written in between (a new
 * database session: seqmark_clear).  Seqs compare as the int64 bits they
 * are stored as, the order the store's max() uses.  The table is bounded:
 * past SEQMARK_MAX clients it starts afresh, which forgets, never lies.
 */
#ifndef TIENDO_SEQMARK_H
#define TIENDO_SEQMARK_H

#include <stdint.h>

#define SEQMARK_MAX 65536
/* The mark of a client with nothing stored. */
#define SEQMARK_NONE INT64_MIN

struct seqmark;

struct seqmark *seqmark_new(void);
void seqmark_destroy(struct seqmark *m);
void seqmark_clear(struct seqmark *m);

/* 1 and *max when the client's mark is known, 0 when it is not. */
int seqmark_get(const struct seqmark *m, const char *client, int64_t *max);

/* The client's mark as the store answered it (SEQMARK_NONE: no row).
 * 0, or -1 out of memory (the client stays unknown). */
int seqmark_set(struct seqmark *m, const char *client, int64_t max);

/* A row (client, seq) was stored: a known mark below it is raised. */
void seqmark_raise(struct seqmark *m, const char *client, int64_t seq);

/* Whether (client, seq) is certainly not stored: above a known mark. */
int seqmark_above(const struct seqmark *m, const char *client, int64_t seq);

#endif
