/* clock.h: the one clock every part of convene asks (DESIGN.md principle 4). Real time by
 * default; tests, demos and `convene script test` fix it or run it from an anchor. Never call
 * time() or clock_gettime() for domain time anywhere else. */
#ifndef CV_CLOCK_H
#define CV_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch, as the clock currently says. */
int64_t cv_clock_now(void);

/* The real time in ms since the epoch, whatever the domain clock says: when an event was recorded,
 * when a grant or a token starts and ends. Never use it for domain time. */
int64_t cv_clock_real(void);

/* Use the real system clock (the default). */
void cv_clock_use_real(void);

/* Freeze the clock at ms; it stays there until set again (CLI --now, unit tests). */
void cv_clock_fix(int64_t ms);

/* Run the clock from ms onwards at real speed (a daemon on a demo store). */
void cv_clock_anchor(int64_t ms);

/* Move a fixed clock forward by ms (the simulated clock of tests and rehearsals). */
void cv_clock_advance(int64_t ms);

/* Vietnam's offset from UTC in minutes: Asia/Ho_Chi_Minh has been UTC+7 without DST since 1975. */
#define CV_TZ_VIETNAM_MIN (7 * 60)

/* Writes the calendar date (YYYY-MM-DD) of ms in a zone offset_min east of UTC into buf[11]. */
void cv_clock_date(int64_t ms, int offset_min, char buf[11]);

/* Today's date in Vietnam, from cv_clock_now(). */
void cv_clock_today(char buf[11]);

#endif
