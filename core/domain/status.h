/* status.h: the progress of a subtree in a term, as a party office reports it: "42 of 72
 * directly subordinate organisations have held their congress", counts per level, congresses
 * late against their level's window, and overdue work items. Read-only. */
#ifndef CV_STATUS_H
#define CV_STATUS_H

#include <jansson.h>

#include "store/store.h"

/* How many late congresses and overdue items a report lists: a first page, the dashboard's
 * (each listed one costs about ten rows read where late ones are one in ten); the counts are
 * always whole. */
#define CV_STATUS_LIST_MAX 50

/* Builds the report of org's subtree (org NULL: one report per root) in term (NULL: current)
 * into *out: {"today", "term", "reports": [...]}. The caller owns *out. */
int cv_status_report(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e);

#endif
