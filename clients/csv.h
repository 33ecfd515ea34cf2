/*
 * csv.h - an RFC 4180 reader over a memory buffer.  Pure: no I/O, no clock.
 *
 * Quoted fields, "" inside quotes, CRLF or LF line ends, embedded line ends
 * inside quotes, a UTF-8 byte order mark at the very start (Excel writes
 * one) skipped, blank lines skipped, no record after a final line end.
 * Every field is checked to be valid UTF-8 without NUL bytes and is bounded
 * (CSV_FIELD_MAX bytes, CSV_FIELDS_MAX per record), so hostile input costs
 * bounded memory.
 *
 * A malformed record does not stop the reader: it is reported through
 * on_error with the line it starts on and reading goes on with the next
 * record, so a caller can list every bad row of a file at once.  The only
 * error that swallows the rest of the input is a quote that never closes.
 */
#ifndef TIENDO_CSV_H
#define TIENDO_CSV_H

#include <stddef.h>

#define CSV_FIELD_MAX 4096 /* bytes in one field, after unquoting */
#define CSV_FIELDS_MAX 64  /* fields in one record */

struct csv_record {
	size_t line;         /* 1-based line the record starts on */
	size_t n;            /* number of fields, >= 1 */
	const char **fields; /* NUL-terminated, valid UTF-8 */
	const size_t *lens;  /* byte lengths */
};

/* Called once per good record, in order.  A non-zero return stops reading
 * and becomes csv_parse's result. */
typedef int (*csv_record_fn)(void *arg, const struct csv_record *rec);

/* Called once per malformed record; msg is a static English phrase. */
typedef void (*csv_error_fn)(void *arg, size_t line, const char *msg);

/*
 * Reads buf[0..len).  Returns 0 when every record was good, -1 when at least
 * one was reported to on_error (on_error may be NULL), the callback's value
 * when it stopped the reading, or -2 when out of memory.
 */
int csv_parse(const char *buf, size_t len, csv_record_fn on_record,
              csv_error_fn on_error, void *arg);

#endif
