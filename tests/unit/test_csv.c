/*
 * test_csv.c - the RFC 4180 reader: quoting, line ends, line numbers,
 * bounds, UTF-8, and recovery after a bad record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

#define MAXREC 16

/* What the callbacks saw: records flattened as "line:f1|f2|f3". */
struct seen {
	char recs[MAXREC][512];
	size_t nrec;
	size_t err_line[MAXREC];
	const char *err_msg[MAXREC];
	size_t nerr;
	size_t stop_after; /* stop after this many records (0 = never) */
};

static int
on_record(void *arg, const struct csv_record *rec)
{
	struct seen *s = arg;
	char *p;
	size_t left;
	int n;

	assert_true(s->nrec < MAXREC);
	p = s->recs[s->nrec];
	left = sizeof(s->recs[0]);
	n = snprintf(p, left, "%zu:", rec->line);
	for (size_t i = 0; i < rec->n; i++) {
		assert_int_equal(strlen(rec->fields[i]), rec->lens[i]);
		p += n;
		left -= (size_t)n;
		n = snprintf(p, left, "%s%s", i ? "|" : "", rec->fields[i]);
	}
	s->nrec++;
	return s->stop_after && s->nrec == s->stop_after ? 42 : 0;
}

static void
on_error(void *arg, size_t line, const char *msg)
{
	struct seen *s = arg;

	assert_true(s->nerr < MAXREC);
	s->err_line[s->nerr] = line;
	s->err_msg[s->nerr] = msg;
	s->nerr++;
}

static int
parse(const char *text, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return csv_parse(text, strlen(text), on_record, on_error, s);
}

static void
test_plain_lf_and_crlf(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("a,b,c\n1,2,3\n", &s), 0);
	assert_int_equal(s.nrec, 2);
	assert_string_equal(s.recs[0], "1:a|b|c");
	assert_string_equal(s.recs[1], "2:1|2|3");

	assert_int_equal(parse("a,b\r\n1,2\r\n3,4", &s), 0);
	assert_int_equal(s.nrec, 3);
	assert_string_equal(s.recs[1], "2:1|2");
	assert_string_equal(s.recs[2], "3:3|4"); /* no final line end */
	assert_int_equal(s.nerr, 0);
}

static void
test_quoting(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", &s), 0);
	assert_int_equal(s.nrec, 1);
	assert_string_equal(s.recs[0], "1:a,b|say \"hi\"|");
	/* empty fields, leading and trailing */
	assert_int_equal(parse(",x,\n", &s), 0);
	assert_string_equal(s.recs[0], "1:|x|");
}

static void
test_embedded_newlines_count_lines(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("h1,h2\n\"two\nlines\",x\n\"three\r\nlong\n"
	    "lines\",y\nlast,z\n", &s), 0);
	assert_int_equal(s.nrec, 4);
	assert_string_equal(s.recs[1], "2:two\nlines|x");
	assert_string_equal(s.recs[2], "4:three\r\nlong\nlines|y");
	assert_string_equal(s.recs[3], "7:last|z");
}

static void
test_blank_lines_and_bom_skipped(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("\xef\xbb\xbfunit,task\n\nx,y\r\n\r\n", &s), 0);
	assert_int_equal(s.nrec, 2);
	assert_string_equal(s.recs[0], "1:unit|task");
	assert_string_equal(s.recs[1], "3:x|y");
	/* a quoted empty field is a record, not a blank line */
	assert_int_equal(parse("\"\"\n", &s), 0);
	assert_int_equal(s.nrec, 1);
	assert_string_equal(s.recs[0], "1:");
	/* nothing at all */
	assert_int_equal(parse("", &s), 0);
	assert_int_equal(s.nrec, 0);
}

static void
test_bad_quotes_recover(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("a,b\nx\"y,1\n\"p\"q,2\nok,3\n", &s), -1);
	assert_int_equal(s.nerr, 2);
	assert_int_equal(s.err_line[0], 2);
	assert_string_equal(s.err_msg[0], "quote inside an unquoted field");
	assert_int_equal(s.err_line[1], 3);
	assert_string_equal(s.err_msg[1], "text after a closing quote");
	assert_int_equal(s.nrec, 2);
	assert_string_equal(s.recs[1], "4:ok|3");
}

static void
test_unterminated_quote(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("a,b\n1,2\n\"open,3\n4,5\n", &s), -1);
	assert_int_equal(s.nrec, 2);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(s.err_line[0], 3);
	assert_string_equal(s.err_msg[0], "quoted field never closed");
}

static void
test_field_too_long(void **state)
{
	size_t n = CSV_FIELD_MAX + 1;
	char *text = malloc(n + 64);
	struct seen s;

	(void)state;
	assert_non_null(text);
	/* exactly the limit is fine */
	strcpy(text, "h\n");
	memset(text + 2, 'x', CSV_FIELD_MAX);
	strcpy(text + 2 + CSV_FIELD_MAX, "\nnext\n");
	assert_int_equal(parse(text, &s), 0);
	assert_int_equal(s.nrec, 3);
	/* one byte more is an error on its line; the next record is read */
	strcpy(text, "h\n\"");
	memset(text + 3, 'x', n);
	strcpy(text + 3 + n, "\"\nnext\n");
	assert_int_equal(parse(text, &s), -1);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(s.err_line[0], 2);
	assert_string_equal(s.err_msg[0], "field longer than 4096 bytes");
	assert_int_equal(s.nrec, 2);
	assert_string_equal(s.recs[1], "3:next");
	free(text);
}

static void
test_too_many_fields(void **state)
{
	char text[512];
	struct seen s;
	size_t k = 0;

	(void)state;
	for (int i = 0; i < CSV_FIELDS_MAX; i++)
		text[k++] = ',';
	strcpy(text + k, "\nok\n");
	assert_int_equal(parse(text, &s), -1);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(s.err_line[0], 1);
	assert_string_equal(s.err_msg[0], "more than 64 fields");
	assert_int_equal(s.nrec, 1);
	assert_string_equal(s.recs[0], "2:ok");

	/* exactly CSV_FIELDS_MAX fields is fine */
	text[CSV_FIELDS_MAX - 1] = '\n';
	text[CSV_FIELDS_MAX] = '\0';
	assert_int_equal(parse(text, &s), 0);
	assert_int_equal(s.nrec, 1);
}

static void
test_bad_utf8(void **state)
{
	struct seen s;

	(void)state;
	/* Vietnamese is fine, precomposed or not */
	assert_int_equal(parse("Hoàng Đan,Thị trấn Hợp Hòa\n", &s), 0);
	assert_int_equal(s.nrec, 1);
	assert_string_equal(s.recs[0], "1:Hoàng Đan|Thị trấn Hợp Hòa");

	assert_int_equal(parse("a\nb\n\"c\nd\xff\"\ne\n", &s), -1);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(s.err_line[0], 3);
	assert_string_equal(s.err_msg[0], "invalid UTF-8 (or a NUL byte)");
	assert_int_equal(s.nrec, 3);
	assert_string_equal(s.recs[2], "5:e");
	/* overlong encoding of '/' and a surrogate */
	assert_int_equal(parse("\xc0\xaf\n\xed\xa0\x80\n", &s), -1);
	assert_int_equal(s.nerr, 2);
	assert_int_equal(s.err_line[1], 2);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "a,b\nx\0y,z\nok,1\n";
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(csv_parse(text, sizeof(text) - 1, on_record, on_error,
	    &s), -1);
	assert_int_equal(s.nerr, 1);
	assert_int_equal(s.err_line[0], 2);
	assert_int_equal(s.nrec, 2);
}

static void
test_callback_stops(void **state)
{
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(csv_parse("a\nb\nc\n", 6, on_record, on_error, &s),
	    42);
	assert_int_equal(s.nrec, 2);
}

static void
test_bare_cr(void **state)
{
	struct seen s;

	(void)state;
	assert_int_equal(parse("a,b\r1,2\r", &s), 0);
	assert_int_equal(s.nrec, 2);
	assert_string_equal(s.recs[1], "2:1|2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_lf_and_crlf),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_embedded_newlines_count_lines),
		cmocka_unit_test(test_blank_lines_and_bom_skipped),
		cmocka_unit_test(test_bad_quotes_recover),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_field_too_long),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_bare_cr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
