/*
 * fuzz_batch - what the daemon does with the bytes of one ingest message:
 * protobuf decoding of a Batch, then the batch and report checks against a
 * small plan, with and without an authenticated identity; and the client's
 * decoding of an Ack, the other direction's untrusted bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nulcheck.h"
#include "plan.h"
#include "validate.h"
#include "wire.h"

static const char plan_text[] =
	"[plan]\nname = fuzz\n"
	"[unit huyen]\nname = Huyện\nkind = district\n"
	"[unit xa-a]\nname = Xã A\nkind = commune\nparent = huyen\n"
	"[unit xa-b]\nname = Xã B\nkind = commune\nparent = huyen\n"
	"[task cay]\ntitle = Trồng cây\nmeasure = cây\n"
	"start = 2021-01-01\ndeadline = 2031-12-31\n"
	"[task dat]\ntitle = Đất\nmeasure = ha\n"
	"start = 2021-01-01\ndeadline = 2031-12-31\n"
	"pacing = milestones\nmilestone = 2025-01-01 50\n"
	"[targets cay]\nxa-a = 1000\nxa-b = 500\n"
	"[targets dat]\nxa-a = 12.5\n";

static struct plan *plan;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const when_t now = (when_t)1700000000000LL;
	char reason[REASON_MAX];
	Tiendo__Batch *b;
	Tiendo__Ack *ack;
	int rc;

	if (plan == NULL && (plan = plan_parse(plan_text, sizeof plan_text - 1,
	                                       "fuzz", NULL)) == NULL)
		abort();
	if ((b = tiendo__batch__unpack(NULL, size, data)) != NULL) {
		const char *ids[2] = { b->client, "xa-a" };
		struct nulcheck_hit bh, *hits = calloc(b->n_reports + 1,
		                                       sizeof *hits);

		/* The NUL check walks every encoding protobuf-c decoded. */
		if (hits == NULL)
			abort();
		rc = nulcheck_batch(b, data, size, &bh, hits);
		if (rc != 0 && rc != 1)
			abort();
		for (size_t i = 0; i < b->n_reports; i++)
			if (hits[i].report >= 0 && (hits[i].report != (long)i ||
			    hits[i].field == NULL))
				abort();
		free(hits);

		for (int k = 0; k < 2; k++) {
			if (validate_batch_as(b, ids[k], reason, sizeof reason) !=
			    TIENDO__BATCH_ERROR__BATCH_NONE)
				continue;
			for (size_t i = 0; i < b->n_reports; i++) {
				struct valid_report v;
				Tiendo__Reject code;

				reason[0] = '\0';
				code = validate_report(plan,
				    b->reports[i], ids[k], now, 600000, &v,
				    reason, sizeof reason);

				/* A pass must point at a real target, but for a
				 * correction, whose target is its voided report's
				 * (found in the store). */
				if (code == TIENDO__REJECT__REJECT_NONE &&
				    v.voids_seq == 0 &&
				    (v.target < 0 || (size_t)v.target >= plan->n_targets))
					abort();
				if (strlen(reason) >= sizeof reason)
					abort();
			}
		}
		tiendo__batch__free_unpacked(b, NULL);
	}
	if ((ack = wire_ack_decode(data, size)) != NULL)
		wire_ack_free(ack);
	return 0;
}
