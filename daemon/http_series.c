/*
 * http_series.c - GET /v1/series?task=&unit=&from=&to=&step=
 *
 * The reports of the task are read once (store_series.c), grouped by
 * target, and folded at every point as book_board_at() would: so the
 * last point, at now, is the live tally.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http_auth.h"
#include "http_series.h"
#include "indicator.h"
#include "series.h"
#include "store_series.h"

struct hs_scan {
	const struct plan *plan;
	const int *slot_of_unit;   /* unit -> target slot, -1: not wanted */
	struct series_report *rows;
	int *slot;                 /* per row */
	size_t n, cap;
};

static int
hs_row(void *arg, const struct store_series_row *r)
{
	struct hs_scan *s = arg;
	int u = plan_unit_find(s->plan, r->unit);

	if (u < 0 || s->slot_of_unit[u] < 0)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct series_report *rows = realloc(s->rows, cap * sizeof *rows);
		int *slot = rows ? realloc(s->slot, cap * sizeof *slot) : NULL;
		if (rows)
			s->rows = rows;
		if (slot == NULL)
			return -2;
		s->slot = slot;
		s->cap = cap;
	}
	s->rows[s->n].r = r->r;
	s->rows[s->n].voided_at = r->voided_at;
	s->slot[s->n] = s->slot_of_unit[u];
	s->n++;
	return 0;
}

struct hs_req {
	int task, unit;           /* unit -1: every target of the task */
	when_t from, to;
	int64_t step;
};

/* Parses and checks the query; replies and returns -1 on an error. */
static int
hs_parse(struct evhttp_request *req, const struct plan *p, struct hs_req *r)
{
	static const char *const allowed[] = { "task", "unit", "from", "to",
	                                       "step", NULL };
	struct evkeyvalq q;
	const char *v, *why;
	int rc = -1;

	if (http_query(req, &q, allowed) < 0)
		return -1;
	r->unit = -1;
	if ((v = evhttp_find_header(&q, "task")) == NULL) {
		http_error(req, 400, "task= is required");
		goto out;
	}
	if ((r->task = plan_task_find(p, v)) < 0) {
		http_error(req, 400, "task \"%.64s\" is not in the plan", v);
		goto out;
	}
	if ((v = evhttp_find_header(&q, "unit")) &&
	    (r->unit = plan_unit_find(p, v)) < 0) {
		http_error(req, 400, "unit \"%.64s\" is not in the plan", v);
		goto out;
	}
	/* A scoped account: by default the whole task when it owns it,
	 * else its own unit; and only what it may see (scope.h). */
	if (v == NULL && auth_scope())
		r->unit = scope_pair(auth_scope(), r->task, -1) ? -1
		          : auth_scope()->root;
	if (!scope_pair(auth_scope(), r->task, r->unit)) {
		http_error(req, 403, "task \"%s\" at unit \"%.64s\" is outside "
		           "this account's scope", p->tasks[r->task].code,
		           v ? v : "(all)");
		goto out;
	}
	r->from = p->tasks[r->task].start;
	r->to = when_now();
	if ((v = evhttp_find_header(&q, "from")) &&
	    when_parse(v, p->timezone, &r->from, NULL, &why) < 0) {
		http_error(req, 400, "from=\"%.64s\": %s", v, why);
		goto out;
	}
	if ((v = evhttp_find_header(&q, "to")) &&
	    when_parse(v, p->timezone, &r->to, NULL, &why) < 0) {
		http_error(req, 400, "to=\"%.64s\": %s", v, why);
		goto out;
	}
	if (r->to < r->from) {
		http_error(req, 400, "to is before from");
		goto out;
	}
	/* About a hundred points by default, in whole hours. */
	r->step = ((r->to - r->from) / 100 / 3600000 + 1) * 3600000;
	if ((v = evhttp_find_header(&q, "step")) &&
	    (when_parse_duration(v, &r->step, &why) < 0 || r->step <= 0)) {
		http_error(req, 400, "step=\"%.64s\": %s", v,
		           r->step <= 0 ? "must be positive" : why);
		goto out;
	}
	if (series_points(r->from, r->to, r->step) > SERIES_MAX_POINTS) {
		http_error(req, 400, "from, to and step make more than %d points",
		           SERIES_MAX_POINTS);
		goto out;
	}
	rc = 0;
out:
	evhttp_clear_headers(&q);
	return rc;
}

static int
hs_by_slot(const void *a, const void *b, void *arg)
{
	const int *slot = arg;

	return slot[*(const size_t *)a] - slot[*(const size_t *)b];
}

/* One task's reports sorted by target slot: first[k]..first[k + 1] are
 * slot k's. */
struct hs_sorted {
	struct series_report *rows;
	size_t *first;
};

static int
hs_sort(const struct hs_scan *s, size_t n_slots, struct hs_sorted *out)
{
	size_t *order = malloc((s->n + 1) * sizeof *order);

	out->rows = malloc((s->n + 1) * sizeof *out->rows);
	out->first = calloc(n_slots + 1, sizeof *out->first);
	if (!order || !out->rows || !out->first) {
		free(order);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		order[i] = i;
	qsort_r(order, s->n, sizeof *order, hs_by_slot, s->slot);
	for (size_t i = 0; i < s->n; i++) {
		out->rows[i] = s->rows[order[i]];
		out->first[s->slot[order[i]] + 1]++;
	}
	for (size_t k = 0; k < n_slots; k++)
		out->first[k + 1] += out->first[k];
	free(order);
	return 0;
}

/* The actual at `at` of slot k of a sorted scan. */
static int
hs_actual_at(const struct hs_sorted *so, size_t k, when_t at,
             struct tally_report *scratch, dec_t *a)
{
	return series_actual_at(so->rows + so->first[k],
	                        so->first[k + 1] - so->first[k], at, scratch,
	                        a) == TALLY_OK ? 0 : -1;
}

/* Whether slot k had a report counted by `at` (tally_has_value()): one
 * observed by then and not voided by then. */
static int
hs_valued_at(const struct hs_sorted *so, size_t k, when_t at)
{
	for (size_t i = so->first[k]; i < so->first[k + 1]; i++)
		if (so->rows[i].r.observed_at <= at &&
		    (so->rows[i].voided_at == 0 || so->rows[i].voided_at > at))
			return 1;
	return 0;
}

/* The roll-up of the slots at `at`, as board_rollup() would make it of
 * the tallies then: their actuals summed (a rate's parts each, then
 * divided), their targets as revised by then, and what the kind makes of
 * those sums (indicator_rollup).  `so` is one sorted scan, or a rate's
 * numerator and denominator. */
static int
hs_rollup_at(const struct plan *p, const struct plan_task *t,
             const struct hs_sorted *so, size_t n_parts, const size_t *ks,
             size_t n_slots, when_t at, struct tally_report *scratch,
             dec_t *actual, dec_t *target)
{
	struct indicator_acc acc = { 0 };
	dec_t a, d = 0, value, den = 0;

	*actual = *target = 0;
	for (size_t k = 0; k < n_slots; k++) {
		value = plan_target_value(p, ks[k], at);
		if (hs_actual_at(&so[0], k, at, scratch, &a) < 0 ||
		    dec_add(*actual, indicator_value(t, a), actual) < 0 ||
		    dec_add(*target, value, target) < 0)
			return -1;
		if (n_parts == 2 &&
		    (hs_actual_at(&so[1], k, at, scratch, &d) < 0 ||
		     dec_add(den, d, &den) < 0))
			return -1;
		indicator_acc_add(&acc, t, value, d, t->kind == PLAN_KIND_LEVEL &&
		                  hs_valued_at(&so[0], k, at));
	}
	if (n_parts == 2)
		*actual = indicator_ratio(*actual, den);
	indicator_rollup(t, n_slots, &acc, actual, target);
	return 0;
}

/* The points, the roll-up of the wanted targets at each (hs_rollup_at);
 * *target: the last one's target, at `to`.  `part` is the scans: one, or
 * a rate's numerator and denominator.  NULL on overflow or out of
 * memory. */
static json_t *
hs_points(const struct plan_task *t, const struct hs_req *r,
          struct hs_scan *part, size_t n_parts, const size_t *ks,
          size_t n_slots, dec_t *last_target)
{
	size_t n_pts = series_points(r->from, r->to, r->step), most = 0;
	struct hs_sorted so[2] = { { NULL, NULL }, { NULL, NULL } };
	struct tally_report *scratch = NULL;
	json_t *pts = json_array();
	char buf[WHEN_BUFSZ], dbuf[DEC_BUFSZ];

	for (size_t j = 0; j < n_parts; j++) {
		if (hs_sort(&part[j], n_slots, &so[j]) < 0)
			goto fail;
		if (part[j].n > most)
			most = part[j].n;
	}
	if ((scratch = malloc((most + 1) * sizeof *scratch)) == NULL || !pts)
		goto fail;
	for (size_t i = 0; i < n_pts; i++) {
		when_t at = series_point(r->from, r->to, r->step, i);
		double exp_pct = indicator_expected(t, at);
		dec_t sum, target;

		if (hs_rollup_at(part[0].plan, t, so, n_parts, ks, n_slots, at,
		                 scratch, &sum, &target) < 0)
			goto fail;
		*last_target = target;
		if (json_array_append_new(pts, json_pack("{s:s, s:s, s:f, s:f}",
		        "at", when_format_utc(at, buf, sizeof buf),
		        "actual", dec_format(sum, dbuf, sizeof dbuf),
		        "expected", round(exp_pct * (double)target / 100.0) / 1000.0,
		        "expected_percent", round(exp_pct * 100) / 100)) < 0)
			goto fail;
	}
	for (size_t j = 0; j < n_parts; j++) {
		free(so[j].rows);
		free(so[j].first);
	}
	free(scratch);
	return pts;
fail:
	for (size_t j = 0; j < 2; j++) {
		free(so[j].rows);
		free(so[j].first);
	}
	free(scratch);
	json_decref(pts);
	return NULL;
}

static void
hs_serve(struct evhttp_request *req, void *arg)
{
	struct book *book = *(struct book **)arg;
	const struct plan *p = book->plan;
	struct hs_req r;
	struct hs_scan s[2] = { { .plan = p }, { .plan = p } };
	const struct plan_task *pace, *task;
	struct plan_task own_pace;
	int *slot_of_unit = NULL, own, parts[2];
	size_t n_slots = 0, n_parts = 1, *ks = NULL, work = 0;
	dec_t target = 0;
	json_t *pts;
	char b1[WHEN_BUFSZ], b2[WHEN_BUFSZ], b3[WHEN_BUFSZ], b4[WHEN_BUFSZ];
	char dbuf[DEC_BUFSZ];

	if (hs_parse(req, p, &r) < 0)
		return;
	pace = task = &p->tasks[r.task];
	/* A rate has no reports of its own: its parts' are read, by unit. */
	parts[0] = task->kind == PLAN_KIND_RATE ? task->numerator : r.task;
	parts[1] = task->denominator;
	n_parts = task->kind == PLAN_KIND_RATE ? 2 : 1;
	if ((slot_of_unit = malloc((p->n_units + 1) * sizeof *slot_of_unit)) == NULL ||
	    (ks = malloc((p->n_targets + 1) * sizeof *ks)) == NULL) {
		http_error(req, 503, "out of memory");
		goto out;
	}
	for (size_t u = 0; u < p->n_units; u++)
		slot_of_unit[u] = -1;
	for (size_t k = plan_task_first_target(p, r.task);
	     k < p->n_targets && p->targets[k].task == r.task; k++) {
		int u = p->targets[k].unit;
		if (r.unit >= 0 && !plan_unit_within(p, u, r.unit))
			continue;
		ks[n_slots] = k;
		slot_of_unit[u] = (int)n_slots++;
	}
	if (n_slots == 0) {
		/* A group's task has none of its own (unit -1: the whole
		 * plan). */
		http_error(req, 404, "no target of task \"%s\" at or under %s%s%s",
		           p->tasks[r.task].code, r.unit >= 0 ? "unit \"" : "",
		           r.unit >= 0 ? p->units[r.unit].code : "any unit",
		           r.unit >= 0 ? "\"" : "");
		goto out;
	}
	for (size_t j = 0; j < n_parts; j++) {
		int rc;

		s[j].slot_of_unit = slot_of_unit;
		rc = store_series_scan(book->store, p->tasks[parts[j]].code, r.to,
		                       hs_row, &s[j]);
		if (rc != 0) {
			http_error(req, 503, rc == -2 ? "out of memory"
			           : "cannot read the reports: storage error");
			goto out;
		}
		work += s[j].n;
	}
	if ((long long)work * (long long)series_points(r.from, r.to, r.step) >
	    SERIES_MAX_WORK) {
		http_error(req, 400, "%zu reports x %zu points is too much work: "
		           "ask for fewer points (step=) or a shorter range", work,
		           series_points(r.from, r.to, r.step));
		goto out;
	}
	/* One unit's own target follows its own schedule (plan_target_task);
	 * a roll-up, its task's, as its tally does. */
	if (n_slots == 1 && r.unit >= 0 &&
	    (own = plan_target_find(p, r.task, r.unit)) >= 0)
		pace = plan_target_task(p, (size_t)own, &own_pace);
	if ((pts = hs_points(pace, &r, s, n_parts, ks, n_slots, &target)) == NULL) {
		http_error(req, 503, "series overflowed or out of memory");
		goto out;
	}
	http_reply(req, 200, json_pack(
		"{s:s, s:s?, s:s?, s:b, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}",
		"task", p->tasks[r.task].code,
		"unit", r.unit >= 0 ? p->units[r.unit].code : NULL,
		"unit_name", r.unit >= 0 ? p->units[r.unit].name : NULL,
		"rollup", r.unit < 0 || plan_target_find(p, r.task, r.unit) < 0 ||
		          n_slots > 1,
		"targets", (json_int_t)n_slots,
		"measure", p->tasks[r.task].measure,
		"target", dec_format(target, dbuf, sizeof dbuf),
		"start", when_format_utc(p->tasks[r.task].start, b1, sizeof b1),
		"deadline", when_format_utc(pace->deadline, b2, sizeof b2),
		"from", when_format_utc(r.from, b3, sizeof b3),
		"to", when_format_utc(r.to, b4, sizeof b4),
		"step_s", (json_int_t)(r.step / 1000), "points", pts));
out:
	free(slot_of_unit);
	free(ks);
	for (size_t j = 0; j < 2; j++) {
		free(s[j].rows);
		free(s[j].slot);
	}
}

int
http_series_route(struct http *h, struct book **book)
{
	return http_route(h, "/v1/series", HTTP_GET, hs_serve, book);
}
