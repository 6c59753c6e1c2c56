/* scheme.h: the personnel scheme (đề án nhân sự) of a congress: seats per body, structure
 * targets (minimum percentages: women, minorities, age bands, renewal), the congress contents
 * of 2025-2030 (4, 3 or 2) that decide which elections exist, and the people appointed where
 * nothing is elected. The check shows where a list misses its targets or the 30% surplus. */
#ifndef CV_ELECT_SCHEME_H
#define CV_ELECT_SCHEME_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

/* Seats of body in the congress of org (term NULL: current); seats 0 removes them. */
int cv_scheme_set_seats(cv_store *s, const char *org, const char *term, const char *body,
                        int64_t seats, cv_err *e);

/* The seats of body for congress_id, or 0 when the scheme has none. */
int cv_scheme_seats(cv_store *s, int64_t congress_id, const char *body, int64_t *seats, cv_err *e);

/* Sets the minimum percentage of target (women, minorities, under40, age40to50, over50,
 * renewal); a negative pct removes it. */
int cv_scheme_set_target(cv_store *s, const char *org, const char *term, const char *target,
                         int pct, cv_err *e);

/* Sets the contents (4, 3, 2) of a 2025-2030 congress; other terms always have 4. */
int cv_scheme_set_contents(cv_store *s, const char *org, const char *term, int contents, cv_err *e);
int cv_scheme_contents(cv_store *s, int64_t congress_id, int *contents, cv_err *e);

/* Whether body is elected at a congress with these contents: 4 all bodies, 3 only delegates
 * and alternates, 2 nothing (the committee and the delegates are appointed). */
int cv_scheme_body_elected(int contents, const char *body);

/* Records person as appointed to body, for a body the contents do not elect. */
int cv_scheme_appoint(cv_store *s, const char *org, const char *term, const char *body,
                      const char *person, cv_err *e);

/* The scheme as JSON: contents, seats, targets, appointments. */
int cv_scheme_json(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e);

/* Checks the list of the first round of body (default committee) against seats, surplus and
 * targets at the congress date, and lists unsettled complaints about its candidates. */
int cv_scheme_check(cv_store *s, const char *org, const char *term, const char *body, json_t **out,
                    cv_err *e);

#endif
