/* cron.h: cron expressions with the semantics of Vixie cron: five fields (minute hour
 * day-of-month month day-of-week), lists, ranges, steps, month and day names, @daily-style
 * shortcuts, and day-of-month OR day-of-week when both are restricted. It only parses and
 * computes instants; it never reads the clock or the store. */
#ifndef CV_CRON_H
#define CV_CRON_H

#include <stdint.h>

#include "base/error.h"

#define CV_CRON_MAX 128 /* bytes of an expression, with its NUL */

typedef struct cv_cron {
    uint64_t minutes; /* bit m: minute m (0-59) */
    uint32_t hours;   /* bit h: hour h (0-23) */
    uint32_t dom;     /* bit d: day of month d (1-31) */
    uint16_t months;  /* bit m: month m (1-12) */
    uint8_t dow;      /* bit d: day of week d (0 = Sunday .. 6) */
    uint8_t dom_star; /* the day-of-month field began with '*' (Vixie's DOM_STAR) */
    uint8_t dow_star; /* the day-of-week field began with '*' (Vixie's DOW_STAR) */
} cv_cron;

/* Parses expr (at most CV_CRON_MAX - 1 bytes) into c; CV_EINVAL names the bad field. */
int cv_cron_parse(const char *expr, cv_cron *c, cv_err *e);

/* The first minute strictly after `after` (ms since the epoch) that c matches, read on the wall
 * clock of a zone offset_min east of UTC, into *next. CV_ENOTFOUND when none comes within five
 * years (e.g. "0 0 30 2 *"). */
int cv_cron_next(const cv_cron *c, int64_t after, int offset_min, int64_t *next, cv_err *e);

#endif
