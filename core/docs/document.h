/* document.h: congress documents (văn kiện): the political report, the executive committee's
 * review report, the draft resolution, the action programme and others. Each has numbered
 * versions (the file kept in the store with its SHA-256, or only its path, with who and when)
 * and a status: drafting -> consultation -> revising -> submitted -> adopted. */
#ifndef CV_DOCUMENT_H
#define CV_DOCUMENT_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "store/store.h"

typedef struct cv_doc {
    int64_t id, congress_id, org_id;
    char org_code[CV_CODE_MAX];
    char term[16];
    char kind[20];   /* political_report | review_report | resolution | action_programme | other */
    char status[16]; /* drafting | consultation | revising | submitted | adopted */
    char title[CV_NAME_MAX];
    int versions; /* how many versions it has */
} cv_doc;

/* A new version: exactly one of file (kept in the store) and link (a path recorded as is). */
typedef struct cv_doc_version_spec {
    int64_t doc;
    const char *file, *link;
    const char *author; /* who made it (required) */
    const char *note;   /* e.g. "tiếp thu ý kiến của Bộ Chính trị" (optional) */
} cv_doc_version_spec;

/* Adds a document to the congress of org in term (NULL: current), in drafting (document.added). */
int cv_doc_add(cv_store *s, const char *org, const char *term, const char *kind, const char *title,
               int64_t *id, cv_err *e);

/* Adds the next version (document.version_added); *n (if not NULL) receives its number. */
int cv_doc_add_version(cv_store *s, const cv_doc_version_spec *spec, int *n, cv_err *e);

/* Writes version n (0: the latest) of doc to out_path, byte-identical to what was stored. */
int cv_doc_get_file(cv_store *s, int64_t doc, int n, const char *out_path, cv_err *e);

/* The id of version n (0: the latest) of doc. */
int cv_doc_version_id(cv_store *s, int64_t doc, int n, int64_t *id, int *n_out, cv_err *e);

/* Moves doc to status (document.status_changed). Allowed moves: drafting -> consultation,
 * consultation -> revising, revising -> consultation | submitted, submitted -> revising |
 * adopted. Leaving drafting needs a version; adoption is refused while a comment round on the
 * document is open. It runs in the caller's transaction, so it composes (a round opening moves
 * it). */
int cv_doc_set_status(cv_store *s, int64_t doc, const char *status, cv_err *e);

int cv_doc_get(cv_store *s, int64_t id, cv_doc *out, cv_err *e);

/* The document with its versions and rounds (new reference) into *out. */
int cv_doc_show(cv_store *s, int64_t id, json_t **out, cv_err *e);

/* The documents of org's congress in term (NULL: current), org NULL: all, as a JSON array. */
int cv_doc_list(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e);

json_t *cv_doc_json(const cv_doc *d);

#endif
