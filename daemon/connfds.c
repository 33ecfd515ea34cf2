/*
 * connfds.c - see connfds.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "connfds.h"

struct connfds {
	int *fd;
	size_t n, cap;
	int port; /* the listener's; 0: not TCP */
};

struct connfds *
connfds_new(const char *endpoint)
{
	struct connfds *cf = calloc(1, sizeof *cf);
	const char *colon = strrchr(endpoint, ':');

	if (cf == NULL)
		return NULL;
	if (strncmp(endpoint, "tcp://", 6) == 0 && colon)
		cf->port = atoi(colon + 1);
	return cf;
}

void
connfds_free(struct connfds *cf)
{
	if (cf == NULL)
		return;
	free(cf->fd);
	free(cf);
}

void
connfds_event(struct connfds *cf, int accepted, int fd)
{
	for (size_t i = 0; i < cf->n; i++)
		if (cf->fd[i] == fd) {
			/* Gone, or an accept we missed the end of: the
			 * number is the new connection's now. */
			if (!accepted)
				cf->fd[i] = cf->fd[--cf->n];
			return;
		}
	if (!accepted)
		return;
	if (cf->n == cf->cap) {
		size_t cap = cf->cap ? 2 * cf->cap : 64;
		int *p = realloc(cf->fd, cap * sizeof *p);
		if (p == NULL)
			return; /* not cuttable, but served as before */
		cf->fd = p;
		cf->cap = cap;
	}
	cf->fd[cf->n++] = fd;
}

/* 1 when fd is still a TCP socket on our listener's port. */
static int
connfds_ours(const struct connfds *cf, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int port;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return 0;
	return port == cf->port;
}

size_t
connfds_cut_all(struct connfds *cf)
{
	size_t cut = 0;

	if (cf->port == 0)
		return 0;
	for (size_t i = 0; i < cf->n; i++)
		if (connfds_ours(cf, cf->fd[i]) &&
		    shutdown(cf->fd[i], SHUT_RDWR) == 0)
			cut++;
	/* Their DISCONNECTED events empty the list. */
	return cut;
}

size_t
connfds_count(const struct connfds *cf)
{
	return cf->n;
}
