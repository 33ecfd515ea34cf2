/*
 * ingest_parse.h - one message body of the ROUTER, decoded and validated.
 */
#ifndef TIENDO_INGEST_PARSE_H
#define TIENDO_INGEST_PARSE_H

#include <stddef.h>

#include "ingest_state.h"
#include "when.h"

/* Decodes and validates one message body into m and its items (appended
 * to in->items); a bad batch or a refused client leaves m failed. */
void ingest_parse(struct ingest *in, struct ingest_msg *m, const void *data,
                  size_t len, when_t now);

#endif
