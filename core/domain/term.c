/* term.c: terms and congress windows per level. Owns the terms and term_windows tables. */
#include "term.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "domain/org.h"
#include "store/journal.h"

/* The calendar of Directive 35-CT/TW (2020-2025): grassroots April to 30 June 2020 in at most
 * 2 days, district level by 31 August (3 days), province by 31 October (4 days), the national XIII
 * congress 25 January - 2 February 2021. Cells hold theirs before their grassroots organisation;
 * convene gives them January-March. Directive 45-CT/TW (2025-2030) moves everything five years and
 * ends grassroots congresses by 30 June 2025. Each window is editable: `convene term window`. */
static const struct {
    const char *term, *level, *opens, *closes;
    int max_days;
} default_windows[] = {
    {"2020-2025", "cell", "2020-01-01", "2020-03-31", 1},
    {"2020-2025", "grassroots", "2020-04-01", "2020-06-30", 2},
    {"2020-2025", "district", "2020-06-01", "2020-08-31", 3},
    {"2020-2025", "province", "2020-08-01", "2020-10-31", 4},
    {"2020-2025", "national", "2021-01-25", "2021-02-02", 9},
    {"2025-2030", "cell", "2025-01-01", "2025-03-31", 1},
    {"2025-2030", "grassroots", "2025-04-01", "2025-06-30", 2},
    {"2025-2030", "district", "2025-06-01", "2025-08-31", 3},
    {"2025-2030", "province", "2025-08-01", "2025-10-31", 4},
    {"2025-2030", "national", "2026-01-19", "2026-01-25", 7},
};

static int insert_term(cv_store *s, const char *code, cv_err *e)
{
    /* A term named "2020-2025" runs from 1 January of the first year to 31 December of the last
     * but one: congresses of 2025 open the next term. */
    char starts[16], ends[16];
    unsigned first = (unsigned)atoi(code) % 10000u, last = (unsigned)atoi(code + 5) % 10000u;
    snprintf(starts, sizeof starts, "%04u-01-01", first);
    snprintf(ends, sizeof ends, "%04u-12-31", (last + 9999u) % 10000u);
    sqlite3_stmt *st = cv_store_prepare(
        s, "INSERT INTO terms(code, starts, ends) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, starts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ends, -1, SQLITE_TRANSIENT);
    return cv_store_exec(s, st, e);
}

static int insert_window(cv_store *s, int64_t term_id, const char *level, const char *opens,
                         const char *closes, int max_days, int replace, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO term_windows(term_id, level, opens, closes, max_days) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET opens = excluded.opens, "
        "closes = excluded.closes, max_days = excluded.max_days WHERE ?6",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, term_id);
    sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, opens, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, closes, -1, SQLITE_STATIC);
    if (max_days > 0)
        sqlite3_bind_int(st, 5, max_days);
    sqlite3_bind_int(st, 6, replace);
    return cv_store_exec(s, st, e);
}

int cv_term_seed(cv_store *s, cv_err *e)
{
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    for (size_t i = 0; i < sizeof default_windows / sizeof default_windows[0]; i++) {
        cv_term t;
        if (insert_term(s, default_windows[i].term, e) < 0 ||
            cv_term_get(s, default_windows[i].term, &t, e) < 0 ||
            insert_window(s, t.id, default_windows[i].level, default_windows[i].opens,
                          default_windows[i].closes, default_windows[i].max_days, 0, e) < 0)
            return e->code;
    }
    return 0;
}

static int read_term(cv_store *s, sqlite3_stmt *st, cv_term *out, const char *what, cv_err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->code, sizeof out->code, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(out->starts, sizeof out->starts, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(out->ends, sizeof out->ends, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, "no term %s", what);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a term", e);
}

int cv_term_get(cv_store *s, const char *code, cv_term *out, cv_err *e)
{
    char current[16];
    if (!code && cv_store_setting_get(s, "term", current, sizeof current, e) == 0)
        code = current;
    if (code) {
        sqlite3_stmt *st =
            cv_store_prepare(s, "SELECT id, code, starts, ends FROM terms WHERE code = ?1", e);
        if (!st)
            return e->code;
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        char what[40];
        snprintf(what, sizeof what, "'%.16s' (e.g. 2020-2025)", code);
        return read_term(s, st, out, what, e);
    }
    char today[11];
    cv_clock_today(today);
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT id, code, starts, ends FROM terms WHERE ?1 BETWEEN starts AND ends", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, today, -1, SQLITE_STATIC);
    char what[40];
    snprintf(what, sizeof what, "contains %s", today);
    return read_term(s, st, out, what, e);
}

int cv_term_window(cv_store *s, int64_t term_id, const char *level, cv_window *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT opens, closes, coalesce(max_days, 0) FROM term_windows "
                         "WHERE term_id = ?1 AND level = ?2",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, term_id);
    sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(out->opens, sizeof out->opens, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(out->closes, sizeof out->closes, "%s", (const char *)sqlite3_column_text(st, 1));
        out->max_days = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, "level %s has no congress window", level);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a window", e);
}

int cv_term_set_window(cv_store *s, const char *term_code, const char *level, const char *opens,
                       const char *closes, int max_days, cv_err *e)
{
    cv_term t;
    int rank;
    if (cv_store_require_tx(s, __func__, e) < 0 || cv_org_level_check(level, &rank, e) < 0 ||
        cv_date_check(opens, "window opening", e) < 0 ||
        cv_date_check(closes, "window closing", e) < 0)
        return e->code;
    if (strcmp(closes, opens) < 0)
        return cv_err_set(e, CV_EINVAL, "the window closes (%s) before it opens (%s)", closes,
                          opens);
    if (max_days < 0)
        return cv_err_set(e, CV_EINVAL, "the most days must not be negative");
    if (cv_term_get(s, term_code, &t, e) < 0 ||
        insert_window(s, t.id, level, opens, closes, max_days, 1, e) < 0)
        return e->code;
    return cv_journal_emit(s, "term.window_set", 0,
                           json_pack("{s:s, s:s, s:s, s:s, s:i}", "term", t.code, "level", level,
                                     "opens", opens, "closes", closes, "max_days", max_days),
                           NULL, e);
}
