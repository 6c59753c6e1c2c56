/* bound.c: range checks and overflow-checked arithmetic (see bound.h). Owns no state. */
#include "bound.h"

int cv_bound_check(int64_t v, int64_t lo, int64_t hi, const char *what, cv_err *e)
{
    if (v < lo || v > hi)
        return cv_err_set(e, v < lo ? CV_EINVAL : CV_ELIMIT, "%s %lld is not between %lld and %lld",
                          what, (long long)v, (long long)lo, (long long)hi);
    return 0;
}

int cv_bound_add(int64_t a, int64_t b, int64_t *sum, const char *what, cv_err *e)
{
    if (__builtin_add_overflow(a, b, sum))
        return cv_err_set(e, CV_ELIMIT, "%s is too large to add up", what);
    return 0;
}

int cv_bound_mul(int64_t a, int64_t b, int64_t *product, const char *what, cv_err *e)
{
    if (__builtin_mul_overflow(a, b, product))
        return cv_err_set(e, CV_ELIMIT, "%s is too large to multiply", what);
    return 0;
}
