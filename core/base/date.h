/* date.h: calendar dates (YYYY-MM-DD, stored as TEXT) and instants (ms since the epoch).
 * Dates are proleptic Gregorian. */
#ifndef CV_DATE_H
#define CV_DATE_H

#include <stdint.h>

#include "error.h"

/* Checks that s is a real calendar date in YYYY-MM-DD form (2020-02-30 is refused). */
int cv_date_check(const char *s, const char *what, cv_err *e);

/* Days since 1970-01-01 of a checked date. */
int64_t cv_date_days(const char *s);

/* Writes the date `days` after 1970-01-01 into buf[11]. */
void cv_date_from_days(int64_t days, char buf[11]);

/* Parses "YYYY-MM-DD" (midnight) or "YYYY-MM-DDTHH:MM[:SS]" in a zone offset_min east of UTC,
 * or with an explicit "Z" / "+HH:MM" suffix, into ms since the epoch. */
int cv_date_parse_instant(const char *s, int offset_min, int64_t *ms, const char *what, cv_err *e);

#endif
