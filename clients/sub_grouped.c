/*
 * sub_grouped.c - a SUB socket on group/ (or group/<task>/ per task asked
 * for) and a line per AlertGroup.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <jansson.h>
#include <zmq.h>

#include "alertjson.h"
#include "keys.h"
#include "lang.h"
#include "showtime.h"
#include "table.h"
#include "sub_grouped.h"
#include "tiendo.pb-c.h"
#include "when.h"

static json_t *
sg_when(int64_t t)
{
	char buf[WHEN_BUFSZ];

	return t ? json_string(when_format_utc(t, buf, sizeof buf)) : json_null();
}

static json_t *
sg_json(const Tiendo__AlertGroup *g)
{
	json_t *members = json_array(), *o;

	for (size_t i = 0; members && i < g->n_members; i++)
		json_array_append_new(members, json_pack("{s:s, s:s, s:I, s:s}",
			"unit", g->members[i]->unit,
			"unit_name", g->members[i]->unit_name,
			"seq", (json_int_t)g->members[i]->seq,
			"severity", alertjson_severity(g->members[i]->severity)));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o,"
	              " s:s, s:s}",
		"rule", alertjson_rule(g->rule), "kind", g->kind,
		"severity", alertjson_severity(g->severity), "task", g->task,
		"task_title", g->task_title, "parent", g->parent,
		"parent_name", g->parent_name, "count", (int)g->n_members,
		"members", members ? members : json_null(),
		"opened", sg_when(g->opened), "at", sg_when(g->at),
		"message", g->message, "language", g->language);
	return o;
}

static void
sg_print(const struct sub_grouped *sg, const Tiendo__AlertGroup *g)
{
	char at[SHOWTIME_BUFSZ];

	if (sg->json) {
		json_t *o = sg_json(g);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(o);
	} else if (sg->vi) {
		/* words by display width: printf pads bytes */
		const char *sev = lang_severity(alertjson_severity(g->severity), 1);
		const char *kind = lang_transition(g->kind, 1);

		printf("%s  %s%*s %s%*s %-7s %-12s %-12s %4zu  %s\n",
		       showtime(g->at, 1, at, sizeof at), sev,
		       table_fill(sev, 12), "", kind, table_fill(kind, 12), "",
		       alertjson_rule(g->rule), g->task,
		       g->parent[0] ? g->parent : "-", g->n_members, g->message);
	} else {
		printf("%s  %-8s %-8s %-7s %-12s %-12s %4zu  %s\n",
		       showtime(g->at, 0, at, sizeof at),
		       alertjson_severity(g->severity), g->kind,
		       alertjson_rule(g->rule), g->task,
		       g->parent[0] ? g->parent : "-", g->n_members, g->message);
	}
	fflush(stdout);
}

/* Subscribes to group/<task>/ for each task of the list, or group/. */
static int
sg_subscribe(void *sock, const char *tasks)
{
	char topic[256];
	const char *p = tasks, *c;

	if (tasks == NULL)
		return zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "group/", 6);
	while (*p) {
		size_t n = (c = strchr(p, ',')) ? (size_t)(c - p) : strlen(p);
		int len = snprintf(topic, sizeof topic, "group/%.*s/", (int)n, p);
		if (n > 0 && zmq_setsockopt(sock, ZMQ_SUBSCRIBE, topic,
		                            (size_t)len) < 0)
			return -1;
		p += n + (c != NULL);
	}
	return 0;
}

int
sub_grouped_run(const struct sub_grouped *sg)
{
	void *sock = zmq_socket(sg->ctx, ZMQ_SUB);
	int linger = 0, ex = EX_OK;
	char *err = NULL;

	if (sock == NULL || zmq_setsockopt(sock, ZMQ_LINGER, &linger,
	                                   sizeof linger) < 0 ||
	    sg_subscribe(sock, sg->tasks) < 0) {
		fprintf(stderr, "tiendo-sub: %s\n", zmq_strerror(errno));
		ex = EX_SOFTWARE;
		goto out;
	}
	if (keys_client_setup(sock, sg->key, sg->server_key, sg->name, &err) < 0) {
		fprintf(stderr, "tiendo-sub: %s\n", err ? err : "bad keys");
		free(err);
		ex = EX_CONFIG;
		goto out;
	}
	if (zmq_connect(sock, sg->pub_ep) < 0) {
		fprintf(stderr, "tiendo-sub: %s: %s\n", sg->pub_ep,
		        zmq_strerror(errno));
		ex = EX_USAGE;
		goto out;
	}
	while (!*sg->stopping) {
		zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
		zmq_msg_t topic, body;
		Tiendo__AlertGroup *g;

		if (zmq_poll(&it, 1, 250) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tiendo-sub: poll: %s\n", zmq_strerror(errno));
			ex = EX_SOFTWARE;
			break;
		}
		if (!(it.revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&topic, sock, 0) >= 0 && zmq_msg_more(&topic) &&
		    zmq_msg_recv(&body, sock, 0) >= 0) {
			g = tiendo__alert_group__unpack(NULL, zmq_msg_size(&body),
			                                zmq_msg_data(&body));
			if (g == NULL)
				fprintf(stderr, "tiendo-sub: a group that does not "
				        "decode; skipped\n");
			else
				sg_print(sg, g);
			tiendo__alert_group__free_unpacked(g, NULL);
		}
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
	}
out:
	if (sock)
		zmq_close(sock);
	return ex;
}
