/* check.c: the domain's rules by name (see check.h). Owns no state and no rule of its own: each
 * entry only calls the module that owns the rule. */
#include "check.h"

#include <string.h>

#include "base/bound.h"
#include "base/date.h"
#include "base/text.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/term.h"
#include "domain/work.h"

static int check_count(const char *value, int64_t max, const char *what, int64_t *out, cv_err *e)
{
    if (cv_text_count(value, out, what, e) < 0 || cv_bound_check(*out, 0, max, what, e) < 0)
        return e->code;
    return 0;
}

int cv_check_value(cv_store *s, const char *rule, const char *value, int64_t *out, cv_err *e)
{
    int64_t ignored;
    if (!out)
        out = &ignored;
    if (strcmp(rule, "code") == 0)
        return cv_text_code(value, "code", e);
    if (strcmp(rule, "level") == 0) {
        int rank;
        if (cv_org_level_check(value, &rank, e) < 0)
            return e->code;
        *out = rank;
        return 0;
    }
    if (strcmp(rule, "date") == 0)
        return cv_date_check(value, "date", e);
    if (strcmp(rule, "done_on") == 0)
        return cv_work_check_done_on(value, e);
    if (strcmp(rule, "members") == 0)
        return check_count(value, CV_PEOPLE_MAX, "member count", out, e);
    if (strcmp(rule, "budget") == 0)
        return check_count(value, CV_AMOUNT_MAX, "budget", out, e);
    if (strcmp(rule, "ordinal") == 0) {
        int n;
        if (cv_text_parse_ordinal(value, &n, e) < 0)
            return e->code;
        *out = n;
        return 0;
    }
    if (strcmp(rule, "held_on") == 0)
        return cv_congress_check_held(value, NULL, e);
    if (strcmp(rule, "term") == 0) {
        cv_term t;
        if (!s)
            return cv_err_set(e, CV_EINVAL, "the rule 'term' needs the store");
        if (cv_term_get(s, *value ? value : NULL, &t, e) < 0)
            return e->code;
        *out = t.id;
        return 0;
    }
    return cv_err_set(e, CV_ENOTFOUND, "no rule named '%s'", rule);
}
