/*
 * rankview.h - the ranking (thi đua) as an account sees it, one function
 * for /v1/ranking and both ranking exports.
 *
 * A unit's score mixes all its targets, so a unit outside the account's
 * subtree cannot show its whole-plan score (that would tell of tasks the
 * account may not see, scope.h).  So:
 *   - the units of the subtree: as the whole plan ranks them;
 *   - with tasks the account owns: every other unit that executes them,
 *     scored and ranked within its kind on those tasks alone.
 * Without a scope (NULL), the whole plan's ranking.
 */
#ifndef TIENDO_RANKVIEW_H
#define TIENDO_RANKVIEW_H

#include <stddef.h>

#include "board.h"
#include "ranking.h"
#include "scope.h"

/* The rows (malloc'd) sorted by kind, then rank, then unit code; their
 * count in *n.  NULL when out of memory. */
struct ranking_row *rankview(const struct board *b, when_t now,
                             const struct scope *s, size_t *n);

#endif
