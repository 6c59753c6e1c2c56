/* fuzz_cron.c: libFuzzer target for the cron parser: any bytes either parse to an expression
 * whose next instant is strictly later than its start and matches again from there, or are
 * refused; nothing crashes or reads out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched/cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    cv_cron c;
    cv_err e;
    int64_t next, again;
    const int64_t start = 1590112800000; /* 2020-05-22T09:00+07:00 */
    if (cv_cron_parse(s, &c, &e) == 0 && cv_cron_next(&c, start, 420, &next, &e) == 0) {
        if (next <= start || next % 60000 != 0)
            abort();
        if (cv_cron_next(&c, next - 1, 420, &again, &e) != 0 || again != next)
            abort();
    }
    free(s);
    return 0;
}
