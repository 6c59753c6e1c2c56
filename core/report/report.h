/* report.h: report documents and their producers (contracts.md "Report documents"). A producer
 * reads the store into a format-neutral JSON document {title, subtitle, generated, meta,
 * sections: [{heading, paragraphs, table: {columns: [{name, type}], rows}}]}; a reporter plugin
 * renders it. Column types: text, int, real, percent (a fraction: 0.583 is 58.3%), date
 * (YYYY-MM-DD). Producers only read the store. */
#ifndef CV_REPORT_H
#define CV_REPORT_H

#include <jansson.h>

#include "store/store.h"

/* Builds the document of org's report (arg: the producer's own argument, NULL if none) into
 * *doc, owned by the caller. */
typedef int (*cv_report_build_fn)(cv_store *s, const char *org, const char *arg, json_t **doc,
                                  cv_err *e);

typedef struct cv_report_producer {
    const char *name;
    const char *description;
    cv_report_build_fn build;
} cv_report_producer;

/* The producers, ending with {NULL} (producers.c). */
extern const cv_report_producer cv_report_producers[];

/* The producer called name, or NULL. */
const cv_report_producer *cv_report_find(const char *name);

/* Document building, for producers. cv_report_doc: a new document generated today. */
json_t *cv_report_doc(const char *title, const char *subtitle);
void cv_report_meta(json_t *doc, const char *label, const char *value);
/* Appends a section and returns it (borrowed from doc). */
json_t *cv_report_section(json_t *doc, const char *heading);
void cv_report_paragraph(json_t *section, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Gives section a table with columns names[i] of types[i] (one letter each: t text, i int,
 * r real, p percent, d date) and returns its rows array (borrowed). */
json_t *cv_report_table(json_t *section, const char *const *names, const char *types);

/* Renders doc through the enabled reporter plugin of format into the file at path. */
int cv_report_render(cv_store *s, json_t *doc, const char *format, const char *path, cv_err *e);

/* The audit's rows (the operation audit's answer, borrowed) as a document: one row per event,
 * who, where, when, before and after. */
json_t *cv_report_audit(json_t *rows);

/* The producers' builders (one file each). */
int cv_report_progress(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e);
int cv_report_work(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e);
int cv_report_readiness(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e);
int cv_report_minutes(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e);
int cv_report_documents(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e);

/* Sections other producers borrow (documents.c): the documents of org's congress in term with
 * their comment rounds; the comment rounds open in org's subtree (org NULL: everywhere). */
int cv_report_documents_sections(cv_store *s, const char *org, const char *term, json_t *doc,
                                 cv_err *e);
int cv_report_open_rounds_section(cv_store *s, const char *org, json_t *doc, cv_err *e);

#endif
