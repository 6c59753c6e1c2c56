/* calendar.h: the organisation's time zone and its holiday calendar. Zones are a table of fixed
 * offsets (names of zones without daylight saving only: Vietnam has had none since 1975); the
 * zone is the store setting "timezone", Asia/Ho_Chi_Minh by default. Working days skip Saturdays,
 * Sundays and the days in the holidays table. */
#ifndef CV_CALENDAR_H
#define CV_CALENDAR_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

#define CV_ZONE_DEFAULT "Asia/Ho_Chi_Minh"
#define CV_ZONE_MAX     64

/* The offset east of UTC in minutes of a zone name from the table; CV_EINVAL lists them. */
int cv_calendar_zone_offset(const char *zone, int *offset_min, cv_err *e);

/* The store's zone (setting "timezone", default CV_ZONE_DEFAULT) and its offset. */
int cv_calendar_zone(cv_store *s, char name[CV_ZONE_MAX], int *offset_min, cv_err *e);

/* Sets the store's zone after checking it is in the table. */
int cv_calendar_set_zone(cv_store *s, const char *zone, cv_err *e);

int cv_calendar_holiday_add(cv_store *s, const char *day, const char *name, cv_err *e);
int cv_calendar_holiday_remove(cv_store *s, const char *day, cv_err *e);

/* The holidays as [{"day", "name"}] by day (new reference in *out). */
int cv_calendar_holidays(cv_store *s, json_t **out, cv_err *e);

/* The date n working days before day (n >= 0) into out[11]. */
int cv_calendar_working_days_before(cv_store *s, const char *day, int n, char out[11], cv_err *e);

#endif
