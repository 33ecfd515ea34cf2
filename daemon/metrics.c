/*
 * metrics.c - the Prometheus exposition; see metrics.h.
 *
 * Names follow the Prometheus conventions: a tiendo_ prefix, counters end
 * in _total, durations are in seconds and sizes in bytes, and one family
 * per measured thing with labels for its parts.  Counters count since the
 * daemon started (Prometheus handles the resets).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/event.h>
#include <zmq.h>

#include "metrics.h"
#include "store_sqlite.h"
#include "validate.h"

struct out {
	struct evbuffer *buf;
	int failed;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (evbuffer_add_vprintf(o->buf, fmt, ap) < 0)
		o->failed = 1;
	va_end(ap);
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
counter(struct out *o, const char *name, const char *help, uint64_t v)
{
	family(o, name, "counter", help);
	put(o, "%s %llu\n", name, (unsigned long long)v);
}

static void
gauge(struct out *o, const char *name, const char *help, double v)
{
	family(o, name, "gauge", help);
	put(o, "%s %.17g\n", name, v);
}

static void
histogram(struct out *o, const char *name, const char *help,
          const struct histogram *h)
{
	uint64_t cum = 0;

	family(o, name, "histogram", help);
	for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
		cum += h->counts[i];
		put(o, "%s_bucket{le=\"%g\"} %llu\n", name, histogram_bounds[i],
		    (unsigned long long)cum);
	}
	put(o, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h->count);
	put(o, "%s_sum %.9g\n", name, h->sum);
	put(o, "%s_count %llu\n", name, (unsigned long long)h->count);
}

/* Lower-case name of a BatchError, without its prefix. */
static const char *
batch_error_name(int code, char *buf, size_t n)
{
	const ProtobufCEnumValue *v =
	    protobuf_c_enum_descriptor_get_value(&tiendo__batch_error__descriptor,
	                                         code);
	const char *s = v ? v->name : "unknown";
	size_t i = 0;

	if (strncmp(s, "BATCH_", 6) == 0)
		s += 6;
	for (; s[i] && i + 1 < n; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	buf[i] = '\0';
	return buf;
}

static double
file_bytes(const char *path, const char *suffix)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof p, "%s%s", path, suffix);
	return stat(p, &st) == 0 ? (double)st.st_size : 0;
}

/* tiendo_standby: the active daemon's exposition and the standby's. */
static void
standby_gauge(struct out *o, int waiting)
{
	gauge(o, "tiendo_standby",
	      "1 while this tiendod waits for the active lock.", waiting);
}

static void
metrics_ingest(struct out *o, const struct ingest_stats *st)
{
	char name[32];

	counter(o, "tiendo_messages_received_total",
	        "ZeroMQ messages received on the ingest socket.", st->messages);
	family(o, "tiendo_batches_total", "counter",
	       "Batches answered, by the status of their ack.");
	put(o, "tiendo_batches_total{status=\"ok\"} %llu\n",
	    (unsigned long long)st->batches_ok);
	put(o, "tiendo_batches_total{status=\"retry\"} %llu\n",
	    (unsigned long long)st->batches_retry);
	put(o, "tiendo_batches_total{status=\"bad_batch\"} %llu\n",
	    (unsigned long long)st->batches_bad);
	family(o, "tiendo_batches_refused_total", "counter",
	       "Batches refused whole (BAD_BATCH), by error.");
	for (int e = 1; e < 16; e++) {
		if (e == TIENDO__BATCH_ERROR__BATCH_STORAGE ||
		    e == TIENDO__BATCH_ERROR__BATCH_SHUTDOWN ||
		    !protobuf_c_enum_descriptor_get_value(
		        &tiendo__batch_error__descriptor, e))
			continue;
		put(o, "tiendo_batches_refused_total{error=\"%s\"} %llu\n",
		    batch_error_name(e, name, sizeof name),
		    (unsigned long long)st->batches_bad_by[e]);
	}
	counter(o, "tiendo_reports_received_total",
	        "Reports received in readable batches.", st->reports);
	family(o, "tiendo_reports_total", "counter",
	       "Reports answered, by fate.");
	put(o, "tiendo_reports_total{fate=\"accepted\"} %llu\n",
	    (unsigned long long)st->accepted);
	put(o, "tiendo_reports_total{fate=\"duplicate\"} %llu\n",
	    (unsigned long long)st->duplicate);
	put(o, "tiendo_reports_total{fate=\"rejected\"} %llu\n",
	    (unsigned long long)st->rejected);
	family(o, "tiendo_reports_rejected_total", "counter",
	       "Reports rejected, by reason code.");
	for (int c = 1; c < 16; c++) {
		const char *n = validate_reject_name((Tiendo__Reject)c);
		if (strcmp(n, "unknown") == 0)
			continue;
		put(o, "tiendo_reports_rejected_total{reason=\"%s\"} %llu\n", n,
		    (unsigned long long)st->rejected_by[c]);
	}
	counter(o, "tiendo_commits_total",
	        "Transactions committed (one per drained group of batches).",
	        st->commits);
	counter(o, "tiendo_commit_failures_total",
	        "Transactions rolled back; their batches were answered RETRY.",
	        st->commit_failures);
	histogram(o, "tiendo_commit_duration_seconds",
	          "Time from BEGIN to COMMIT of one group commit.",
	          &st->commit_seconds);
	histogram(o, "tiendo_ack_latency_seconds",
	          "Time from receiving a batch to sending its ack.",
	          &st->ack_seconds);
	counter(o, "tiendo_acks_dropped_total",
	        "Acks not delivered (peer gone or at its high-water mark).",
	        st->acks_dropped);
	counter(o, "tiendo_log_suppressed_total",
	        "Log lines about bad input dropped by the per-client rate limit.",
	        st->log_suppressed);
	gauge(o, "tiendo_storage_ok",
	      "1 when the last commit succeeded, 0 while storage fails.",
	      st->storage_ok);
	/* The active one says 0, so that one series tells which is which
	 * (standby.c says 1). */
	standby_gauge(o, 0);
}

int
metrics_render(const struct metrics_src *src, struct evbuffer *buf)
{
	struct out o = { buf, 0 };
	const struct book *b = *src->book;
	size_t reporting, with_targets;

	family(&o, "tiendo_build_info", "gauge",
	       "Versions of tiendod and its libraries; always 1.");
	put(&o, "tiendo_build_info{version=\"%s\",sqlite=\"%s\",libzmq=\"%d.%d.%d\","
	    "libevent=\"%s\"} 1\n", TIENDO_VERSION, store_sqlite_version(),
	    ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH,
	    event_get_version());
	gauge(&o, "tiendo_start_time_seconds",
	      "When the daemon started, in seconds since the epoch.",
	      src->started / 1000.0);

	metrics_ingest(&o, ingest_stats(src->ingest));

	family(&o, "tiendo_database_size_bytes", "gauge",
	       "Size of the SQLite database files.");
	put(&o, "tiendo_database_size_bytes{file=\"main\"} %.0f\n",
	    file_bytes(src->db_path, ""));
	put(&o, "tiendo_database_size_bytes{file=\"wal\"} %.0f\n",
	    file_bytes(src->db_path, "-wal"));

	gauge(&o, "tiendo_plan_units", "Units in the plan in force.",
	      (double)b->plan->n_units);
	gauge(&o, "tiendo_plan_tasks", "Tasks in the plan in force.",
	      (double)b->plan->n_tasks);
	gauge(&o, "tiendo_plan_targets", "(task, unit) targets in the plan in force.",
	      (double)b->plan->n_targets);
	book_units_reporting(b, &reporting, &with_targets);
	gauge(&o, "tiendo_units_reporting",
	      "Units with a target and at least one counted report.",
	      (double)reporting);
	counter(&o, "tiendo_tally_recounts_total",
	        "Pairs refolded from the store because a set arrived out of "
	        "order or a report was voided (since the plan was loaded).",
	        (uint64_t)b->recounts);
	if (src->reload) {
		const struct reload_stats *rs = reload_stats(src->reload);
		family(&o, "tiendo_plan_reloads_total", "counter",
		       "Reloads of the configuration and plan, by result.");
		put(&o, "tiendo_plan_reloads_total{result=\"ok\"} %llu\n",
		    (unsigned long long)rs->ok);
		put(&o, "tiendo_plan_reloads_total{result=\"refused\"} %llu\n",
		    (unsigned long long)rs->failed);
		gauge(&o, "tiendo_plan_last_reload_successful",
		      "0 when the last reload was refused (the old plan runs).",
		      !rs->last_failed);
	}

	/* The publisher and the alert engine report here once they exist. */
	gauge(&o, "tiendo_subscribers", "Alert subscribers connected.",
	      src->subscribers ? (double)src->subscribers(src->subscribers_arg)
	                       : 0);
	if (src->alerts)
		src->alerts(src->alerts_arg, buf);
	for (size_t i = 0; i < sizeof src->more / sizeof src->more[0]; i++)
		if (src->more[i].fn)
			src->more[i].fn(src->more[i].arg, buf);
	return o.failed ? -1 : 0;
}

/* Answers req with buf, the exposition written whole (rc 0), or 500. */
static void
metrics_send(struct evhttp_request *req, struct evbuffer *buf, int rc)
{
	if (buf == NULL || rc < 0) {
		if (buf)
			evbuffer_free(buf);
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
}

void
metrics_on_request(struct evhttp_request *req, void *arg)
{
	struct evbuffer *buf = evbuffer_new();

	metrics_send(req, buf, buf ? metrics_render(arg, buf) : -1);
}

void
metrics_on_standby(struct evhttp_request *req)
{
	struct evbuffer *buf = evbuffer_new();
	struct out o = { buf, 0 };

	if (buf)
		standby_gauge(&o, 1);
	metrics_send(req, buf, o.failed ? -1 : 0);
}
