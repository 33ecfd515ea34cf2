/*
 * push_print.c - what tiendo-push prints: a report and its fate, --status,
 * and the summary at the end of a run.  Times as every client shows them
 * (showtime.h): $TZ with the offset; --tz is the zone --at is read in.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sysexits.h>

#include "outbox.h"
#include "push.h"
#include "push_print.h"
#include "showtime.h"

void
push_print_report(FILE *out, const struct outbox_item *it,
                  const char *fate)
{
	char tbuf[SHOWTIME_BUFSZ];
	const char *sign = it->kind == OUTBOX_SET ? "=" :
	    it->value[0] == '-' ? "" : "+";

	if (it->voids_seq != 0) {
		fprintf(out, "%s %s void of seq %" PRIu64 " (%s) @%s: %s\n",
		    it->unit[0] ? it->unit : "*", it->task[0] ? it->task : "*",
		    it->voids_seq, it->void_reason ? it->void_reason : "",
		    showtime(it->observed_at, 0, tbuf, sizeof(tbuf)), fate);
		return;
	}
	fprintf(out, "%s %s %s%s @%s: %s\n", it->unit, it->task, sign,
	    it->value, showtime(it->observed_at, 0, tbuf, sizeof(tbuf)),
	    fate);
}

void
push_print_rejected(FILE *out, const struct outbox_item *it,
                    const char *code, const char *reason)
{
	char fate[1200];

	snprintf(fate, sizeof(fate), "rejected (%s): %s", code,
	    reason && *reason ? reason : "no reason given");
	push_print_report(out, it, fate);
}

/* --status: no network. */
int
push_print_status(struct outbox *ob, int history)
{
	struct outbox_item *items;
	size_t n, pending = 0, rejected = 0;
	char fate[64], tbuf[SHOWTIME_BUFSZ];
	int64_t delivered;

	if (outbox_history(ob, (size_t)history, &items, &n) != 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	/* oldest first, like the rest */
	for (size_t i = n; i-- > 0;) {
		const struct outbox_item *it = &items[i];

		snprintf(fate, sizeof(fate), "%s %s",
		    it->fate == 2 ? "duplicate" : "accepted",
		    showtime(it->done_at, 0, tbuf, sizeof(tbuf)));
		printf("%" PRIu64 " ", it->seq);
		push_print_report(stdout, it, fate);
	}
	outbox_items_free(items, n);
	if (outbox_list(ob, &items, &n) != 0 ||
	    (delivered = outbox_delivered_total(ob)) < 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	for (size_t i = 0; i < n; i++) {
		const struct outbox_item *it = &items[i];

		printf("%" PRIu64 " ", it->seq);
		if (it->state == OUTBOX_REJECTED) {
			push_print_rejected(stdout, it, it->code,
			    it->reason);
			rejected++;
		} else {
			snprintf(fate, sizeof(fate), "pending since %s",
			    showtime(it->queued_at, 0, tbuf,
			    sizeof(tbuf)));
			push_print_report(stdout, it, fate);
			pending++;
		}
	}
	outbox_items_free(items, n);
	printf("%zu pending, %zu rejected, %" PRId64 " delivered\n", pending,
	    rejected, delivered);
	return EX_OK;
}

int
push_print_summary(struct outbox *ob, const struct push_opts *o,
                   const struct push_stats *st)
{
	int64_t pending, rejected_kept;
	int ex = EX_OK;

	pending = outbox_count(ob, OUTBOX_PENDING);
	rejected_kept = outbox_count(ob, OUTBOX_REJECTED);
	if (pending < 0 || rejected_kept < 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	printf("%zu accepted, %zu duplicate, %zu rejected, %" PRId64
	    " pending, %zu resent\n", st->accepted, st->duplicate,
	    st->rejected, pending, st->resent);
	if (pending > 0 && !o->follow)
		push_warn("%" PRId64 " report%s still pending in %s: run "
		    "tiendo-push again, or keep tiendo-push --follow running",
		    pending, pending == 1 ? "" : "s", o->outbox);
	if (!o->quiet && (size_t)rejected_kept > st->rejected)
		push_warn("%" PRId64 " rejected report%s from earlier runs kept "
		    "in %s (--status lists them)",
		    rejected_kept - (int64_t)st->rejected,
		    rejected_kept - (int64_t)st->rejected == 1 ? "" : "s",
		    o->outbox);
	if (o->follow)
		ex = EX_OK; /* stopped as asked; what is pending stays queued */
	else if (st->rejected > 0)
		ex = EX_DATAERR;
	else if (pending > 0)
		ex = EX_TEMPFAIL;
	return ex;
}
