/* check.h: the domain's rules by name, for an entry point that cannot call the domain's
 * functions itself (a plugin, through the host's check()). Each rule is the very function the
 * CLI and the Lua API reach, so a value is refused with the same words wherever it enters. */
#ifndef CV_DOMAIN_CHECK_H
#define CV_DOMAIN_CHECK_H

#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

/* Checks value against rule; *out (may be NULL) receives what the rule yields:
 *   code     an organisation or person code (cv_text_code)
 *   level    one of the five levels; *out = its rank (national 0 ... cell 4)
 *   date     a calendar date YYYY-MM-DD, 1900-2999
 *   done_on  the date a work item was done: a date, not after today
 *   members  a member count, 0 to CV_PEOPLE_MAX; *out = the count
 *   budget   an amount in đồng, 0 to CV_AMOUNT_MAX; *out = the amount
 *   ordinal  a congress's ordinal, Arabic or Roman (VII); *out = the number
 *   held_on  the date a congress was held: a date, not after today
 *   term     a term code, or "" for the current term; *out = the term's id
 * An unknown rule is CV_ENOTFOUND. */
int cv_check_value(cv_store *s, const char *rule, const char *value, int64_t *out, cv_err *e);

#endif
