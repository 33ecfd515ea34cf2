/*
 * http_ranking.c - GET /v1/ranking?at=
 */
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "http_auth.h"
#include "http_ranking.h"
#include "rankview.h"

const char *const http_ranking_rule[2] = {
	"Điểm thi đua = trung bình, trên các chỉ tiêu của đơn vị đã đến kỳ "
	"thực hiện, của tỷ lệ (% hoàn thành ÷ % kế hoạch đến nay; với chỉ tiêu "
	"không được vượt, như mức trần: 1 nếu không vượt, chỉ tiêu ÷ thực hiện "
	"nếu vượt), mỗi tỷ lệ "
	"tối đa 1,2; nhân 100. Đơn vị xếp hạng trong cùng loại (xã với xã, "
	"phòng với phòng); điểm bằng nhau cùng hạng.",
	"Score = the mean, over the unit's targets whose task has started, of "
	"(percent done / percent expected by now; for a target not to be "
	"exceeded, such as a ceiling: 1 within it, target / actual above it), "
	"each ratio capped at 1.2; "
	"times 100. Units rank within their kind (communes with communes, "
	"departments with departments); equal scores share a rank.",
};

struct hr {
	struct book **book;
	int language;
};

static void
hr_serve(struct evhttp_request *req, void *arg)
{
	static const char *const allowed[] = { "at", NULL };
	const struct hr *h = arg;
	struct book *book = *h->book;
	const struct plan *p = book->plan;
	struct board *past = NULL;
	struct ranking_row *rows = NULL;
	struct evkeyvalq q;
	when_t now = when_now();
	const char *v, *why;
	json_t *kinds = json_array(), *cur = NULL;
	const char *kind = NULL;
	size_t n;

	if (http_query(req, &q, allowed) < 0) {
		json_decref(kinds);
		return;
	}
	if ((v = evhttp_find_header(&q, "at"))) {
		if (when_parse(v, p->timezone, &now, NULL, &why) < 0) {
			http_error(req, 400, "at=\"%.64s\": %s", v, why);
			goto out;
		}
		if ((past = book_board_at(book, now)) == NULL) {
			http_error(req, 503, "cannot read the reports: storage error");
			goto out;
		}
	}
	/* What the account may see of it: rankview.h. */
	if ((rows = rankview(past ? past : book->board, now, auth_scope(),
	                     &n)) == NULL) {
		http_error(req, 503, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct plan_unit *u = &p->units[rows[i].unit];
		if (cur == NULL || strcmp(u->kind, kind) != 0) {
			kind = u->kind;
			cur = json_array();
			json_array_append_new(kinds, json_pack("{s:s, s:o}",
				"kind", u->kind, "rows", cur));
		}
		json_array_append_new(cur, json_pack(
			"{s:i, s:s, s:s, s:f, s:I, s:I, s:I}", "rank", rows[i].rank,
			"unit", u->code, "unit_name", u->name, "score", rows[i].score,
			"tasks", (json_int_t)rows[i].tasks,
			"done", (json_int_t)rows[i].done,
			"behind", (json_int_t)rows[i].behind));
	}
	http_reply(req, 200, json_pack("{s:s, s:s, s:f, s:O}",
		"plan", p->name ? p->name : "",
		"rule", http_ranking_rule[h->language ? 1 : 0],
		"cap", RANKING_CAP, "kinds", kinds));
out:
	json_decref(kinds);
	evhttp_clear_headers(&q);
	free(rows);
	board_free(past);
}

int
http_ranking_route(struct http *h, struct book **book, int language)
{
	static struct hr hr;

	hr.book = book;
	hr.language = language;
	return http_route(h, "/v1/ranking", HTTP_GET, hr_serve, &hr);
}
