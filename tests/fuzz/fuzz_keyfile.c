/*
 * fuzz_keyfile - key files (keyfile.h): an authorised-keys file parses to
 * one valid Z85 key and a units list, or to an error with a line number.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keyfile.h"

static int
on_unit(void *arg, const char *code, size_t len)
{
	if (len == 0 || memchr(code, ',', len) != NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyfile kf;
	const char *why;

	if (keyfile_parse((const char *)data, size, &kf, &why) == 0) {
		if (!keyfile_z85_valid(kf.key, strlen(kf.key)))
			abort();
		if (kf.units)
			keyfile_units_each(kf.units, on_unit, NULL);
		keyfile_clear(&kf);
	} else if (why == NULL) {
		abort();
	}
	return 0;
}
