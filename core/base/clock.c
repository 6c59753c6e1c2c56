/* clock.c: the injected clock. Process-wide state set once at start-up (or by tests); it must
 * never read the system time for domain time except in CLOCK_REAL and CLOCK_ANCHORED modes
 * (cv_clock_real is the one reading of real time for records, never for the domain). */
#include "clock.h"

#include <time.h>

enum clock_mode { CLOCK_REAL, CLOCK_FIXED, CLOCK_ANCHORED };

static enum clock_mode mode = CLOCK_REAL;
static int64_t fixed_ms;    /* CLOCK_FIXED: the time; CLOCK_ANCHORED: the anchor */
static int64_t anchored_at; /* CLOCK_ANCHORED: real monotonic ms when anchored */

static int64_t real_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cv_clock_now(void)
{
    switch (mode) {
    case CLOCK_FIXED:
        return fixed_ms;
    case CLOCK_ANCHORED:
        return fixed_ms + (real_ms(CLOCK_MONOTONIC) - anchored_at);
    default:
        return real_ms(CLOCK_REALTIME);
    }
}

int64_t cv_clock_real(void)
{
    return real_ms(CLOCK_REALTIME);
}

void cv_clock_use_real(void)
{
    mode = CLOCK_REAL;
}

void cv_clock_fix(int64_t ms)
{
    mode = CLOCK_FIXED;
    fixed_ms = ms;
}

void cv_clock_anchor(int64_t ms)
{
    mode = CLOCK_ANCHORED;
    fixed_ms = ms;
    anchored_at = real_ms(CLOCK_MONOTONIC);
}

void cv_clock_advance(int64_t ms)
{
    fixed_ms += ms;
}

void cv_clock_date(int64_t ms, int offset_min, char buf[11])
{
    time_t t = (time_t)((ms / 1000) + (int64_t)offset_min * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
}

void cv_clock_today(char buf[11])
{
    cv_clock_date(cv_clock_now(), CV_TZ_VIETNAM_MIN, buf);
}
