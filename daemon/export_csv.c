/*
 * export_csv.c - the export routes, and the CSV writer (export.h).
 *
 * Text fields that a spreadsheet would take for a formula (= + - @ at
 * the start) get a leading apostrophe: a unit's name is data, never code.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "export.h"
#include "export_rows.h"
#include "http_auth.h"
#include "http_conns.h"
#include "log.h"
#include "ranking.h"

struct export_ctx {
	struct book **book;
	struct http_conns *conns; /* close callbacks go through its slots */
	int language;
};

static void
csv_text(struct evbuffer *out, const char *s, int last)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		evbuffer_add(out, "\"", 1);
	if (strchr("=+-@", s[0]) && s[0])
		evbuffer_add(out, "'", 1);
	for (; *s; s++) {
		if (*s == '"')
			evbuffer_add(out, "\"", 1);
		evbuffer_add(out, s, 1);
	}
	if (quote)
		evbuffer_add(out, "\"", 1);
	evbuffer_add(out, last ? "\r\n" : ",", last ? 2 : 1);
}

static void
csv_head(struct evbuffer *out, const char *const *cols, size_t n)
{
	evbuffer_add(out, "\xEF\xBB\xBF", 3);
	for (size_t i = 0; i < n; i++)
		csv_text(out, cols[i], i + 1 == n);
}

static void
csv_tally(struct evbuffer *out, const struct plan *p, const struct export_row *r)
{
	const struct plan_task *t = &p->tasks[r->task];
	const struct plan_unit *u = &p->units[r->unit];
	char a[DEC_BUFSZ], g[DEC_BUFSZ];

	csv_text(out, t->code, 0);
	csv_text(out, t->title, 0);
	csv_text(out, u->code, 0);
	csv_text(out, u->name, 0);
	csv_text(out, u->kind, 0);
	evbuffer_add_printf(out, "%d,%s,%s,", r->rollup,
	                    dec_format(r->v.actual, a, sizeof a),
	                    dec_format(r->v.target, g, sizeof g));
	csv_text(out, t->measure, 0);
	evbuffer_add_printf(out, "%.2f,%.2f,%.2f,%s,%u\r\n", r->v.percent,
	                    r->v.expected, r->v.lag, tally_status_name(r->v.status),
	                    r->reports);
}

/* A stream of the tallies, a chunk per write, as in http.c's tallies. */
struct csv_stream {
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	struct http_conns *conns;
	struct export_iter it;
	struct board *past;
	struct book **bookp;
	uint64_t generation;
	struct scope *scope;      /* the account's, copied */
};

static void
csv_stream_free(struct csv_stream *cs)
{
	if (cs->conn)
		http_conns_set_closecb(cs->conns, cs->conn, NULL, NULL);
	export_iter_free(&cs->it);
	board_free(cs->past);
	scope_free(cs->scope);
	free(cs);
}

static void
csv_on_close(struct evhttp_connection *conn, void *arg)
{
	struct csv_stream *cs = arg;

	cs->conn = NULL;
	csv_stream_free(cs);
}

static void
csv_step(struct evhttp_connection *conn, void *arg)
{
	struct csv_stream *cs = arg;
	struct evbuffer *out = evbuffer_new();
	struct export_row r;
	int more = 1;

	if (out == NULL || (*cs->bookp)->generation != cs->generation) {
		log_warn("http: CSV export cut short (%s)", out ? "plan reloaded"
		         : "out of memory");
		if (out)
			evbuffer_free(out);
		http_conns_set_closecb(cs->conns, cs->conn, NULL, NULL);
		evhttp_connection_free(cs->conn);
		cs->conn = NULL;
		csv_stream_free(cs);
		return;
	}
	while (evbuffer_get_length(out) < EXPORT_CHUNK_BYTES &&
	       (more = export_iter_next(&cs->it, &r)) == 1)
		csv_tally(out, cs->it.book->plan, &r);
	if (!more) {
		evhttp_send_reply_chunk(cs->req, out);
		evbuffer_free(out);
		evhttp_send_reply_end(cs->req);
		csv_stream_free(cs);
		return;
	}
	evhttp_send_reply_chunk_with_cb(cs->req, out, csv_step, cs);
	evbuffer_free(out);
}

/* The file is named for the plan's local date. */
static void
export_headers(struct evhttp_request *req, const struct plan *p,
               const char *type, const char *name, const char *ext)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	char cd[128], day[WHEN_BUFSZ];

	when_format(when_now(), p->timezone, day, sizeof day);
	day[10] = '\0';
	snprintf(cd, sizeof cd, "attachment; filename=\"tiendo-%s-%s.%s\"",
	         name, day, ext);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Disposition", cd);
	evhttp_add_header(h, "Cache-Control", "no-store");
}

static int
export_keep(void *arg, int unit)
{
	return scope_unit(arg, unit);
}

/* at= -> *now and a past board (NULL for now).  -1 after a reply. */
static int
export_at(struct evhttp_request *req, struct book *book, when_t *now,
          struct board **past)
{
	static const char *const allowed[] = { "at", NULL };
	struct evkeyvalq q;
	const char *v, *why;
	int rc = 0;

	*now = when_now();
	*past = NULL;
	if (http_query(req, &q, allowed) < 0)
		return -1;
	if ((v = evhttp_find_header(&q, "at"))) {
		if (when_parse(v, book->plan->timezone, now, NULL, &why) < 0) {
			http_error(req, 400, "at=\"%.64s\": %s", v, why);
			rc = -1;
		} else if ((*past = book_board_at(book, *now)) == NULL) {
			http_error(req, 503, "cannot read the reports: storage error");
			rc = -1;
		}
	}
	evhttp_clear_headers(&q);
	return rc;
}

static void
export_tallies_csv(struct evhttp_request *req, void *arg)
{
	struct export_ctx *x = arg;
	struct book *book = *x->book;
	struct csv_stream *cs = calloc(1, sizeof *cs);
	struct evbuffer *head;
	when_t now;

	if (cs == NULL) {
		http_error(req, 503, "out of memory");
		return;
	}
	if (export_at(req, book, &now, &cs->past) < 0) {
		free(cs);
		return;
	}
	if (export_iter_init(&cs->it, book, cs->past, now) < 0 ||
	    (head = evbuffer_new()) == NULL) {
		http_error(req, 503, "out of memory");
		csv_stream_free(cs);
		return;
	}
	if (auth_scope() && (cs->scope = scope_copy(auth_scope(), book->plan)) == NULL) {
		http_error(req, 503, "out of memory");
		evbuffer_free(head);
		csv_stream_free(cs);
		return;
	}
	cs->it.keep = cs->scope ? export_keep : NULL;
	cs->it.keep_arg = cs->scope;
	cs->req = req;
	cs->bookp = x->book;
	cs->generation = book->generation;
	csv_head(head, export_tally_head[x->language], EXPORT_TALLY_COLS);
	export_headers(req, book->plan, "text/csv; charset=utf-8", "tallies",
	               "csv");
	cs->conn = evhttp_request_get_connection(req);
	cs->conns = x->conns;
	http_conns_set_closecb(cs->conns, cs->conn, csv_on_close, cs);
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_send_reply_chunk_with_cb(req, head, csv_step, cs);
	evbuffer_free(head);
}

/* The ranking at `now`; rows malloc'd, count in *n.  NULL on OOM. */
static struct ranking_row *
export_ranking(const struct board *b, when_t now, size_t *n)
{
	struct ranking_row *rows = calloc(b->plan->n_units + 1, sizeof *rows);

	if (rows && ranking_compute(b, now, rows, n) < 0) {
		free(rows);
		return NULL;
	}
	return rows;
}

static void
export_ranking_csv(struct evhttp_request *req, void *arg)
{
	struct export_ctx *x = arg;
	struct book *book = *x->book;
	const struct plan *p = book->plan;
	struct board *past;
	struct ranking_row *rows;
	struct evbuffer *out;
	when_t now;
	size_t n = 0;

	if (export_at(req, book, &now, &past) < 0)
		return;
	rows = export_ranking(past ? past : book->board, now, &n);
	if (rows == NULL || (out = evbuffer_new()) == NULL) {
		http_error(req, 503, "out of memory");
		free(rows);
		board_free(past);
		return;
	}
	csv_head(out, export_rank_head[x->language], EXPORT_RANK_COLS);
	for (size_t i = 0; i < n; i++) {
		const struct plan_unit *u = &p->units[rows[i].unit];
		if (!scope_unit(auth_scope(), rows[i].unit))
			continue;
		csv_text(out, u->kind, 0);
		evbuffer_add_printf(out, "%d,", rows[i].rank);
		csv_text(out, u->code, 0);
		csv_text(out, u->name, 0);
		evbuffer_add_printf(out, "%.1f,%zu,%zu,%zu\r\n", rows[i].score,
		                    rows[i].tasks, rows[i].done, rows[i].behind);
	}
	export_headers(req, p, "text/csv; charset=utf-8", "ranking", "csv");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
	free(rows);
	board_free(past);
}

static void
export_send_xlsx(struct evhttp_request *req, const struct plan *p, int rc,
                 unsigned char *body, size_t len, const char *name)
{
	struct evbuffer *out;

	if (rc == -2) {
		http_error(req, 413, "more than %d rows: use the CSV export",
		           EXPORT_XLSX_MAX_ROWS);
		return;
	}
	if (rc < 0 || (out = evbuffer_new()) == NULL) {
		free(body);
		http_error(req, 503, "cannot write the XLSX file");
		return;
	}
	evbuffer_add(out, body, len);
	free(body);
	export_headers(req, p, "application/vnd.openxmlformats-officedocument."
	               "spreadsheetml.sheet", name, "xlsx");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void
export_tallies_xlsx(struct evhttp_request *req, void *arg)
{
	struct export_ctx *x = arg;
	struct book *book = *x->book;
	struct export_iter it;
	struct board *past;
	unsigned char *body = NULL;
	size_t len = 0;
	when_t now;
	int rc;

	if (export_at(req, book, &now, &past) < 0)
		return;
	if (export_iter_init(&it, book, past, now) < 0) {
		board_free(past);
		http_error(req, 503, "out of memory");
		return;
	}
	it.keep = auth_scope() ? export_keep : NULL;
	it.keep_arg = (void *)auth_scope();
	rc = export_xlsx_tallies(&it, x->language, &body, &len);
	export_iter_free(&it);
	board_free(past);
	export_send_xlsx(req, book->plan, rc, body, len, "tallies");
}

static void
export_ranking_xlsx(struct evhttp_request *req, void *arg)
{
	struct export_ctx *x = arg;
	struct book *book = *x->book;
	struct ranking_row *rows;
	struct board *past;
	unsigned char *body = NULL;
	size_t n = 0, len = 0;
	when_t now;
	int rc = -1;

	if (export_at(req, book, &now, &past) < 0)
		return;
	rows = export_ranking(past ? past : book->board, now, &n);
	if (rows && auth_scope()) {
		size_t kept = 0;
		for (size_t i = 0; i < n; i++)
			if (scope_unit(auth_scope(), rows[i].unit))
				rows[kept++] = rows[i];
		n = kept;
	}
	if (rows)
		rc = export_xlsx_ranking(book->plan, rows, n, x->language, &body,
		                         &len);
	free(rows);
	board_free(past);
	export_send_xlsx(req, book->plan, rc, body, len, "ranking");
}

int
export_route(struct http *h, struct book **book, int language)
{
	static struct export_ctx x;

	x.book = book;
	x.conns = http_get_conns(h);
	x.language = language ? 1 : 0;
	return http_route(h, "/v1/export/tallies.csv", HTTP_GET,
	                  export_tallies_csv, &x) < 0 ||
	       http_route(h, "/v1/export/ranking.csv", HTTP_GET,
	                  export_ranking_csv, &x) < 0 ||
	       http_route(h, "/v1/export/tallies.xlsx", HTTP_GET,
	                  export_tallies_xlsx, &x) < 0 ||
	       http_route(h, "/v1/export/ranking.xlsx", HTTP_GET,
	                  export_ranking_xlsx, &x) < 0
	       ? -1 : 0;
}
