/* minutes.h: the Vietnamese of the counting minutes (biên bản kiểm phiếu): what each body,
 * state and outcome is called, the rows that make up the base, and the sentences explaining an
 * outcome. The report producer "minutes" (core/report/minutes.c) lays these out as a document. */
#ifndef CV_ELECT_MINUTES_H
#define CV_ELECT_MINUTES_H

#include <jansson.h>
#include <stdint.h>

#include "elect/election.h"
#include "store/store.h"

const char *cv_minutes_body_vi(const char *body);     /* "Ban Chấp hành" */
const char *cv_minutes_status_vi(const char *status); /* "đã kiểm phiếu" */
const char *cv_minutes_outcome_vi(const char *outcome);

/* part / whole as a fraction (0 when whole is 0): the "percent" of report documents. */
double cv_minutes_share(int64_t part, int64_t whole);

/* [[what, count], ...]: those summoned, each deduction of the congress's kind, the base. */
json_t *cv_minutes_base_rows(const cv_election *x);

/* The outcome explained as an array of Vietnamese sentences. */
int cv_minutes_explain(cv_store *s, int64_t id, json_t **lines, cv_err *e);

#endif
