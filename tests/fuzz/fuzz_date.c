/* fuzz_date.c: libFuzzer target for the date and instant parsers: any bytes either parse to a
 * value that reads back the same way or are refused; nothing crashes or reads out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    cv_err e;
    int64_t ms;
    if (cv_date_check(s, "date", &e) == 0) {
        char back[11];
        cv_date_from_days(cv_date_days(s), back);
        if (strcmp(back, s) != 0)
            abort();
    }
    if (cv_date_parse_instant(s, CV_TZ_VIETNAM_MIN, &ms, "instant", &e) == 0) {
        char day[11];
        cv_clock_date(ms, CV_TZ_VIETNAM_MIN, day);
    }
    free(s);
    return 0;
}
