/*
 * test_nulcheck.c - NUL bytes in an encoded Batch's text fields: found in
 * the report and field they are in, at their offset, in minimal and
 * non-minimal encodings alike, in every occurrence of a field written
 * twice; and bytes that do not walk are -1, never a silent 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nulcheck.h"

#define N 3

static uint8_t buf[4096];
static size_t len;

/* A batch of N reports, encoded into buf (len bytes). */
static void
encode(void)
{
	Tiendo__Batch b = TIENDO__BATCH__INIT;
	Tiendo__Report r[N], *rp[N];

	b.version = 1;
	b.client = "xa-a";
	b.batch_id = 7;
	for (size_t i = 0; i < N; i++) {
		tiendo__report__init(&r[i]);
		r[i].seq = i + 1;
		r[i].unit = "xa-a";
		r[i].task = "cay";
		r[i].value = "5";
		r[i].kind = TIENDO__KIND__KIND_ADD;
		r[i].observed_at = 1614560400000LL;
		r[i].note = "dot 1";
		rp[i] = &r[i];
	}
	b.n_reports = N;
	b.reports = rp;
	len = tiendo__batch__get_packed_size(&b);
	assert_true(len + 16 <= sizeof buf);
	tiendo__batch__pack(&b, buf);
}

/* The n-th (0-based) occurrence of s in buf. */
static uint8_t *
nth(const char *s, int n)
{
	uint8_t *p = buf;

	for (;;) {
		p = memmem(p, len - (size_t)(p - buf), s, strlen(s));
		assert_non_null(p);
		if (n-- == 0)
			return p;
		p++;
	}
}

/* nulcheck_batch on buf[0..n), decoded by protobuf-c first. */
static int
check(size_t n, struct nulcheck_hit *bh, struct nulcheck_hit *hits)
{
	Tiendo__Batch *b = tiendo__batch__unpack(NULL, n, buf);
	int rc;

	assert_non_null(b);
	assert_int_equal(b->n_reports, N);
	rc = nulcheck_batch(b, buf, n, bh, hits);
	tiendo__batch__free_unpacked(b, NULL);
	return rc;
}

static void
test_clean(void **state)
{
	struct nulcheck_hit bh, hits[N];

	(void)state;
	encode();
	assert_int_equal(check(len, &bh, hits), 0);
	assert_null(bh.field);
	for (int i = 0; i < N; i++)
		assert_int_equal(hits[i].report, -1);
	/* Non-minimal: version written twice (the last wins). */
	buf[len] = 0x08;
	buf[len + 1] = 0x01;
	assert_int_equal(check(len + 2, &bh, hits), 0);
}

static void
test_report_field(void **state)
{
	struct nulcheck_hit bh, hits[N];

	(void)state;
	encode();
	nth("dot 1", 1)[3] = '\0';        /* report 1's note: "dot\0001" */
	assert_int_equal(check(len, &bh, hits), 1);
	assert_null(bh.field);
	assert_int_equal(hits[0].report, -1);
	assert_int_equal(hits[1].report, 1);
	assert_string_equal(hits[1].field, "note");
	assert_int_equal(hits[1].offset, 3);
	assert_int_equal(hits[2].report, -1);
	/* And with a non-minimal tail: still found. */
	buf[len] = 0x08;
	buf[len + 1] = 0x01;
	assert_int_equal(check(len + 2, &bh, hits), 1);
	assert_string_equal(hits[1].field, "note");
}

static void
test_first_in_report(void **state)
{
	struct nulcheck_hit bh, hits[N];

	(void)state;
	encode();
	/* Report 2: unit (field 2) and note (field 8): unit comes first. */
	nth("xa-a", 3)[0] = '\0';         /* 0: client, 1..3: units */
	nth("dot 1", 2)[0] = '\0';
	assert_int_equal(check(len, &bh, hits), 1);
	assert_int_equal(hits[2].report, 2);
	assert_string_equal(hits[2].field, "unit");
	assert_int_equal(hits[2].offset, 0);
}

static void
test_batch_client(void **state)
{
	struct nulcheck_hit bh, hits[N];

	(void)state;
	encode();
	nth("xa-a", 0)[2] = '\0';
	assert_int_equal(check(len, &bh, hits), 1);
	assert_int_equal(bh.report, -1);
	assert_string_equal(bh.field, "client");
	assert_int_equal(bh.offset, 2);
	for (int i = 0; i < N; i++)
		assert_int_equal(hits[i].report, -1);
}

/* A string written twice: the decoded batch keeps the last, clean one,
 * but the first held a NUL: refused all the same. */
static void
test_overridden_occurrence(void **state)
{
	static const uint8_t client[] = { 0x12, 0x03, 'a', 0, 'b' };
	struct nulcheck_hit bh, hits[N];

	(void)state;
	encode();
	memmove(buf + sizeof client, buf, len);
	memcpy(buf, client, sizeof client);
	len += sizeof client;
	assert_int_equal(check(len, &bh, hits), 1);
	assert_string_equal(bh.field, "client");
	assert_int_equal(bh.offset, 1);
}

/* Bytes cut short do not walk: -1, not "no NUL". */
static void
test_does_not_walk(void **state)
{
	Tiendo__Batch *b;
	struct nulcheck_hit bh, hits[N];

	(void)state;
	encode();
	b = tiendo__batch__unpack(NULL, len, buf);
	assert_non_null(b);
	assert_int_equal(nulcheck_batch(b, buf, len - 1, &bh, hits), -1);
	tiendo__batch__free_unpacked(b, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_report_field),
		cmocka_unit_test(test_first_in_report),
		cmocka_unit_test(test_batch_client),
		cmocka_unit_test(test_overridden_occurrence),
		cmocka_unit_test(test_does_not_walk),
	};

	return cmocka_run_group_tests_name("nulcheck", tests, NULL, NULL);
}
