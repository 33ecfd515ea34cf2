/*
 * alertjson.h - an Alert as a JSON object, the same for the HTTP API and
 * tiendo-sub --json: names instead of enum numbers, times in RFC 3339 UTC.
 */
#ifndef TIENDO_ALERTJSON_H
#define TIENDO_ALERTJSON_H

#include <jansson.h>

#include "tiendo.pb-c.h"

/* New reference, or NULL when out of memory. */
json_t *alertjson(const Tiendo__Alert *a);

/* Lower-case names: "firing", "lag", "critical"; "?" when unknown. */
const char *alertjson_transition(int t);
const char *alertjson_rule(int r);
const char *alertjson_severity(int s);

#endif
