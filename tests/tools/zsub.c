/*
 * zsub - a protocol probe for tests: a bare SUB socket on a tiendod alert
 * endpoint (PROTOCOL.md 4.2), subscribed to the prefixes given, printing
 * each event with the topic it came under.
 *
 *   zsub [--sub PREFIX]... [--ready FILE] [--count N] [--timeout MS]
 *        [--plain] ENDPOINT
 *
 *   --sub PREFIX   subscribe to PREFIX (repeatable; "" is everything)
 *   --ready FILE   create FILE once a heartbeat came: the subscriptions
 *                  are then in force at the daemon (it subscribes to
 *                  "hb/" for that; heartbeats are not printed)
 *   --count N      exit 0 after N events (default: until the timeout)
 *   --timeout MS   exit after this long without a message (default 5000)
 *   --plain        no CurveZMQ; else the key "sub" of $TIENDO_KEY
 *
 * Prints, one line per event: "TOPIC SEQ TRANSITION SEVERITY PREVIOUS"
 * (lower-case enum names without their prefix).  Exit 0 after --count
 * events or at the timeout, 2 on a body that does not decode, 64 on bad
 * usage.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "keys.h"
#include "tiendo.pb-c.h"

/* "TRANSITION_FIRING" -> "firing", into buf. */
static const char *
lower_name(const ProtobufCEnumDescriptor *d, int v, char *buf, size_t n)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
	const char *s = ev ? strchr(ev->name, '_') : NULL;
	size_t i = 0;

	for (s = s ? s + 1 : "?"; *s && i + 1 < n; s++)
		buf[i++] = (char)tolower((unsigned char)*s);
	buf[i] = '\0';
	return buf;
}

/* Prints one [topic][Alert]; 1 printed, 0 a heartbeat or group, -1 bad. */
static int
print_event(const char *topic, size_t tlen, const void *body, size_t len)
{
	Tiendo__Alert *a;
	char tr[32], sev[32], prev[32];

	if ((tlen >= 3 && memcmp(topic, "hb/", 3) == 0) ||
	    (tlen >= 6 && memcmp(topic, "group/", 6) == 0))
		return 0;
	if ((a = tiendo__alert__unpack(NULL, len, body)) == NULL)
		return -1;
	printf("%.*s %llu %s %s %s\n", (int)tlen, topic,
	       (unsigned long long)a->seq,
	       lower_name(&tiendo__alert_transition__descriptor,
	                  (int)a->transition, tr, sizeof tr),
	       lower_name(&tiendo__severity__descriptor, (int)a->severity,
	                  sev, sizeof sev),
	       lower_name(&tiendo__severity__descriptor,
	                  (int)a->previous_severity, prev, sizeof prev));
	fflush(stdout);
	tiendo__alert__free_unpacked(a, NULL);
	return 1;
}

static int
subscribe(void *sock, const char *prefix)
{
	if (zmq_setsockopt(sock, ZMQ_SUBSCRIBE, prefix, strlen(prefix)) == 0)
		return 0;
	fprintf(stderr, "zsub: subscribe %s: %s\n", prefix,
	        zmq_strerror(zmq_errno()));
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sub", required_argument, NULL, 's' },
		{ "ready", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "plain", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = getenv(KEYS_ENV_KEY);
	const char *server_key = getenv(KEYS_ENV_SERVER_KEY);
	const char *ready = NULL;
	long count = -1, seen = 0;
	int timeout = 5000, zero = 0, c, rc = 0;
	char *err = NULL;
	void *ctx, *sock;

	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_SUB);
	if (sock == NULL ||
	    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) < 0) {
		fprintf(stderr, "zsub: socket: %s\n", zmq_strerror(zmq_errno()));
		return 64;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (subscribe(sock, optarg) < 0)
				return 64;
			break;
		case 'r': ready = optarg; break;
		case 'c': count = atol(optarg); break;
		case 't': timeout = atoi(optarg); break;
		case 'P': key = server_key = NULL; break;
		default: return 64;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: zsub [--sub PREFIX]... [--ready FILE] "
		        "[--count N] [--timeout MS] [--plain] ENDPOINT\n");
		return 64;
	}
	if ((ready != NULL && subscribe(sock, "hb/") < 0) ||
	    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout, sizeof timeout) < 0)
		return 64;
	if (keys_client_setup(sock, key, server_key, "sub", &err) < 0) {
		fprintf(stderr, "zsub: %s\n", err ? err : "out of memory");
		return 64;
	}
	if (zmq_connect(sock, argv[optind]) < 0) {
		fprintf(stderr, "zsub: %s: %s\n", argv[optind],
		        zmq_strerror(zmq_errno()));
		return 64;
	}
	while (count < 0 || seen < count) {
		zmq_msg_t topic, body;
		int got;

		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&topic, sock, 0) < 0 || !zmq_msg_more(&topic) ||
		    zmq_msg_recv(&body, sock, 0) < 0) {
			zmq_msg_close(&topic);
			zmq_msg_close(&body);
			break; /* the timeout */
		}
		if (ready != NULL && zmq_msg_size(&topic) == 3 &&
		    memcmp(zmq_msg_data(&topic), "hb/", 3) == 0) {
			FILE *f = fopen(ready, "w");

			if (f == NULL || fclose(f) != 0)
				fprintf(stderr, "zsub: cannot create %s\n", ready);
			ready = NULL;
		}
		got = print_event(zmq_msg_data(&topic), zmq_msg_size(&topic),
		                  zmq_msg_data(&body), zmq_msg_size(&body));
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
		if (got < 0) {
			fprintf(stderr, "zsub: a body that is not an Alert\n");
			rc = 2;
			break;
		}
		seen += got;
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	free(err);
	return rc;
}
