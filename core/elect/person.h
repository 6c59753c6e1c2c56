/* person.h: people (nhân sự) who can be candidates, appointees or the subject of a complaint:
 * name (NFC), birth date, gender, ethnicity, organisation, titles, and whether they sit on the
 * outgoing committee (for the renewal target). Changes emit person.added / person.updated. */
#ifndef CV_ELECT_PERSON_H
#define CV_ELECT_PERSON_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

typedef struct cv_person {
    int64_t id;
    char code[CV_CODE_MAX];
    char name[CV_NAME_MAX];
    char born[11];  /* "" when unknown */
    char gender[8]; /* "", male, female */
    char ethnicity[64];
    char org[CV_CODE_MAX]; /* "" when none */
    char titles[CV_NAME_MAX];
    int incumbent; /* member of the outgoing committee */
} cv_person;

/* What add and set take: NULL (or -1) leaves a field as it is. */
typedef struct cv_person_spec {
    const char *code, *name, *born, *gender, *ethnicity, *org, *titles;
    int incumbent;
} cv_person_spec;

int cv_person_add(cv_store *s, const cv_person_spec *spec, int64_t *id, cv_err *e);
int cv_person_set(cv_store *s, const cv_person_spec *spec, cv_err *e);
int cv_person_get(cv_store *s, const char *code, cv_person *out, cv_err *e);
int cv_person_get_by_id(cv_store *s, int64_t id, cv_person *out, cv_err *e);

/* Calls visit for every person (of org's subtree when org is not NULL), by code. */
typedef int (*cv_person_visit)(const cv_person *p, void *ctx);
int cv_person_list(cv_store *s, const char *org, cv_person_visit visit, void *ctx, cv_err *e);

/* Whole years of age on date ("YYYY-MM-DD"), or -1 when the birth date is unknown. */
int cv_person_age(const cv_person *p, const char *date);

json_t *cv_person_json(const cv_person *p);

#endif
