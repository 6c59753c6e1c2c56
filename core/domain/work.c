/* work.c: subcommittees and work items. Owns the subcommittees and work_items tables; reads
 * congresses and organisations but never changes them. */
#include "work.h"

#include <string.h>

#include "base/bound.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/congress.h"
#include "domain/term.h"
#include "store/journal.h"

int cv_subcommittee_add(cv_store *s, const char *org, const char *term, const char *code,
                        const char *name, cv_err *e)
{
    char clean[CV_NAME_MAX];
    cv_congress c;
    if (cv_text_code(code, "subcommittee code", e) < 0 ||
        cv_text_nfc(name, clean, sizeof clean, "subcommittee name", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s, "INSERT INTO subcommittees(congress_id, code, name) VALUES (?1, ?2, ?3)", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, clean, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_ECONFLICT, N_("the congress of %s already has a subcommittee '%s'"),
                          org, code);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "adding a subcommittee", e);
    if (cv_journal_emit(s, "subcommittee.added", c.org_id,
                        json_pack("{s:s, s:s, s:s, s:s}", "org", org, "term", c.term, "code", code,
                                  "name", clean),
                        NULL, e) < 0)
        return e->code;
    return 0;
}

static int subcommittee_id(cv_store *s, int64_t congress_id, const char *code, int64_t *id,
                           cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT id FROM subcommittees WHERE congress_id = ?1 AND code = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND,
                          N_("no subcommittee '%s' for this congress "
                             "(add it with 'convene subcommittee add')"),
                          code);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a subcommittee", e);
}

/* Checks and normalises a spec into w (texts in NFC, dates real, budget not negative). */
static int clean_spec(const cv_work_spec *spec, cv_work_item *w, cv_err *e)
{
    memset(w, 0, sizeof *w);
    if (!spec->title || !spec->group)
        return cv_err_set(e, CV_EINVAL, N_("a work item needs a title and a group"));
    if (cv_text_nfc(spec->title, w->title, sizeof w->title, "title", e) < 0 ||
        cv_text_nfc(spec->group, w->group, sizeof w->group, "group", e) < 0 ||
        (spec->unit && cv_text_nfc(spec->unit, w->unit, sizeof w->unit, "unit", e) < 0) ||
        (spec->person && cv_text_nfc(spec->person, w->person, sizeof w->person, "person", e) < 0) ||
        (spec->due && cv_date_check(spec->due, "due date", e) < 0))
        return e->code;
    if (cv_bound_check(spec->budget, 0, CV_AMOUNT_MAX, "budget", e) < 0)
        return e->code;
    if (spec->due)
        snprintf(w->due, sizeof w->due, "%s", spec->due);
    if (spec->subcommittee)
        snprintf(w->subcommittee, sizeof w->subcommittee, "%s", spec->subcommittee);
    w->budget = spec->budget;
    snprintf(w->status, sizeof w->status, "open");
    return 0;
}

static int insert_item(cv_store *s, cv_work_item *w, int64_t sub_id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO work_items(congress_id, group_name, subcommittee_id, title, unit, person, "
        "due, budget) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, nullif(?7, ''), ?8)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, w->congress_id);
    sqlite3_bind_text(st, 2, w->group, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, sub_id);
    sqlite3_bind_text(st, 4, w->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, w->unit, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, w->person, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, w->due, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, w->budget);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    w->id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

int cv_work_add(cv_store *s, const cv_work_spec *spec, int64_t *id, cv_err *e)
{
    cv_work_item w;
    cv_congress c;
    int64_t sub_id = 0;
    if (clean_spec(spec, &w, e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_congress_get(s, spec->org, spec->term, &c, e) < 0 ||
        (w.subcommittee[0] && subcommittee_id(s, c.id, w.subcommittee, &sub_id, e) < 0))
        return e->code;
    w.congress_id = c.id;
    w.org_id = c.org_id;
    snprintf(w.org_code, sizeof w.org_code, "%s", c.org_code);
    if (insert_item(s, &w, sub_id, e) < 0 ||
        cv_journal_emit(s, "work_item.added", c.org_id, cv_work_json(&w), NULL, e) < 0)
        return e->code;
    if (id)
        *id = w.id;
    return 0;
}

#define WORK_SELECT                                                                                \
    "SELECT w.id, w.congress_id, o.code, w.group_name, coalesce(sc.code, ''), w.title, w.unit, "   \
    "w.person, coalesce(w.due, ''), w.budget, w.status, coalesce(w.done_on, ''), o.id "            \
    "FROM work_items w JOIN congresses c ON c.id = w.congress_id JOIN orgs o ON o.id = c.org_id "  \
    "LEFT JOIN subcommittees sc ON sc.id = w.subcommittee_id "

static void read_item(sqlite3_stmt *st, cv_work_item *w)
{
    const int n[] = {2, 3, 4, 5, 6, 7, 8, 10, 11};
    char *dst[] = {w->org_code, w->group, w->subcommittee, w->title,  w->unit,
                   w->person,   w->due,   w->status,       w->done_on};
    const size_t cap[] = {sizeof w->org_code, sizeof w->group,  sizeof w->subcommittee,
                          sizeof w->title,    sizeof w->unit,   sizeof w->person,
                          sizeof w->due,      sizeof w->status, sizeof w->done_on};
    w->id = sqlite3_column_int64(st, 0);
    w->congress_id = sqlite3_column_int64(st, 1);
    w->org_id = sqlite3_column_int64(st, 12);
    w->budget = sqlite3_column_int64(st, 9);
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
        /* A copy cut at the field's size, as snprintf would, at a third of its cost. */
        const unsigned char *v = sqlite3_column_text(st, n[i]);
        size_t len = v ? (size_t)sqlite3_column_bytes(st, n[i]) : 0;
        len = len < cap[i] ? len : cap[i] - 1;
        memcpy(dst[i], v ? (const char *)v : "", len);
        dst[i][len] = '\0';
    }
}

int cv_work_get(cv_store *s, int64_t id, cv_work_item *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, WORK_SELECT "WHERE w.id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_item(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no work item %lld"), (long long)id);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a work item", e);
}

static int write_item_state(cv_store *s, const cv_work_item *w, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE work_items SET unit = ?2, person = ?3, status = ?4, done_on = nullif(?5, '') "
        "WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, w->id);
    sqlite3_bind_text(st, 2, w->unit, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->person, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, w->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, w->done_on, -1, SQLITE_STATIC);
    return cv_store_exec(s, st, e);
}

static int save_and_emit(cv_store *s, const cv_work_item *w, const char *event, cv_err *e)
{
    if (write_item_state(s, w, e) < 0 ||
        cv_journal_emit(s, event, w->org_id, cv_work_json(w), NULL, e) < 0)
        return e->code;
    return 0;
}

int cv_work_assign(cv_store *s, int64_t id, const char *unit, const char *person, cv_err *e)
{
    cv_work_item w;
    if (!unit && !person)
        return cv_err_set(e, CV_EINVAL, N_("give --unit or --person to assign"));
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_work_get(s, id, &w, e) < 0 ||
        (unit && cv_text_nfc(unit, w.unit, sizeof w.unit, "unit", e) < 0) ||
        (person && cv_text_nfc(person, w.person, sizeof w.person, "person", e) < 0))
        return e->code;
    return save_and_emit(s, &w, "work_item.assigned", e);
}

int cv_work_check_done_on(const char *date, cv_err *e)
{
    char today[11];
    cv_clock_today(today);
    if (cv_date_check(date, "done date", e) < 0)
        return e->code;
    if (strcmp(date, today) > 0)
        return cv_err_set(e, CV_EINVAL, N_("cannot mark done on %s: today is %s"), date, today);
    return 0;
}

int cv_work_done(cv_store *s, int64_t id, const char *date, cv_err *e)
{
    cv_work_item w;
    char today[11];
    cv_clock_today(today);
    if (date && cv_work_check_done_on(date, e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_work_get(s, id, &w, e) < 0)
        return e->code;
    if (strcmp(w.status, "done") == 0) {
        return cv_err_set(e, CV_ECONFLICT, N_("work item %lld was already done on %s"),
                          (long long)id, w.done_on);
    }
    snprintf(w.status, sizeof w.status, "done");
    snprintf(w.done_on, sizeof w.done_on, "%s", date ? date : today);
    return save_and_emit(s, &w, "work_item.done", e);
}

int cv_work_list(cv_store *s, const cv_work_filter *f, cv_work_visit visit, void *ctx, cv_err *e)
{
    cv_term t;
    char today[11];
    cv_clock_today(today);
    if (cv_term_get(s, f->term, &t, e) < 0)
        return e->code;
    if (f->org) {
        cv_org o;
        if (cv_org_get(s, f->org, &o, e) < 0)
            return e->code;
    }
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE code = ?1 " /* the code's index */
        "  UNION SELECT id FROM orgs WHERE ?1 IS NULL UNION SELECT o.id FROM orgs o JOIN sub ON "
        "o.parent_id = sub.id WHERE ?1 IS NOT "
        "NULL AND NOT ?8) " WORK_SELECT "WHERE c.term_id = ?2 AND o.id IN sub "
        "AND (?3 IS NULL OR w.group_name = ?3) AND (?4 IS NULL OR sc.code = ?4) "
        "AND (NOT ?5 OR (w.status = 'open' AND w.due < ?6)) AND (NOT ?7 OR w.status = 'open') "
        "AND w.id NOT IN (SELECT id FROM work_items_out_of_force) " /* scenario (core/docs) */
        "ORDER BY w.due IS NULL, w.due, w.id",
        e);
    if (!st)
        return e->code;
    if (f->org)
        sqlite3_bind_text(st, 1, f->org, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, t.id);
    if (f->group)
        sqlite3_bind_text(st, 3, f->group, -1, SQLITE_STATIC);
    if (f->subcommittee)
        sqlite3_bind_text(st, 4, f->subcommittee, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, f->overdue);
    sqlite3_bind_text(st, 6, today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, f->open_only);
    sqlite3_bind_int(st, 8, f->own_only);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_work_item w;
        read_item(st, &w);
        stop = visit(&w, ctx);
    }
    sqlite3_reset(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "listing work items", e);
}

/* Guided by the roll-ups' due-date buckets (store migration 9): from the root down only into
 * organisations whose subtree holds an open item due before today, then the items of those
 * organisations and of their children, from work_items_by_congress. Never a walk of the whole
 * subtree: what it visits is bounded by the branches that have overdue items and their fan-out. */
int cv_work_overdue_page(cv_store *s, int64_t root, int64_t term_id, int limit, cv_work_visit visit,
                         void *ctx, cv_err *e)
{
    char today[11];
    cv_clock_today(today);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE hot(id) AS (SELECT ?1 UNION ALL SELECT o.id FROM hot JOIN orgs o ON "
        "  o.parent_id = hot.id WHERE EXISTS (SELECT 1 FROM rollup_due d WHERE d.org_id = o.id "
        "  AND d.term_id = ?2 AND d.due < ?3 AND d.open > 0)), "
        "cand(id) AS (SELECT id FROM hot UNION SELECT o.id FROM hot JOIN orgs o ON "
        "  o.parent_id = hot.id) "
        "SELECT w.id, w.congress_id, o.code, w.group_name, coalesce(sc.code, ''), w.title, "
        "w.unit, w.person, coalesce(w.due, ''), w.budget, w.status, coalesce(w.done_on, ''), o.id "
        "FROM cand CROSS JOIN congresses c ON c.org_id = cand.id AND c.term_id = ?2 "
        "CROSS JOIN work_items w ON w.congress_id = c.id AND w.status = 'open' AND w.due < ?3 "
        "JOIN orgs o ON o.id = c.org_id LEFT JOIN subcommittees sc ON sc.id = w.subcommittee_id "
        "WHERE coalesce((SELECT active FROM scenarios WHERE id = coalesce(w.scenario_id, "
        "(SELECT scenario_id FROM plans WHERE id = w.plan_id))), 1) "
        "ORDER BY w.due, w.id LIMIT ?4",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int64(st, 2, term_id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, limit);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_work_item w;
        read_item(st, &w);
        stop = visit(&w, ctx);
    }
    sqlite3_reset(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "listing overdue work items", e);
}

/* Sets key of o to the text v, or null when v is empty. Built member by member rather than by
 * json_pack, whose format parsing cost a status report a quarter of its time. */
static void put_text(json_t *o, const char *key, const char *v, int empty_is_null)
{
    json_object_set_new_nocheck(o, key, empty_is_null && !v[0] ? json_null() : json_string(v));
}

json_t *cv_work_json(const cv_work_item *w)
{
    json_t *o = json_object();
    json_object_set_new_nocheck(o, "id", json_integer((json_int_t)w->id));
    put_text(o, "org", w->org_code, 0);
    put_text(o, "group", w->group, 0);
    put_text(o, "subcommittee", w->subcommittee, 1);
    put_text(o, "title", w->title, 0);
    put_text(o, "unit", w->unit, 0);
    put_text(o, "person", w->person, 0);
    put_text(o, "due", w->due, 1);
    json_object_set_new_nocheck(o, "budget", json_integer((json_int_t)w->budget));
    put_text(o, "status", w->status, 0);
    put_text(o, "done_on", w->done_on, 1);
    return o;
}
