/* rollup.h: the check of the roll-ups (store migrations 14 and 15): every organisation's counts
 * of its subtree, its open work items by due date and its congresses held by day, recomputed from
 * scratch and compared with what the triggers kept. Read-only. */
#ifndef CV_ROLLUP_H
#define CV_ROLLUP_H

#include <jansson.h>

#include "store/store.h"

/* How many differences a check lists (the count is always whole). */
#define CV_ROLLUP_DIFF_MAX 100

/* Recomputes the roll-ups of org's subtree (org included; NULL: every organisation) and the
 * paths they rest on, into *out: {"org", "checked", "differences": N, "first": [...]}. Each
 * difference names the organisation, the term, the level (or due date, or held day), the count
 * and both values. Returns 0 when the check ran, whatever it found; the caller owns *out. */
int cv_rollup_check(cv_store *s, const char *org, json_t **out, cv_err *e);

#endif
