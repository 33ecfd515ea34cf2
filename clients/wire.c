/*
 * wire.c - Batch encoding and Ack decoding; see wire.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static size_t
wire_varint_len(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void
wire_fill(Tiendo__Report *m, const struct wire_report *r)
{
	tiendo__report__init(m);
	m->seq = r->seq;
	/* protobuf-c does not write through these; the casts only drop
	 * const for its struct layout */
	m->unit = (char *)r->unit;
	m->task = (char *)r->task;
	m->value = (char *)r->value;
	m->kind = (Tiendo__Kind)r->kind;
	m->observed_at = r->observed_at;
	m->reporter = (char *)(r->reporter ? r->reporter : "");
	m->note = (char *)(r->note ? r->note : "");
	m->voids_seq = r->voids_seq;
	m->void_reason = (char *)(r->void_reason ? r->void_reason : "");
}

int
wire_batch_encode(const char *client, uint64_t batch_id,
                  const struct wire_report *r, size_t n, size_t max_bytes,
                  void **buf, size_t *len, size_t *used)
{
	Tiendo__Batch batch = TIENDO__BATCH__INIT;
	Tiendo__Report *msgs = NULL, **ptrs = NULL;
	size_t size, k;
	uint8_t *out = NULL;

	*buf = NULL;
	*len = *used = 0;
	if (n == 0)
		return -1;
	if (n > WIRE_MAX_REPORTS)
		n = WIRE_MAX_REPORTS;
	if ((msgs = calloc(n, sizeof(*msgs))) == NULL ||
	    (ptrs = calloc(n, sizeof(*ptrs))) == NULL)
		goto fail;

	batch.version = WIRE_VERSION;
	batch.client = (char *)client;
	batch.batch_id = batch_id;
	size = tiendo__batch__get_packed_size(&batch);
	/* A repeated message field costs its tag byte, its length and its
	 * bytes: add reports while the total stays within the limit. */
	for (k = 0; k < n; k++) {
		size_t one;

		wire_fill(&msgs[k], &r[k]);
		one = tiendo__report__get_packed_size(&msgs[k]);
		one += 1 + wire_varint_len(one);
		if (size + one > max_bytes)
			break;
		size += one;
		ptrs[k] = &msgs[k];
	}
	if (k == 0)
		goto fail;
	batch.n_reports = k;
	batch.reports = ptrs;
	size = tiendo__batch__get_packed_size(&batch);
	if (size > max_bytes || (out = malloc(size ? size : 1)) == NULL)
		goto fail;
	if (tiendo__batch__pack(&batch, out) != size)
		goto fail;
	free(msgs);
	free(ptrs);
	*buf = out;
	*len = size;
	*used = k;
	return 0;
fail:
	free(out);
	free(msgs);
	free(ptrs);
	return -1;
}

Tiendo__Ack *
wire_ack_decode(const void *buf, size_t len)
{
	return tiendo__ack__unpack(NULL, len, buf);
}

void
wire_ack_free(Tiendo__Ack *ack)
{
	if (ack != NULL)
		tiendo__ack__free_unpacked(ack, NULL);
}

int
wire_client_valid(const char *id)
{
	size_t n = 0;

	for (const char *p = id; *p; p++, n++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= WIRE_CLIENT_MAX;
}

/* Name of an enum value without its "PREFIX_", lower-cased. */
static const char *
wire_enum_name(const ProtobufCEnumDescriptor *d, const char *prefix, int v,
               char *buf, size_t n)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
	const char *s;
	size_t i, plen = strlen(prefix);

	if (ev == NULL) {
		snprintf(buf, n, "code_%d", v);
		return buf;
	}
	s = ev->name;
	if (strncmp(s, prefix, plen) == 0)
		s += plen;
	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	if (n > 0)
		buf[i] = '\0';
	return buf;
}

const char *
wire_reject_name(int code, char *buf, size_t n)
{
	return wire_enum_name(&tiendo__reject__descriptor, "REJECT_", code,
	    buf, n);
}

const char *
wire_batch_error_name(int error, char *buf, size_t n)
{
	return wire_enum_name(&tiendo__batch_error__descriptor, "BATCH_",
	    error, buf, n);
}
