/*
 * backup.c - see backup.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <sqlite3.h>

#include "backup.h"

/* The daemon commits every few milliseconds under load; a reader waits
 * for a lock rather than failing. */
#define BACKUP_BUSY_MS 10000

static int
backup_fail(char *err, size_t n, const char *what, sqlite3 *db)
{
	snprintf(err, n, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

static int
backup_fsync(const char *path)
{
	int fd = open(path, O_RDONLY), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
backup_count(sqlite3 *db, int64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM reports", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
backup_copy(const char *src, const char *dst, int64_t *reports, char *err,
            size_t errlen)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *bk;
	char tmp[4096], dir[4096];
	struct stat st;
	int rc = -1, fd;

	*reports = 0;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", dst);
		return -1;
	}
	unlink(tmp);
	/* Read-write, not read-only: a WAL reader may have to recover the
	 * shared-memory index, which needs write access.  Nothing is written
	 * to the database itself. */
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		backup_fail(err, errlen, src, from);
		goto out;
	}
	sqlite3_busy_timeout(from, BACKUP_BUSY_MS);
	/* The copy holds what the database holds: no more readable than it
	 * (tiendod's are 0640), whatever the umask of who runs this (0022
	 * under sudo).  SQLite opens the empty file as a new database. */
	if (stat(src, &st) < 0)
		st.st_mode = 0600;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	               st.st_mode & 0660)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK) {
		backup_fail(err, errlen, tmp, to);
		goto out;
	}
	if ((bk = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		backup_fail(err, errlen, tmp, to);
		goto out;
	}
	/* -1: every page in one step, inside one read transaction of the
	 * source, so the copy is of one instant. */
	rc = sqlite3_backup_step(bk, -1);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: backup: %s", src, sqlite3_errstr(rc));
		rc = -1;
		goto out;
	}
	rc = -1;
	/* A backup is one file: no WAL beside it. */
	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK ||
	    backup_count(to, reports) < 0) {
		backup_fail(err, errlen, tmp, to);
		goto out;
	}
	if (sqlite3_close(to) != SQLITE_OK) {
		backup_fail(err, errlen, tmp, to);
		to = NULL;
		goto out;
	}
	to = NULL;
	if (backup_fsync(tmp) < 0 || rename(tmp, dst) < 0) {
		snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		goto out;
	}
	/* The rename itself survives a power cut once its directory is
	 * synced. */
	snprintf(dir, sizeof dir, "%s", dst);
	if (backup_fsync(dirname(dir)) < 0) {
		snprintf(err, errlen, "%s: sync: %s", dst, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (to)
		sqlite3_close(to);
	sqlite3_close(from);
	if (rc != 0)
		unlink(tmp);
	return rc;
}
