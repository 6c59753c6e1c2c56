/* minutes.h: the counting minutes (biên bản kiểm phiếu) of an election as a report document
 * (contracts.md): the base and how it was adjusted, the ballots, every candidate's votes and
 * the outcome explained in Vietnamese. Builds JSON only; reporters render it. */
#ifndef CV_ELECT_MINUTES_H
#define CV_ELECT_MINUTES_H

#include <jansson.h>

#include "store/store.h"

/* The report producer "minutes": arg is the election id ("12" or "#12"); org, when not NULL,
 * must be the election's organisation. */
int cv_minutes_build(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e);

/* The outcome explained as an array of Vietnamese sentences. */
int cv_minutes_explain(cv_store *s, int64_t id, json_t **lines, cv_err *e);

#endif
