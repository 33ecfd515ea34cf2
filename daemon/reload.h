/*
 * reload.h - SIGHUP (or POST /v1/reload from loopback): re-read the
 * configuration and the plan, and swap in a new book atomically.
 *
 * All or nothing: a configuration or a plan with errors is refused whole,
 * with every error logged as file:line: message, and the plan in force
 * stays.  Settings that only a restart can change (endpoints, state
 * directory, synchronous) are named in the log and left as they run.
 */
#ifndef TIENDO_RELOAD_H
#define TIENDO_RELOAD_H

#include <stdint.h>

#include <event2/http.h>
#include <jansson.h>

#include "book.h"
#include "config.h"
#include "ingest.h"
#include "notify.h"

struct reload;

/* Builds the settings afresh as at start (defaults, file, command line).
 * 0, or -1 after printing every error. */
typedef int (*reload_config_fn)(void *arg, struct config *out);

/* Called after a new book is in force, before the old one is freed:
 * where alerts are re-evaluated against the new plan. */
typedef void (*reload_swap_fn)(void *arg, struct book *old, struct book *now);

struct reload_stats {
	uint64_t ok, failed;
	int64_t last_ok_at;      /* ms since the epoch; 0 = never */
	int last_failed;         /* the last attempt was refused */
};

/* `live` is the configuration in force; reload updates the settings it
 * applies (plan, log_level, max_future) in it.  NULL when out of memory. */
struct reload *reload_new(struct config *live, struct book **book,
                          struct ingest *in, struct notify *nt,
                          reload_config_fn fn, void *arg);
void reload_free(struct reload *r);
void reload_set_swap_hook(struct reload *r, reload_swap_fn fn, void *arg);

/* Called by every reload once the new plan is ready and before it is
 * swapped in, to re-read what else a reload covers (the authorised client
 * keys).  A failure refuses the whole reload: 0 or -1, logged by fn. */
typedef int (*reload_keys_fn)(void *arg);
void reload_set_keys_hook(struct reload *r, reload_keys_fn fn, void *arg);

/* Reloads now.  0 when the new plan is in force, -1 when refused.  When
 * `report` is an object, fills it in for an HTTP answer. */
int reload_run(struct reload *r, json_t *report);

/* POST /v1/reload, answered only to loopback peers. */
void reload_on_http(struct evhttp_request *req, void *arg);

const struct reload_stats *reload_stats(const struct reload *r);

#endif
