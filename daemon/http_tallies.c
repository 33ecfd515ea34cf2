/*
 * http_tallies.c - GET /v1/tallies, streamed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "board.h"
#include "book.h"
#include "http.h"
#include "http_auth.h"
#include "http_conns.h"
#include "http_kinds.h"
#include "http_tallies.h"
#include "indicator.h"
#include "log.h"
#include "rollcount.h"
#include "rollup.h"
#include "scope.h"

static json_t *
http_tally_row(const struct plan *p, int task, int unit, int rollup,
               size_t n_units, const struct tally_view *v,
               const struct tally *t)
{
	const struct plan_task *tk = &p->tasks[task];
	const struct plan_unit *u = &p->units[unit];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:I, s:o,"
	                 " s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:s}",
		"task", tk->code, "task_title", tk->title, "measure", tk->measure,
		"unit", u->code, "unit_name", u->name, "unit_kind", u->kind,
		"depth", u->depth, "rollup", rollup, "units", (json_int_t)n_units,
		"actual", http_json_dec(v->actual), "target", http_json_dec(v->target),
		"percent", http_json_pct(v->percent), "expected", http_json_pct(v->expected),
		"lag", http_json_pct(v->lag), "status", tally_status_name(v->status),
		"reports", (json_int_t)(t ? t->n_reports : 0),
		"last_report", http_json_when(t ? t->last_report_at : 0),
		"kind", indicator_kind_name(tk->kind));
}

/*
 * /v1/tallies is streamed: a country-sized plan gives hundreds of thousands
 * of rows, which must neither be built as one JSON tree (gigabytes) nor
 * block the loop (ingest would stall).  Rows go out in chunks of a few
 * tasks; the next chunk is rendered only once the previous one has been
 * written to the socket, so a slow reader holds back only itself.  A plan
 * reload in the middle ends the stream early: the client sees a truncated
 * document rather than rows of two plans.
 */
#define TALLIES_CHUNK_BYTES (256 * 1024)

struct tallies {
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct http_conns *conns;
	struct book **bookp;
	uint64_t generation;    /* of the book the stream started with */
	struct board *past;     /* at=: owned; else NULL */
	struct rollup *ru;
	struct rollcount *rc;   /* status counts under each unit */
	double rollup_share;
	int task, unit;         /* filters, -1 = all */
	int owner;              /* owner=: tasks of that unit only; -1 = all */
	char *period;           /* period=: its name, or NULL */
	when_t period_start, period_end;
	struct board *before;   /* period=: the board before it began */
	struct rollup *ru0;     /* and its roll-ups */
	struct scope *scope;    /* the account's, copied; NULL = all */
	when_t now;
	size_t next;            /* next task to render */
	int rows;               /* rows sent so far */
};

static void
tallies_free(struct tallies *ts)
{
	if (ts->conn)
		http_conns_set_closecb(ts->conns, ts->conn, NULL, NULL);
	rollup_free(ts->ru);
	rollcount_free(ts->rc);
	rollup_free(ts->ru0);
	board_free(ts->past);
	board_free(ts->before);
	free(ts->period);
	scope_free(ts->scope);
	free(ts);
}

/* The client went away: libevent frees the request. */
static void
tallies_on_close(struct evhttp_connection *conn, void *arg)
{
	struct tallies *ts = arg;

	ts->conn = NULL;
	tallies_free(ts);
}

static int
tallies_row(struct tallies *ts, struct evbuffer *out, json_t *row)
{
	char *text = json_dumps(row, JSON_REAL_PRECISION(6));

	json_decref(row);
	if (text == NULL)
		return -1;
	evbuffer_add_printf(out, "%s%s", ts->rows++ ? ",\n" : "\n", text);
	free(text);
	return 0;
}

/* A roll-up row: its units counted by status, and a status that does not
 * hide a share of critical ones (rollcount.h). */
static json_t *
tallies_rollup_row(struct tallies *ts, const struct plan *p, int ti, int u,
                   uint32_t n, struct tally_view *v)
{
	const uint32_t *c = rollcount_of(ts->rc, u);
	json_t *row, *by = json_object();

	v->status = rollcount_status(v->status, c, ts->rollup_share);
	row = http_tally_row(p, ti, u, 1, n, v, &ts->ru->cells[u].sum);
	for (int s = 0; by && s < STATUS_N; s++)
		json_object_set_new(by, tally_status_name((enum tally_status)s),
		                    json_integer(c[s]));
	if (row && by && json_object_set_new(row, "by_status", by) == 0)
		return row;
	json_decref(row);
	return NULL;
}

static int
tallies_period_row(struct tallies *ts, struct evbuffer *out, json_t *row,
                   const struct plan_task *tk, const struct tally *end,
                   const struct tally *before, const struct tally_view *v)
{
	if (row)
		http_period_missing(tk, end, v, ts->now, row);
	if (row && ts->period)
		json_object_set_new(row, "period", http_period_json(ts->period,
		                    ts->period_start, ts->period_end, tk, end,
		                    before, v));
	return tallies_row(ts, out, row);
}

static int
tallies_group(struct tallies *ts, struct book *book, int ti,
              struct evbuffer *out)
{
	const struct plan *p = book->plan;
	const struct board *board = ts->past ? ts->past : book->board;

	for (size_t i = 0; i < p->n_units; i++) {
		int u = book->preorder[i];
		json_t *row;

		if ((ts->unit >= 0 && !plan_unit_within(p, u, ts->unit)) ||
		    !scope_pair(ts->scope, ti, u))
			continue;
		if ((row = http_group_row(p, board, ti, u, ts->now)) != NULL &&
		    tallies_row(ts, out, row) < 0)
			return -1;
	}
	return 0;
}

/* A unit with a schedule of its own says which, beside the expected %
 * it gives; the others follow their task's (in /v1/tasks).  0, or -1 out
 * of memory. */
static int
tallies_own_schedule(const struct plan *p, size_t own, json_t *row)
{
	json_t *sched;

	if (!plan_target_own_pace(p, own))
		return 0;
	if ((sched = http_schedule_json(p, own)) == NULL)
		return -1;
	return json_object_set_new(row, "schedule", sched);
}

/* Renders one task's rows into out. */
static int
tallies_task(struct tallies *ts, struct book *book, int ti,
             struct evbuffer *out)
{
	const struct plan *p = book->plan;
	const struct board *board = ts->past ? ts->past : book->board;

	if (p->tasks[ti].kind == PLAN_KIND_GROUP)
		return tallies_group(ts, book, ti, out);

	rollup_task(ts->ru, board, ti, ts->now);
	rollcount_task(ts->rc, board, ti, ts->now);
	if (ts->ru0)
		rollup_task(ts->ru0, ts->before, ti, ts->period_start - 1);
	for (size_t i = 0; i < p->n_units; i++) {
		int u = book->preorder[i];
		int own = plan_target_find(p, ti, u);
		struct tally_view v;
		uint32_t n;

		if ((ts->unit >= 0 && !plan_unit_within(p, u, ts->unit)) ||
		    !scope_pair(ts->scope, ti, u))
			continue;
		/* A roll-up row only where it sums more than the unit's own
		 * target. */
		n = rollup_view(ts->ru, ti, u, ts->now, &v);
		if (n > (own >= 0 ? 1u : 0u) &&
		    tallies_period_row(ts, out, tallies_rollup_row(ts, p, ti, u, n,
		                       &v), &p->tasks[ti],
		                       &ts->ru->cells[u].sum, ts->ru0 ?
		                       &ts->ru0->cells[u].sum : NULL, &v) < 0)
			return -1;
		if (own >= 0) {
			json_t *row;

			board_view(board, own, ts->now, &v);
			row = http_tally_row(p, ti, u, 0, 1, &v, &board->tallies[own]);
			if (row && tallies_own_schedule(p, (size_t)own, row) < 0) {
				json_decref(row);
				row = NULL;
			}
			if (tallies_period_row(ts, out, row, &p->tasks[ti],
			                       &board->tallies[own], ts->before ?
			                       &ts->before->tallies[own] : NULL, &v) < 0)
				return -1;
		}
	}
	return 0;
}

static void tallies_step(struct evhttp_connection *conn, void *arg);

static void
tallies_step(struct evhttp_connection *conn, void *arg)
{
	struct tallies *ts = arg;
	struct book *book = *ts->bookp;
	struct evbuffer *out = evbuffer_new();
	int failed = out == NULL || book->generation != ts->generation;

	while (!failed && ts->next < book->plan->n_tasks &&
	       evbuffer_get_length(out) < TALLIES_CHUNK_BYTES) {
		int ti = (int)ts->next++;
		if ((ts->task < 0 || ti == ts->task) &&
		    (ts->owner < 0 || book->plan->tasks[ti].owner == ts->owner) &&
		    tallies_task(ts, book, ti, out) < 0)
			failed = 1;
	}
	if (failed) {
		/* Headers are gone already: all that is left to say is to
		 * end the connection short of the closing bracket. */
		log_warn("http: /v1/tallies cut short (%s)", out == NULL ||
		         book->generation == ts->generation ? "out of memory"
		         : "plan reloaded");
		if (out)
			evbuffer_free(out);
		http_conns_set_closecb(ts->conns, ts->conn, NULL, NULL);
		evhttp_connection_free(ts->conn);
		ts->conn = NULL;
		tallies_free(ts);
		return;
	}
	if (ts->next >= book->plan->n_tasks) {
		evbuffer_add_printf(out, "\n]}\n");
		evhttp_send_reply_chunk(ts->req, out);
		evbuffer_free(out);
		evhttp_send_reply_end(ts->req);
		tallies_free(ts);
		return;
	}
	evhttp_send_reply_chunk_with_cb(ts->req, out, tallies_step, ts);
	evbuffer_free(out);
}

/* period=NAME: the boards at its end (or now, while it runs) and before
 * its start.  0, or -1 once the error is sent. */
static int
tallies_period_boards(struct tallies *ts, struct book *book, const char *name,
                      const char *at)
{
	const struct plan *p = book->plan;
	const char *why;

	if (at) {
		http_error(ts->req, 400, "period= and at= do not go together: "
		           "a period ends where it ends");
		return -1;
	}
	if (plan_period_parse(name, p->timezone, &ts->period_start,
	                      &ts->period_end, &why) < 0) {
		http_error(ts->req, 400, "period=\"%.64s\": %s", name, why);
		return -1;
	}
	if (ts->period_start > ts->now) {
		http_error(ts->req, 400, "period=\"%.64s\" has not begun",
		           name);
		return -1;
	}
	if (ts->period_end < ts->now)
		ts->now = ts->period_end - 1; /* its last instant */
	if ((ts->period = strdup(name)) == NULL ||
	    (ts->ru0 = rollup_new(p)) == NULL) {
		http_error(ts->req, 503, "out of memory");
		return -1;
	}
	if ((ts->past = book_board_at(book, ts->now)) == NULL ||
	    (ts->before = book_board_at(book, ts->period_start - 1)) == NULL) {
		http_error(ts->req, 503, "cannot read the reports: storage "
		           "error");
		return -1;
	}
	return 0;
}

void
http_tallies_serve(struct evhttp_request *req, struct book **bookp,
                   struct http_conns *conns, double rollup_share)
{
	static const char *const allowed[] = { "task", "unit", "at", "owner",
	                                       "period", NULL };
	struct book *book = *bookp;
	const struct plan *p = book->plan;
	struct tallies *ts = calloc(1, sizeof *ts);
	struct evkeyvalq q;
	const char *task_code, *unit_code, *owner_code, *at, *why;
	struct evbuffer *head;
	json_t *doc;
	char *text = NULL;

	if (ts == NULL) {
		http_error(req, 503, "out of memory");
		return;
	}
	ts->req = req;
	ts->bookp = bookp;
	ts->generation = book->generation;
	ts->task = ts->unit = ts->owner = -1;
	ts->rollup_share = rollup_share;
	ts->now = when_now();
	if (auth_scope() && (ts->scope = scope_copy(auth_scope(), p)) == NULL) {
		http_error(req, 503, "out of memory");
		free(ts);
		return;
	}
	if (http_query(req, &q, allowed) < 0) {
		tallies_free(ts);
		return;
	}
	task_code = evhttp_find_header(&q, "task");
	unit_code = evhttp_find_header(&q, "unit");
	at = evhttp_find_header(&q, "at");
	owner_code = evhttp_find_header(&q, "owner");
	if (owner_code && (ts->owner = plan_unit_find(p, owner_code)) < 0) {
		http_error(req, 400, "owner \"%.64s\" is not a unit of the plan",
		           owner_code);
		goto fail;
	}
	if (task_code && (ts->task = plan_task_find(p, task_code)) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", task_code);
		goto fail;
	}
	if (unit_code && (ts->unit = plan_unit_find(p, unit_code)) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", unit_code);
		goto fail;
	}
	if (evhttp_find_header(&q, "period") &&
	    tallies_period_boards(ts, book, evhttp_find_header(&q, "period"),
	                          at) < 0)
		goto fail;
	if (at) {
		if (when_parse(at, p->timezone, &ts->now, NULL, &why) < 0) {
			http_error(req, 400, "at=\"%.64s\": %s", at, why);
			goto fail;
		}
		if ((ts->past = book_board_at(book, ts->now)) == NULL) {
			http_error(req, 503, "cannot read the reports: storage error");
			goto fail;
		}
	}
	/* jansson writes the head, so every string in it is escaped right;
	 * the array of rows is opened after its last member. */
	doc = json_pack("{s:s, s:s, s:o}", "plan", p->name ? p->name : "",
	                "timezone", p->timezone, "now", http_json_when(ts->now));
	text = doc ? json_dumps(doc, JSON_REAL_PRECISION(6)) : NULL;
	json_decref(doc);
	if ((ts->ru = rollup_new(p)) == NULL ||
	    (ts->rc = rollcount_new(p)) == NULL || text == NULL ||
	    (head = evbuffer_new()) == NULL) {
		http_error(req, 503, "out of memory");
		goto fail;
	}
	text[strlen(text) - 1] = '\0';
	evbuffer_add_printf(head, "%s, \"tallies\": [", text);
	free(text);
	evhttp_clear_headers(&q);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	                  "Content-Type", "application/json; charset=utf-8");
	ts->conn = evhttp_request_get_connection(req);
	ts->conns = conns;
	http_conns_set_closecb(ts->conns, ts->conn, tallies_on_close, ts);
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_send_reply_chunk_with_cb(req, head, tallies_step, ts);
	evbuffer_free(head);
	return;
fail:
	free(text);
	evhttp_clear_headers(&q);
	tallies_free(ts);
}
