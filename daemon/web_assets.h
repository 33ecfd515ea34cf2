/*
 * web_assets.h - the dashboard's files as compiled into tiendod by
 * scripts/embed-web.sh (the generated $(B)/web/assets.c).
 */
#ifndef TIENDO_WEB_ASSETS_H
#define TIENDO_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path;           /* "/", "/app.js" */
	const char *type;           /* Content-Type */
	const unsigned char *data;
	size_t len;
	const unsigned char *gz;    /* the same, gzip -9 -n */
	size_t gz_len;
};

/* Ended by a NULL path. */
extern const struct web_asset web_assets[];

#endif
