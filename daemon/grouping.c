/*
 * grouping.c - core/group.c on a timer: armed for the oldest open group's
 * end, it publishes what is due, GROUPING_TURN groups per loop turn (a
 * national storm closes some 13,000 groups at once).
 */
#include <stdlib.h>

#include "group.h"
#include "groupmsg.h"
#include "grouping.h"
#include "log.h"
#include "tiendo.pb-c.h"

#define GROUPING_TURN 200

struct grouping {
	struct grouper *gr;
	struct publish *pub;
	const struct plan *plan; /* of the open groups */
	int64_t window;
	enum alertmsg_lang lang;
	struct event *ev;
	when_t armed;            /* when ev fires; 0: not armed */
	uint64_t published;
};

static void
grouping_arm(struct grouping *g)
{
	when_t next = grouper_next(g->gr), now = when_now();
	struct timeval tv;

	if (next == 0 || (g->armed && g->armed <= next))
		return;
	next = next > now ? next - now : 0;
	tv.tv_sec = next / 1000;
	tv.tv_usec = (next % 1000) * 1000;
	if (event_add(g->ev, &tv) < 0)
		log_err("grouping: cannot arm the timer");
	else
		g->armed = now + next;
}

static void
grouping_send(void *arg, const struct group *gr)
{
	struct grouping *g = arg;
	const struct plan *p = g->plan;
	const struct plan_task *t = &p->tasks[gr->key.task];
	static const char *const kinds[] = { "firing", "resolved", "notice" };
	Tiendo__AlertGroup ag = TIENDO__ALERT_GROUP__INIT;
	Tiendo__AlertGroupMember *m = calloc(gr->n, sizeof *m);
	Tiendo__AlertGroupMember **mp = calloc(gr->n, sizeof *mp);
	char msg[2048], topic[256];
	uint8_t *buf = NULL;
	size_t len;
	int sev = 0;

	if (m == NULL || mp == NULL)
		goto nomem;
	for (size_t i = 0; i < gr->n; i++) {
		const struct plan_unit *u = &p->units[gr->members[i].unit];
		tiendo__alert_group_member__init(&m[i]);
		m[i].unit = u->code;
		m[i].unit_name = u->name;
		m[i].seq = gr->members[i].seq;
		m[i].severity = (Tiendo__Severity)gr->members[i].sev;
		if (gr->members[i].sev > sev)
			sev = gr->members[i].sev;
		mp[i] = &m[i];
	}
	ag.rule = (Tiendo__AlertRule)(gr->key.rule + 1);
	ag.kind = (char *)kinds[gr->key.kind];
	ag.severity = (Tiendo__Severity)sev;
	ag.task = t->code;
	ag.task_title = t->title;
	ag.parent = gr->key.parent >= 0 ? p->units[gr->key.parent].code : "";
	ag.parent_name = gr->key.parent >= 0 ? p->units[gr->key.parent].name : "";
	ag.n_members = gr->n;
	ag.members = mp;
	ag.opened = gr->opened;
	ag.at = when_now();
	ag.message = groupmsg_format(p, gr, g->lang, msg, sizeof msg);
	ag.language = g->lang == ALERTMSG_EN ? "en" : "vi";
	len = tiendo__alert_group__get_packed_size(&ag);
	if ((buf = malloc(len)) == NULL)
		goto nomem;
	tiendo__alert_group__pack(&ag, buf);
	snprintf(topic, sizeof topic, "group/%s/%s/", t->code,
	         gr->key.parent >= 0 ? p->units[gr->key.parent].code : "-");
	if (publish_other(g->pub, topic, buf, len) == 0)
		g->published++;
	free(buf);
	free(m);
	free(mp);
	return;
nomem:
	log_err("grouping: out of memory; a group of %zu was not published",
	        gr->n);
	free(m);
	free(mp);
}

static void
grouping_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct grouping *g = arg;

	g->armed = 0;
	grouper_flush(g->gr, when_now(), GROUPING_TURN, grouping_send, g);
	grouping_arm(g); /* at once again when more are due */
}

struct grouping *
grouping_new(struct event_base *base, struct publish *pub, int64_t window,
             enum alertmsg_lang lang)
{
	struct grouping *g = calloc(1, sizeof *g);

	if (g == NULL)
		return NULL;
	g->pub = pub;
	g->window = window;
	g->lang = lang;
	if ((g->gr = grouper_new(window)) == NULL ||
	    (g->ev = event_new(base, -1, 0, grouping_on_timer, g)) == NULL) {
		grouping_free(g);
		return NULL;
	}
	return g;
}

void
grouping_free(struct grouping *g)
{
	if (g == NULL)
		return;
	if (g->ev)
		event_free(g->ev);
	grouper_free(g->gr);
	free(g);
}

void
grouping_add(struct grouping *g, const struct plan *p,
             const struct rules_subject *s, const struct rules_event *e)
{
	int kind = group_kind_of(e->transition);
	struct group_key k;
	struct group_member m;

	if (g == NULL || g->window <= 0 || kind < 0 || s->target < 0)
		return;
	if (g->plan != p) {
		grouping_reset(g);
		g->plan = p;
	}
	k = (struct group_key){ e->rule, kind, s->task, p->units[s->unit].parent };
	m = (struct group_member){ s->unit, e->sev, e->seq };
	if (grouper_add(g->gr, &k, &m, e->at) < 0) {
		log_err("grouping: out of memory; event %llu is in no group",
		        (unsigned long long)e->seq);
		return;
	}
	grouping_arm(g);
}

void
grouping_reset(struct grouping *g)
{
	struct grouper *fresh;

	if (g == NULL || grouper_next(g->gr) == 0)
		return;
	if ((fresh = grouper_new(g->window)) == NULL) {
		log_err("grouping: out of memory resetting");
		return;
	}
	log_notice("grouping: plan changed; open groups dropped (their events "
	           "were published one by one)");
	grouper_free(g->gr);
	g->gr = fresh;
}

uint64_t
grouping_published(const struct grouping *g)
{
	return g ? g->published : 0;
}
