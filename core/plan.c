/*
 * plan.c - reads and checks a district's plan (an INI file, via libinih).
 *
 * The format, for the clerk who edits it:
 *
 *   ; A comment starts a line with ';' or '#'.  After a value, a comment
 *   ; starts with " ;" (a space, then a semicolon); '#' after a value is
 *   ; part of the value.  Leading spaces are ignored; a value never
 *   ; continues on the next line.  A line may be at most 199 bytes long.
 *   ; The file is UTF-8 (a byte-order mark is allowed).
 *
 *   [plan]                          ; optional
 *   name = Huyện Tam Dương — kế hoạch năm 2021
 *   timezone = Asia/Ho_Chi_Minh     ; tz database name; this is the default
 *
 *   [unit tam-duong]                ; one section per unit
 *   name = Huyện Tam Dương          ; required
 *   kind = district                 ; required; one lowercase word
 *                                   ; no parent: a root
 *   [unit hop-hoa]
 *   name = Thị trấn Hợp Hòa
 *   kind = town
 *   parent = tam-duong              ; may be defined later in the file
 *
 *   [task trong-cay]                ; one section per task
 *   title = Tết trồng cây ...       ; required
 *   measure = cây                   ; required: what the numbers count
 *   owner = phong-nn                ; optional: a unit code
 *   start = 2021-02-17              ; required; a bare date is the local
 *                                   ; midnight that starts that day
 *   deadline = 2021-04-30           ; required; a bare date is the END of
 *                                   ; that day; must be after start
 *   pacing = milestones             ; linear or milestones; when absent,
 *                                   ; milestones if any are given
 *   milestone = 2021-03-15 30       ; repeatable: "DATE PERCENT", a bare
 *                                   ; date is the end of that day; a
 *                                   ; trailing % is allowed; dates and
 *                                   ; percents strictly increasing,
 *                                   ; inside (start, deadline), (0, 100)
 *   warn = 10                       ; lag in points for "lagging"; 10
 *   critical = 25                   ; lag for "critical", >= warn; 25
 *   stale_after = 7d                ; silence that makes "silent": 90s,
 *                                   ; 45m, 36h, 7d, 2w, bare = days;
 *                                   ; 0 = never; default 7d
 *
 *   [targets trong-cay]             ; one section per task: UNIT = VALUE
 *   hop-hoa = 5000                  ; decimal > 0, at most 3 decimals
 *   an-hoa = 4000 by 2021-03-31     ; its own deadline (plan_sched.c)
 *   hop-hoa = 4000 from 2021-03-20  ; revised from then (plan_revise.c)
 *
 *   [schedule trong-cay hop-hoa]    ; a unit's own milestones for a task
 *   deadline = 2021-04-15           ; paced by milestones (plan_sched.c):
 *   milestone = 2021-03-01 50       ; optional deadline, milestones as
 *                                   ; the task's, replacing them
 *
 * Dates may also carry a time ("2021-02-17 08:30") or an offset
 * ("2021-02-17T08:30+07:00"); see when_parse().  Codes are 1 to 64 of
 * a-z, 0-9 and '-', not starting with '-'.  Every task needs at least
 * one target.  Sections may come in any order.
 *
 * How it is read.  Debian's libinih has no line numbers in its handler,
 * splits long lines silently and reports only its first syntax error, so
 * our reader callback does the line work: it counts lines, refuses long
 * ones and bad UTF-8, skips comments, opens sections itself (so that a
 * section with no keys is still seen, and a long code is not truncated to
 * inih's 50-byte section buffer) and strips leading blanks (so that an
 * indented key is not taken as a continuation of the previous value).
 * inih then only splits "key = value" and strips comments.  Every value is
 * kept with its line and checked once the whole file is read, because
 * parents, owners and targets may refer to things defined further down.
 * Errors are collected, sorted by line and returned all at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ini.h>

#include "fnv.h"
#include "planb.h"

static int
err_cmp(const void *a, const void *b)
{
	const struct berr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- assembling the result ---- */

static int
unit_code_cmp(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;

	return strcmp(p->units[*(const int *)a].code,
	              p->units[*(const int *)b].code);
}

static int
task_code_cmp(const void *a, const void *b, void *arg)
{
	const struct plan *p = arg;

	return strcmp(p->tasks[*(const int *)a].code,
	              p->tasks[*(const int *)b].code);
}


/* Moves a string out of the builder. */
static char *
take(char **s)
{
	char *r = *s;

	*s = NULL;
	return r;
}

/* Iterative: a clerk's plan may chain thousands of levels deep in error
 * but not in a way that should exhaust the stack. */
static void
set_depths(struct plan *p, int *path)
{
	size_t i, len;
	int u, d;

	for (i = 0; i < p->n_units; i++) {
		len = 0;
		for (u = (int)i; u >= 0 && p->units[u].depth < 0;
		     u = p->units[u].parent)
			path[len++] = u;
		d = u >= 0 ? p->units[u].depth : -1;
		while (len > 0)
			p->units[path[--len]].depth = ++d;
	}
}

static struct plan *
assemble(struct build *b, const int *parent, struct plan_task *tasks,
         size_t n_good)
{
	struct plan *p;
	size_t i, k;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->units = calloc(b->n_units ? b->n_units : 1, sizeof(*p->units));
	p->targets = calloc(n_good ? n_good : 1, sizeof(*p->targets));
	p->unit_order = calloc(b->n_units ? b->n_units : 1, sizeof(int));
	p->task_order = calloc(b->n_tasks ? b->n_tasks : 1, sizeof(int));
	p->schedules = calloc(b->n_scheds ? b->n_scheds : 1,
	                      sizeof(*p->schedules));
	p->path = strdup(b->name);
	p->name = b->pf[P_NAME].val ? take(&b->pf[P_NAME].val) : strdup("");
	p->timezone = b->pf[P_TZ].val ? take(&b->pf[P_TZ].val) :
	                                strdup(WHEN_DEFAULT_TZ);
	if (p->units == NULL || p->targets == NULL || p->unit_order == NULL ||
	    p->task_order == NULL || p->schedules == NULL || p->path == NULL ||
	    p->name == NULL || p->timezone == NULL) {
		plan_free(p);
		return NULL;
	}
	/* Targets first: their revisions are the only allocation that can
	 * fail from here, and nothing has been taken from b yet. */
	for (i = 0, k = 0; i < b->n_targets; i++) {
		const struct btarget *bt = &b->targets[i];

		if (!bt->ok || bt->task_i < 0 || bt->unit_i < 0 ||
		    bt->from_text || bt->allocated)
			continue;
		p->targets[k].task = bt->task_i;
		p->targets[k].unit = bt->unit_i;
		p->targets[k].value = bt->value;
		p->targets[k].line = bt->line;
		/* its own deadline and milestones; no allocation */
		planb_assemble_schedule(b, i, p, k);
		/* n_targets counts what plan_free must free */
		p->n_targets = k + 1;
		if (planb_assemble_revisions(b, i, &p->targets[k]) != 0) {
			plan_free(p);
			return NULL;
		}
		k++;
	}
	p->n_targets = k;
	p->tasks = tasks;
	p->n_tasks = b->n_tasks;
	for (i = 0; i < b->n_units; i++) {
		struct plan_unit *u = &p->units[i];

		u->code = take(&b->units[i].code);
		u->name = take(&b->units[i].f[U_NAME].val);
		u->kind = take(&b->units[i].f[U_KIND].val);
		u->parent = parent[i];
		u->depth = -1;
		u->line = b->units[i].line;
	}
	p->n_units = b->n_units;
	set_depths(p, p->unit_order);
	for (i = 0; i < b->n_tasks; i++) {
		struct plan_task *t = &p->tasks[i];
		struct btask *bt = &b->tasks[i];

		t->code = take(&bt->code);
		t->title = take(&bt->f[T_TITLE].val);
		t->measure = take(&bt->f[T_MEASURE].val);
		t->line = bt->line;
		p->task_order[i] = (int)i;
	}
	for (i = 0; i < b->n_units; i++)
		p->unit_order[i] = (int)i;
	qsort_r(p->unit_order, p->n_units, sizeof(int), unit_code_cmp, p);
	qsort_r(p->task_order, p->n_tasks, sizeof(int), task_code_cmp, p);
	return p;
}

struct plan *
plan_parse(const char *text, size_t len, const char *name,
           struct plan_errors *errs)
{
	struct build b;
	struct plan_task *tasks = NULL;
	struct plan *p = NULL;
	const char *tz;
	int *parent = NULL, r;
	size_t i, n_good;

	memset(&b, 0, sizeof(b));
	b.name = name ? name : "plan";
	b.text = text;
	b.len = text ? len : 0;
	r = ini_parse_stream(planb_read_line, &b, planb_handle, &b);
	if (r != 0 && !b.oom)
		/* Cannot happen: read_line only passes lines inih accepts. */
		planb_errf(&b, r > 0 ? r : 0, "cannot be read (libinih error %d)", r);
	if (b.oom)
		goto oom;

	tz = b.pf[P_TZ].val ? b.pf[P_TZ].val : WHEN_DEFAULT_TZ;
	if (!when_zone_valid(tz)) {
		planb_errf(&b, b.pf[P_TZ].line, "unknown time zone '%s'; use a name "
		     "from the tz database, such as Asia/Ho_Chi_Minh", tz);
		tz = WHEN_DEFAULT_TZ; /* still check the dates' form */
	}
	parent = calloc(b.n_units ? b.n_units : 1, sizeof(*parent));
	tasks = calloc(b.n_tasks ? b.n_tasks : 1, sizeof(*tasks));
	if (parent == NULL || tasks == NULL)
		goto oom;
	if (b.n_units == 0 && b.n_tasks == 0 && b.n_errs == 0)
		planb_errf(&b, 0, "the plan has no units and no tasks; is this the "
		     "right file?");
	planb_check_units(&b, parent);
	planb_check_tasks(&b, tz, tasks);
	planb_check_revisions(&b, tz);
	planb_check_periods(&b, tz, tasks);
	n_good = planb_check_targets(&b, tasks);
	planb_check_rates(&b, tasks);
	planb_check_groups(&b, tasks);
	n_good -= planb_check_allocations(&b, tasks, parent);
	planb_check_schedules(&b, tz, tasks);
	if (b.oom)
		goto oom;
	if (b.n_errs == 0) {
		if ((p = assemble(&b, parent, tasks, n_good)) == NULL)
			goto oom;
		tasks = NULL; /* now p's */
		p->digest = fnv_bytes(FNV_BASIS, text, b.len);
	}

	if (b.n_errs > 0)
		qsort(b.errs, b.n_errs, sizeof(*b.errs), err_cmp);
	for (i = 0; i < b.n_errs && errs; i++) {
		char *msg;

		if (b.errs[i].line > 0)
			r = asprintf(&msg, "%s:%d: %s", b.name, b.errs[i].line,
			             b.errs[i].msg);
		else
			r = asprintf(&msg, "%s: %s", b.name, b.errs[i].msg);
		if (r < 0)
			break;
		if (planb_errs_append(errs, msg) != 0) {
			free(msg);
			break;
		}
	}
	goto out;
oom:
	planb_errs_appendf(errs, "%s: out of memory", b.name);
	p = NULL;
out:
	if (tasks) {
		for (i = 0; i < b.n_tasks; i++) {
			free(tasks[i].milestones);
			free(tasks[i].periods);
			free(tasks[i].indicators);
		}
		free(tasks);
	}
	free(parent);
	planb_build_free(&b);
	return p;
}

struct plan *
plan_load(const char *path, struct plan_errors *errs)
{
	struct plan *p;
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		planb_errs_appendf(errs, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *t;

			if (cap >= PLAN_FILE_MAX) {
				planb_errs_appendf(errs, "%s: file is larger than %zu "
				             "MB; is it really a plan?", path,
				             PLAN_FILE_MAX >> 20);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			if ((t = realloc(text, cap)) == NULL) {
				planb_errs_appendf(errs, "%s: out of memory", path);
				goto fail;
			}
			text = t;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				planb_errs_appendf(errs, "%s: cannot read: %s", path,
				             strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	p = plan_parse(text, len, path, errs);
	free(text);
	return p;
fail:
	fclose(f);
	free(text);
	return NULL;
}

void
plan_free(struct plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_units; i++) {
		free(p->units[i].code);
		free(p->units[i].name);
		free(p->units[i].kind);
	}
	free(p->units);
	for (i = 0; i < p->n_tasks; i++) {
		free(p->tasks[i].code);
		free(p->tasks[i].title);
		free(p->tasks[i].measure);
		free(p->tasks[i].milestones);
		free(p->tasks[i].periods);
		free(p->tasks[i].indicators);
	}
	free(p->tasks);
	for (i = 0; i < p->n_targets; i++)
		free(p->targets[i].revs);
	free(p->targets);
	for (i = 0; i < p->n_schedules; i++)
		free(p->schedules[i].milestones);
	free(p->schedules);
	free(p->path);
	free(p->name);
	free(p->timezone);
	free(p->unit_order);
	free(p->task_order);
	free(p);
}

void
plan_errors_clear(struct plan_errors *errs)
{
	size_t i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	free(errs->msgs);
	errs->msgs = NULL;
	errs->n = 0;
}

/* Binary search of `order` (indexes sorted by code); a linear scan when a
 * hand-made plan has no index.  `items` are plan_units or plan_tasks, both
 * of which start with their code. */
_Static_assert(offsetof(struct plan_unit, code) == 0 &&
                   offsetof(struct plan_task, code) == 0,
               "find_code() reads the code at the start of an item");

static int
find_code(const int *order, size_t n, const void *items, size_t size,
          const char *code)
{
	size_t lo = 0, hi = n, i;

#define CODE_AT(i) (*(char *const *)((const char *)items + (size_t)(i) * size))
	if (order == NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(CODE_AT(i), code) == 0)
				return (int)i;
		return -1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(code, CODE_AT(order[mid]));

		if (c == 0)
			return order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
#undef CODE_AT
}

int
plan_unit_find(const struct plan *p, const char *code)
{
	return find_code(p->unit_order, p->n_units, p->units,
	                 sizeof(*p->units), code);
}

int
plan_task_find(const struct plan *p, const char *code)
{
	return find_code(p->task_order, p->n_tasks, p->tasks,
	                 sizeof(*p->tasks), code);
}

int
plan_target_find(const struct plan *p, int task, int unit)
{
	size_t lo = 0, hi = p->n_targets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct plan_target *t = &p->targets[mid];

		if (t->task == task && t->unit == unit)
			return (int)mid;
		if (t->task < task || (t->task == task && t->unit < unit))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
plan_target_own_pace(const struct plan *p, size_t i)
{
	return p->targets[i].deadline != 0 || p->targets[i].schedule != 0;
}

const struct plan_task *
plan_target_task(const struct plan *p, size_t i, struct plan_task *buf)
{
	const struct plan_target *t = &p->targets[i];
	const struct plan_task *task = &p->tasks[t->task];
	size_t k = 0;

	if (!plan_target_own_pace(p, i))
		return task;
	*buf = *task;
	if (t->deadline != 0)
		buf->deadline = t->deadline;
	if (t->schedule != 0) {
		/* its own milestones replace the task's, all of them: they
		 * were checked against its own deadline */
		const struct plan_schedule *s = &p->schedules[t->schedule - 1];

		buf->milestones = s->milestones;
		buf->n_milestones = s->n_milestones;
		buf->pacing = PACING_MILESTONES;
		return buf;
	}
	while (k < buf->n_milestones && buf->milestones[k].at < t->deadline)
		k++;
	buf->n_milestones = k;
	if (k == 0)
		buf->pacing = PACING_LINEAR;
	return buf;
}

dec_t
plan_target_value(const struct plan *p, size_t i, when_t at)
{
	const struct plan_target *t = &p->targets[i];
	size_t k;

	if (t->n_revs == 0)
		return t->value;
	for (k = t->n_revs - 1; k > 0 && t->revs[k].from > at; k--)
		;
	return t->revs[k].value;
}

int
plan_unit_within(const struct plan *p, int u, int ancestor)
{
	if (u < 0 || (size_t)u >= p->n_units || ancestor < 0 ||
	    (size_t)ancestor >= p->n_units)
		return 0;
	/* Bounded by the number of units, so that a cycle in a hand-built
	 * plan cannot hang. */
	for (size_t steps = 0; u >= 0 && steps <= p->n_units; steps++) {
		if (u == ancestor)
			return 1;
		u = p->units[u].parent;
	}
	return 0;
}

size_t
plan_task_first_target(const struct plan *p, int task)
{
	size_t lo = 0, hi = p->n_targets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->targets[mid].task < task)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
