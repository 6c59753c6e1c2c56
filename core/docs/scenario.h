/* scenario.h: the scenarios every plan is made in (COVID-19 spreading widely, no epidemic). A
 * plan or work item may belong to a scenario of its congress; the congress has at most one active
 * scenario, and a work item belonging to another is out of force (work lists and status counts
 * leave it out). A switch is journaled (scenario.switched) and announced through the outbox. */
#ifndef CV_SCENARIO_H
#define CV_SCENARIO_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

int cv_scenario_add(cv_store *s, const char *org, const char *term, const char *code,
                    const char *name, cv_err *e);

/* Makes code the active scenario of org's congress. notify (NULL: none) is an extra address to
 * announce it to: an e-mail address (smtp) or an http(s) URL (webhook); the log channel always
 * hears of it. */
int cv_scenario_use(cv_store *s, const char *org, const char *term, const char *code,
                    const char *notify, cv_err *e);

/* Puts work item work (if > 0) and/or plan plan_ref (if not NULL) in scenario code
 * (scenario.assigned). */
int cv_scenario_assign(cv_store *s, const char *org, const char *term, const char *code,
                       int64_t work, const char *plan_ref, cv_err *e);

/* The id of scenario code of congress congress_id. */
int cv_scenario_id(cv_store *s, int64_t congress_id, const char *code, int64_t *id, cv_err *e);

/* The scenarios of org's congress, the active one, and what each holds. */
int cv_scenario_show(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e);

#endif
