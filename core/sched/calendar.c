/* calendar.c: zones and the holiday calendar. Owns the zone table and the holidays table; it
 * never reads the clock (callers pass the instants and dates they mean). */
#include "sched/calendar.h"

#include <string.h>

#include "base/date.h"
#include "base/text.h"
#include "store/journal.h"

/* Fixed offsets only: a zone with daylight saving would need the tz database, and none of the
 * places convene serves has it. */
static const struct {
    const char *name;
    int offset_min;
} zones[] = {
    {"Asia/Ho_Chi_Minh", 420}, {"Asia/Saigon", 420},     {"Asia/Bangkok", 420},
    {"Asia/Vientiane", 420},   {"Asia/Phnom_Penh", 420}, {"Asia/Jakarta", 420},
    {"Asia/Shanghai", 480},    {"Asia/Singapore", 480},  {"Asia/Manila", 480},
    {"Asia/Tokyo", 540},       {"Asia/Seoul", 540},      {"UTC", 0},
};

int cv_calendar_zone_offset(const char *zone, int *offset_min, cv_err *e)
{
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (strcmp(zone, zones[i].name) == 0) {
            *offset_min = zones[i].offset_min;
            return 0;
        }
    char list[512] = "";
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, zones[i].name, sizeof list - strlen(list) - 1);
    }
    return cv_err_set(e, CV_EINVAL, N_("unknown time zone '%.64s'; known zones: %s"), zone, list);
}

int cv_calendar_zone(cv_store *s, char name[CV_ZONE_MAX], int *offset_min, cv_err *e)
{
    int rc = cv_store_setting_get(s, "timezone", name, CV_ZONE_MAX, e);
    if (rc == CV_ENOTFOUND)
        snprintf(name, CV_ZONE_MAX, "%s", CV_ZONE_DEFAULT);
    else if (rc < 0)
        return rc;
    return cv_calendar_zone_offset(name, offset_min, e);
}

int cv_calendar_set_zone(cv_store *s, const char *zone, cv_err *e)
{
    int off = 0;
    if (cv_calendar_zone_offset(zone, &off, e) < 0 || cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_store_setting_set(s, "timezone", zone, e) < 0 ||
        cv_journal_emit(s, "sched.zone", 0,
                        json_pack("{s:s, s:i}", "zone", zone, "offset_min", off), NULL, e) < 0)
        return e->code;
    return 0;
}

/* One holiday change and its event in one transaction. */
static int holiday_change(cv_store *s, const char *sql, const char *day, const char *name,
                          const char *event, cv_err *e)
{
    sqlite3_stmt *st;
    if (cv_store_require_tx(s, event, e) < 0)
        return e->code;
    if (!(st = cv_store_prepare(s, sql, e)))
        return e->code;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    if (name)
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    if (sqlite3_changes(cv_store_db(s)) == 0)
        return cv_err_set(e, CV_ENOTFOUND, N_("%s is not in the holiday calendar"), day);
    if (cv_journal_emit(s, event, 0, json_pack("{s:s}", "day", day), NULL, e) < 0)
        return e->code;
    return 0;
}

int cv_calendar_holiday_add(cv_store *s, const char *day, const char *name, cv_err *e)
{
    char nfc[CV_NAME_MAX];
    if (cv_date_check(day, "holiday", e) < 0 || cv_text_nfc(name, nfc, sizeof nfc, "name", e) < 0)
        return e->code;
    return holiday_change(s,
                          "INSERT INTO holidays(day, name) VALUES (?1, ?2) "
                          "ON CONFLICT(day) DO UPDATE SET name = excluded.name",
                          day, nfc, "holiday.added", e);
}

int cv_calendar_holiday_remove(cv_store *s, const char *day, cv_err *e)
{
    if (cv_date_check(day, "holiday", e) < 0)
        return e->code;
    return holiday_change(s, "DELETE FROM holidays WHERE day = ?1", day, NULL, "holiday.removed",
                          e);
}

int cv_calendar_holidays(cv_store *s, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT day, name FROM holidays ORDER BY day", e);
    if (!st)
        return e->code;
    json_t *a = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s}", "day", sqlite3_column_text(st, 0), "name",
                                           sqlite3_column_text(st, 1)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        return cv_store_fail(s, "reading holidays", e);
    }
    *out = a;
    return 0;
}

static int is_holiday(cv_store *s, const char *day, int *yes, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT 1 FROM holidays WHERE day = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cv_store_fail(s, "reading holidays", e);
    *yes = rc == SQLITE_ROW;
    return 0;
}

int cv_calendar_working_days_before(cv_store *s, const char *day, int n, char out[11], cv_err *e)
{
    if (cv_date_check(day, "date", e) < 0)
        return e->code;
    if (n < 0 || n > 1000)
        return cv_err_set(e, CV_EINVAL, N_("working days must be between 0 and 1000"));
    int64_t d = cv_date_days(day);
    char ymd[11];
    while (n > 0) {
        d--;
        int wday = (int)(((d % 7) + 7 + 4) % 7), holiday = 0;
        cv_date_from_days(d, ymd);
        if (wday == 0 || wday == 6)
            continue;
        if (is_holiday(s, ymd, &holiday, e) < 0)
            return e->code;
        n -= !holiday;
    }
    cv_date_from_days(d, out);
    return 0;
}
