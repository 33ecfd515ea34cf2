/*
 * hostport.h - "host:port" as the `http` setting writes it, split.  Pure
 * string work, shared by the daemon (its listener, the standby's) and
 * tiendo-ctl (which reads the same setting to find the daemon).
 */
#ifndef TIENDO_HOSTPORT_H
#define TIENDO_HOSTPORT_H

#include <stddef.h>

/* "host:port" or "[v6]:port" into host (n bytes, the brackets dropped)
 * and port (0-65535).  0, or -1 when it is not that or the host does not
 * fit. */
int hostport_split(const char *addr, char *host, size_t n, int *port);

#endif
