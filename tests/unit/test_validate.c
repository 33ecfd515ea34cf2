/*
 * test_validate.c - the ingest gate, without sockets: every reject code,
 * the order of the checks, and the reasons that name field and value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

#define NOW ((when_t)1614556800000) /* 2021-03-01T00:00:00Z */

static const char plan_text[] =
	"[unit huyen]\nname = Huyện\nkind = district\n"
	"[unit xa-a]\nname = Xã A\nkind = commune\nparent = huyen\n"
	"[unit xa-b]\nname = Xã B\nkind = commune\nparent = huyen\n"
	"[task cay]\ntitle = Trồng cây\nmeasure = cây\n"
	"start = 2021-02-17\ndeadline = 2021-04-30\n"
	"[targets cay]\nxa-a = 100\n";

static struct plan *plan;

static int
setup(void **state)
{
	struct plan_errors errs = { 0 };

	plan = plan_parse(plan_text, sizeof plan_text - 1, "t.ini", &errs);
	plan_errors_clear(&errs);
	return plan == NULL;
}

static int
teardown(void **state)
{
	plan_free(plan);
	return 0;
}

static Tiendo__Report
good(void)
{
	Tiendo__Report r = TIENDO__REPORT__INIT;

	r.seq = 7;
	r.unit = "xa-a";
	r.task = "cay";
	r.value = "12.5";
	r.kind = TIENDO__KIND__KIND_ADD;
	r.observed_at = NOW - 1000;
	r.reporter = "";
	r.note = "";
	return r;
}

static Tiendo__Reject
check(const Tiendo__Report *r, char *reason, struct valid_report *v)
{
	return validate_report(plan, r, "xa-a", NOW, 10 * WHEN_MINUTE, v,
	                       reason, REASON_MAX);
}

static void
test_accepts_and_fills(void **state)
{
	Tiendo__Report r = good();
	struct valid_report v;
	char reason[REASON_MAX] = "";

	assert_int_equal(check(&r, reason, &v), TIENDO__REJECT__REJECT_NONE);
	assert_int_equal(v.target, plan_target_find(plan, 0, 1));
	assert_int_equal(v.tally.value, 12500);
	assert_int_equal(v.tally.kind, REPORT_ADD);
	assert_int_equal(v.tally.seq, 7);
	assert_int_equal(v.tally.observed_at, NOW - 1000);
	assert_true(v.tally.client_hash == tally_client_hash("xa-a"));
	r.observed_at = NOW + 10 * WHEN_MINUTE; /* the skew allowed, exactly */
	r.kind = TIENDO__KIND__KIND_SET;
	assert_int_equal(check(&r, reason, &v), TIENDO__REJECT__REJECT_NONE);
	assert_int_equal(v.tally.kind, REPORT_SET);
}

struct bad_case {
	const char *what;
	void (*mutate)(Tiendo__Report *r);
	Tiendo__Reject code;
	const char *in_reason;
};

static char long_note[LIMIT_NOTE + 2];
static void m_seq(Tiendo__Report *r) { r->seq = 0; }
static void m_unit(Tiendo__Report *r) { r->unit = "xa-z"; }
static void m_task(Tiendo__Report *r) { r->task = "lua"; }
static void m_target(Tiendo__Report *r) { r->unit = "xa-b"; }
static void m_district(Tiendo__Report *r) { r->unit = "huyen"; }
static void m_kind(Tiendo__Report *r) { r->kind = 9; }
static void m_nan(Tiendo__Report *r) { r->value = "nan"; }
static void m_decimals(Tiendo__Report *r) { r->value = "1.2345"; }
static void m_huge(Tiendo__Report *r) { r->value = "10000000000000"; }
static void m_negset(Tiendo__Report *r) { r->kind = TIENDO__KIND__KIND_SET; r->value = "-1"; }
static void m_time0(Tiendo__Report *r) { r->observed_at = 0; }
static void m_old(Tiendo__Report *r) { r->observed_at = 900000000000; }
static void m_future(Tiendo__Report *r) { r->observed_at = NOW + 10 * WHEN_MINUTE + 1; }
static void m_note(Tiendo__Report *r) { r->note = long_note; }
static void m_utf8(Tiendo__Report *r) { r->reporter = "L\xe1n"; }
static void m_surrogate(Tiendo__Report *r) { r->note = "\xed\xa0\x80"; }
/* Two faults: the earlier check names the more basic one. */
static void m_two(Tiendo__Report *r) { r->unit = "xa-z"; r->value = "nan"; }
static void m_two_b(Tiendo__Report *r) { r->note = "\xff"; r->task = "lua"; }

static const struct bad_case bad[] = {
	{ "seq 0", m_seq, TIENDO__REJECT__REJECT_BAD_SEQ, "seq" },
	{ "unknown unit", m_unit, TIENDO__REJECT__REJECT_UNKNOWN_UNIT, "unit \"xa-z\"" },
	{ "unknown task", m_task, TIENDO__REJECT__REJECT_UNKNOWN_TASK, "task \"lua\"" },
	{ "no target", m_target, TIENDO__REJECT__REJECT_NO_TARGET, "no target" },
	{ "roll-up unit", m_district, TIENDO__REJECT__REJECT_NO_TARGET, "huyen" },
	{ "kind", m_kind, TIENDO__REJECT__REJECT_BAD_KIND, "kind 9" },
	{ "nan", m_nan, TIENDO__REJECT__REJECT_BAD_VALUE, "\"nan\"" },
	{ "4 decimals", m_decimals, TIENDO__REJECT__REJECT_BAD_VALUE, "decimals" },
	{ "huge", m_huge, TIENDO__REJECT__REJECT_BAD_VALUE, "range" },
	{ "negative set", m_negset, TIENDO__REJECT__REJECT_BAD_VALUE, "negative" },
	{ "no time", m_time0, TIENDO__REJECT__REJECT_BAD_TIME, "missing" },
	{ "1998", m_old, TIENDO__REJECT__REJECT_BAD_TIME, "before 2000" },
	{ "future", m_future, TIENDO__REJECT__REJECT_FUTURE, "ahead" },
	{ "long note", m_note, TIENDO__REJECT__REJECT_TOO_LONG, "note is 1001 bytes" },
	{ "bad utf-8", m_utf8, TIENDO__REJECT__REJECT_BAD_UTF8, "reporter" },
	{ "surrogate", m_surrogate, TIENDO__REJECT__REJECT_BAD_UTF8, "note" },
	{ "unit before value", m_two, TIENDO__REJECT__REJECT_UNKNOWN_UNIT, "xa-z" },
	{ "encoding before plan", m_two_b, TIENDO__REJECT__REJECT_BAD_UTF8, "note" },
};

static void
test_rejects(void **state)
{
	memset(long_note, 'x', LIMIT_NOTE + 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		Tiendo__Report r = good();
		struct valid_report v;
		char reason[REASON_MAX] = "";

		bad[i].mutate(&r);
		if (check(&r, reason, &v) != bad[i].code ||
		    strstr(reason, bad[i].in_reason) == NULL)
			fail_msg("%s: got code %d, reason \"%s\"", bad[i].what,
			         (int)check(&r, reason, &v), reason);
	}
}

static void
test_batch(void **state)
{
	Tiendo__Report r = good(), *rs[LIMIT_BATCH_REPORTS + 1];
	Tiendo__Batch b = TIENDO__BATCH__INIT;
	char reason[REASON_MAX];

	for (size_t i = 0; i <= LIMIT_BATCH_REPORTS; i++)
		rs[i] = &r;
	b.version = 1;
	b.client = "xa-a";
	b.reports = rs;
	b.n_reports = 1;
	assert_int_equal(validate_batch(&b, reason, sizeof reason),
	                 TIENDO__BATCH_ERROR__BATCH_NONE);
	b.n_reports = LIMIT_BATCH_REPORTS + 1;
	assert_int_equal(validate_batch(&b, reason, sizeof reason),
	                 TIENDO__BATCH_ERROR__BATCH_TOO_MANY);
	b.n_reports = 0;
	assert_int_equal(validate_batch(&b, reason, sizeof reason),
	                 TIENDO__BATCH_ERROR__BATCH_EMPTY);
	b.n_reports = 1;
	b.version = 2;
	assert_int_equal(validate_batch(&b, reason, sizeof reason),
	                 TIENDO__BATCH_ERROR__BATCH_VERSION);
	b.version = 1;
	b.client = "";
	assert_int_equal(validate_batch(&b, reason, sizeof reason),
	                 TIENDO__BATCH_ERROR__BATCH_BAD_CLIENT);
	assert_true(validate_client("hoang-dan.pc_2"));
	assert_false(validate_client("hoàng-đan"));
	assert_false(validate_client("a b"));
	assert_false(validate_client("0123456789012345678901234567890123456789"
	                             "0123456789012345678901234"));
	assert_string_equal(validate_reject_name(TIENDO__REJECT__REJECT_NO_TARGET),
	                    "no_target");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_and_fills),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_batch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
