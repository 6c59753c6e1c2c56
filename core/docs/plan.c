/* plan.c: plans and legal references, and the work items citing them. Owns the plans table and
 * work_items.plan_id; never changes any other column of a work item. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/text.h"
#include "docs/common.h"
#include "docs/scenario.h"
#include "domain/congress.h"
#include "domain/work.h"
#include "store/journal.h"

static const char *const kinds[] = {"plan",     "notice",   "directive",  "regulation",
                                    "guidance", "decision", "resolution", "other"};

struct plan_row {
    char number[CV_CODE_MAX * 2], issuer[CV_NAME_MAX], title[CV_NAME_MAX], dept[CV_NAME_MAX];
    int64_t org_id, sub_id, scenario_id;
};

static int check_kind(const char *kind, cv_err *e)
{
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 0;
    return cv_err_set(e, CV_EINVAL,
                      N_("plan kind '%s' is not one of plan, notice, directive, regulation, "
                         "guidance, decision, resolution, other"),
                      kind ? kind : "");
}

/* A plan's number is printed text ("39/KH-BPĐBANTT"): NFC, no '@' (which separates the date in a
 * reference) and not only digits (which would read as an id). */
static int check_number(const char *number, char *out, size_t cap, cv_err *e)
{
    if (cv_text_nfc(number ? number : "", out, cap, "plan number", e) < 0)
        return e->code;
    if (strchr(out, '@') || strspn(out, "0123456789") == strlen(out))
        return cv_err_set(e, CV_EINVAL,
                          N_("plan number '%s' must not contain '@' or be only digits"), out);
    return 0;
}

static int subcommittee_of(cv_store *s, int64_t congress, const char *code, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT id FROM subcommittees WHERE congress_id = ?1 AND code = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no subcommittee '%s' for this congress"), code);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a subcommittee", e);
}

/* Resolves the owner, subcommittee and scenario of spec into r (inside the transaction). */
static int resolve_owner(cv_store *s, const cv_plan_spec *spec, struct plan_row *r, cv_err *e)
{
    if (!spec->org) {
        if (spec->subcommittee || spec->scenario)
            return cv_err_set(e, CV_EINVAL, N_("--subcommittee and --scenario need --org"));
        return 0;
    }
    cv_congress c;
    cv_org o;
    if (cv_org_get(s, spec->org, &o, e) < 0)
        return e->code;
    r->org_id = o.id;
    if (!spec->subcommittee && !spec->scenario)
        return 0;
    if (cv_congress_get(s, spec->org, spec->term, &c, e) < 0 ||
        (spec->subcommittee && subcommittee_of(s, c.id, spec->subcommittee, &r->sub_id, e) < 0) ||
        (spec->scenario && cv_scenario_id(s, c.id, spec->scenario, &r->scenario_id, e) < 0))
        return e->code;
    return 0;
}

static int insert_plan(cv_store *s, const cv_plan_spec *spec, const struct plan_row *r, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO plans(number, issued, issuer, kind, title, org_id, subcommittee_id, "
        "department, scenario_id) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), nullif(?7, 0), ?8, "
        "nullif(?9, 0))",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, r->number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, spec->issued, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->issuer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, spec->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, r->org_id);
    sqlite3_bind_int64(st, 7, r->sub_id);
    sqlite3_bind_text(st, 8, r->dept, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, r->scenario_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_ECONFLICT, N_("%s of %s by %s is already recorded"), r->number,
                          spec->issued, r->issuer);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "adding a plan", e);
}

int cv_plan_add(cv_store *s, const cv_plan_spec *spec, int64_t *id, cv_err *e)
{
    struct plan_row *r = calloc(1, sizeof *r);
    if (!r)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    int rc = 0;
    if (check_number(spec->number, r->number, sizeof r->number, e) < 0 ||
        check_kind(spec->kind, e) < 0 ||
        cv_date_check(spec->issued ? spec->issued : "", "issue date", e) < 0 ||
        cv_text_nfc(spec->issuer ? spec->issuer : "", r->issuer, sizeof r->issuer, "issuer", e) <
            0 ||
        cv_text_nfc(spec->title ? spec->title : r->number, r->title, sizeof r->title, "title", e) <
            0 ||
        (spec->department &&
         cv_text_nfc(spec->department, r->dept, sizeof r->dept, "department", e) < 0) ||
        cv_store_require_tx(s, __func__, e) < 0) {
        free(r);
        return e->code;
    }
    if (resolve_owner(s, spec, r, e) < 0 || insert_plan(s, spec, r, e) < 0) {
        free(r);
        return e->code;
    }
    int64_t pid = sqlite3_last_insert_rowid(cv_store_db(s));
    if (id)
        *id = pid;
    rc = cv_journal_emit(s, "plan.added", r->org_id,
                         json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}", "id",
                                   (json_int_t)pid, "number", r->number, "issued", spec->issued,
                                   "issuer", r->issuer, "kind", spec->kind, "title", r->title,
                                   "org", spec->org, "subcommittee", spec->subcommittee,
                                   "department", r->dept),
                         NULL, e);
    free(r);
    return rc;
}

/* Appends "DATE (ISSUER)" of every plan numbered number to buf, for an ambiguity message. */
static int find_by_number(cv_store *s, const char *number, const char *date, int64_t *id,
                          char *seen, size_t cap, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT id, issued, issuer FROM plans WHERE number = ?1 AND (?2 IS NULL OR issued = ?2) "
        "ORDER BY issued, id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    if (date)
        sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        size_t len = strlen(seen);
        snprintf(seen + len, cap - len, "%s%s (%s)", n++ ? ", " : "", cv_docs_col(st, 1),
                 cv_docs_col(st, 2));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "finding a plan", e);
    if (n == 0 && date)
        return cv_err_set(e, CV_ENOTFOUND, N_("no plan %s of %s"), number, date);
    if (n == 0)
        return cv_err_set(e, CV_ENOTFOUND, N_("no plan %s"), number);
    if (n > 1)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("%s is ambiguous: %s; write %s@DATE or the plan's id"), number, seen,
                          number);
    return 0;
}

int cv_plan_ref_parse(const char *ref, cv_plan_ref *out, cv_err *e)
{
    memset(out, 0, sizeof *out);
    if (!ref || !*ref)
        return cv_err_set(e, CV_EINVAL, N_("a plan reference must not be empty"));
    if (strspn(ref, "0123456789") == strlen(ref)) {
        if (cv_text_count(ref, &out->id, "plan id", e) < 0)
            return e->code;
        return out->id > 0 ? 0 : cv_err_set(e, CV_EINVAL, N_("a plan id is 1 or more"));
    }
    if (cv_text_nfc(ref, out->number, sizeof out->number, "plan reference", e) < 0)
        return e->code;
    char *at = strchr(out->number, '@');
    if (!at)
        return 0;
    *at++ = '\0';
    if (!out->number[0])
        return cv_err_set(e, CV_EINVAL, N_("a plan reference needs a number before '@'"));
    if (cv_date_check(at, "the date in a plan reference", e) < 0)
        return e->code;
    snprintf(out->date, sizeof out->date, "%s", at);
    return 0;
}

int cv_plan_find(cv_store *s, const char *ref, int64_t *id, cv_err *e)
{
    char seen[1024] = "";
    cv_plan_ref r;
    if (cv_plan_ref_parse(ref, &r, e) < 0)
        return e->code;
    if (!r.id)
        return find_by_number(s, r.number, r.date[0] ? r.date : NULL, id, seen, sizeof seen, e);
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT 1 FROM plans WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, r.id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *id = r.id;
    return rc == SQLITE_ROW ? 0 : cv_err_set(e, CV_ENOTFOUND, N_("no plan %s"), ref);
}

int cv_plan_cite(cv_store *s, const char *ref, int64_t work, cv_err *e)
{
    int64_t id;
    cv_work_item w;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_plan_find(s, ref, &id, e) < 0 || cv_work_get(s, work, &w, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(s, "UPDATE work_items SET plan_id = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, work);
    sqlite3_bind_int64(st, 2, id);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return cv_journal_emit(s, "plan.cited", w.org_id,
                           json_pack("{s:I, s:I, s:s}", "plan", (json_int_t)id, "work_item",
                                     (json_int_t)work, "org", w.org_code),
                           NULL, e);
}

#define PLAN_SELECT                                                                                \
    "SELECT p.id, p.number, p.issued, p.issuer, p.kind, p.title, o.code, sc.code, p.department, "  \
    "sn.code FROM plans p LEFT JOIN orgs o ON o.id = p.org_id "                                    \
    "LEFT JOIN subcommittees sc ON sc.id = p.subcommittee_id "                                     \
    "LEFT JOIN scenarios sn ON sn.id = p.scenario_id "

static json_t *plan_json(sqlite3_stmt *st)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0),
        "number", cv_docs_col(st, 1), "issued", cv_docs_col(st, 2), "issuer", cv_docs_col(st, 3),
        "kind", cv_docs_col(st, 4), "title", cv_docs_col(st, 5), "department", cv_docs_col(st, 8));
    const char *keys[] = {"org", "subcommittee", "scenario"};
    const int cols[] = {6, 7, 9};
    for (int i = 0; i < 3; i++)
        json_object_set_new(j, keys[i],
                            sqlite3_column_type(st, cols[i]) == SQLITE_NULL
                                ? json_null()
                                : json_string(cv_docs_col(st, cols[i])));
    return j;
}

int cv_plan_list(cv_store *s, const char *org, const char *number, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        PLAN_SELECT "WHERE (?1 IS NULL OR o.code = ?1) AND (?2 IS NULL OR p.number = ?2) "
                    "ORDER BY p.issued, p.id",
        e);
    if (!st)
        return e->code;
    if (org)
        sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    if (number)
        sqlite3_bind_text(st, 2, number, -1, SQLITE_STATIC);
    *out = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(*out, plan_json(st));
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    json_decref(*out);
    *out = NULL;
    return cv_store_fail(s, "listing plans", e);
}

static int citing_items(cv_store *s, int64_t plan, json_t *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT id FROM work_items WHERE plan_id = ?1 ORDER BY id", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, plan);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_work_item w;
        cv_err ignored;
        if (cv_work_get(s, sqlite3_column_int64(st, 0), &w, &ignored) == 0)
            json_array_append_new(out, cv_work_json(&w));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading citing work items", e);
}

int cv_plan_show(cv_store *s, const char *ref, json_t **out, cv_err *e)
{
    int64_t id;
    if (cv_plan_find(s, ref, &id, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(s, PLAN_SELECT "WHERE p.id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cv_store_fail(s, "reading a plan", e);
    }
    *out = plan_json(st);
    sqlite3_reset(st);
    json_t *items = json_array();
    json_object_set_new(*out, "work_items", items);
    if (citing_items(s, id, items, e) < 0) {
        json_decref(*out);
        *out = NULL;
        return e->code;
    }
    return 0;
}
