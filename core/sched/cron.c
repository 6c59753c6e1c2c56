/* cron.c: the cron parser and next-instant search. Owns the grammar; it must never read the
 * clock or allocate: a job's next instant is a pure function of its expression and `after`. */
#include "cron.h"

#include <ctype.h>
#include <string.h>

#include "base/date.h"

enum { F_MIN, F_HOUR, F_DOM, F_MONTH, F_DOW, F_COUNT };

static const struct field_def {
    const char *name;
    int lo, hi;
    const char *const *names; /* three-letter names from lo, or NULL */
} fields[F_COUNT] = {
    {"minute", 0, 59, NULL},
    {"hour", 0, 23, NULL},
    {"day-of-month", 1, 31, NULL},
    {"month", 1, 12,
     (const char *const[]){"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                           "nov", "dec", NULL}},
    /* 7 is Sunday too, as in Vixie cron. */
    {"day-of-week", 0, 7,
     (const char *const[]){"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL}},
};

static const struct {
    const char *name, *expr;
} shortcuts[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

/* Reads a number or (where the field has them) a name at *p into *v. */
static int read_value(const struct field_def *f, const char **p, int *v)
{
    const char *s = *p;
    if (isdigit((unsigned char)*s)) {
        int n = 0;
        while (isdigit((unsigned char)*s) && n < 1000)
            n = n * 10 + (*s++ - '0');
        if (isdigit((unsigned char)*s) || n < f->lo || n > f->hi)
            return -1;
        *v = n;
        *p = s;
        return 0;
    }
    for (int i = 0; f->names && f->names[i]; i++)
        if (strncasecmp(s, f->names[i], 3) == 0 && !isalpha((unsigned char)s[3])) {
            *v = f->lo + i;
            *p = s + 3;
            return 0;
        }
    return -1;
}

/* Parses one list item ("*", "a", "a-b", each with an optional "/step") into bits. */
static int parse_item(const struct field_def *f, const char **p, uint64_t *bits)
{
    int lo = f->lo, hi = f->hi, step = 1;
    if (**p == '*') {
        (*p)++;
    } else {
        if (read_value(f, p, &lo) < 0)
            return -1;
        hi = lo;
        if (**p == '-') {
            (*p)++;
            if (read_value(f, p, &hi) < 0 || hi < lo)
                return -1;
        } else if (**p == '/') {
            return -1; /* Vixie cron takes a step only after '*' or a range */
        }
    }
    if (**p == '/') {
        (*p)++;
        if (!isdigit((unsigned char)**p))
            return -1;
        step = 0;
        while (isdigit((unsigned char)**p) && step <= f->hi)
            step = step * 10 + (*(*p)++ - '0');
        if (step < 1 || step > f->hi + 1 || isdigit((unsigned char)**p))
            return -1;
    }
    for (int v = lo; v <= hi; v += step)
        *bits |= (uint64_t)1 << v;
    return 0;
}

static int parse_field(int i, const char *s, size_t len, uint64_t *bits, cv_err *e)
{
    char buf[CV_CRON_MAX];
    memcpy(buf, s, len);
    buf[len] = '\0';
    const char *p = buf;
    *bits = 0;
    for (;;) {
        if (parse_item(&fields[i], &p, bits) < 0)
            return cv_err_set(e, CV_EINVAL, "bad %s field '%s' in the cron expression",
                              fields[i].name, buf);
        if (*p == '\0')
            return 0;
        if (*p++ != ',' || *p == '\0')
            return cv_err_set(e, CV_EINVAL, "bad %s field '%s' in the cron expression",
                              fields[i].name, buf);
    }
}

int cv_cron_parse(const char *expr, cv_cron *c, cv_err *e)
{
    if (!expr || strnlen(expr, CV_CRON_MAX) >= CV_CRON_MAX)
        return cv_err_set(e, CV_EINVAL, "a cron expression has at most %d bytes", CV_CRON_MAX - 1);
    while (*expr == ' ' || *expr == '\t')
        expr++;
    for (size_t i = 0; *expr == '@' && i < sizeof shortcuts / sizeof shortcuts[0]; i++)
        if (strcmp(expr, shortcuts[i].name) == 0)
            expr = shortcuts[i].expr;
    uint64_t bits[F_COUNT];
    const char *p = expr;
    memset(c, 0, sizeof *c);
    for (int i = 0; i < F_COUNT; i++) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, " \t");
        if (len == 0)
            return cv_err_set(e, CV_EINVAL,
                              "a cron expression has five fields (minute hour day-of-month "
                              "month day-of-week); '%s' has %d",
                              expr, i);
        if (parse_field(i, p, len, &bits[i], e) < 0)
            return e->code;
        if (i == F_DOM)
            c->dom_star = *p == '*';
        if (i == F_DOW)
            c->dow_star = *p == '*';
        p += len;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p)
        return cv_err_set(e, CV_EINVAL, "a cron expression has five fields; '%s' has more", expr);
    c->minutes = bits[F_MIN];
    c->hours = (uint32_t)bits[F_HOUR];
    c->dom = (uint32_t)bits[F_DOM];
    c->months = (uint16_t)bits[F_MONTH];
    c->dow = (uint8_t)((bits[F_DOW] | (bits[F_DOW] >> 7)) & 0x7f);
    return 0;
}

/* Vixie cron: when either day field is '*', both must match (the starred one always does);
 * when both are restricted, either may. */
static int day_matches(const cv_cron *c, int64_t days)
{
    char ymd[11];
    cv_date_from_days(days, ymd);
    int month = (ymd[5] - '0') * 10 + (ymd[6] - '0');
    int mday = (ymd[8] - '0') * 10 + (ymd[9] - '0');
    int wday = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    if (!(c->months >> month & 1))
        return 0;
    int dom = c->dom >> mday & 1, dow = c->dow >> wday & 1;
    return c->dom_star || c->dow_star ? dom && dow : dom || dow;
}

/* The first minute of the day >= from_min (0..1439) that c matches, or -1. */
static int first_minute(const cv_cron *c, int from_min)
{
    for (int h = from_min / 60; h < 24; h++) {
        if (!(c->hours >> h & 1))
            continue;
        for (int m = h == from_min / 60 ? from_min % 60 : 0; m < 60; m++)
            if (c->minutes >> m & 1)
                return h * 60 + m;
    }
    return -1;
}

int cv_cron_next(const cv_cron *c, int64_t after, int offset_min, int64_t *next, cv_err *e)
{
    /* Local minutes since the epoch of the first whole minute after `after`. */
    int64_t local = after + (int64_t)offset_min * 60000;
    int64_t minute = (local >= 0 ? local / 60000 : (local - 59999) / 60000) + 1;
    int64_t day = minute >= 0 ? minute / 1440 : (minute - 1439) / 1440;
    int from = (int)(minute - day * 1440);
    for (int i = 0; i < 366 * 5 + 2; i++, day++, from = 0) {
        if (!day_matches(c, day))
            continue;
        int m = first_minute(c, from);
        if (m >= 0) {
            *next = ((day * 1440 + m) - offset_min) * 60000;
            return 0;
        }
    }
    return cv_err_set(e, CV_ENOTFOUND, "the cron expression never matches within five years");
}
