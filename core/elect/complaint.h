/* complaint.h: complaints and denunciations (đơn thư khiếu nại, tố cáo) about personnel before
 * a congress. Anonymous letters, letters under a false name or with no clear address, named but
 * non-specific letters and re-filed cases without new evidence are registered as not handled;
 * the others are open until settled, with a deadline a configurable number of days
 * (setting elect.complaint_cutoff_days, default 1) before the congress opens. */
#ifndef CV_ELECT_COMPLAINT_H
#define CV_ELECT_COMPLAINT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

typedef struct cv_complaint_spec {
    const char *org, *term;
    const char *kind;    /* complaint | denunciation */
    const char *sender;  /* NULL or "": anonymous */
    const char *address; /* NULL or "": no clear address */
    const char *about;   /* person code, or NULL */
    const char *summary;
    const char *received;                                /* YYYY-MM-DD; NULL: today */
    int false_name, not_specific, refiled, new_evidence; /* 0/1 */
} cv_complaint_spec;

/* Registers a letter and decides whether it is handled (complaint.received). */
int cv_complaint_add(cv_store *s, const cv_complaint_spec *spec, int64_t *id, cv_err *e);

/* Settles an open complaint on date (NULL: today) with a conclusion (complaint.settled). */
int cv_complaint_settle(cv_store *s, int64_t id, const char *on, const char *conclusion, cv_err *e);

/* The complaints of the congress of org: all, only open ones, or only open ones about people on
 * a list of that congress. */
enum { CV_COMPLAINTS_ALL, CV_COMPLAINTS_OPEN, CV_COMPLAINTS_CANDIDATES };
int cv_complaint_list(cv_store *s, const char *org, const char *term, int which, json_t **out,
                      cv_err *e);

/* The open complaints about candidates of congress_id (a congress's readiness). */
int cv_complaint_about_candidates(cv_store *s, int64_t congress_id, json_t **out, cv_err *e);

json_t *cv_complaint_row_json(sqlite3_stmt *st);

#endif
