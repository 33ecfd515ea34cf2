/*
 * tallysnap.h - the tallies saved at a clean stop, so that the next start
 * folds only the reports stored after them instead of every one.
 *
 * A start used to read every stored report (8-24 s at 10 M on a 2-core
 * machine; issues 11 and 15).  At a clean stop, with every commit answered
 * and the tallies known to equal the store's fold, the daemon writes
 * STATE_DIR/tallies.snap: the plan's digest, the key of the last stored
 * row (id, client, seq) and every tally.  At a start the snapshot is used
 * only if it is whole (checksum), of this build's layout, of the very
 * plan text loaded (plan.digest), and if the store still holds that row
 * under that id (not a database restored from before it, nor another
 * one).  Then the rows after it are folded onto it (store_scan_tail;
 * corrections among them refold their pairs).  Anything else, and the
 * start reads everything as before: the snapshot is a shortcut, never the
 * truth.  It is kept after the start: valid as of its row whatever
 * happens after (a crash then costs the tail, not the whole store).
 */
#ifndef TIENDO_TALLYSNAP_H
#define TIENDO_TALLYSNAP_H

#include <stddef.h>

#include "plan.h"
#include "store.h"
#include "tally.h"

#define TALLYSNAP_FILE "tallies.snap"

/* Writes the snapshot of plan p's n_targets tallies, as of row *k, to
 * path (a temporary file renamed over it, synced, mode 0640).  0, or -1
 * with the reason in err. */
int tallysnap_save(const char *path, const struct plan *p,
                   const struct tally *tallies, const struct store_key *k,
                   char *err, size_t n);

/* Reads the snapshot at path for plan p: 1 with *tallies (malloc'd,
 * p->n_targets of them; the caller frees) and *k set; 0 when there is
 * none or it does not fit (why in err: "" when there is no file). */
int tallysnap_load(const char *path, const struct plan *p,
                   struct tally **tallies, struct store_key *k,
                   char *err, size_t n);

struct book;

/* The book of a start: from the snapshot at path when it fits plan and the
 * store, else from every stored report (book_new); says which in the log.
 * Owns plan, as book_new does.  NULL on a store error (logged). */
struct book *tallysnap_start(const char *path, struct plan *plan,
                             struct store *store);

/* At a clean stop, with every commit answered and the tallies equal to the
 * store's fold: saves b's tallies as of the last stored row.  A failure is
 * logged; the snapshot there before stays (valid as of its own row). */
void tallysnap_stop(const char *path, const struct book *b);

#endif
