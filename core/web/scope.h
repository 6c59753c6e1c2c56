/* scope.h: what the home page shows of one organisation's subtree in a term, read in a few
 * queries and returned as JSON, so a page and the API can share it. Read-only. */
#ifndef CV_WEB_SCOPE_H
#define CV_WEB_SCOPE_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

#define CV_SCOPE_LIST_MAX 50 /* rows per list on a page; counts stay whole */

/* The home page's data for org's subtree in term (NULL: current):
 * {"status": cv_status_report's report of org, "term", "today",
 *  "children": [{code, name, level, status, total, held}] in Vietnamese order of name,
 *  "soon": [{code, name, planned_start, planned_end, status}] not held, starting (actual
 *          start, else planned) in the next 14 days, by that date,
 *  "rounds": [{id, document, org, deadline, answered, total}] still open,
 *  "complaints": [{id, org, congress_start, person, summary, deadline}] open about candidates
 *                of congresses not yet held,
 *  "scenario": {code, name} or null, "burnup": {total, held: [[date, cumulative]...],
 *  windows: [{level, opens, closes}]}}. The caller owns *out. */
int cv_web_scope(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e);

#endif
