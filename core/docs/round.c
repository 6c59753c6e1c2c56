/* round.c: comment rounds and their responses. Owns comment_rounds and round_recipients; moves a
 * document to consultation through cv_doc_set_status and never writes documents otherwise. */
#include "round.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "docs/common.h"
#include "docs/document.h"
#include "docs/file.h"
#include "domain/org.h"
#include "store/journal.h"

#define LIST_MAX 65536 /* bytes of a --orgs or names list */

static int add_recipient(cv_store *s, int64_t round, const char *kind, int64_t org_id,
                         const char *key, const char *name, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO round_recipients(round_id, kind, org_id, key, name) "
                         "VALUES (?1, ?2, nullif(?3, 0), ?4, ?5)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, org_id);
    sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_EINVAL, N_("recipient '%s' is named twice"), key);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "adding a recipient", e);
}

static int add_org(cv_store *s, int64_t round, const char *code, cv_err *e)
{
    cv_org o;
    if (cv_org_get(s, code, &o, e) < 0)
        return e->code;
    return add_recipient(s, round, "org", o.id, o.code, o.name, e);
}

struct list_ctx {
    cv_store *s;
    int64_t round;
    const char *kind;
    cv_err *e;
};

static int add_item(const char *item, void *ctx)
{
    struct list_ctx *c = ctx;
    char name[CV_NAME_MAX];
    if (strcmp(c->kind, "org") == 0)
        return add_org(c->s, c->round, item, c->e);
    if (cv_text_nfc(item, name, sizeof name, "recipient name", c->e) < 0)
        return c->e->code;
    return add_recipient(c->s, c->round, c->kind, 0, name, name, c->e);
}

/* Adds one recipient per item of list (split on sep): org codes when kind is "org", else names
 * of that kind. */
static int add_list(cv_store *s, int64_t round, const char *kind, const char *list, char sep,
                    cv_err *e)
{
    if (strlen(list) >= LIST_MAX)
        return cv_err_set(e, CV_ELIMIT, N_("the list of %s recipients is too long"), kind);
    char *copy = strdup(list);
    if (!copy)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    struct list_ctx c = {s, round, kind, e};
    int rc = cv_docs_split(copy, sep, add_item, &c, "recipients", e);
    free(copy);
    return rc;
}

static int add_children(cv_store *s, int64_t round, const char *parent, cv_err *e)
{
    cv_org o;
    if (cv_org_get(s, parent, &o, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO round_recipients(round_id, kind, org_id, key, name) "
        "SELECT ?1, 'org', id, code, name FROM orgs WHERE parent_id = ?2 ORDER BY code",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    sqlite3_bind_int64(st, 2, o.id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_EINVAL, N_("an organisation under %s is named twice"), parent);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "adding recipients", e);
    if (sqlite3_changes(cv_store_db(s)) == 0)
        return cv_err_set(e, CV_EINVAL, N_("%s has no organisations under it"), parent);
    return 0;
}

static int count_recipients(cv_store *s, int64_t round, int64_t *n, cv_err *e)
{
    *n = 0;
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT count(*) FROM round_recipients WHERE round_id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    int rc = sqlite3_step(st);
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "counting recipients", e);
}

static int add_all_recipients(cv_store *s, int64_t round, const cv_round_spec *spec, cv_err *e)
{
    int64_t n = 0;
    if ((spec->children && add_children(s, round, spec->children, e) < 0) ||
        (spec->orgs && add_list(s, round, "org", spec->orgs, ',', e) < 0) ||
        (spec->predecessors && add_list(s, round, "predecessor", spec->predecessors, ';', e) < 0) ||
        (spec->boards && add_list(s, round, "board", spec->boards, ';', e) < 0) ||
        (spec->above && add_list(s, round, "above", spec->above, ';', e) < 0) ||
        count_recipients(s, round, &n, e) < 0)
        return e->code;
    if (n == 0)
        return cv_err_set(e, CV_EINVAL,
                          N_("a round needs recipients: --children ORG, --orgs A,B, "
                             "--predecessors, --boards or --above"));
    if (n > CV_ROUND_RECIPIENTS_MAX)
        return cv_err_set(e, CV_ELIMIT, N_("a round has at most %d recipients, not %lld"),
                          CV_ROUND_RECIPIENTS_MAX, (long long)n);
    return 0;
}

static int insert_round(cv_store *s, const cv_doc *d, int64_t version_id, const char *today,
                        const char *deadline, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO comment_rounds(document_id, version_id, opened_on, deadline) "
                         "VALUES (?1, ?2, ?3, ?4)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, version_id);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, deadline, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    *id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

int cv_round_may_open(const char *doc_status)
{
    return strcmp(doc_status, "drafting") == 0 || strcmp(doc_status, "consultation") == 0 ||
           strcmp(doc_status, "revising") == 0;
}

/* A round goes out on a draft: from drafting or revising it moves the document to consultation
 * (a second round may open while it is in consultation). */
static int move_to_consultation(cv_store *s, const cv_doc *d, cv_err *e)
{
    if (!cv_round_may_open(d->status))
        return cv_err_set(e, CV_ECONFLICT, N_("document %lld is %s; comment rounds are for drafts"),
                          (long long)d->id, cv_err_term(d->status));
    if (strcmp(d->status, "consultation") == 0)
        return 0;
    return cv_doc_set_status(s, d->id, "consultation", e);
}

int cv_round_open(cv_store *s, const cv_round_spec *spec, int64_t *id, cv_err *e)
{
    char today[11];
    cv_doc d;
    int64_t version_id = 0, round = 0;
    int n = 0;
    cv_clock_today(today);
    if (!spec->deadline)
        return cv_err_set(e, CV_EINVAL, N_("a round needs a --deadline DATE"));
    if (cv_date_check(spec->deadline, "deadline", e) < 0)
        return e->code;
    if (strcmp(spec->deadline, today) < 0)
        return cv_err_set(e, CV_EINVAL, N_("deadline %s is already past (today is %s)"),
                          spec->deadline, today);
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_doc_get(s, spec->doc, &d, e) < 0 ||
        cv_doc_version_id(s, d.id, spec->version, &version_id, &n, e) < 0 ||
        move_to_consultation(s, &d, e) < 0 ||
        insert_round(s, &d, version_id, today, spec->deadline, &round, e) < 0 ||
        add_all_recipients(s, round, spec, e) < 0)
        return e->code;
    cv_round_progress p;
    if (cv_round_progress_of(s, round, &p, e) < 0)
        return e->code;
    if (id)
        *id = round;
    return cv_journal_emit(s, "document.round_opened", d.org_id, cv_round_progress_json(&p), NULL,
                           e);
}

/* The recipient row of key in round: id, whether it has answered. */
static int find_recipient(cv_store *s, int64_t round, const char *key, int64_t *rid,
                          char answered_on[11], cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT id, coalesce(responded_on, '') FROM round_recipients "
                         "WHERE round_id = ?1 AND key = ?2",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *rid = sqlite3_column_int64(st, 0);
        snprintf(answered_on, 11, "%s", cv_docs_col(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("'%s' is not a recipient of round %lld"), key,
                          (long long)round);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a recipient", e);
}

static int check_response(const cv_round_progress *p, const char *on, const char *today,
                          const char *answered_on, const char *key, cv_err *e)
{
    if (strcmp(p->status, "open") != 0)
        return cv_err_set(e, CV_ECONFLICT, N_("round %lld was closed on %s"), (long long)p->id,
                          p->closed_on);
    if (answered_on[0])
        return cv_err_set(e, CV_ECONFLICT, N_("%s already responded on %s"), key, answered_on);
    if (strcmp(on, today) > 0)
        return cv_err_set(e, CV_EINVAL, N_("a response on %s is in the future (today is %s)"), on,
                          today);
    if (strcmp(on, p->opened_on) < 0)
        return cv_err_set(e, CV_EINVAL, N_("a response on %s comes before round %lld opened (%s)"),
                          on, (long long)p->id, p->opened_on);
    return 0;
}

static int store_response(cv_store *s, int64_t rid, const char *on, int late, const char *summary,
                          int64_t file_id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "UPDATE round_recipients SET responded_on = ?2, late = ?3, summary = ?4, "
                         "file_id = nullif(?5, 0) WHERE id = ?1",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, rid);
    sqlite3_bind_text(st, 2, on, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, late);
    sqlite3_bind_text(st, 4, summary, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, file_id);
    return cv_store_exec(s, st, e);
}

int cv_round_respond(cv_store *s, int64_t round, const char *recipient, const char *on,
                     const char *summary, const char *file, cv_err *e)
{
    char today[11], answered_on[11] = "", key[CV_NAME_MAX], hex[65] = "";
    char *text = NULL;
    cv_round_progress p;
    int64_t rid = 0, file_id = 0;
    cv_clock_today(today);
    if (!on)
        on = today;
    if (cv_date_check(on, "response date", e) < 0 ||
        cv_text_nfc(recipient ? recipient : "", key, sizeof key, "recipient", e) < 0 ||
        cv_docs_long_text(summary, &text, "summary", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0) {
        free(text);
        return e->code;
    }
    int late = 0;
    if (cv_round_progress_of(s, round, &p, e) < 0 ||
        find_recipient(s, round, key, &rid, answered_on, e) < 0 ||
        check_response(&p, on, today, answered_on, key, e) < 0 ||
        (file && cv_file_put(s, file, &file_id, hex, e) < 0) ||
        store_response(s, rid, on, late = strcmp(on, p.deadline) > 0, text, file_id, e) < 0) {
        free(text);
        return e->code;
    }
    json_t *data =
        json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:s?}", "round", (json_int_t)round,
                  "document", (json_int_t)p.doc, "org", p.org_code, "recipient", key, "on", on,
                  "late", late, "summary", text, "sha256", hex[0] ? hex : NULL);
    free(text);
    return cv_journal_emit(s, "document.response_received", p.org_id, data, NULL, e);
}

int cv_round_close(cv_store *s, int64_t round, const char *taken_in, cv_err *e)
{
    char today[11], *text = NULL;
    cv_round_progress p;
    cv_clock_today(today);
    if (cv_docs_long_text(taken_in, &text, "--taken-in", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0) {
        free(text);
        return e->code;
    }
    int rc = cv_round_progress_of(s, round, &p, e);
    if (rc == 0 && strcmp(p.status, "open") != 0)
        rc = cv_err_set(e, CV_ECONFLICT, N_("round %lld was already closed on %s"),
                        (long long)round, p.closed_on);
    sqlite3_stmt *st = rc ? NULL
                          : cv_store_prepare(s,
                                             "UPDATE comment_rounds SET status = 'closed', "
                                             "closed_on = ?2, taken_in = ?3 WHERE id = ?1",
                                             e);
    if (st) {
        sqlite3_bind_int64(st, 1, round);
        sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
        rc = cv_store_exec(s, st, e);
    }
    if (rc < 0 || !st || cv_round_progress_of(s, round, &p, e) < 0) {
        free(text);
        return e->code;
    }
    json_t *data = cv_round_progress_json(&p);
    json_object_set_new(data, "taken_in", json_string(text));
    free(text);
    return cv_journal_emit(s, "document.round_closed", p.org_id, data, NULL, e);
}

#define ROUND_SELECT                                                                               \
    "SELECT r.id, r.document_id, o.id, o.code, d.title, v.n, r.opened_on, r.deadline, "            \
    "coalesce(r.closed_on, ''), r.status, "                                                        \
    "(SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id AND x.kind = 'org'), "       \
    "(SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id AND x.kind = 'org' "         \
    "  AND x.responded_on IS NOT NULL), "                                                          \
    "(SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id AND x.kind <> 'org'), "      \
    "(SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id AND x.kind <> 'org' "        \
    "  AND x.responded_on IS NOT NULL), "                                                          \
    "(SELECT count(*) FROM round_recipients x WHERE x.round_id = r.id AND x.late) "                \
    "FROM comment_rounds r JOIN documents d ON d.id = r.document_id "                              \
    "JOIN document_versions v ON v.id = r.version_id "                                             \
    "JOIN congresses c ON c.id = d.congress_id JOIN orgs o ON o.id = c.org_id "

static void read_progress(sqlite3_stmt *st, cv_round_progress *p)
{
    p->id = sqlite3_column_int64(st, 0);
    p->doc = sqlite3_column_int64(st, 1);
    p->org_id = sqlite3_column_int64(st, 2);
    snprintf(p->org_code, sizeof p->org_code, "%s", cv_docs_col(st, 3));
    snprintf(p->title, sizeof p->title, "%s", cv_docs_col(st, 4));
    p->version = sqlite3_column_int(st, 5);
    snprintf(p->opened_on, sizeof p->opened_on, "%s", cv_docs_col(st, 6));
    snprintf(p->deadline, sizeof p->deadline, "%s", cv_docs_col(st, 7));
    snprintf(p->closed_on, sizeof p->closed_on, "%s", cv_docs_col(st, 8));
    snprintf(p->status, sizeof p->status, "%s", cv_docs_col(st, 9));
    p->orgs = sqlite3_column_int(st, 10);
    p->orgs_answered = sqlite3_column_int(st, 11);
    p->others = sqlite3_column_int(st, 12);
    p->others_answered = sqlite3_column_int(st, 13);
    p->late = sqlite3_column_int(st, 14);
}

int cv_round_progress_of(cv_store *s, int64_t round, cv_round_progress *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, ROUND_SELECT "WHERE r.id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_progress(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no comment round %lld"), (long long)round);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a round", e);
}

int cv_round_each(cv_store *s, int64_t doc, int open_only, cv_round_visit visit, void *ctx,
                  cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        ROUND_SELECT "WHERE (?1 = 0 OR r.document_id = ?1) AND (NOT ?2 OR r.status = 'open') "
                     "ORDER BY r.deadline, r.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int(st, 2, open_only);
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_round_progress p;
        read_progress(st, &p);
        stop = visit(&p, ctx);
    }
    sqlite3_reset(st);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "listing rounds", e);
}

static int first_open(const cv_round_progress *p, void *ctx)
{
    *(int64_t *)ctx = p->id;
    return 1;
}

int cv_round_open_of(cv_store *s, int64_t doc, int64_t *open, cv_err *e)
{
    *open = 0;
    int rc = cv_round_each(s, doc, 1, first_open, open, e);
    return rc < 0 ? rc : 0;
}

json_t *cv_round_progress_json(const cv_round_progress *p)
{
    char line[160];
    if (p->orgs)
        snprintf(line, sizeof line, "%d of %d organisations have sent comments", p->orgs_answered,
                 p->orgs);
    else
        snprintf(line, sizeof line, "%d of %d recipients have sent comments", p->others_answered,
                 p->others);
    if (p->orgs && p->others)
        snprintf(line + strlen(line), sizeof line - strlen(line), "; %d of %d others",
                 p->others_answered, p->others);
    if (p->late)
        snprintf(line + strlen(line), sizeof line - strlen(line), "; %d late", p->late);
    return json_pack("{s:I, s:I, s:s, s:s, s:i, s:s, s:s, s:s?, s:s, s:i, s:i, s:i, s:i, s:i, "
                     "s:s}",
                     "id", (json_int_t)p->id, "document", (json_int_t)p->doc, "org", p->org_code,
                     "title", p->title, "version", p->version, "opened_on", p->opened_on,
                     "deadline", p->deadline, "closed_on", p->closed_on[0] ? p->closed_on : NULL,
                     "status", p->status, "orgs", p->orgs, "orgs_answered", p->orgs_answered,
                     "others", p->others, "others_answered", p->others_answered, "late", p->late,
                     "summary", line);
}

static int append_progress(const cv_round_progress *p, void *ctx)
{
    json_array_append_new(ctx, cv_round_progress_json(p));
    return 0;
}

int cv_round_list(cv_store *s, int64_t doc, const char *status, json_t **out, cv_err *e)
{
    *out = json_array();
    int open_only = status && strcmp(status, "open") == 0;
    if (cv_round_each(s, doc, open_only, append_progress, *out, e) < 0) {
        json_decref(*out);
        *out = NULL;
        return e->code;
    }
    return 0;
}

static int recipients_json(cv_store *s, int64_t round, json_t *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT x.kind, x.key, x.name, x.responded_on, x.late, x.summary, f.sha256 "
        "FROM round_recipients x LEFT JOIN files f ON f.id = x.file_id "
        "WHERE x.round_id = ?1 ORDER BY x.responded_on IS NULL, x.kind, x.key",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int answered = sqlite3_column_type(st, 3) != SQLITE_NULL;
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s, s:s?}", "kind", cv_docs_col(st, 0),
                           "key", cv_docs_col(st, 1), "name", cv_docs_col(st, 2), "responded_on",
                           answered ? cv_docs_col(st, 3) : NULL, "late", sqlite3_column_int(st, 4),
                           "summary", cv_docs_col(st, 5), "sha256",
                           sqlite3_column_type(st, 6) != SQLITE_NULL ? cv_docs_col(st, 6) : NULL));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading recipients", e);
}

int cv_round_show(cv_store *s, int64_t round, json_t **out, cv_err *e)
{
    cv_round_progress p;
    if (cv_round_progress_of(s, round, &p, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT taken_in FROM comment_rounds WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, round);
    sqlite3_step(st);
    *out = cv_round_progress_json(&p);
    json_object_set_new(*out, "taken_in", json_string(cv_docs_col(st, 0)));
    sqlite3_reset(st);
    json_t *rec = json_array();
    json_object_set_new(*out, "recipients", rec);
    if (recipients_json(s, round, rec, e) < 0) {
        json_decref(*out);
        *out = NULL;
        return e->code;
    }
    return 0;
}
