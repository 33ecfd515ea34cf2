/*
 * nulcheck.c - NUL bytes in text fields, found in the encoding itself.
 *
 * protobuf-c has already decoded the batch (and so checked its encoding);
 * this walks the same bytes once more without decoding them: field by
 * field, Batch's and each Report's, and searches every length-delimited
 * field that tiendo.proto calls a string for a NUL.  No allocation, one
 * pass, the same cost for every encoding (it used to be a re-encoding's
 * size, then, when that differed, a second decode).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nulcheck.h"

struct wire {
	const uint8_t *p;
	size_t len, at;
};

/* A varint at w->at (then past it): 0, or -1 when it runs off the end or
 * over 10 bytes. */
static int
wire_varint(struct wire *w, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift < 64 && w->at < w->len; shift += 7) {
		uint8_t b = w->p[w->at++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* The next field: its number, its wire type, and for a length-delimited
 * one its value (*data, *n).  1, 0 at the end, -1 for bytes protobuf-c
 * would not have decoded (cut short, or a group). */
static int
wire_next(struct wire *w, uint32_t *number, unsigned *type,
          const uint8_t **data, size_t *n)
{
	uint64_t key, v;

	if (w->at == w->len)
		return 0;
	if (wire_varint(w, &key) < 0)
		return -1;
	*number = (uint32_t)(key >> 3);
	*type = (unsigned)(key & 7);
	switch (*type) {
	case PROTOBUF_C_WIRE_TYPE_VARINT:
		return wire_varint(w, &v) < 0 ? -1 : 1;
	case PROTOBUF_C_WIRE_TYPE_64BIT:
		v = 8;
		break;
	case PROTOBUF_C_WIRE_TYPE_32BIT:
		v = 4;
		break;
	case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED:
		if (wire_varint(w, &v) < 0)
			return -1;
		*data = w->p + w->at;
		*n = (size_t)v;
		break;
	default:
		return -1;
	}
	if (v > w->len - w->at)
		return -1;
	w->at += (size_t)v;
	return 1;
}

/* Which field numbers (under 64) of `desc` are strings, as bits: a bit
 * test per field on the walk, where a descriptor lookup costs a search. */
static uint64_t
nulcheck_strings(const ProtobufCMessageDescriptor *desc)
{
	uint64_t bits = 0;

	for (unsigned i = 0; i < desc->n_fields; i++)
		if (desc->fields[i].type == PROTOBUF_C_TYPE_STRING &&
		    desc->fields[i].id < 64)
			bits |= (uint64_t)1 << desc->fields[i].id;
	return bits;
}

/* Whether field `number` is a string (bits from nulcheck_strings). */
static int
nulcheck_is_string(uint64_t bits, uint32_t number)
{
	return number < 64 && (bits >> number & 1);
}

/* A string field's name in tiendo.proto, for the reject's reason. */
static const char *
nulcheck_name(const ProtobufCMessageDescriptor *desc, uint32_t number)
{
	return protobuf_c_message_descriptor_get_field(desc, number)->name;
}

/* The first NUL (in wire order) in a string field of one report's
 * encoding into *hit: 1, 0 when none, -1 when it does not walk. */
static int
nulcheck_report(const uint8_t *p, size_t len, uint64_t strings, long report,
                struct nulcheck_hit *hit)
{
	struct wire w = { p, len, 0 };
	const uint8_t *data = NULL, *nul;
	uint32_t number;
	unsigned type;
	size_t n = 0;
	int rc;

	while ((rc = wire_next(&w, &number, &type, &data, &n)) > 0) {
		if (type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED ||
		    !nulcheck_is_string(strings, number) ||
		    (nul = memchr(data, 0, n)) == NULL)
			continue;
		hit->report = report;
		hit->field = nulcheck_name(&tiendo__report__descriptor, number);
		hit->offset = (size_t)(nul - data);
		return 1;
	}
	return rc;
}

int
nulcheck_batch(const Tiendo__Batch *batch, const void *data, size_t len,
               struct nulcheck_hit *batch_hit, struct nulcheck_hit *hits)
{
	struct wire w = { data, len, 0 };
	const uint8_t *value = NULL, *nul;
	uint32_t number;
	unsigned type;
	size_t n = 0, report = 0;
	int rc, found = 0;
	const ProtobufCFieldDescriptor *reports =
		protobuf_c_message_descriptor_get_field_by_name(
			&tiendo__batch__descriptor, "reports");
	uint64_t batch_strings = nulcheck_strings(&tiendo__batch__descriptor),
	         report_strings = nulcheck_strings(&tiendo__report__descriptor);

	batch_hit->report = -1;
	batch_hit->field = NULL;
	for (size_t i = 0; hits != NULL && i < batch->n_reports; i++)
		hits[i].report = -1;
	while ((rc = wire_next(&w, &number, &type, &value, &n)) > 0) {
		if (type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
			continue;
		if (number == reports->id) {
			/* Report i is the i-th occurrence, as protobuf-c
			 * appends them. */
			if (hits != NULL && report < batch->n_reports) {
				int r = nulcheck_report(value, n, report_strings,
				                        (long)report, &hits[report]);
				if (r < 0)
					return -1;
				found |= r;
			}
			report++;
			continue;
		}
		if (batch_hit->field != NULL ||
		    !nulcheck_is_string(batch_strings, number) ||
		    (nul = memchr(value, 0, n)) == NULL)
			continue;
		batch_hit->field = nulcheck_name(&tiendo__batch__descriptor, number);
		batch_hit->offset = (size_t)(nul - value);
		found = 1;
	}
	return rc < 0 ? -1 : found;
}
