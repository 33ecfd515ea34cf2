/*
 * tallysnap.c - the tally snapshot's file (tallysnap.h): a header, then
 * the tallies as they are in memory.  The layout is this build's (struct
 * tally's size and byte order, checked by the header): the file never
 * leaves the machine, and one that does not fit is only a slower start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "book.h"
#include "fnv.h"
#include "log.h"
#include "tallysnap.h"

#define SNAP_MAGIC "TDSNAP1"
#define SNAP_ORDER 0x0102030405060708ULL
/* What the tallies mean: bump it when struct tally or the fold changes
 * meaning, not only size.  A new release's version discards them too. */
#define SNAP_LAYOUT 1

struct snap_head {
	char magic[8];
	uint64_t order;        /* SNAP_ORDER as this machine writes it */
	uint64_t build;        /* snap_build() */
	uint64_t tally_size;
	uint64_t digest;       /* the plan's */
	uint64_t n_targets;
	struct store_key key;  /* the last row the tallies include */
	uint64_t check;        /* fnv_bytes of the tallies */
};

/* The release and the layout that wrote it. */
static uint64_t
snap_build(void)
{
	char id[64];
	int n = snprintf(id, sizeof id, "%s/%d", TIENDO_VERSION, SNAP_LAYOUT);

	return fnv_bytes(FNV_BASIS, id, (size_t)n);
}

/* Writes all of buf; 0 or -1 (errno). */
static int
snap_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The directory of path, synced so that the rename is durable. */
static int
snap_sync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)),
		         path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
tallysnap_save(const char *path, const struct plan *p,
               const struct tally *tallies, const struct store_key *k,
               char *err, size_t n)
{
	struct snap_head h;
	size_t len = p->n_targets * sizeof *tallies;
	char tmp[4096];
	int fd;

	memset(&h, 0, sizeof h);
	memcpy(h.magic, SNAP_MAGIC, sizeof h.magic);
	h.order = SNAP_ORDER;
	h.build = snap_build();
	h.tally_size = sizeof *tallies;
	h.digest = p->digest;
	h.n_targets = p->n_targets;
	h.key = *k;
	h.check = fnv_bytes(FNV_BASIS, tallies, len);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		snprintf(err, n, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, n, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (snap_write(fd, &h, sizeof h) < 0 ||
	    snap_write(fd, tallies, len) < 0 || fsync(fd) < 0) {
		snprintf(err, n, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (snap_sync_dir(path) < 0) {
		snprintf(err, n, "%s: syncing its directory: %s", path,
		         strerror(errno));
		return -1;
	}
	return 0;
}

int
tallysnap_load(const char *path, const struct plan *p,
               struct tally **tallies, struct store_key *k, char *err,
               size_t n)
{
	struct snap_head h;
	struct tally *t = NULL;
	size_t len;
	char extra;
	FILE *f = fopen(path, "rb");

	*tallies = NULL;
	err[0] = '\0';
	if (f == NULL) {
		if (errno != ENOENT)
			snprintf(err, n, "%s: %s", path, strerror(errno));
		return 0;
	}
	if (fread(&h, sizeof h, 1, f) != 1 ||
	    memcmp(h.magic, SNAP_MAGIC, sizeof h.magic) != 0 ||
	    h.order != SNAP_ORDER || h.build != snap_build() ||
	    h.tally_size != sizeof *t) {
		snprintf(err, n, "%s: not a snapshot of this release's tallies",
		         path);
		goto out;
	}
	if (h.digest != p->digest || h.n_targets != p->n_targets) {
		snprintf(err, n, "%s: of another plan", path);
		goto out;
	}
	len = p->n_targets * sizeof *t;
	if ((t = malloc(len ? len : 1)) == NULL) {
		snprintf(err, n, "%s: out of memory", path);
		goto out;
	}
	if ((len > 0 && fread(t, len, 1, f) != 1) || fread(&extra, 1, 1, f) != 0 ||
	    fnv_bytes(FNV_BASIS, t, len) != h.check) {
		snprintf(err, n, "%s: truncated or damaged", path);
		goto out;
	}
	h.key.client[sizeof h.key.client - 1] = '\0';
	*k = h.key;
	*tallies = t;
	t = NULL;
out:
	free(t);
	fclose(f);
	return *tallies != NULL;
}

struct book *
tallysnap_start(const char *path, struct plan *plan, struct store *store)
{
	struct store_key k, now;
	struct tally *t;
	struct book *b;
	char why[512];

	if (!tallysnap_load(path, plan, &t, &k, why, sizeof why)) {
		if (why[0])
			log_notice("tally snapshot not used (%s): reading every "
			           "stored report", why);
		return book_new(plan, store);
	}
	if (store_row_key(store, k.id, &now) < 0) {
		log_err("tally snapshot: %s", store_errmsg(store));
		free(t);
		return book_new(plan, store);
	}
	if (now.id != k.id || now.seq != k.seq ||
	    strcmp(now.client, k.client) != 0) {
		log_notice("tally snapshot not used (the store does not hold "
		           "its last row, id %lld, %s #%llu: another or an older "
		           "database): reading every stored report; removed",
		           (long long)k.id, k.client, (unsigned long long)k.seq);
		/* Not this database's: left there, it would be taken once
		 * rows stored after a restore reuse its row's id with the
		 * same (client, seq) (a resend), at a start after a crash. */
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("tally snapshot: %s: %s", path, strerror(errno));
		free(t);
		return book_new(plan, store);
	}
	b = book_new_from(plan, store, t, k.id);
	free(t);
	if (b)
		log_notice("tallies from the snapshot as of row %lld and the "
		           "reports stored after it", (long long)k.id);
	return b;
}

void
tallysnap_stop(const char *path, const struct book *b)
{
	struct store_key k;
	char err[512];

	if (store_row_key(b->store, INT64_MAX, &k) < 0) {
		log_warn("tally snapshot not saved: %s", store_errmsg(b->store));
		return;
	}
	if (tallysnap_save(path, b->plan, b->board->tallies, &k, err,
	                   sizeof err) < 0)
		log_warn("tally snapshot not saved: %s", err);
	else
		log_info("tally snapshot saved as of row %lld", (long long)k.id);
}
