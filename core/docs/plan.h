/* plan.h: plans, notices, directives, regulations and guidance (kế hoạch, thông báo, chỉ thị,
 * quy định, hướng dẫn) as records. Numbers repeat across years (35-CT/TW of 2019 and of 2024),
 * so a plan is identified by its number, date and issuer together. A plan may belong to a
 * subcommittee or a department of an organisation, and to a scenario; work items cite it. */
#ifndef CV_PLAN_H
#define CV_PLAN_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

typedef struct cv_plan_spec {
    const char *number, *issued, *issuer; /* "76-KH/TU", "2020-03-12", "Tỉnh ủy Thái Nguyên" */
    const char *kind;  /* plan|notice|directive|regulation|guidance|decision|resolution|other */
    const char *title; /* NULL: the number */
    const char *org, *term;   /* the organisation whose plan it is (NULL: an outside text) */
    const char *subcommittee; /* a subcommittee code of org's congress (optional) */
    const char *department;   /* a department's name (optional) */
    const char *scenario;     /* a scenario code of org's congress (optional) */
} cv_plan_spec;

int cv_plan_add(cv_store *s, const cv_plan_spec *spec, int64_t *id, cv_err *e);

/* Resolves a reference to one plan: its id ("7"), "NUMBER@DATE" ("35-CT/TW@2019-05-30") or a
 * bare number when only one plan carries it; an ambiguous number is refused, naming the dates. */
int cv_plan_find(cv_store *s, const char *ref, int64_t *id, cv_err *e);

/* Records that work item work cites plan ref (plan.cited). */
int cv_plan_cite(cv_store *s, const char *ref, int64_t work, cv_err *e);

/* One plan with the work items citing it. */
int cv_plan_show(cv_store *s, const char *ref, json_t **out, cv_err *e);

/* Plans with number (NULL: any) of org (NULL: any), as a JSON array by date. */
int cv_plan_list(cv_store *s, const char *org, const char *number, json_t **out, cv_err *e);

#endif
