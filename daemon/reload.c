/*
 * reload.c - see reload.h.
 *
 * The new book is built from the new plan and the same store before
 * anything changes: the tallies are refolded from the stored reports under
 * the new targets, so a reload neither loses nor double-counts a report.
 * The loop is single-threaded, so the swap of *book is atomic to ingest
 * and HTTP, which look the book up through the pointer on every use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "log.h"
#include "http_auth.h"
#include "reload.h"
#include "when.h"

struct reload {
	struct config *live;
	struct book **book;
	struct ingest *ingest;
	struct notify *notify;
	reload_config_fn configure;
	void *arg;
	reload_swap_fn swapped;
	void *swap_arg;
	reload_keys_fn keys;
	void *keys_arg;
	struct reload_stats stats;
};

struct reload *
reload_new(struct config *live, struct book **book, struct ingest *in,
           struct notify *nt, reload_config_fn fn, void *arg)
{
	struct reload *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->live = live;
	r->book = book;
	r->ingest = in;
	r->notify = nt;
	r->configure = fn;
	r->arg = arg;
	return r;
}

void
reload_free(struct reload *r)
{
	free(r);
}

void
reload_set_swap_hook(struct reload *r, reload_swap_fn fn, void *arg)
{
	r->swapped = fn;
	r->swap_arg = arg;
}

void
reload_set_keys_hook(struct reload *r, reload_keys_fn fn, void *arg)
{
	r->keys = fn;
	r->keys_arg = arg;
}

const struct reload_stats *
reload_stats(const struct reload *r)
{
	return &r->stats;
}

static void
reload_note(json_t *report, const char *key, const char *msg)
{
	json_t *a;

	if (report == NULL)
		return;
	if ((a = json_object_get(report, key)) == NULL) {
		a = json_array();
		if (a == NULL || json_object_set_new(report, key, a) < 0)
			return;
	}
	json_array_append_new(a, json_string(msg));
}

/* Names every setting that differs but needs a restart; applies none. */
static void
reload_restart_only(struct reload *r, const struct config *fresh,
                    json_t *report)
{
	static const char *const sync_name[] = { "?", "normal", "full" };
	static const char *const onoff[] = { "off", "on" };
	const struct { const char *key, *was, *now; } s[] = {
		{ "ingest", r->live->ingest, fresh->ingest },
		{ "http", r->live->http, fresh->http },
		{ "pub", r->live->pub, fresh->pub },
		{ "snapshot", r->live->snapshot, fresh->snapshot },
		{ "state_dir", r->live->state_dir, fresh->state_dir },
		/* unset: the state directory's tiendo.db */
		{ "store", r->live->store ? r->live->store : "(default)",
		  fresh->store ? fresh->store : "(default)" },
		{ "keys_dir", r->live->keys_dir, fresh->keys_dir },
		{ "curve", onoff[r->live->curve != 0], onoff[fresh->curve != 0] },
		{ "synchronous", sync_name[r->live->sync & 3],
		  sync_name[fresh->sync & 3] },
	};

	/* The alert engine is built once, at start. */
	const struct { const char *key; int changed; } n[] = {
		{ "language", r->live->language != fresh->language },
		{ "alert_pending", r->live->alert_pending != fresh->alert_pending },
		{ "alert_margin", r->live->alert_margin != fresh->alert_margin },
		{ "alert_reminder", r->live->alert_reminder != fresh->alert_reminder },
		{ "alert_interval", r->live->alert_interval != fresh->alert_interval },
		/* The HTTP connection slots are made at start too. */
		{ "http_max_connections",
		  r->live->http_max_connections != fresh->http_max_connections },
		{ "http_header_timeout",
		  r->live->http_header_timeout != fresh->http_header_timeout },
		{ "http_idle_timeout",
		  r->live->http_idle_timeout != fresh->http_idle_timeout },
		{ "alert_retention", r->live->alert_retention != fresh->alert_retention },
		{ "alert_group_window",
		  r->live->alert_group_window != fresh->alert_group_window },
		{ "rollup_critical_share",
		  r->live->rollup_critical_share != fresh->rollup_critical_share },
	};

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		if (strcmp(s[i].was, s[i].now) == 0)
			continue;
		log_warn("reload: %s changed from %s to %s: only a restart "
		         "applies it; still %s", s[i].key, s[i].was, s[i].now,
		         s[i].was);
		reload_note(report, "restart_needed", s[i].key);
	}
	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
		if (!n[i].changed)
			continue;
		log_warn("reload: %s changed: only a restart applies it",
		         n[i].key);
		reload_note(report, "restart_needed", n[i].key);
	}
}

/* The errors a step logs, listed in the refusal. */
struct reload_errors {
	json_t *report;
	size_t n;
	char first[256];
};

static void
reload_capture(void *arg, const char *line)
{
	struct reload_errors *e = arg;

	if (e->n++ == 0)
		snprintf(e->first, sizeof e->first, "%s", line);
	reload_note(e->report, "errors", line);
}

/* "N errors: the first" for the refusal line, after a captured step. */
static const char *
reload_errors_why(const struct reload_errors *e, const char *what, char *buf,
                  size_t n)
{
	if (e->n == 0)
		snprintf(buf, n, "%s", what);
	else if (e->n == 1)
		snprintf(buf, n, "%s: %s", what, e->first);
	else
		snprintf(buf, n, "%s: %s (and %zu more)", what, e->first, e->n - 1);
	return buf;
}

static int
reload_refuse(struct reload *r, json_t *report, const char *why)
{
	log_err("reload refused: %s; the plan in force stays", why);
	reload_note(report, "errors", why);
	r->stats.failed++;
	r->stats.last_failed = 1;
	notify_ready(r->notify);
	return -1;
}

int
reload_run(struct reload *r, json_t *report)
{
	struct plan_errors errs = { 0 };
	struct config fresh;
	struct plan *plan;
	struct book *nb, *old;
	char why[512];
	char *tmp;
	struct reload_errors errs_seen = { .report = report };
	int rc;

	notify_reloading(r->notify);
	/* The batch whose commit is in flight was counted on the book in
	 * force: it is answered before a new book can replace that one. */
	ingest_settle(r->ingest);
	log_notice("reload: re-reading the configuration and the plan");
	if (config_defaults(&fresh) < 0) {
		config_free(&fresh);
		return reload_refuse(r, report, "out of memory");
	}
	log_capture(reload_capture, &errs_seen);
	rc = r->configure(r->arg, &fresh);
	log_capture(NULL, NULL);
	if (rc < 0) {
		config_free(&fresh);
		return reload_refuse(r, report, reload_errors_why(&errs_seen,
		                     "the configuration has errors", why,
		                     sizeof why));
	}
	if ((plan = plan_load(fresh.plan, &errs)) == NULL) {
		for (size_t i = 0; i < errs.n; i++) {
			log_err("%s", errs.msgs[i]);
			reload_note(report, "errors", errs.msgs[i]);
		}
		snprintf(why, sizeof why, "plan %s has %zu error%s", fresh.plan,
		         errs.n, errs.n == 1 ? "" : "s");
		plan_errors_clear(&errs);
		config_free(&fresh);
		return reload_refuse(r, report, why);
	}
	plan_errors_clear(&errs);
	/* book_new owns the plan from here, also when it fails. */
	if ((nb = book_new(plan, (*r->book)->store)) == NULL) {
		config_free(&fresh);
		return reload_refuse(r, report, "cannot recount the stored "
		                     "reports under the new plan");
	}
	errs_seen.n = 0;
	log_capture(reload_capture, &errs_seen);
	rc = r->keys ? r->keys(r->keys_arg) : 0;
	log_capture(NULL, NULL);
	if (rc < 0) {
		book_free(nb);
		config_free(&fresh);
		return reload_refuse(r, report, reload_errors_why(&errs_seen,
		                     "the authorised client keys have errors "
		                     "(the old keys stay)", why, sizeof why));
	}
	reload_restart_only(r, &fresh, report);

	old = *r->book;
	*r->book = nb;
	if (r->swapped)
		r->swapped(r->swap_arg, old, nb);
	book_free(old);

	/* What a reload applies besides the plan. */
	log_set_level(fresh.log_level);
	r->live->log_level = fresh.log_level;
	r->live->max_future = fresh.max_future;
	ingest_set_max_future(r->ingest, fresh.max_future);
	tmp = r->live->plan;
	r->live->plan = fresh.plan;
	fresh.plan = tmp;
	config_free(&fresh);

	r->stats.ok++;
	r->stats.last_ok_at = when_now();
	r->stats.last_failed = 0;
	log_notice("reload: plan %s in force: %zu units, %zu tasks, %zu targets",
	           r->live->plan, nb->plan->n_units, nb->plan->n_tasks,
	           nb->plan->n_targets);
	if (report) {
		json_object_set_new(report, "plan", json_string(r->live->plan));
		json_object_set_new(report, "units", json_integer((json_int_t)nb->plan->n_units));
		json_object_set_new(report, "tasks", json_integer((json_int_t)nb->plan->n_tasks));
		json_object_set_new(report, "targets", json_integer((json_int_t)nb->plan->n_targets));
	}
	notify_ready(r->notify);
	return 0;
}

/* Only the machine's own users may reload, whatever address HTTP is
 * bound to: the dashboard may be shared, the controls are not. */
static int
reload_from_loopback(struct evhttp_request *req)
{
	/* Not through a proxy on this machine either: that is the network. */
	return http_auth_local(req);
}

static void
reload_reply(struct evhttp_request *req, int code, const char *reason,
             json_t *body)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = json_dumps(body, JSON_INDENT(2));

	if (buf == NULL || text == NULL ||
	    evbuffer_add_printf(buf, "%s\n", text) < 0) {
		free(text);
		if (buf)
			evbuffer_free(buf);
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	free(text);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "Content-Type", "application/json; charset=utf-8");
	evhttp_send_reply(req, code, reason, buf);
	evbuffer_free(buf);
}

void
reload_on_http(struct evhttp_request *req, void *arg)
{
	struct reload *r = arg;
	json_t *report;
	int rc;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Allow", "POST");
		report = json_pack("{s:s}", "error", "use POST");
		reload_reply(req, 405, "Method Not Allowed", report);
		json_decref(report);
		return;
	}
	if (!reload_from_loopback(req)) {
		report = json_pack("{s:s}", "error", "reload is only served to "
		                   "loopback addresses");
		reload_reply(req, 403, "Forbidden", report);
		json_decref(report);
		return;
	}
	if ((report = json_object()) == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	rc = reload_run(r, report);
	json_object_set_new(report, "status", json_string(rc == 0 ? "ok" : "refused"));
	reload_reply(req, rc == 0 ? 200 : 422, rc == 0 ? "OK"
	             : "Unprocessable Entity", report);
	json_decref(report);
}
