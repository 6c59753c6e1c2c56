/* congress.h: congresses (đại hội), one per organisation per term, planned -> preparing -> held.
 * A congress is not marked held before its subordinate organisations' congresses, nor before its
 * level's window opens (pilots excepted), nor longer than the window allows, unless an override
 * reason is given; the override is recorded in the congress.held event. */
#ifndef CV_CONGRESS_H
#define CV_CONGRESS_H

#include <jansson.h>
#include <stdint.h>

#include "domain/org.h"
#include "store/store.h"

typedef struct cv_congress {
    int64_t id, org_id, term_id;
    char org_code[CV_CODE_MAX];
    char org_name[CV_NAME_MAX];
    char org_level[CV_LEVEL_MAX];
    char term[16];
    int ordinal;
    char kind[12];   /* delegates | members */
    char status[12]; /* planned | preparing | held */
    char planned_start[11], planned_end[11], actual_start[11], actual_end[11]; /* "" if unset */
    int pilot, direct_secretary;
    int64_t delegates_summoned, delegates_present; /* -1 if unknown */
} cv_congress;

/* What `congress plan` and `congress set` take; NULL or -1 leaves a field as it is (or default). */
typedef struct cv_congress_spec {
    const char *org, *term;      /* org code; term code or NULL for the current term */
    const char *ordinal;         /* "VII" or "7" */
    const char *kind;            /* delegates | members; NULL: by level and member count */
    const char *start, *end;     /* planned dates */
    int pilot, direct_secretary; /* 0/1, or -1 */
    int64_t summoned, present;   /* delegates summoned / present, or -1 */
} cv_congress_spec;

/* Plans the congress of spec->org in its term (congress.planned). */
int cv_congress_plan(cv_store *s, const cv_congress_spec *spec, int64_t *id, cv_err *e);

/* Changes planned dates, flags or delegate figures of an existing congress (congress.updated). */
int cv_congress_set(cv_store *s, const cv_congress_spec *spec, cv_err *e);

/* Moves a planned congress to preparing (congress.preparing). */
int cv_congress_prepare(cv_store *s, const char *org, const char *term, cv_err *e);

/* Checks the dates a congress was held from start to end (end NULL: one day): dates, end not
 * before start, not after today. */
int cv_congress_check_held(const char *start, const char *end, cv_err *e);

/* Marks a congress held from start to end (end NULL: one day). override is NULL or the reason
 * recorded when a rule is knowingly broken (congress.held). */
int cv_congress_mark_held(cv_store *s, const char *org, const char *term, const char *start,
                          const char *end, const char *override, cv_err *e);

/* Reads the congress of org in term (NULL: current). */
int cv_congress_get(cv_store *s, const char *org, const char *term, cv_congress *out, cv_err *e);

/* The congress as a JSON object (new reference). */
json_t *cv_congress_json(const cv_congress *c);

#endif
