/*
 * retention_sql.h - the SQL of retention.c, apart so that a second engine
 * ports three functions.  SQLite, through the store's handle.
 */
#ifndef TIENDO_RETENTION_SQL_H
#define TIENDO_RETENTION_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "when.h"

/* Once: what the slices need (an index to find an alert state by its
 * latest event) and the WAL's size limit on disk.  0 or -1. */
int retention_sql_prepare(struct store *s, char *err, size_t errlen);

/* Inside a transaction: deletes, among the `n` alert events after seq
 * *cursor, those older than `cutoff` that are no state's latest event.
 * Moves *cursor to the last event looked at; *deleted gets how many went;
 * *more is 0 once the window was empty or reached an event at or after
 * the cutoff (events are in time order: the pass is over).  0 or -1. */
int retention_sql_slice(struct store *s, uint64_t *cursor, size_t n,
                        when_t cutoff, size_t *deleted, int *more,
                        char *err, size_t errlen);

/* A PASSIVE checkpoint.  0 or -1. */
int retention_sql_checkpoint(struct store *s, char *err, size_t errlen);

#endif
