/*
 * push.c - tiendo-push's warnings, for all its rooms.
 */
#include <stdarg.h>
#include <stdio.h>

#include "push.h"

static const char *progname = "tiendo-push";

void
push_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
