/*
 * chosen.h - shared by the LD_PRELOAD shims (eio.c, slowsync.c): is this
 * descriptor open on one of the chosen files, while the flag file exists?
 *
 *   FILES_ENV names the files, exact paths separated by ':';
 *   FLAG_ENV names the flag file: nothing is chosen while it is absent.
 */
#ifndef TIENDO_SHIM_CHOSEN_H
#define TIENDO_SHIM_CHOSEN_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
chosen_fd(int fd, const char *files_env, const char *flag_env)
{
	const char *files = getenv(files_env);
	const char *flag = getenv(flag_env);
	char link[64], path[PATH_MAX];
	size_t len;
	ssize_t n;

	if (files == NULL || flag == NULL || access(flag, F_OK) != 0)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) < 0)
		return 0;
	path[n] = '\0';
	len = (size_t)n;
	for (const char *p = files; *p; ) {
		const char *end = strchr(p, ':');
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l == len && memcmp(p, path, l) == 0)
			return 1;
		p += l + (end != NULL);
	}
	return 0;
}

#endif
