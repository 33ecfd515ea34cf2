/*
 * push_print.c - what tiendo-push prints: a report and its fate, --status,
 * and the summary at the end of a run.  Times as every client shows them
 * (showtime.h): $TZ with the offset; --tz is the zone --at is read in.
 * In Vietnamese (lang.h, tiendo-push --lang / TIENDO_LANG) its words,
 * values (+1.250,5) and counts (1.750) are as a Vietnamese clerk writes
 * them, its dates dd/mm/yyyy.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sysexits.h>

#include "lang.h"
#include "outbox.h"
#include "push.h"
#include "push_print.h"
#include "showtime.h"

void
push_print_report(FILE *out, const struct outbox_item *it, int vi,
                  const char *fate)
{
	char tbuf[SHOWTIME_BUFSZ], vbuf[64];
	const char *sign = it->kind == OUTBOX_SET ? "=" :
	    it->value[0] == '-' ? "" : "+";

	if (it->voids_seq != 0) {
		fprintf(out, vi ? "%s %s hủy báo cáo số %" PRIu64 " (%s) @%s: %s\n"
		    : "%s %s void of seq %" PRIu64 " (%s) @%s: %s\n",
		    it->unit[0] ? it->unit : "*", it->task[0] ? it->task : "*",
		    it->voids_seq, it->void_reason ? it->void_reason : "",
		    showtime(it->observed_at, vi, tbuf, sizeof(tbuf)), fate);
		return;
	}
	fprintf(out, "%s %s %s%s @%s: %s\n", it->unit, it->task, sign,
	    lang_value(it->value, vi, vbuf, sizeof(vbuf)),
	    showtime(it->observed_at, vi, tbuf, sizeof(tbuf)), fate);
}

void
push_print_fate(FILE *out, const struct outbox_item *it, int vi,
                enum push_fate fate)
{
	static const char *const words[][2] = {
		[PUSH_ACCEPTED] = { "accepted", "đã nhận" },
		[PUSH_DUPLICATE] = { "duplicate", "trùng, đã nhận trước đó" },
		[PUSH_QUEUED] = { "queued", "đã lưu, chờ gửi" },
		[PUSH_NO_FATE] = { "no fate in the reply, left pending",
		                   "máy chủ không trả lời về báo cáo này, "
		                   "vẫn chờ gửi" },
	};

	push_print_report(out, it, vi, words[fate][vi ? 1 : 0]);
}

void
push_print_rejected(FILE *out, const struct outbox_item *it, int vi,
                    const char *code, const char *reason)
{
	char fate[1200];

	/* the code and the daemon's reason stay as sent: they are what an
	 * operator searches for */
	snprintf(fate, sizeof(fate), vi ? "bị từ chối (%s): %s" :
	    "rejected (%s): %s", code, reason && *reason ? reason :
	    vi ? "không nêu lý do" : "no reason given");
	push_print_report(out, it, vi, fate);
}

/* --status: no network. */
int
push_print_status(struct outbox *ob, int history, int vi)
{
	struct outbox_item *items;
	size_t n, pending = 0, rejected = 0;
	char fate[SHOWTIME_BUFSZ + 64], tbuf[SHOWTIME_BUFSZ];
	char c1[32], c2[32], c3[32];
	int64_t delivered;

	if (outbox_history(ob, (size_t)history, &items, &n) != 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	/* oldest first, like the rest */
	for (size_t i = n; i-- > 0;) {
		const struct outbox_item *it = &items[i];

		snprintf(fate, sizeof(fate), "%s %s", it->fate == 2 ?
		    vi ? "trùng, đã nhận trước đó, lúc" : "duplicate" :
		    vi ? "đã nhận lúc" : "accepted",
		    showtime(it->done_at, vi, tbuf, sizeof(tbuf)));
		printf("%" PRIu64 " ", it->seq);
		push_print_report(stdout, it, vi, fate);
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
			push_print_rejected(stdout, it, vi, it->code,
			    it->reason);
			rejected++;
		} else {
			snprintf(fate, sizeof(fate), vi ? "chờ gửi từ %s" :
			    "pending since %s", showtime(it->queued_at, vi,
			    tbuf, sizeof(tbuf)));
			push_print_report(stdout, it, vi, fate);
			pending++;
		}
	}
	outbox_items_free(items, n);
	printf(vi ? "chờ gửi %s, bị từ chối %s, đã gửi %s\n" :
	    "%s pending, %s rejected, %s delivered\n",
	    lang_int((long long)pending, vi, c1, sizeof c1),
	    lang_int((long long)rejected, vi, c2, sizeof c2),
	    lang_int(delivered, vi, c3, sizeof c3));
	return EX_OK;
}

void
push_print_status_empty(int vi)
{
	printf("%s\n", vi ? "chờ gửi 0, bị từ chối 0, đã gửi 0" :
	    "0 pending, 0 rejected, 0 delivered");
}

void
push_print_queued(size_t queued, int64_t pending, int vi)
{
	char c1[32], c2[32];

	printf(vi ? "đã lưu %s, chờ gửi %s\n" : "%s queued, %s pending\n",
	    lang_int((long long)queued, vi, c1, sizeof c1),
	    lang_int(pending, vi, c2, sizeof c2));
}

void
push_print_forgotten(int64_t n, int vi)
{
	char c[32];

	if (vi)
		printf("đã xóa %s báo cáo bị từ chối\n",
		    lang_int(n, 1, c, sizeof c));
	else
		printf("%" PRId64 " rejected report%s forgotten\n", n,
		    n == 1 ? "" : "s");
}

void
push_print_so_far(const struct push_stats *st, int64_t pending, int vi)
{
	char c1[32], c2[32], c3[32], c4[32];

	printf(vi ? "đến giờ: đã nhận %s, trùng %s, bị từ chối %s; chờ gửi %s\n"
	    : "%s accepted, %s duplicate, %s rejected so far, %s pending\n",
	    lang_int((long long)st->accepted, vi, c1, sizeof c1),
	    lang_int((long long)st->duplicate, vi, c2, sizeof c2),
	    lang_int((long long)st->rejected, vi, c3, sizeof c3),
	    lang_int(pending, vi, c4, sizeof c4));
}

int
push_print_summary(struct outbox *ob, const struct push_opts *o,
                   const struct push_stats *st)
{
	int64_t pending, rejected_kept;
	char c1[32], c2[32], c3[32], c4[32], c5[32];
	int ex = EX_OK, vi = o->vi;

	pending = outbox_count(ob, OUTBOX_PENDING);
	rejected_kept = outbox_count(ob, OUTBOX_REJECTED);
	if (pending < 0 || rejected_kept < 0) {
		push_warn("outbox: %s", outbox_errmsg(ob));
		return EX_IOERR;
	}
	printf(vi ? "đã nhận %s, trùng %s, bị từ chối %s, chờ gửi %s, gửi lại %s\n"
	    : "%s accepted, %s duplicate, %s rejected, %s pending, %s resent\n",
	    lang_int((long long)st->accepted, vi, c1, sizeof c1),
	    lang_int((long long)st->duplicate, vi, c2, sizeof c2),
	    lang_int((long long)st->rejected, vi, c3, sizeof c3),
	    lang_int(pending, vi, c4, sizeof c4),
	    lang_int((long long)st->resent, vi, c5, sizeof c5));
	if (pending > 0 && !o->follow && vi)
		push_warn("còn %s báo cáo chờ gửi trong %s: hãy chạy lại "
		    "tiendo-push, hoặc để tiendo-push --follow chạy thường trực",
		    lang_int(pending, 1, c4, sizeof c4), o->outbox);
	else if (pending > 0 && !o->follow)
		push_warn("%" PRId64 " report%s still pending in %s: run "
		    "tiendo-push again, or keep tiendo-push --follow running",
		    pending, pending == 1 ? "" : "s", o->outbox);
	if (!o->quiet && (size_t)rejected_kept > st->rejected && vi)
		push_warn("còn giữ %s báo cáo bị từ chối từ các lần chạy trước "
		    "trong %s (--status liệt kê)", lang_int(rejected_kept -
		    (int64_t)st->rejected, 1, c5, sizeof c5), o->outbox);
	else if (!o->quiet && (size_t)rejected_kept > st->rejected)
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
