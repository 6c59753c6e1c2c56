/* inspection.h: inspection visits from the level above (đoàn kiểm tra): who led them, which
 * organisation was visited (and by which), the findings, and the requests made, each with a
 * deadline; a request becomes a work item of the visited organisation's congress. */
#ifndef CV_INSPECTION_H
#define CV_INSPECTION_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

#define CV_INSPECTION_GROUP "Kiến nghị của đoàn kiểm tra" /* the work items' group */

typedef struct cv_inspection_spec {
    const char *org;      /* the organisation visited */
    const char *by;       /* the organisation that inspected (optional) */
    const char *led_by;   /* who led the visit */
    const char *on;       /* date of the visit (not in the future) */
    const char *findings; /* optional */
} cv_inspection_spec;

/* Records a visit (inspection.recorded). */
int cv_inspection_add(cv_store *s, const cv_inspection_spec *spec, int64_t *id, cv_err *e);

/* Records a request of visit id due on due, made a work item of the visited organisation's
 * congress in the current term, responsible unit unit (NULL: the organisation's name)
 * (inspection.request_added, work_item.added). *work receives the item's id. */
int cv_inspection_request(cv_store *s, int64_t id, const char *text, const char *due,
                          const char *unit, int64_t *work, cv_err *e);

/* Visits to org's subtree (NULL: all) with their requests and the state of their work items. */
int cv_inspection_list(cv_store *s, const char *org, json_t **out, cv_err *e);

#endif
