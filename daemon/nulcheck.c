/*
 * nulcheck.c - NUL bytes in text fields, found with protobuf-c itself.
 *
 * The message is decoded a second time against shadow descriptors that
 * know no field but Batch.reports: protobuf-c then keeps every other field
 * as an unknown field, with its exact length, and a NUL in a
 * length-delimited one is a NUL in a string.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nulcheck.h"

struct nulcheck_report {
	ProtobufCMessage base;
};

struct nulcheck_batch {
	ProtobufCMessage base;
	size_t n_reports;
	struct nulcheck_report **reports;
};

static void nulcheck_report_init(ProtobufCMessage *m);
static void nulcheck_batch_init(ProtobufCMessage *m);

static const ProtobufCIntRange nulcheck_no_ranges[1] = { { 0, 0 } };

static const ProtobufCMessageDescriptor nulcheck_report_desc = {
	PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "tiendo.NulcheckReport",
	"NulcheckReport", "NulcheckReport", "tiendo",
	sizeof(struct nulcheck_report), 0, NULL, NULL, 0, nulcheck_no_ranges,
	(ProtobufCMessageInit)nulcheck_report_init, NULL, NULL, NULL
};

static const ProtobufCFieldDescriptor nulcheck_batch_fields[1] = {
	{ "reports", 4, PROTOBUF_C_LABEL_REPEATED, PROTOBUF_C_TYPE_MESSAGE,
	  offsetof(struct nulcheck_batch, n_reports),
	  offsetof(struct nulcheck_batch, reports), &nulcheck_report_desc,
	  NULL, 0, 0, NULL, NULL },
};
static const unsigned nulcheck_batch_by_name[1] = { 0 };
static const ProtobufCIntRange nulcheck_batch_ranges[2] = { { 4, 0 }, { 0, 1 } };

static const ProtobufCMessageDescriptor nulcheck_batch_desc = {
	PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC, "tiendo.NulcheckBatch",
	"NulcheckBatch", "NulcheckBatch", "tiendo",
	sizeof(struct nulcheck_batch), 1, nulcheck_batch_fields,
	nulcheck_batch_by_name, 1, nulcheck_batch_ranges,
	(ProtobufCMessageInit)nulcheck_batch_init, NULL, NULL, NULL
};

static void
nulcheck_report_init(ProtobufCMessage *m)
{
	memset(m, 0, sizeof(struct nulcheck_report));
	m->descriptor = &nulcheck_report_desc;
}

static void
nulcheck_batch_init(ProtobufCMessage *m)
{
	memset(m, 0, sizeof(struct nulcheck_batch));
	m->descriptor = &nulcheck_batch_desc;
}

/* The first NUL in a string field of m (whose real type is `real`). */
static int
nulcheck_fields(const ProtobufCMessage *m, const ProtobufCMessageDescriptor *real,
                long report, struct nulcheck_hit *hit)
{
	for (unsigned i = 0; i < m->n_unknown_fields; i++) {
		const ProtobufCMessageUnknownField *u = &m->unknown_fields[i];
		const ProtobufCFieldDescriptor *f;
		const uint8_t *nul;
		size_t at = 0;

		if (u->wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED ||
		    (f = protobuf_c_message_descriptor_get_field(real, u->tag))
		            == NULL || f->type != PROTOBUF_C_TYPE_STRING)
			continue;
		/* The data begins with the length, a varint: skip it. */
		while (at < u->len && (u->data[at] & 0x80))
			at++;
		if (++at > u->len ||
		    (nul = memchr(u->data + at, 0, u->len - at)) == NULL)
			continue;
		hit->report = report;
		hit->field = f->name;
		hit->offset = (size_t)(nul - (u->data + at));
		return 1;
	}
	return 0;
}

int
nulcheck_batch(const Tiendo__Batch *batch, const void *data, size_t len,
               struct nulcheck_hit *batch_hit, struct nulcheck_hit *hits)
{
	struct nulcheck_batch *nb;
	int found = 0;

	batch_hit->report = -1;
	batch_hit->field = NULL;
	for (size_t i = 0; i < batch->n_reports; i++)
		hits[i].report = -1;
	/* Truncation only shortens; anything else (defaults written out,
	 * repeated fields) only lengthens the original. */
	if (tiendo__batch__get_packed_size(batch) >= len)
		return 0;
	nb = (struct nulcheck_batch *)protobuf_c_message_unpack(
		&nulcheck_batch_desc, NULL, len, data);
	if (nb == NULL)
		return -1;
	found = nulcheck_fields(&nb->base, &tiendo__batch__descriptor, -1,
	                        batch_hit);
	for (size_t i = 0; i < nb->n_reports && i < batch->n_reports; i++)
		found |= nulcheck_fields(&nb->reports[i]->base,
		                         &tiendo__report__descriptor, (long)i,
		                         &hits[i]);
	protobuf_c_message_free_unpacked(&nb->base, NULL);
	return found;
}
