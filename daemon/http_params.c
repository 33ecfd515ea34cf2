/*
 * http_params.c - checked query strings (http_params.h).
 */
#include <string.h>
#include <sys/queue.h>

#include "http.h"
#include "http_params.h"

int
http_params(struct evhttp_request *req, struct evkeyvalq *q,
            const char *const *allowed)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyval *kv;

	TAILQ_INIT(q);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		                  "Allow", "GET");
		http_error(req, 405, "%s takes GET",
		           uri ? evhttp_uri_get_path(uri) : "this resource");
		return -1;
	}
	if (query && evhttp_parse_query_str(query, q) < 0) {
		http_error(req, 400, "query string is not well formed");
		return -1;
	}
	TAILQ_FOREACH(kv, q, next) {
		size_t i;
		for (i = 0; allowed[i] && strcmp(kv->key, allowed[i]) != 0; i++)
			;
		if (allowed[i] == NULL) {
			http_error(req, 400, "unknown parameter \"%.64s\"", kv->key);
			evhttp_clear_headers(q);
			return -1;
		}
	}
	return 0;
}
