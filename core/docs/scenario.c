/* scenario.c: scenarios of a congress and which one is active. Owns the scenarios table and
 * work_items.scenario_id / plans.scenario_id; which items are in force is the view
 * work_items_out_of_force (migration 2), read by cv_work_list. */
#include "scenario.h"

#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "docs/common.h"
#include "docs/plan.h"
#include "domain/congress.h"
#include "domain/work.h"
#include "store/outbox.h"
#include "store/journal.h"

int cv_scenario_id(cv_store *s, int64_t congress_id, const char *code, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT id FROM scenarios WHERE congress_id = ?1 AND code = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(
            e, CV_ENOTFOUND,
            N_("no scenario '%s' for this congress (add it with 'convene scenario add')"), code);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a scenario", e);
}

int cv_scenario_add(cv_store *s, const char *org, const char *term, const char *code,
                    const char *name, cv_err *e)
{
    char clean[CV_NAME_MAX];
    cv_congress c;
    if (cv_text_code(code ? code : "", "scenario code", e) < 0 ||
        cv_text_nfc(name ? name : "", clean, sizeof clean, "scenario name", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s, "INSERT INTO scenarios(congress_id, code, name) VALUES (?1, ?2, ?3)", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, clean, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_ECONFLICT, N_("the congress of %s already has a scenario '%s'"),
                          org, code);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "adding a scenario", e);
    return cv_journal_emit(s, "scenario.added", c.org_id,
                           json_pack("{s:s, s:s, s:s, s:s}", "org", c.org_code, "term", c.term,
                                     "code", code, "name", clean),
                           NULL, e);
}

/* The active scenario's code and name of congress (code "" when none is active). */
static int active_of(cv_store *s, int64_t congress, char code[CV_CODE_MAX], char name[CV_NAME_MAX],
                     cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT code, name FROM scenarios WHERE congress_id = ?1 AND active", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress);
    int rc = sqlite3_step(st);
    snprintf(code, CV_CODE_MAX, "%s", rc == SQLITE_ROW ? cv_docs_col(st, 0) : "");
    snprintf(name, CV_NAME_MAX, "%s", rc == SQLITE_ROW ? cv_docs_col(st, 1) : "");
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading scenarios", e);
}

static int activate(cv_store *s, int64_t congress, int64_t scenario, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE scenarios SET active = 0 WHERE congress_id = ?1 AND active", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    st = cv_store_prepare(s, "UPDATE scenarios SET active = 1 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, scenario);
    return cv_store_exec(s, st, e);
}

/* The announcement: always on the log channel, and to notify when given. The key names the
 * congress and the switch's journal position, so a retried command cannot queue it twice. */
static int announce(cv_store *s, const cv_congress *c, const char *from, const char *to_name,
                    const char *notify, cv_err *e)
{
    char key[128], subject[CV_NAME_MAX + 128], body[4 * CV_NAME_MAX];
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT coalesce(max(id), 0) FROM events", e);
    if (!st)
        return e->code;
    sqlite3_step(st);
    long long at = (long long)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    snprintf(subject, sizeof subject, "Chuyển kịch bản: %s", to_name);
    snprintf(body, sizeof body,
             "Đại hội %s: từ nay áp dụng kịch bản \"%s\"%s%s%s. Các đầu việc thuộc kịch bản khác "
             "tạm không thực hiện.",
             c->org_name, to_name, from[0] ? " (thay cho kịch bản \"" : "", from,
             from[0] ? "\")" : "");
    const char *channel = !notify                           ? NULL
                          : strncmp(notify, "http", 4) == 0 ? "webhook"
                          : strchr(notify, '@')             ? "smtp"
                                                            : NULL;
    if (notify && !channel)
        return cv_err_set(e, CV_EINVAL, N_("--notify '%s' is neither an e-mail address nor a URL"),
                          notify);
    snprintf(key, sizeof key, "scenario.switched:%lld:%lld:log", (long long)c->id, at);
    cv_notification n = {key, "log", c->org_code, subject, body};
    if (cv_outbox_put(s, &n, e) < 0)
        return e->code;
    if (!channel)
        return 0;
    snprintf(key, sizeof key, "scenario.switched:%lld:%lld:%s", (long long)c->id, at, channel);
    n = (cv_notification){key, channel, notify, subject, body};
    return cv_outbox_put(s, &n, e) < 0 ? e->code : 0;
}

static int count_out_of_force(cv_store *s, int64_t congress, json_int_t *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT count(*) FROM work_items WHERE congress_id = ?1 "
                                        "AND id IN (SELECT id FROM work_items_out_of_force)",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress);
    int rc = sqlite3_step(st);
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "counting work items", e);
}

int cv_scenario_use(cv_store *s, const char *org, const char *term, const char *code,
                    const char *notify, cv_err *e)
{
    cv_congress c;
    int64_t id;
    json_int_t out = 0;
    char from[CV_CODE_MAX], from_name[CV_NAME_MAX], to[CV_CODE_MAX], to_name[CV_NAME_MAX];
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_congress_get(s, org, term, &c, e) < 0 || cv_scenario_id(s, c.id, code, &id, e) < 0 ||
        active_of(s, c.id, from, from_name, e) < 0)
        return e->code;
    if (strcmp(from, code) == 0)
        return cv_err_set(e, CV_ECONFLICT, N_("scenario '%s' is already the active one of %s"),
                          code, org);
    if (activate(s, c.id, id, e) < 0 || active_of(s, c.id, to, to_name, e) < 0 ||
        announce(s, &c, from_name, to_name, notify, e) < 0 ||
        count_out_of_force(s, c.id, &out, e) < 0)
        return e->code;
    return cv_journal_emit(s, "scenario.switched", c.org_id,
                           json_pack("{s:s, s:s, s:s?, s:s, s:s, s:I}", "org", c.org_code, "term",
                                     c.term, "from", from[0] ? from : NULL, "to", to, "name",
                                     to_name, "out_of_force", out),
                           NULL, e);
}

static int set_scenario(cv_store *s, const char *sql, int64_t row, int64_t scenario, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, sql, e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, row);
    sqlite3_bind_int64(st, 2, scenario);
    return cv_store_exec(s, st, e);
}

static int plan_org(cv_store *s, int64_t plan, int64_t *org, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT coalesce(org_id, 0) FROM plans WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, plan);
    int rc = sqlite3_step(st);
    *org = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a plan", e);
}

/* Checks that work item work and plan plan (0: none) belong to congress c. */
static int check_members(cv_store *s, const cv_congress *c, int64_t work, int64_t plan, cv_err *e)
{
    cv_work_item w;
    int64_t owner = 0;
    if (work && cv_work_get(s, work, &w, e) < 0)
        return e->code;
    if (work && w.congress_id != c->id)
        return cv_err_set(e, CV_EINVAL,
                          N_("work item %lld belongs to the congress of %s, not of %s"),
                          (long long)work, w.org_code, c->org_code);
    if (plan && plan_org(s, plan, &owner, e) < 0)
        return e->code;
    if (plan && owner != c->org_id)
        return cv_err_set(e, CV_EINVAL, N_("plan %lld is not a plan of %s"), (long long)plan,
                          c->org_code);
    return 0;
}

int cv_scenario_assign(cv_store *s, const char *org, const char *term, const char *code,
                       int64_t work, const char *plan_ref, cv_err *e)
{
    cv_congress c;
    int64_t id, plan = 0;
    if (work <= 0 && !plan_ref)
        return cv_err_set(e, CV_EINVAL, N_("give --work ID or --plan REF to put in the scenario"));
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_congress_get(s, org, term, &c, e) < 0 || cv_scenario_id(s, c.id, code, &id, e) < 0 ||
        (plan_ref && cv_plan_find(s, plan_ref, &plan, e) < 0) ||
        check_members(s, &c, work > 0 ? work : 0, plan, e) < 0 ||
        (work > 0 && set_scenario(s, "UPDATE work_items SET scenario_id = ?2 WHERE id = ?1", work,
                                  id, e) < 0) ||
        (plan &&
         set_scenario(s, "UPDATE plans SET scenario_id = ?2 WHERE id = ?1", plan, id, e) < 0))
        return e->code;
    json_t *data = json_pack("{s:s, s:s}", "org", c.org_code, "scenario", code);
    if (work > 0)
        json_object_set_new(data, "work_item", json_integer(work));
    if (plan)
        json_object_set_new(data, "plan", json_integer(plan));
    return cv_journal_emit(s, "scenario.assigned", c.org_id, data, NULL, e);
}

int cv_scenario_show(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e)
{
    cv_congress c;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT sn.code, sn.name, sn.active, "
                         "(SELECT count(*) FROM plans p WHERE p.scenario_id = sn.id), "
                         "(SELECT count(*) FROM work_items w LEFT JOIN plans p ON p.id = w.plan_id "
                         "  WHERE coalesce(w.scenario_id, p.scenario_id) = sn.id) "
                         "FROM scenarios sn WHERE sn.congress_id = ?1 ORDER BY sn.code",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    json_t *list = json_array();
    const char *active = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:I, s:I}", "code",
                                              cv_docs_col(st, 0), "name", cv_docs_col(st, 1),
                                              "active", sqlite3_column_int(st, 2), "plans",
                                              (json_int_t)sqlite3_column_int64(st, 3), "work_items",
                                              (json_int_t)sqlite3_column_int64(st, 4)));
        if (sqlite3_column_int(st, 2))
            active = json_string_value(
                json_object_get(json_array_get(list, json_array_size(list) - 1), "code"));
    }
    sqlite3_reset(st);
    json_int_t off = 0;
    if (rc != SQLITE_DONE || count_out_of_force(s, c.id, &off, e) < 0) {
        json_decref(list);
        return rc != SQLITE_DONE ? cv_store_fail(s, "reading scenarios", e) : e->code;
    }
    *out = json_pack("{s:s, s:s, s:s?, s:I, s:o}", "org", c.org_code, "term", c.term, "active",
                     active, "out_of_force", off, "scenarios", list);
    return 0;
}
