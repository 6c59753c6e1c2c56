/* meeting.c: meetings, their agenda items and conclusions. Owns meetings and meeting_items;
 * reads congresses, subcommittees and documents, never changes them. */
#include "meeting.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/text.h"
#include "docs/common.h"
#include "docs/document.h"
#include "domain/congress.h"
#include "store/journal.h"

struct found {
    int64_t id, congress_id, org_id, unit;
    char org_code[CV_CODE_MAX], held_on[11], status[12];
};

static int check_body(const cv_meeting_key *k, cv_err *e)
{
    const char *b = k->body ? k->body : "";
    if (strcmp(b, "standing") != 0 && strcmp(b, "executive") != 0 && strcmp(b, "subcommittee") != 0)
        return cv_err_set(e, CV_EINVAL,
                          N_("meeting body '%s' is not one of standing, executive, subcommittee"),
                          b);
    if ((strcmp(b, "subcommittee") == 0) != (k->subcommittee != NULL))
        return cv_err_set(e, CV_EINVAL,
                          N_("a subcommittee meeting, and only one, names "
                             "--subcommittee CODE"));
    if (k->number < 1 || k->number > 9999)
        return cv_err_set(e, CV_EINVAL, N_("a meeting number is 1-9999, not %d"), k->number);
    return 0;
}

/* The congress and unit (subcommittee id, or 0) of k. */
static int resolve(cv_store *s, const cv_meeting_key *k, struct found *f, cv_err *e)
{
    cv_congress c;
    memset(f, 0, sizeof *f);
    if (check_body(k, e) < 0 || cv_congress_get(s, k->org, k->term, &c, e) < 0)
        return e->code;
    f->congress_id = c.id;
    f->org_id = c.org_id;
    snprintf(f->org_code, sizeof f->org_code, "%s", c.org_code);
    if (!k->subcommittee)
        return 0;
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT id FROM subcommittees WHERE congress_id = ?1 AND code = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    sqlite3_bind_text(st, 2, k->subcommittee, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    f->unit = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no subcommittee '%s' for the congress of %s"),
                          k->subcommittee, k->org);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a subcommittee", e);
}

/* Resolves k to an existing meeting. */
static int find(cv_store *s, const cv_meeting_key *k, struct found *f, cv_err *e)
{
    if (resolve(s, k, f, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT id, held_on, status FROM meetings WHERE congress_id = ?1 AND body = ?2 "
        "AND unit = ?3 AND number = ?4",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, f->congress_id);
    sqlite3_bind_text(st, 2, k->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, f->unit);
    sqlite3_bind_int(st, 4, k->number);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        f->id = sqlite3_column_int64(st, 0);
        snprintf(f->held_on, sizeof f->held_on, "%s", cv_docs_col(st, 1));
        snprintf(f->status, sizeof f->status, "%s", cv_docs_col(st, 2));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND,
                          N_("no %s meeting number %d of %s (convene meeting add)"), k->body,
                          k->number, k->org);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a meeting", e);
}

static json_t *key_json(const cv_meeting_key *k, const struct found *f)
{
    return json_pack("{s:s, s:s, s:s?, s:i}", "org", f->org_code, "body", k->body, "subcommittee",
                     k->subcommittee, "number", k->number);
}

int cv_meeting_add(cv_store *s, const cv_meeting_key *k, const char *on, const char *title,
                   cv_err *e)
{
    char clean[CV_NAME_MAX] = "";
    struct found f;
    if (cv_date_check(on ? on : "", "meeting date", e) < 0 ||
        (title && cv_text_nfc(title, clean, sizeof clean, "meeting title", e) < 0))
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (resolve(s, k, &f, e) < 0)
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO meetings(congress_id, body, unit, number, held_on, title) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, f.congress_id);
    sqlite3_bind_text(st, 2, k->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, f.unit);
    sqlite3_bind_int(st, 4, k->number);
    sqlite3_bind_text(st, 5, on, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, clean, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        cv_err_set(e, CV_ECONFLICT, N_("%s already has a %s meeting number %d in this term"),
                   k->org, k->body, k->number);
    else if (rc != SQLITE_DONE)
        cv_store_fail(s, "adding a meeting", e);
    if (rc != SQLITE_DONE)
        return e->code;
    json_t *data = key_json(k, &f);
    json_object_set_new(data, "on", json_string(on));
    json_object_set_new(data, "title", json_string(clean));
    return cv_journal_emit(s, "meeting.added", f.org_id, data, NULL, e);
}

int cv_meeting_agenda(cv_store *s, const cv_meeting_key *k, const char *title, int64_t doc, int *n,
                      cv_err *e)
{
    char clean[CV_NAME_MAX];
    struct found f;
    cv_doc d;
    if (cv_text_nfc(title ? title : "", clean, sizeof clean, "agenda item", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (find(s, k, &f, e) < 0 || (doc && cv_doc_get(s, doc, &d, e) < 0))
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO meeting_items(meeting_id, n, title, document_id) "
                         "SELECT ?1, coalesce(max(n), 0) + 1, ?2, nullif(?3, 0) FROM meeting_items "
                         "WHERE meeting_id = ?1 RETURNING n",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, f.id);
    sqlite3_bind_text(st, 2, clean, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, doc);
    int rc = sqlite3_step(st), item = sqlite3_column_int(st, 0);
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "adding an agenda item", e);
    if (n)
        *n = item;
    json_t *data = key_json(k, &f);
    json_object_set_new(data, "item", json_integer(item));
    json_object_set_new(data, "title", json_string(clean));
    if (doc)
        json_object_set_new(data, "document", json_integer(doc));
    return cv_journal_emit(s, "meeting.agenda_added", f.org_id, data, NULL, e);
}

static int write_conclusion(cv_store *s, int64_t meeting, int item, const char *text, cv_err *e)
{
    sqlite3_stmt *st =
        item
            ? cv_store_prepare(
                  s, "UPDATE meeting_items SET conclusion = ?3 WHERE meeting_id = ?1 AND n = ?2", e)
            : cv_store_prepare(s, "UPDATE meetings SET conclusions = ?3 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, meeting);
    if (item)
        sqlite3_bind_int(st, 2, item);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    if (sqlite3_changes(cv_store_db(s)) == 0)
        return cv_err_set(e, CV_ENOTFOUND, N_("the meeting has no agenda item %d"), item);
    st = cv_store_prepare(s, "UPDATE meetings SET status = 'held' WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, meeting);
    return cv_store_exec(s, st, e);
}

int cv_meeting_conclude(cv_store *s, const cv_meeting_key *k, int item, const char *conclusion,
                        cv_err *e)
{
    char today[11], *text = NULL;
    struct found f;
    cv_clock_today(today);
    if (item < 0)
        return cv_err_set(e, CV_EINVAL, N_("an agenda item number is 1 or more"));
    if (!conclusion || !*conclusion)
        return cv_err_set(e, CV_EINVAL, N_("a conclusion must not be empty"));
    if (cv_docs_long_text(conclusion, &text, "conclusion", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0) {
        free(text);
        return e->code;
    }
    int rc = find(s, k, &f, e);
    if (rc == 0 && strcmp(f.held_on, today) > 0)
        rc = cv_err_set(e, CV_EINVAL,
                        N_("meeting %d is on %s; it cannot conclude before (today is %s)"),
                        k->number, f.held_on, today);
    if (rc < 0 || write_conclusion(s, f.id, item, text, e) < 0) {
        free(text);
        return e->code;
    }
    json_t *data = key_json(k, &f);
    json_object_set_new(data, "on", json_string(f.held_on));
    json_object_set_new(data, "item", json_integer(item));
    json_object_set_new(data, "conclusion", json_string(text));
    free(text);
    /* meeting.held once, when the first conclusion shows the meeting took place. */
    return cv_journal_emit(s, strcmp(f.status, "held") ? "meeting.held" : "meeting.concluded",
                           f.org_id, data, NULL, e);
}

static int items_json(cv_store *s, int64_t meeting, json_t *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT n, title, document_id, conclusion FROM meeting_items WHERE meeting_id = ?1 "
        "ORDER BY n",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, meeting);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *it = json_pack("{s:i, s:s, s:s}", "n", sqlite3_column_int(st, 0), "title",
                               cv_docs_col(st, 1), "conclusion", cv_docs_col(st, 3));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            json_object_set_new(it, "document", json_integer(sqlite3_column_int64(st, 2)));
        json_array_append_new(out, it);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading an agenda", e);
}

int cv_meeting_list(cv_store *s, const char *org, const char *term, const char *body, json_t **out,
                    cv_err *e)
{
    cv_congress c;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT m.id, m.body, sc.code, m.number, m.held_on, m.title, m.status, m.conclusions "
        "FROM meetings m LEFT JOIN subcommittees sc ON sc.id = m.unit "
        "WHERE m.congress_id = ?1 AND (?2 IS NULL OR m.body = ?2) ORDER BY m.held_on, m.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    if (body)
        sqlite3_bind_text(st, 2, body, -1, SQLITE_STATIC);
    *out = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *m = json_pack("{s:s, s:s, s:s?, s:i, s:s, s:s, s:s, s:s, s:[]}", "org", c.org_code,
                              "body", cv_docs_col(st, 1), "subcommittee",
                              sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : cv_docs_col(st, 2),
                              "number", sqlite3_column_int(st, 3), "on", cv_docs_col(st, 4),
                              "title", cv_docs_col(st, 5), "status", cv_docs_col(st, 6),
                              "conclusions", cv_docs_col(st, 7), "agenda");
        json_array_append_new(*out, m);
        if (items_json(s, sqlite3_column_int64(st, 0), json_object_get(m, "agenda"), e) < 0)
            break;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        cv_store_fail(s, "listing meetings", e);
    json_decref(*out);
    *out = NULL;
    return e->code;
}
