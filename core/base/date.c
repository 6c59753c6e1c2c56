/* date.c: calendar arithmetic without the C library's time zone state (which is process-wide
 * and not thread-safe). Days-from-civil after H. Hinnant's public-domain algorithm. */
#include "date.h"

#include <stdio.h>
#include <string.h>

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cv_date_from_days(int64_t z, char buf[11])
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)(y % 10000 + 10000) % 10000u, (unsigned)m % 13u,
             (unsigned)d % 32u);
}

/* Reads exactly n digits at s into *v. */
static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' || digits(s + 8, 2, d))
        return -1;
    if (*y < 1900 || *y > 2999 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

int cv_date_check(const char *s, const char *what, cv_err *e)
{
    int y, m, d;
    if (strlen(s) != 10 || parse_ymd(s, &y, &m, &d) < 0)
        return cv_err_set(e, CV_EINVAL, N_("%s '%s' is not a date (YYYY-MM-DD)"), what, s);
    return 0;
}

int64_t cv_date_days(const char *s)
{
    int y = 1970, m = 1, d = 1;
    parse_ymd(s, &y, &m, &d);
    return days_from_civil(y, m, d);
}

/* Parses the optional zone suffix at s: "", "Z" or "+HH:MM"/"-HH:MM". */
static int parse_zone(const char *s, int *offset_min)
{
    int hh, mm;
    if (*s == '\0')
        return 0;
    if (strcmp(s, "Z") == 0) {
        *offset_min = 0;
        return 0;
    }
    if ((s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &hh) || s[3] != ':' ||
        digits(s + 4, 2, &mm) || s[6] != '\0' || hh > 14 || mm > 59)
        return -1;
    *offset_min = (s[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return 0;
}

int cv_date_parse_instant(const char *s, int offset_min, int64_t *ms, const char *what, cv_err *e)
{
    int y, mo, d, hh = 0, mi = 0, ss = 0;
    size_t n = strlen(s);
    const char *rest = s + 10;
    if (n < 10 || parse_ymd(s, &y, &mo, &d) < 0)
        goto bad;
    if (*rest == 'T' || *rest == ' ') {
        if (digits(rest + 1, 2, &hh) || rest[3] != ':' || digits(rest + 4, 2, &mi) || hh > 23 ||
            mi > 59)
            goto bad;
        rest += 6;
        if (*rest == ':') {
            if (digits(rest + 1, 2, &ss) || ss > 59)
                goto bad;
            rest += 3;
        }
    }
    if (parse_zone(rest, &offset_min) < 0)
        goto bad;
    *ms = ((days_from_civil(y, mo, d) * 86400) + hh * 3600 + mi * 60 + ss -
           (int64_t)offset_min * 60) *
          1000;
    return 0;
bad:
    return cv_err_set(e, CV_EINVAL, N_("%s '%s' is not a date or time (YYYY-MM-DD[THH:MM[:SS]])"),
                      what, s);
}
