/*
 * ingest_parse.c - one message body of the ROUTER: decoded, its client
 * authorised (CURVE), NUL bytes found, every report validated.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "authkeys.h"
#include "curve.h"
#include "ingest_parse.h"
#include "ingest_state.h"
#include "log.h"
#include "nulcheck.h"
#include "validate.h"
#include "zap.h"

/* With CURVE: the identity is the connection's, never the body's, and it
 * must still be authorised (a key removed since the connection was made is
 * refused here).  0, or -1 with m failed. */
static int
ingest_authorise(struct ingest *in, struct ingest_msg *m)
{
	struct zap *zap = curve_zap(in->curve);

	if (m->user_id[0] == '\0') {
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
		                TIENDO__BATCH_ERROR__BATCH_BAD_CLIENT,
		                "connection is not authenticated");
	} else if ((m->auth = zap_client(zap, m->user_id)) == NULL ||
	           strcmp(m->auth->key_z85, m->user_key) != 0) {
		/* Removed, or replaced by another key since this connection
		 * was let in. */
		m->auth = NULL;
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
		                TIENDO__BATCH_ERROR__BATCH_BAD_CLIENT,
		                "the key of client \"%s\" is no longer authorised",
		                m->user_id);
	} else {
		m->client = m->user_id;
		return 0;
	}
	in->stats.batches_unauthorised++;
	log_notice("ingest: batch refused: %s", m->reason);
	return -1;
}

static Tiendo__Reject
ingest_not_allowed(const struct ingest_msg *m, const Tiendo__Report *r,
                   char *reason)
{
	snprintf(reason, REASON_MAX, "client \"%s\" may not report for unit "
	         "\"%s\"", m->client, r->unit);
	return TIENDO__REJECT__REJECT_UNIT_NOT_ALLOWED;
}

/* The NUL check's walk failed: cannot happen for bytes that protobuf-c
 * decoded.  -1. */
static int
ingest_nul_unwalkable(struct ingest_msg *m)
{
	ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
	                TIENDO__BATCH_ERROR__BATCH_MALFORMED,
	                "the message decodes, but its fields do not walk as "
	                "protobuf for the NUL check");
	return -1;
}

/* A NUL in Batch.client (plain mode; with CURVE the field is not looked
 * at) refuses the batch as a bad client.  Asked before the reports are
 * counted, so that the error is the one of the client, as for any other
 * bad client (PROTOCOL.md 2.2: version, client, then the reports).  0, or
 * -1 with m failed. */
static int
ingest_client_nul(struct ingest *in, struct ingest_msg *m, const void *data,
                  size_t len)
{
	struct nulcheck_hit bh;
	int rc;

	if (curve_enabled(in->curve))
		return 0;
	if ((rc = nulcheck_batch(m->batch, data, len, &bh, NULL)) < 0)
		return ingest_nul_unwalkable(m);
	if (rc > 0 && bh.field != NULL && strcmp(bh.field, "client") == 0) {
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
		                TIENDO__BATCH_ERROR__BATCH_BAD_CLIENT,
		                "client holds a NUL byte at offset %zu", bh.offset);
		return -1;
	}
	return 0;
}

/* Finds NUL bytes in the reports' text fields (in->nul_hits).  0, or -1
 * when the bytes do not walk (BAD_BATCH, MALFORMED). */
static int
ingest_nul(struct ingest *in, struct ingest_msg *m, const void *data,
           size_t len)
{
	struct nulcheck_hit bh;

	if (nulcheck_batch(m->batch, data, len, &bh, in->nul_hits) < 0)
		return ingest_nul_unwalkable(m);
	return 0;
}

static Tiendo__Reject
ingest_nul_reject(const struct nulcheck_hit *h, char *reason)
{
	snprintf(reason, REASON_MAX, "%s holds a NUL byte at offset %zu",
	         h->field, h->offset);
	return TIENDO__REJECT__REJECT_NUL;
}

/* Decodes and validates one message body into m and its items. */
void
ingest_parse(struct ingest *in, struct ingest_msg *m, const void *data,
             size_t len, when_t now)
{
	const struct plan *plan = (*in->book)->plan;
	const Tiendo__Report *first_denied = NULL;
	Tiendo__BatchError berr;
	size_t denied = 0;

	m->batch = tiendo__batch__unpack(NULL, len, data);
	if (len > LIMIT_MESSAGE_BYTES) {
		/* Decoded all the same (libzmq caps it at HARD_MESSAGE_BYTES),
		 * so that a client with batches in flight can match the reply
		 * by its batch_id. */
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
		                TIENDO__BATCH_ERROR__BATCH_TOO_LARGE,
		                "message is %zu bytes; the limit is %d", len,
		                LIMIT_MESSAGE_BYTES);
		return;
	}
	if (m->batch == NULL) {
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_BAD_BATCH,
		                TIENDO__BATCH_ERROR__BATCH_MALFORMED,
		                "message of %zu bytes is not a protobuf tiendo.Batch "
		                "(garbage or truncated)", len);
		return;
	}
	if (in->stopping) {
		ingest_msg_fail(m, TIENDO__STATUS__STATUS_RETRY,
		                TIENDO__BATCH_ERROR__BATCH_SHUTDOWN,
		                "server is stopping; nothing was stored, send again");
		return;
	}
	m->client = m->batch->client;
	if (curve_enabled(in->curve) && ingest_authorise(in, m) < 0)
		return;
	/* The version first: a batch of another version is not read. */
	if (m->batch->version == PROTOCOL_VERSION &&
	    ingest_client_nul(in, m, data, len) < 0)
		return;
	berr = validate_batch_as(m->batch, m->client, m->reason, sizeof m->reason);
	if (berr != TIENDO__BATCH_ERROR__BATCH_NONE) {
		m->status = TIENDO__STATUS__STATUS_BAD_BATCH;
		m->error = berr;
		return;
	}
	if (ingest_nul(in, m, data, len) < 0)
		return;
	m->status = TIENDO__STATUS__STATUS_OK;
	m->first = in->n_items;
	m->n = m->batch->n_reports;
	for (size_t i = 0; i < m->n; i++) {
		struct ingest_item *it = &in->items[in->n_items];
		it->is_new = 0;
		it->fate = TIENDO__FATE__FATE_UNSPECIFIED;
		if (in->nul_hits[i].report >= 0 && m->batch->reports[i]->seq != 0)
			it->code = ingest_nul_reject(&in->nul_hits[i],
			                             in->reasons[in->n_items]);
		else
			it->code = validate_report(plan, m->batch->reports[i],
			                           m->client, now, in->max_future,
			                           &it->v, in->reasons[in->n_items],
			                           REASON_MAX);
		/* A correction is judged by the unit of the report it
		 * voids, which only the store knows (correct_apply). */
		if (it->code == TIENDO__REJECT__REJECT_NONE && m->auth &&
		    m->batch->reports[i]->voids_seq == 0 &&
		    !authkey_allows(m->auth, m->batch->reports[i]->unit)) {
			it->code = ingest_not_allowed(m, m->batch->reports[i],
			                              in->reasons[in->n_items]);
			if (denied++ == 0)
				first_denied = m->batch->reports[i];
		}
		in->n_items++;
	}
	/* One line per batch, not per report: a client cannot flood the log
	 * a thousand lines a message. */
	if (denied > 0)
		log_warn("ingest: client %s reported for unit %s, which it may "
		         "not (seq %" PRIu64 "; %zu such report%s in the batch): "
		         "rejected", m->client, first_denied->unit,
		         first_denied->seq, denied, denied == 1 ? "" : "s");
	in->stats.reports += m->n;
}
