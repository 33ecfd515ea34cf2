/*
 * backup.h - a consistent copy of a live tiendo database.
 *
 * SQLite's online backup API copies the database inside one read
 * transaction, so the copy is the database as of one commit: every report
 * acknowledged before the backup began is in it.  In WAL mode the daemon
 * keeps writing meanwhile; it is never blocked.
 */
#ifndef TIENDO_BACKUP_H
#define TIENDO_BACKUP_H

#include <stddef.h>
#include <stdint.h>

/* Copies the database at `src` to `dst` (written to dst.tmp, synced, then
 * renamed, so dst is never half a database).  0, or -1 with a message in
 * err.  *reports is the number of reports in the copy. */
int backup_copy(const char *src, const char *dst, int64_t *reports,
                char *err, size_t errlen);

#endif
