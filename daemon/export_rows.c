/*
 * export_rows.c - the rows of the exports (export_rows.h).
 */
#include <string.h>

#include "export_rows.h"

const char *const export_tally_head[2][EXPORT_TALLY_COLS] = {
	{ "Mã nhiệm vụ", "Nhiệm vụ", "Mã đơn vị", "Đơn vị", "Loại đơn vị",
	  "Tổng hợp", "Thực hiện", "Chỉ tiêu", "Đơn vị tính", "% hoàn thành",
	  "% kế hoạch", "Chậm (điểm)", "Trạng thái", "Số báo cáo" },
	{ "Task code", "Task", "Unit code", "Unit", "Unit kind", "Roll-up",
	  "Actual", "Target", "Measure", "% done", "% expected", "Lag (points)",
	  "Status", "Reports" },
};

const char *const export_rank_head[2][EXPORT_RANK_COLS] = {
	{ "Loại đơn vị", "Hạng", "Mã đơn vị", "Đơn vị", "Điểm", "Số chỉ tiêu",
	  "Đã xong", "Chậm/quá hạn" },
	{ "Unit kind", "Rank", "Unit code", "Unit", "Score", "Targets", "Done",
	  "Behind" },
};

int
export_iter_init(struct export_iter *it, const struct book *book,
                 const struct board *board, when_t now)
{
	memset(it, 0, sizeof *it);
	it->book = book;
	it->board = board ? board : book->board;
	it->now = now;
	if ((it->ru = rollup_new(book->plan)) == NULL)
		return -1;
	if (book->plan->n_tasks > 0)
		rollup_task(it->ru, it->board, 0, now);
	return 0;
}

void
export_iter_free(struct export_iter *it)
{
	rollup_free(it->ru);
	it->ru = NULL;
}

int
export_iter_next(struct export_iter *it, struct export_row *r)
{
	const struct plan *p = it->book->plan;

	while (it->ti < p->n_tasks) {
		int ti = (int)it->ti;
		int u = it->ui < p->n_units ? it->book->preorder[it->ui] : -1;
		int own = u >= 0 ? plan_target_find(p, ti, u) : -1;
		int phase = it->phase;

		if (u < 0) {
			it->ti++;
			it->ui = 0;
			it->phase = 0;
			if (it->ti < p->n_tasks)
				rollup_task(it->ru, it->board, (int)it->ti,
				            it->now);
			continue;
		}
		it->phase = !phase;
		if (phase)
			it->ui++;
		if (it->keep && !it->keep(it->keep_arg, ti, u))
			continue;
		memset(r, 0, sizeof *r);
		r->task = ti;
		r->unit = u;
		if (phase == 0) {
			r->units = rollup_view(it->ru, ti, u, it->now, &r->v);
			if (r->units <= (own >= 0 ? 1u : 0u))
				continue;
			r->rollup = 1;
			r->reports = it->ru->cells[u].sum.n_reports;
			r->last_report = it->ru->cells[u].sum.last_report_at;
			return 1;
		}
		if (own < 0)
			continue;
		board_view(it->board, own, it->now, &r->v);
		r->units = 1;
		r->reports = it->board->tallies[own].n_reports;
		r->last_report = it->board->tallies[own].last_report_at;
		return 1;
	}
	return 0;
}
