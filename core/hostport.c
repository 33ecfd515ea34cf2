/*
 * hostport.c - see hostport.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

int
hostport_split(const char *addr, char *host, size_t n, int *port)
{
	const char *colon = strrchr(addr, ':');
	const char *h = addr;
	size_t len;
	char *end;
	long p;

	if (colon == NULL)
		return -1;
	len = (size_t)(colon - addr);
	if (addr[0] == '[') {
		if (len < 2 || addr[len - 1] != ']')
			return -1;
		h = addr + 1;
		len -= 2;
	}
	if (len == 0 || len >= n)
		return -1;
	memcpy(host, h, len);
	host[len] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}
