/* bound.h: the ranges every number entering convene must lie in, and checked arithmetic on
 * them. A rule about a range lives here once; the domain, the rules and the importer (through
 * the plugin host) all ask the same function. The ranges are chosen so that the arithmetic done
 * on the numbers (sums over a tree, votes x seats, a base less its deductions) cannot overflow. */
#ifndef CV_BOUND_H
#define CV_BOUND_H

#include <stdint.h>

#include "error.h"

/* People, delegates, ballots and votes: the Party has about 5.3 million members, so 10^8 leaves
 * room, and 10^8 x 2000 seats or a sum over a million organisations still fits in int64. */
#define CV_PEOPLE_MAX INT64_C(100000000)
/* An amount of money in đồng (a work item's budget): 10^15 VND; a sum over 9000 items fits. */
#define CV_AMOUNT_MAX INT64_C(1000000000000000)
/* A configuration value counted in MiB (a file size limit): 1 TiB at most. */
#define CV_MIB_MAX INT64_C(1048576)

/* A span of days from or to a date (a job's offset from its anchor, a token's life): ten years
 * either way, which keeps every shifted date inside the four-digit years. */
#define CV_DAYS_MAX 3660

/* Checks lo <= v <= hi; what names the number in the message ("budget"). */
int cv_bound_check(int64_t v, int64_t lo, int64_t hi, const char *what, cv_err *e);

/* *sum = a + b, or CV_ELIMIT (with a message naming what) when that does not fit in int64. */
int cv_bound_add(int64_t a, int64_t b, int64_t *sum, const char *what, cv_err *e);

/* *product = a x b, or CV_ELIMIT when that does not fit in int64. */
int cv_bound_mul(int64_t a, int64_t b, int64_t *product, const char *what, cv_err *e);

#endif
