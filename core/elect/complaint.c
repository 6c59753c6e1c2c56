/* complaint.c: registering, screening and settling complaints and denunciations. Owns the
 * complaints table; never changes people or elections. */
#include "complaint.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/text.h"
#include "domain/congress.h"
#include "elect/person.h"
#include "store/journal.h"

/* The handling rules of the party's regulation on letters: which letters are not handled. */
static const char *not_handled_reason(const cv_complaint_spec *c)
{
    if (!c->sender || !c->sender[0])
        return "anonymous";
    if (c->false_name)
        return "under a false name";
    if (!c->address || !c->address[0])
        return "no clear address";
    if (c->not_specific)
        return "named but not specific";
    if (c->refiled && !c->new_evidence)
        return "re-filed without new evidence";
    return NULL;
}

/* The cut-off: elect.complaint_cutoff_days (default 1) before the congress's planned start. */
static void deadline_of(cv_store *s, const cv_congress *c, char out[11])
{
    char buf[16];
    cv_err ignored;
    int64_t days = 1;
    out[0] = 0;
    if (!c->planned_start[0])
        return;
    if (cv_store_setting_get(s, "elect.complaint_cutoff_days", buf, sizeof buf, &ignored) == 0)
        cv_text_count(buf, &days, "cutoff", &ignored);
    cv_date_from_days(cv_date_days(c->planned_start) - days, out);
}

static int insert(cv_store *s, const cv_congress *c, const cv_complaint_spec *spec, int64_t about,
                  const char *received, const char *deadline, const char *why, const char *sender,
                  const char *summary, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO complaints(congress_id, kind, sender, address, false_name, specific, "
        "refiled, new_evidence, about_id, summary, received, deadline, status, "
        "not_handled_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0), ?10, ?11, "
        "nullif(?12, ''), ?13, ?14)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, spec->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, spec->address ? spec->address : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, spec->false_name != 0);
    sqlite3_bind_int(st, 6, !spec->not_specific);
    sqlite3_bind_int(st, 7, spec->refiled != 0);
    sqlite3_bind_int(st, 8, spec->new_evidence != 0);
    sqlite3_bind_int64(st, 9, about);
    sqlite3_bind_text(st, 10, summary, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, received, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, deadline, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, why ? "not_handled" : "open", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 14, why ? why : "", -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    *id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

int cv_complaint_add(cv_store *s, const cv_complaint_spec *spec, int64_t *id, cv_err *e)
{
    cv_congress c;
    cv_person p = {0};
    char received[11], deadline[11], sender[CV_NAME_MAX] = "", summary[CV_NAME_MAX] = "";
    int64_t tmp;
    if (!spec->kind || (strcmp(spec->kind, "complaint") && strcmp(spec->kind, "denunciation")))
        return cv_err_set(e, CV_EINVAL, N_("kind must be 'complaint' or 'denunciation'"));
    if (spec->received && cv_date_check(spec->received, "received date", e) < 0)
        return e->code;
    if ((spec->sender && cv_text_nfc(spec->sender, sender, sizeof sender, "sender", e) < 0) ||
        (spec->summary && cv_text_nfc(spec->summary, summary, sizeof summary, "summary", e) < 0) ||
        (spec->address && strlen(spec->address) >= CV_NAME_MAX &&
         cv_err_set(e, CV_ELIMIT, N_("the address is too long")) < 0))
        return e->code;
    if (spec->received)
        snprintf(received, sizeof received, "%s", spec->received);
    else
        cv_clock_today(received);
    if (cv_congress_get(s, spec->org, spec->term, &c, e) < 0 ||
        (spec->about && cv_person_get(s, spec->about, &p, e) < 0))
        return e->code;
    const char *why = not_handled_reason(spec);
    deadline_of(s, &c, deadline);
    if (why)
        deadline[0] = 0;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    id = id ? id : &tmp;
    if (insert(s, &c, spec, p.id, received, deadline, why, sender, summary, id, e) < 0 ||
        cv_journal_emit(s, "complaint.received", c.org_id,
                        json_pack("{sI ss ss ss ss ss}", "id", (json_int_t)*id, "org", c.org_code,
                                  "kind", spec->kind, "about", p.code, "status",
                                  why ? "not_handled" : "open", "deadline", deadline),
                        NULL, e) < 0)
        return e->code;
    return 0;
}

int cv_complaint_settle(cv_store *s, int64_t id, const char *on, const char *conclusion, cv_err *e)
{
    char day[11], text[CV_NAME_MAX] = "";
    if (on && cv_date_check(on, "settled date", e) < 0)
        return e->code;
    if (on)
        snprintf(day, sizeof day, "%s", on);
    else
        cv_clock_today(day);
    if (conclusion && cv_text_nfc(conclusion, text, sizeof text, "conclusion", e) < 0)
        return e->code;
    sqlite3_stmt *q = cv_store_prepare(s,
                                       "SELECT c.status, c.received, k.org_id FROM complaints c "
                                       "JOIN congresses k ON k.id = c.congress_id WHERE c.id = ?1",
                                       e);
    if (!q)
        return e->code;
    sqlite3_bind_int64(q, 1, id);
    char status[16] = "", received[11] = "";
    int64_t org_id = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(received, sizeof received, "%s", (const char *)sqlite3_column_text(q, 1));
        org_id = sqlite3_column_int64(q, 2);
    }
    sqlite3_reset(q);
    if (!status[0])
        return cv_err_set(e, CV_ENOTFOUND, N_("no complaint #%lld"), (long long)id);
    if (strcmp(status, "open") != 0)
        return cv_err_set(e, CV_ECONFLICT, N_("complaint #%lld is %s, not open"), (long long)id,
                          status);
    if (strcmp(day, received) < 0)
        return cv_err_set(e, CV_EINVAL, N_("settled on %s, before it was received (%s)"), day,
                          received);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE complaints SET status = 'settled', settled_on = ?2, conclusion = ?3 "
        "WHERE id = ?1",
        e);
    if (!st || cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0 ||
        cv_journal_emit(s, "complaint.settled", org_id,
                        json_pack("{sI ss}", "id", (json_int_t)id, "on", day), NULL, e) < 0)
        return e->code;
    return 0;
}

#define COMPLAINT_COLUMNS                                                                          \
    "SELECT c.id, c.kind, c.sender, c.address, coalesce(p.code, ''), coalesce(p.name, ''), "       \
    "c.summary, c.received, coalesce(c.deadline, ''), c.status, c.not_handled_reason, "            \
    "coalesce(c.settled_on, ''), c.conclusion FROM complaints c "                                  \
    "LEFT JOIN people p ON p.id = c.about_id "

json_t *cv_complaint_row_json(sqlite3_stmt *st)
{
    static const char *const keys[] = {
        "kind",       "sender",    "address",  "about",  "about_name",
        "summary",    "received",  "deadline", "status", "not_handled_reason",
        "settled_on", "conclusion"};
    json_t *o = json_pack("{sI}", "id", (json_int_t)sqlite3_column_int64(st, 0));
    for (int i = 0; i < 12; i++)
        json_object_set_new(o, keys[i], json_string((const char *)sqlite3_column_text(st, i + 1)));
    return o;
}

static int collect(cv_store *s, sqlite3_stmt *st, json_t **out, cv_err *e)
{
    json_t *a = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(a, cv_complaint_row_json(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        return cv_store_fail(s, "listing complaints", e);
    }
    *out = a;
    return 0;
}

int cv_complaint_about_candidates(cv_store *s, int64_t congress_id, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        COMPLAINT_COLUMNS "WHERE c.congress_id = ?1 AND c.status = 'open' AND c.about_id IN "
                          "(SELECT person_id FROM candidates k JOIN elections el "
                          "ON el.id = k.election_id WHERE el.congress_id = ?1) ORDER BY c.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, congress_id);
    return collect(s, st, out, e);
}

int cv_complaint_list(cv_store *s, const char *org, const char *term, int which, json_t **out,
                      cv_err *e)
{
    cv_congress c;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    if (which == CV_COMPLAINTS_CANDIDATES)
        return cv_complaint_about_candidates(s, c.id, out, e);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        COMPLAINT_COLUMNS "WHERE c.congress_id = ?1 AND (?2 = 0 OR c.status = 'open') "
                          "ORDER BY c.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    sqlite3_bind_int(st, 2, which == CV_COMPLAINTS_OPEN);
    return collect(s, st, out, e);
}
