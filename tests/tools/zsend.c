/*
 * zsend - a protocol probe for tests: sends one hand-made message to a
 * tiendod ingest endpoint and prints the Ack, one line per field.
 *
 *   zsend [options] ENDPOINT
 *     --report "SEQ|UNIT|TASK|KIND|VALUE|OBSERVED|REPORTER|NOTE"
 *                        add a report (repeatable).  KIND: add, set or a
 *                        number; OBSERVED: ms since the epoch, "now" or
 *                        "now+MS" / "now-MS"; \xHH escapes in any field
 *     --repeat N         repeat the last report N more times, seq + 1 each
 *     --version V        Batch.version (default 1)
 *     --client ID        Batch.client (default "probe"; \xHH escapes)
 *     --batch-id N       Batch.batch_id (default 1)
 *     --truncate N       send only the first N bytes of the encoding
 *     --garbage N        send N bytes of junk instead of a Batch
 *     --nul-7f           after encoding, turn every byte 0x7f into NUL: a
 *                        field given with \x7f holds a NUL on the wire,
 *                        its length right (keep seqs and lengths off 127)
 *     --pad-note N       make the last report's note N bytes of 'x'
 *     --pad-to N         pad the last report's note with 'x' so that the
 *                        encoded Batch is exactly N bytes (a size limit's
 *                        edge); exit 64 when no note length gives N
 *     --voids "SEQ|REASON"  make the last report a correction voiding SEQ
 *     --extra-frame      append an extra frame to the message
 *     --req              use a REQ socket (adds an empty delimiter)
 *     --timeout MS       wait for the Ack (default 5000)
 *     --key PATH         CurveZMQ: the client's secret key file, or a
 *                        directory with CLIENT.secret and server.pub
 *                        (default $TIENDO_KEY)
 *     --server-key FILE  the server's public key (default $TIENDO_SERVER_KEY)
 *     --plain            no CurveZMQ, whatever the environment says
 *     --then-wait FILE   after the Ack, wait until FILE exists, then send
 *                        the batch again on the same connection with every
 *                        seq + 1000000, and print that Ack after "again"
 *                        (waiting 30 s at most, or $ZSEND_WAIT_MS)
 *
 * Prints "status OK", "error BATCH_NONE", "reason ...", "client ...",
 * then "report SEQ FATE CODE REASON" per report.  Exit 0 when an Ack came,
 * 2 on timeout, 64 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <zmq.h>

#include "keys.h"
#include "tiendo.pb-c.h"

#define MAX_REPORTS 5000

static Tiendo__Report reports[MAX_REPORTS];
static Tiendo__Report *report_ptrs[MAX_REPORTS];
static size_t n_reports;

static long long
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Decodes \xHH in place. */
static char *
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] == 'x' && r[2] && r[3]) {
			char hex[3] = { r[2], r[3], 0 };
			*w++ = (char)strtol(hex, NULL, 16);
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

static void
add_report(char *spec)
{
	char *f[8] = { 0 };
	size_t n = 0;
	Tiendo__Report *r;

	if (n_reports == MAX_REPORTS) {
		fprintf(stderr, "zsend: too many reports\n");
		exit(64);
	}
	for (char *p = spec; n < 8; n++) {
		f[n] = p;
		if ((p = strchr(p, '|')) == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 6) {
		fprintf(stderr, "zsend: --report needs at least 6 fields\n");
		exit(64);
	}
	r = &reports[n_reports];
	tiendo__report__init(r);
	r->seq = strtoull(f[0], NULL, 10);
	r->unit = unescape(f[1]);
	r->task = unescape(f[2]);
	r->kind = strcmp(f[3], "add") == 0 ? TIENDO__KIND__KIND_ADD
	        : strcmp(f[3], "set") == 0 ? TIENDO__KIND__KIND_SET
	        : (Tiendo__Kind)atoi(f[3]);
	r->value = unescape(f[4]);
	if (strncmp(f[5], "now", 3) == 0)
		r->observed_at = now_ms() + (f[5][3] ? atoll(f[5] + 3) : 0);
	else
		r->observed_at = atoll(f[5]);
	r->reporter = f[6] ? unescape(f[6]) : "";
	r->note = f[7] ? unescape(f[7]) : "";
	report_ptrs[n_reports] = r;
	n_reports++;
}

/* Makes the last report's note the 'x's that bring the encoded batch to
 * exactly `want` bytes.  The note's length and the report's are varints, so
 * a step can overshoot by a byte: a few rounds settle it.  0, or -1 when
 * no length fits (or out of memory). */
static int
pad_note_to(Tiendo__Batch *b, size_t want, char **note)
{
	Tiendo__Report *r;
	size_t len = 0, have;

	if (b->n_reports == 0)
		return -1;
	r = b->reports[b->n_reports - 1];
	for (int round = 0; round < 8; round++) {
		free(*note);
		if ((*note = malloc(len + 1)) == NULL)
			return -1;
		memset(*note, 'x', len);
		(*note)[len] = '\0';
		r->note = *note;
		have = tiendo__batch__get_packed_size(b);
		if (have == want)
			return 0;
		if (have > want && want + len < have)
			return -1;
		len = have > want ? len - (have - want) : len + (want - have);
	}
	return -1;
}

static const char *
enum_name(const ProtobufCEnumDescriptor *d, int v)
{
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);

	return ev ? ev->name : "?";
}

/* Receives one Ack and prints it.  0, or 2 on timeout or garbage. */
static int
print_ack(void *sock)
{
	zmq_msg_t m;
	Tiendo__Ack *ack;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, sock, 0) < 0) {
		fprintf(stderr, "zsend: no reply: %s\n", zmq_strerror(errno));
		zmq_msg_close(&m);
		return 2;
	}
	ack = tiendo__ack__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
	zmq_msg_close(&m);
	if (ack == NULL) {
		fprintf(stderr, "zsend: reply is not an Ack\n");
		return 2;
	}
	printf("status %s\n", enum_name(&tiendo__status__descriptor, ack->status) + 7);
	printf("error %s\n", enum_name(&tiendo__batch_error__descriptor, ack->error));
	printf("batch_id %llu\n", (unsigned long long)ack->batch_id);
	printf("client %s\n", ack->client);
	printf("reason %s\n", ack->reason);
	for (size_t i = 0; i < ack->n_reports; i++) {
		Tiendo__ReportAck *ra = ack->reports[i];
		printf("report %llu %s %s %s\n", (unsigned long long)ra->seq,
		       enum_name(&tiendo__fate__descriptor, ra->fate) + 5,
		       enum_name(&tiendo__reject__descriptor, ra->code) + 7,
		       ra->reason);
	}
	fflush(stdout);
	tiendo__ack__free_unpacked(ack, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "report", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "version", required_argument, NULL, 'v' },
		{ "client", required_argument, NULL, 'c' },
		{ "batch-id", required_argument, NULL, 'b' },
		{ "truncate", required_argument, NULL, 't' },
		{ "garbage", required_argument, NULL, 'g' },
		{ "nul-7f", no_argument, NULL, 'N' },
		{ "pad-note", required_argument, NULL, 'p' },
		{ "pad-to", required_argument, NULL, 'z' },
		{ "voids", required_argument, NULL, 'V' },
		{ "extra-frame", no_argument, NULL, 'x' },
		{ "req", no_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "key", required_argument, NULL, 'K' },
		{ "server-key", required_argument, NULL, 'S' },
		{ "plain", no_argument, NULL, 'P' },
		{ "then-wait", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	Tiendo__Batch batch = TIENDO__BATCH__INIT;
	long truncate = -1, garbage = -1, pad = -1, pad_to = -1, timeout = 5000;
	int req = 0, extra = 0, nul7f = 0, c, rc;
	char *note = NULL, *err = NULL;
	const char *then_wait = NULL;
	const char *key = getenv(KEYS_ENV_KEY);
	const char *server_key = getenv(KEYS_ENV_SERVER_KEY);
	uint8_t *buf;
	size_t len;
	void *ctx, *sock;

	batch.version = 1;
	batch.client = "probe";
	batch.batch_id = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': add_report(optarg); break;
		case 'n':
			if (n_reports == 0) {
				fprintf(stderr, "zsend: --repeat needs a --report\n");
				return 64;
			}
			for (long i = atol(optarg); i > 0; i--) {
				if (n_reports == MAX_REPORTS)
					return 64;
				reports[n_reports] = reports[n_reports - 1];
				reports[n_reports].seq++;
				report_ptrs[n_reports] = &reports[n_reports];
				n_reports++;
			}
			break;
		case 'v': batch.version = (uint32_t)atol(optarg); break;
		case 'c': batch.client = unescape(optarg); break;
		case 'b': batch.batch_id = strtoull(optarg, NULL, 10); break;
		case 't': truncate = atol(optarg); break;
		case 'g': garbage = atol(optarg); break;
		case 'N': nul7f = 1; break;
		case 'p': pad = atol(optarg); break;
		case 'z': pad_to = atol(optarg); break;
		case 'V': {
			char *bar = strchr(optarg, '|');

			if (n_reports == 0 || bar == NULL) {
				fprintf(stderr, "zsend: --voids \"SEQ|REASON\" "
				        "after a --report\n");
				exit(64);
			}
			*bar = '\0';
			reports[n_reports - 1].voids_seq = strtoull(optarg, NULL, 10);
			reports[n_reports - 1].void_reason = unescape(bar + 1);
			break;
		}
		case 'x': extra = 1; break;
		case 'q': req = 1; break;
		case 'T': timeout = atol(optarg); break;
		case 'K': key = optarg; break;
		case 'S': server_key = optarg; break;
		case 'P': key = server_key = NULL; break;
		case 'W': then_wait = optarg; break;
		default: return 64;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: zsend [options] ENDPOINT\n");
		return 64;
	}
	if (pad >= 0 && n_reports > 0) {
		note = malloc(pad + 1);
		memset(note, 'x', pad);
		note[pad] = '\0';
		reports[n_reports - 1].note = note;
	}
	batch.n_reports = n_reports;
	batch.reports = report_ptrs;
	if (pad_to >= 0 && pad_note_to(&batch, (size_t)pad_to, &note) < 0) {
		fprintf(stderr, "zsend: no note length makes the batch %ld "
		        "bytes\n", pad_to);
		return 64;
	}
	if (garbage >= 0) {
		len = garbage;
		buf = malloc(len + 1);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(0xff - i % 7);
	} else {
		len = tiendo__batch__get_packed_size(&batch);
		buf = malloc(len + 1);
		tiendo__batch__pack(&batch, buf);
		if (truncate >= 0 && (size_t)truncate < len)
			len = truncate;
		for (size_t i = 0; nul7f && i < len; i++)
			if (buf[i] == 0x7f)
				buf[i] = 0;
	}

	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, req ? ZMQ_REQ : ZMQ_DEALER);
	int zero = 0, to = (int)timeout;
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &to, sizeof to);
	if (keys_client_setup(sock, key, server_key, batch.client, &err) < 0) {
		fprintf(stderr, "zsend: %s\n", err ? err : "out of memory");
		return 64;
	}
	if (zmq_connect(sock, argv[optind]) < 0) {
		fprintf(stderr, "zsend: connect %s: %s\n", argv[optind],
		        zmq_strerror(errno));
		return 64;
	}
	if (zmq_send(sock, buf, len, extra ? ZMQ_SNDMORE : 0) < 0 ||
	    (extra && zmq_send(sock, "x", 1, 0) < 0)) {
		fprintf(stderr, "zsend: send: %s\n", zmq_strerror(errno));
		return 2;
	}
	rc = print_ack(sock);
	if (rc == 0 && then_wait != NULL) {
		/* The same connection, later: e.g. after its key was revoked. */
		struct stat sb;
		const char *lim = getenv("ZSEND_WAIT_MS");
		long long end = now_ms() + (lim ? atoll(lim) : 30000);

		while (stat(then_wait, &sb) != 0 && now_ms() < end)
			usleep(20000);
		for (size_t i = 0; i < n_reports; i++)
			reports[i].seq += 1000000;
		len = tiendo__batch__get_packed_size(&batch);
		free(buf); /* larger seqs may take more bytes */
		if ((buf = malloc(len + 1)) == NULL)
			return 2;
		tiendo__batch__pack(&batch, buf);
		printf("again\n");
		fflush(stdout);
		rc = zmq_send(sock, buf, len, 0) < 0 ? 2 : print_ack(sock);
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	free(buf);
	free(note);
	return rc;
}
