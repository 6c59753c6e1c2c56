/* inspection.c: inspection visits and their requests. Owns inspections and
 * inspection_requests; a request's work item is made through cv_work_add, never written here. */
#include "inspection.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/text.h"
#include "docs/common.h"
#include "domain/org.h"
#include "domain/work.h"
#include "store/journal.h"

static int insert_visit(cv_store *s, int64_t org, int64_t by, const char *led_by, const char *on,
                        const char *findings, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO inspections(org_id, by_org_id, led_by, held_on, findings) "
                         "VALUES (?1, nullif(?2, 0), ?3, ?4, ?5)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, org);
    sqlite3_bind_int64(st, 2, by);
    sqlite3_bind_text(st, 3, led_by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, on, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, findings, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    *id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

int cv_inspection_add(cv_store *s, const cv_inspection_spec *spec, int64_t *id, cv_err *e)
{
    char led_by[CV_NAME_MAX], today[11], *findings = NULL;
    cv_org o, by = {0};
    int64_t vid = 0;
    cv_clock_today(today);
    if (cv_text_nfc(spec->led_by ? spec->led_by : "", led_by, sizeof led_by, "--led-by", e) < 0 ||
        cv_date_check(spec->on ? spec->on : "", "visit date", e) < 0)
        return e->code;
    if (strcmp(spec->on, today) > 0)
        return cv_err_set(e, CV_EINVAL, N_("a visit on %s has not happened yet (today is %s)"),
                          spec->on, today);
    if (cv_docs_long_text(spec->findings, &findings, "findings", e) < 0)
        return e->code;
    int rc = cv_store_require_tx(s, __func__, e);
    if (rc == 0 && (cv_org_get(s, spec->org ? spec->org : "", &o, e) < 0 ||
                    (spec->by && cv_org_get(s, spec->by, &by, e) < 0) ||
                    insert_visit(s, o.id, by.id, led_by, spec->on, findings, &vid, e) < 0))
        rc = e->code;
    if (rc == 0) {
        if (id)
            *id = vid;
        rc = cv_journal_emit(s, "inspection.recorded", o.id,
                             json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s}", "id", (json_int_t)vid,
                                       "org", o.code, "by", spec->by ? by.code : NULL, "led_by",
                                       led_by, "on", spec->on, "findings", findings),
                             NULL, e);
    }
    free(findings);
    return rc;
}

/* The visited organisation's code and name, and the date, of visit id. */
static int visit_of(cv_store *s, int64_t id, cv_org *o, char on[11], cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT o.code, i.held_on FROM inspections i JOIN orgs o ON o.id = i.org_id "
        "WHERE i.id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    char code[CV_CODE_MAX] = "";
    if (rc == SQLITE_ROW) {
        snprintf(code, sizeof code, "%s", cv_docs_col(st, 0));
        snprintf(on, 11, "%s", cv_docs_col(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no inspection %lld"), (long long)id);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "reading an inspection", e);
    return cv_org_get(s, code, o, e);
}

int cv_inspection_request(cv_store *s, int64_t id, const char *text, const char *due,
                          const char *unit, int64_t *work, cv_err *e)
{
    char clean[CV_NAME_MAX], on[11] = "";
    cv_org o;
    int64_t wid = 0;
    if (cv_text_nfc(text ? text : "", clean, sizeof clean, "request", e) < 0 ||
        cv_date_check(due ? due : "", "request deadline", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (visit_of(s, id, &o, on, e) < 0)
        return e->code;
    if (strcmp(due, on) < 0)
        return cv_err_set(e, CV_EINVAL, N_("deadline %s comes before the visit of %s"), due, on);
    cv_work_spec spec = {.org = o.code,
                         .group = CV_INSPECTION_GROUP,
                         .title = clean,
                         .unit = unit ? unit : o.name,
                         .due = due};
    if (cv_work_add(s, &spec, &wid, e) < 0)
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO inspection_requests(inspection_id, text, due, work_item_id) "
                         "VALUES (?1, ?2, ?3, ?4)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, clean, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, due, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, wid);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    if (work)
        *work = wid;
    return cv_journal_emit(s, "inspection.request_added", o.id,
                           json_pack("{s:I, s:s, s:s, s:s, s:I}", "inspection", (json_int_t)id,
                                     "org", o.code, "request", clean, "due", due, "work_item",
                                     (json_int_t)wid),
                           NULL, e);
}

static int requests_json(cv_store *s, int64_t id, json_t *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT r.text, r.due, r.work_item_id, w.status, coalesce(w.done_on, '') "
                         "FROM inspection_requests r JOIN work_items w ON w.id = r.work_item_id "
                         "WHERE r.inspection_id = ?1 ORDER BY r.id",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, json_pack("{s:s, s:s, s:I, s:s, s:s?}", "request",
                                             cv_docs_col(st, 0), "due", cv_docs_col(st, 1),
                                             "work_item", (json_int_t)sqlite3_column_int64(st, 2),
                                             "status", cv_docs_col(st, 3), "done_on",
                                             *cv_docs_col(st, 4) ? cv_docs_col(st, 4) : NULL));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading requests", e);
}

int cv_inspection_list(cv_store *s, const char *org, json_t **out, cv_err *e)
{
    cv_org root = {0};
    if (org && cv_org_get(s, org, &root, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE ?1 = 0 OR id = ?1 "
        "  UNION SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id WHERE ?1 <> 0) "
        "SELECT i.id, o.code, o.name, b.code, i.led_by, i.held_on, i.findings "
        "FROM inspections i JOIN orgs o ON o.id = i.org_id LEFT JOIN orgs b ON b.id = i.by_org_id "
        "WHERE i.org_id IN sub ORDER BY i.held_on, i.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, root.id);
    *out = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *v = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s, s:s, s:[]}", "id",
                              (json_int_t)sqlite3_column_int64(st, 0), "org", cv_docs_col(st, 1),
                              "name", cv_docs_col(st, 2), "by",
                              sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL : cv_docs_col(st, 3),
                              "led_by", cv_docs_col(st, 4), "on", cv_docs_col(st, 5), "findings",
                              cv_docs_col(st, 6), "requests");
        json_array_append_new(*out, v);
        if (requests_json(s, sqlite3_column_int64(st, 0), json_object_get(v, "requests"), e) < 0)
            break;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        cv_store_fail(s, "listing inspections", e);
    json_decref(*out);
    *out = NULL;
    return e->code;
}
