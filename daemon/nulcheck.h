/*
 * nulcheck.h - NUL bytes inside the text fields of an encoded Batch.
 *
 * protobuf-c hands strings over NUL-terminated, so "hoang-dan\0evil" would
 * silently become "hoang-dan".  This finds such bytes in the encoding, so
 * that the batch or report is refused instead of truncated.
 */
#ifndef TIENDO_NULCHECK_H
#define TIENDO_NULCHECK_H

#include <stddef.h>

#include "tiendo.pb-c.h"

struct nulcheck_hit {
	long report;       /* index in Batch.reports; -1 for a Batch field */
	const char *field; /* its name in tiendo.proto; NULL: no NUL found */
	size_t offset;     /* of the first NUL in the field's value */
};

/*
 * Walks the `len` bytes that `batch` was decoded from (no allocation) and
 * fills hits (n_reports entries, report i at index i, report = -1 when
 * clean) and *batch_hit with the first NUL of each; returns 1 when any NUL
 * was found, 0 when none, -1 when the bytes do not walk as protobuf (which
 * bytes protobuf-c decoded always do).  hits NULL: the Batch's own fields
 * only (the reports are stepped over), before their count is checked.
 */
int nulcheck_batch(const Tiendo__Batch *batch, const void *data, size_t len,
                   struct nulcheck_hit *batch_hit, struct nulcheck_hit *hits);

#endif
