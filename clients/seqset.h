/*
 * seqset.h - a set of alert sequence numbers (tiendo-sub: the events of an
 * unfinished active snapshot already delivered, so a retry skips them).
 */
#ifndef TIENDO_SEQSET_H
#define TIENDO_SEQSET_H

#include <stddef.h>
#include <stdint.h>

struct seqset;

struct seqset *seqset_new(void);
void seqset_free(struct seqset *s);
/* 0, or -1 when out of memory (s unchanged).  seq 0 is never a member. */
int seqset_add(struct seqset *s, uint64_t seq);
int seqset_has(const struct seqset *s, uint64_t seq);
void seqset_clear(struct seqset *s);

#endif
