/* work.h: subcommittees (tiểu ban) and the work items of preparing a congress: group,
 * subcommittee, responsible unit and person, due date, budget (VND), open or done. */
#ifndef CV_WORK_H
#define CV_WORK_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

typedef struct cv_work_item {
    int64_t id, congress_id, org_id;
    char org_code[CV_CODE_MAX];
    char group[CV_NAME_MAX];
    char subcommittee[CV_CODE_MAX]; /* "" when none */
    char title[CV_NAME_MAX];
    char unit[CV_NAME_MAX], person[CV_NAME_MAX];
    char due[11]; /* "" when none */
    int64_t budget;
    char status[8]; /* open | done */
    char done_on[11];
} cv_work_item;

/* A new item: org and term (NULL: current) select the congress. */
typedef struct cv_work_spec {
    const char *org, *term, *group, *subcommittee, *title, *unit, *person, *due;
    int64_t budget;
} cv_work_spec;

/* Which items cv_work_list visits; NULL/0 fields do not filter. */
typedef struct cv_work_filter {
    const char *org; /* the organisation's whole subtree */
    const char *term, *group, *subcommittee;
    int overdue;   /* open and due before today */
    int open_only; /* open */
    int own_only;  /* the organisation's own items, not its subtree's */
} cv_work_filter;

int cv_subcommittee_add(cv_store *s, const char *org, const char *term, const char *code,
                        const char *name, cv_err *e);

int cv_work_add(cv_store *s, const cv_work_spec *spec, int64_t *id, cv_err *e);

/* Sets the responsible unit and/or person (NULL: unchanged). */
int cv_work_assign(cv_store *s, int64_t id, const char *unit, const char *person, cv_err *e);

/* Checks a date a work item was done on: a real date, not after today. */
int cv_work_check_done_on(const char *date, cv_err *e);

/* Marks an item done on date (NULL: today). */
int cv_work_done(cv_store *s, int64_t id, const char *date, cv_err *e);

int cv_work_get(cv_store *s, int64_t id, cv_work_item *out, cv_err *e);

/* Calls visit for each item in force matching f (items of a scenario other than their
 * congress's active one are left out: core/docs/scenario.h), by due date then id; non-zero from
 * visit stops. */
typedef int (*cv_work_visit)(const cv_work_item *w, void *ctx);
int cv_work_list(cv_store *s, const cv_work_filter *f, cv_work_visit visit, void *ctx, cv_err *e);

/* Calls visit for the first limit items in force of term_id that are open and due before today,
 * of the organisations in root's subtree (root included), by due date then id. */
int cv_work_overdue_page(cv_store *s, int64_t root, int64_t term_id, int limit, cv_work_visit visit,
                         void *ctx, cv_err *e);

json_t *cv_work_json(const cv_work_item *w);

#endif
