/*
 * fuzz_csv - the CSV reader tiendo-push feeds any file to: every record it
 * hands out has bounded, NUL-terminated fields of the stated lengths.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fuzz.h"

static int
on_record(void *arg, const struct csv_record *rec)
{
	size_t *n = arg;

	if (rec->n < 1 || rec->n > CSV_FIELDS_MAX || rec->line < 1)
		abort();
	for (size_t i = 0; i < rec->n; i++)
		if (rec->lens[i] > CSV_FIELD_MAX ||
		    strlen(rec->fields[i]) != rec->lens[i])
			abort();
	(*n)++;
	return 0;
}

static void
on_error(void *arg, size_t line, const char *msg)
{
	if (line < 1 || msg == NULL || *msg == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;

	csv_parse((const char *)data, size, on_record, on_error, &n);
	return 0;
}
