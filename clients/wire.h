/*
 * wire.h - the client side of the ingest protocol's encoding: Batch out,
 * Ack in (protobuf-c; proto/tiendo.proto, proto/PROTOCOL.md).
 */
#ifndef TIENDO_WIRE_H
#define TIENDO_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "tiendo.pb-c.h"

#define WIRE_VERSION 1
#define WIRE_MAX_MSG (1024 * 1024)  /* bytes in one message, either way */
#define WIRE_MAX_REPORTS 1000       /* reports in one Batch */
#define WIRE_CLIENT_MAX 64          /* bytes of a client identity */
#define WIRE_CODE_MAX 64            /* bytes of a unit or task code */
#define WIRE_REPORTER_MAX 100
#define WIRE_NOTE_MAX 1000

/* Plain view of one report for encoding; borrowed strings. */
struct wire_report {
	uint64_t seq;
	const char *unit;
	const char *task;
	const char *value;
	int kind;             /* TIENDO__KIND__KIND_ADD or _SET */
	int64_t observed_at;  /* ms since the epoch */
	const char *reporter; /* NULL or "" when absent */
	const char *note;
	uint64_t voids_seq;   /* non-zero: a correction */
	const char *void_reason;
};

/*
 * Encodes a Batch of the first reports of r[0..n) that fit in max_bytes
 * (and in WIRE_MAX_REPORTS): *used says how many, at least 1.  *buf is
 * malloc'd, *len bytes.  Returns 0, or -1 when n is 0 or not even one
 * report fits.
 */
int wire_batch_encode(const char *client, uint64_t batch_id,
                      const struct wire_report *r, size_t n, size_t max_bytes,
                      void **buf, size_t *len, size_t *used);

/* Decodes an Ack; NULL when buf is not one.  Free with wire_ack_free. */
Tiendo__Ack *wire_ack_decode(const void *buf, size_t len);
void wire_ack_free(Tiendo__Ack *ack);

/* 1 if id is a valid client identity: [A-Za-z0-9._-]{1,64}. */
int wire_client_valid(const char *id);

/* Lower-case names without prefix, from the .proto ("unknown_task",
 * "too_many", "retry"), or "code_N" for a number this build does not know.
 * Returns buf (n >= 32 is enough). */
const char *wire_reject_name(int code, char *buf, size_t n);
const char *wire_batch_error_name(int error, char *buf, size_t n);

#endif
