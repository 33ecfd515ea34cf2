/*
 * accounts.h - the dashboard's accounts (core/accountfile.h), read from
 * their file and read again whenever it changes (tiendo-ctl user writes
 * it): no restart, no reload needed to add or remove someone.
 */
#ifndef TIENDO_ACCOUNTS_H
#define TIENDO_ACCOUNTS_H

#include <stddef.h>

#include "accountfile.h"

struct accounts;

/* The file need not exist yet (then there are no accounts).  NULL on
 * out of memory. */
struct accounts *accounts_new(const char *path);
void accounts_free(struct accounts *a);

/* Re-reads the file if it changed; then how many accounts there are.  A
 * file that cannot be read or parsed keeps the accounts read before, and
 * the error is logged once per change; when that leaves none, nobody may
 * log in (the gate fails closed). */
size_t accounts_count(struct accounts *a);

/* The account, or NULL: wrong name, wrong password, or no password. */
const struct account *accounts_password(struct accounts *a, const char *name,
                                        const char *password);
/* The account whose token this is, or NULL. */
const struct account *accounts_token(struct accounts *a, const char *token);
const struct account *accounts_find(struct accounts *a, const char *name);

#endif
