/*
 * http_grid.c - GET /v1/grid?unit=&page=&size=&status=&sort=&at=
 *
 * The rows are `unit` itself (its whole subtree summed) and then its
 * children, each summed over its own subtree, one page of them; the
 * columns are every task.  A cell is the unit's own tally where only it
 * holds a target of the task below it, the roll-up otherwise, exactly as
 * /v1/tallies gives them.  `counts` has, per task, how many targets in
 * the subtree are in each status.  Without unit=, the roots are the rows.
 *
 * Two passes over the tasks: the first ranks and filters the children,
 * the second renders the page, so memory stays O(units), not O(cells).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http_auth.h"
#include "http_grid.h"
#include "http_kinds.h"
#include "ranking.h"
#include "rollcount.h"
#include "rollup.h"

/* What the route serves with: the book, and the http whose roll-up rule
 * (rollcount.h's critical_share) the cells follow, as /v1/tallies does. */
static struct grid_ctx {
	struct book **book;
	const struct http *http;
} grid_ctx;

struct grid_row {
	int unit;
	double score;      /* sum of the capped ranking_ratio(), for sort=worst */
	unsigned n;        /* tasks in score */
	unsigned status_mask;
};

struct grid_req {
	int unit;          /* -1: the roots */
	size_t page, size;
	int status;        /* -1: any */
	int sort;          /* 0 tree, 1 name, 2 worst first */
	when_t now;
	int past;
};

static json_t *
grid_cell(const struct plan *p, const struct tally_view *v, uint32_t n,
          int rollup, uint32_t reports)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:s, s:b, s:I, s:I}",
		"actual", http_json_dec(v->actual),
		"target", http_json_dec(v->target),
		"percent", http_json_pct(v->percent),
		"expected", http_json_pct(v->expected),
		"status", tally_status_name(v->status), "rollup", rollup,
		"units", (json_int_t)n, "reports", (json_int_t)reports);
}

/* The cell of group task ti at unit u: its status and its indicators',
 * as /v1/tallies gives the group's row; NULL when none applies there. */
static json_t *
grid_group_cell(const struct plan *p, const struct board *board, int ti,
                int u, when_t now)
{
	json_t *row = http_group_row(p, board, ti, u, now), *cell;

	if (row == NULL)
		return NULL;
	cell = json_pack("{s:O, s:O, s:O}", "status", json_object_get(row, "status"),
		"rollup", json_object_get(row, "rollup"),
		"indicators", json_object_get(row, "indicators"));
	json_decref(row);
	return cell;
}

/* A group's counts: the units under r->unit that hold a target of one of
 * its indicators, by the group's status there. */
static void
grid_group_counts(const struct plan *p, const struct board *board, int ti,
                  const struct grid_req *r, size_t c[STATUS_N])
{
	const struct plan_task *g = &p->tasks[ti];

	for (size_t u = 0; u < p->n_units; u++) {
		enum tally_status st;
		size_t k;

		if ((r->unit >= 0 && !plan_unit_within(p, (int)u, r->unit)) ||
		    !scope_pair(auth_scope(), ti, (int)u))
			continue;
		for (k = 0; k < g->n_indicators &&
		     plan_target_find(p, g->indicators[k], (int)u) < 0; k++)
			;
		if (k < g->n_indicators &&
		    http_group_status(p, board, ti, (int)u, r->now, &st) == 0)
			c[st]++;
	}
}

/* The cell of (task ti, unit u) as /v1/tallies would pick it, a
 * roll-up's status included: lagging while a share of the targets under it
 * are critical or overdue (rc: the counts of task ti). */
static int
grid_view(const struct book *book, const struct board *board,
          const struct rollup *ru, const struct rollcount *rc, int ti, int u,
          when_t now, struct tally_view *v, uint32_t *n, int *rollup,
          uint32_t *reports)
{
	int own = plan_target_find(book->plan, ti, u);

	*n = rollup_view(ru, ti, u, now, v);
	if (*n == 0)
		return -1;
	*rollup = *n > (own >= 0 ? 1u : 0u);
	if (!*rollup) {
		board_view(board, own, now, v);
		*reports = board->tallies[own].n_reports;
	} else {
		*reports = ru->cells[u].sum.n_reports;
		v->status = rollcount_status(v->status, rollcount_of(rc, u),
		                             http_rollup_share(grid_ctx.http));
	}
	return 0;
}

static int
grid_parse(struct evhttp_request *req, struct book *book, struct grid_req *r)
{
	static const char *const allowed[] = { "unit", "page", "size", "status",
	                                       "sort", "at", NULL };
	const struct plan *p = book->plan;
	struct evkeyvalq q;
	const char *v, *why;
	char *end;
	int rc = -1;

	if (http_query(req, &q, allowed) < 0)
		return -1;
	*r = (struct grid_req){ .unit = -1, .size = GRID_PAGE_DEFAULT,
	                        .status = -1, .now = when_now() };
	if ((v = evhttp_find_header(&q, "unit")) &&
	    (r->unit = plan_unit_find(p, v)) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", v);
		goto out;
	}
	/* A scoped account starts at its own unit, or at the top when it
	 * owns tasks (it sees them in every unit: scope.h); it may open
	 * only units it sees something of. */
	if (v == NULL && auth_scope())
		r->unit = auth_scope()->n_owned ? -1 : auth_scope()->root;
	if (!scope_unit(auth_scope(), r->unit)) {
		http_error(req, 403, "unit \"%.64s\" is outside this account's "
		           "scope", v ? v : "(all)");
		goto out;
	}
	if ((v = evhttp_find_header(&q, "page"))) {
		r->page = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || r->page > 1000000) {
			http_error(req, 400, "page must be 0 or more; got \"%.32s\"", v);
			goto out;
		}
	}
	if ((v = evhttp_find_header(&q, "size"))) {
		r->size = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || r->size < 1 ||
		    r->size > GRID_PAGE_MAX) {
			http_error(req, 400, "size must be 1 to %d; got \"%.32s\"",
			           GRID_PAGE_MAX, v);
			goto out;
		}
	}
	if ((v = evhttp_find_header(&q, "status"))) {
		for (r->status = 0; r->status < STATUS_N &&
		     strcmp(tally_status_name(r->status), v) != 0; r->status++)
			;
		if (r->status == STATUS_N) {
			http_error(req, 400, "status \"%.32s\" is not one of "
			           "not_started, on_track, lagging, critical, silent, "
			           "overdue, done, missing_report", v);
			goto out;
		}
	}
	if ((v = evhttp_find_header(&q, "sort"))) {
		if (strcmp(v, "tree") == 0)
			r->sort = 0;
		else if (strcmp(v, "name") == 0)
			r->sort = 1;
		else if (strcmp(v, "worst") == 0)
			r->sort = 2;
		else {
			http_error(req, 400, "sort must be tree, name or worst; "
			           "got \"%.32s\"", v);
			goto out;
		}
	}
	if ((v = evhttp_find_header(&q, "at"))) {
		if (when_parse(v, p->timezone, &r->now, NULL, &why) < 0) {
			http_error(req, 400, "at=\"%.64s\": %s", v, why);
			goto out;
		}
		r->past = 1;
	}
	rc = 0;
out:
	evhttp_clear_headers(&q);
	return rc;
}

struct grid_sort {
	const struct plan *plan;
	int sort;
};

static double
grid_mean(const struct grid_row *x)
{
	return x->n ? x->score / x->n : 1e9;  /* no target: last */
}

static int
grid_cmp(const void *a, const void *b, void *arg)
{
	const struct grid_row *x = a, *y = b;
	const struct grid_sort *gs = arg;
	const struct plan *p = gs->plan;

	if (gs->sort == 2 && grid_mean(x) != grid_mean(y))
		return grid_mean(x) < grid_mean(y) ? -1 : 1;
	return strcmp(p->units[x->unit].name, p->units[y->unit].name);
}

/* Pass 1: the children of r->unit (or the roots), scored and filtered. */
static size_t
grid_rows(const struct book *book, const struct board *board,
          struct rollup *ru, struct rollcount *rc, const struct grid_req *r,
          struct grid_row *rows)
{
	const struct plan *p = book->plan;
	size_t n = 0, kept = 0;

	for (size_t i = 0; i < p->n_units; i++) {
		int u = book->preorder[i];
		if (p->units[u].parent == r->unit && scope_unit(auth_scope(), u))
			rows[n++] = (struct grid_row){ .unit = u };
	}
	for (size_t ti = 0; ti < p->n_tasks; ti++) {
		if (!scope_task(auth_scope(), (int)ti))
			continue;
		rollup_task(ru, board, (int)ti, r->now);
		rollcount_task(rc, board, (int)ti, r->now);
		for (size_t k = 0; k < n; k++) {
			struct tally_view v;
			uint32_t nu, rep;
			int roll;
			double s;
			if (!scope_pair(auth_scope(), (int)ti, rows[k].unit) ||
			    grid_view(book, board, ru, rc, (int)ti, rows[k].unit,
			              r->now, &v, &nu, &roll, &rep) < 0)
				continue;
			rows[k].status_mask |= 1u << v.status;
			/* The ranking's ratio: a ceiling kept is not "0% done". */
			s = v.expected > 0 ? ranking_ratio(&p->tasks[ti], &v)
			                   : RANKING_CAP;
			rows[k].score += s > RANKING_CAP ? RANKING_CAP : s < 0 ? 0 : s;
			rows[k].n++;
		}
	}
	for (size_t k = 0; k < n; k++)
		if (r->status < 0 || (rows[k].status_mask & (1u << r->status)))
			rows[kept++] = rows[k];
	if (r->sort) {
		struct grid_sort gs = { p, r->sort };
		qsort_r(rows, kept, sizeof *rows, grid_cmp, &gs);
	}
	return kept;
}

static json_t *
grid_row_json(const struct plan *p, int u, json_t *cells)
{
	size_t children = 0;

	/* The children it can open (the page shows ▸ for them). */
	for (size_t i = 0; i < p->n_units; i++)
		children += p->units[i].parent == u &&
		            scope_unit(auth_scope(), (int)i);
	return json_pack("{s:s, s:s, s:s, s:i, s:I, s:o}", "unit", p->units[u].code,
		"unit_name", p->units[u].name, "kind", p->units[u].kind,
		"depth", p->units[u].depth, "children", (json_int_t)children,
		"cells", cells);
}

/* Pass 2: the cells of the page, the head row, and the counts. */
static json_t *
grid_render(const struct book *book, const struct board *board,
            struct rollup *ru, struct rollcount *rc, const struct grid_req *r,
            const struct grid_row *rows, size_t first, size_t last)
{
	const struct plan *p = book->plan;
	const struct scope *sc = auth_scope();
	json_t *tasks = json_array(), *out = json_array(), *head = json_object();
	json_t *counts = json_object(), **cells = calloc(last - first + 1,
	                                                 sizeof *cells);

	for (size_t k = first; cells && k < last; k++)
		cells[k - first] = json_object();
	for (size_t ti = 0; cells && ti < p->n_tasks; ti++) {
		const char *code = p->tasks[ti].code;
		size_t c[STATUS_N] = { 0 };
		json_t *cj;
		struct tally_view v;
		uint32_t n, rep;
		int roll;

		/* Every cell, head cell and count goes by the account's scope
		 * (scope_pair): a unit's row shows only the tasks it may see. */
		if (!scope_task(sc, (int)ti))
			continue;
		cj = json_object();
		json_array_append_new(tasks, json_string(code));
		if (p->tasks[ti].kind == PLAN_KIND_GROUP) {
			json_t *gc;
			for (size_t k = first; k < last; k++)
				if (scope_pair(sc, (int)ti, rows[k].unit) &&
				    (gc = grid_group_cell(p, board, (int)ti,
				                          rows[k].unit, r->now)))
					json_object_set_new(cells[k - first], code, gc);
			if (r->unit >= 0 && scope_pair(sc, (int)ti, r->unit) &&
			    (gc = grid_group_cell(p, board, (int)ti, r->unit, r->now)))
				json_object_set_new(head, code, gc);
			grid_group_counts(p, board, (int)ti, r, c);
			goto counted;
		}
		rollup_task(ru, board, (int)ti, r->now);
		rollcount_task(rc, board, (int)ti, r->now);
		for (size_t k = first; k < last; k++)
			if (scope_pair(sc, (int)ti, rows[k].unit) &&
			    grid_view(book, board, ru, rc, (int)ti, rows[k].unit,
			              r->now, &v, &n, &roll, &rep) == 0)
				json_object_set_new(cells[k - first], code,
				                    grid_cell(p, &v, n, roll, rep));
		if (r->unit >= 0 && scope_pair(sc, (int)ti, r->unit) &&
		    grid_view(book, board, ru, rc, (int)ti, r->unit,
		              r->now, &v, &n, &roll, &rep) == 0)
			json_object_set_new(head, code, grid_cell(p, &v, n, roll, rep));
		for (size_t k = plan_task_first_target(p, (int)ti);
		     k < p->n_targets && p->targets[k].task == (int)ti; k++) {
			if ((r->unit >= 0 && !plan_unit_within(p, p->targets[k].unit,
			                                       r->unit)) ||
			    !scope_pair(sc, (int)ti, p->targets[k].unit))
				continue;
			board_view(board, (int)k, r->now, &v);
			c[v.status]++;
		}
counted:
		for (int s = 0; s < STATUS_N; s++)
			if (c[s])
				json_object_set_new(cj, tally_status_name(s),
				                    json_integer((json_int_t)c[s]));
		json_object_set_new(counts, code, cj);
	}
	for (size_t k = first; cells && k < last; k++)
		json_array_append_new(out, grid_row_json(p, rows[k].unit,
		                                         cells[k - first]));
	free(cells);
	return json_pack("{s:o, s:o, s:o, s:o}", "tasks", tasks, "rows", out,
		"head", r->unit >= 0 ? grid_row_json(p, r->unit, head)
		                     : (json_decref(head), json_null()),
		"counts", counts);
}

static void
grid_serve(struct evhttp_request *req, void *arg)
{
	struct book *book = *((struct grid_ctx *)arg)->book;
	const struct plan *p = book->plan;
	struct board *past = NULL;
	const struct board *board = book->board;
	struct rollup *ru = NULL;
	struct rollcount *rc = NULL;
	struct grid_row *rows = NULL;
	struct grid_req r;
	size_t n, first, last, pages;
	json_t *doc;
	char buf[WHEN_BUFSZ];

	if (grid_parse(req, book, &r) < 0)
		return;
	if (r.past && (board = past = book_board_at(book, r.now)) == NULL) {
		http_error(req, 503, "cannot read the reports: storage error");
		return;
	}
	if ((ru = rollup_new(p)) == NULL || (rc = rollcount_new(p)) == NULL ||
	    (rows = calloc(p->n_units + 1, sizeof *rows)) == NULL) {
		http_error(req, 503, "out of memory");
		goto out;
	}
	n = grid_rows(book, board, ru, rc, &r, rows);
	pages = n ? (n + r.size - 1) / r.size : 1;
	first = r.page * r.size < n ? r.page * r.size : n;
	last = first + r.size < n ? first + r.size : n;
	doc = grid_render(book, board, ru, rc, &r, rows, first, last);
	if (doc == NULL) {
		http_error(req, 503, "out of memory");
		goto out;
	}
	json_object_set_new(doc, "plan", json_string(p->name ? p->name : ""));
	json_object_set_new(doc, "unit", r.unit >= 0
	                    ? json_string(p->units[r.unit].code) : json_null());
	json_object_set_new(doc, "now", json_string(when_format_utc(r.now, buf,
	                                                            sizeof buf)));
	json_object_set_new(doc, "page", json_integer((json_int_t)r.page));
	json_object_set_new(doc, "pages", json_integer((json_int_t)pages));
	json_object_set_new(doc, "total", json_integer((json_int_t)n));
	http_reply(req, 200, doc);
out:
	free(rows);
	rollcount_free(rc);
	rollup_free(ru);
	board_free(past);
}

int
http_grid_route(struct http *h, struct book **book)
{
	grid_ctx = (struct grid_ctx){ book, h };
	return http_route(h, "/v1/grid", HTTP_GET, grid_serve, &grid_ctx);
}
