/* document.c: congress documents, their versions and their status. Owns the documents and
 * document_versions tables; reads congresses and comment rounds, never changes them. */
#include "document.h"

#include <string.h>

#include "base/clock.h"
#include "docs/common.h"
#include "docs/file.h"
#include "docs/round.h"
#include "domain/congress.h"
#include "store/journal.h"

static const char *const kinds[] = {"political_report", "review_report", "resolution",
                                    "action_programme", "other"};

static int check_kind(const char *kind, cv_err *e)
{
    for (size_t i = 0; kind && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 0;
    return cv_err_set(e, CV_EINVAL,
                      N_("document kind '%s' is not one of political_report, review_report, "
                         "resolution, action_programme, other"),
                      kind ? kind : "");
}

json_t *cv_doc_json(const cv_doc *d)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i}", "id", (json_int_t)d->id, "org",
                     d->org_code, "term", d->term, "kind", d->kind, "title", d->title, "status",
                     d->status, "versions", d->versions);
}

int cv_doc_add(cv_store *s, const char *org, const char *term, const char *kind, const char *title,
               int64_t *id, cv_err *e)
{
    cv_doc d = {0};
    cv_congress c;
    if (check_kind(kind, e) < 0 ||
        cv_text_nfc(title ? title : "", d.title, sizeof d.title, "document title", e) < 0)
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s, "INSERT INTO documents(congress_id, kind, title, created_at) VALUES (?1, ?2, ?3, ?4)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d.title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, cv_clock_now());
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    d.id = sqlite3_last_insert_rowid(cv_store_db(s));
    if (cv_doc_get(s, d.id, &d, e) < 0)
        return e->code;
    if (id)
        *id = d.id;
    return cv_journal_emit(s, "document.added", d.org_id, cv_doc_json(&d), NULL, e);
}

#define DOC_SELECT                                                                                 \
    "SELECT d.id, d.congress_id, o.id, o.code, t.code, d.kind, d.status, d.title, "                \
    "(SELECT count(*) FROM document_versions v WHERE v.document_id = d.id) "                       \
    "FROM documents d JOIN congresses c ON c.id = d.congress_id JOIN orgs o ON o.id = c.org_id "   \
    "JOIN terms t ON t.id = c.term_id "

static void read_doc(sqlite3_stmt *st, cv_doc *d)
{
    d->id = sqlite3_column_int64(st, 0);
    d->congress_id = sqlite3_column_int64(st, 1);
    d->org_id = sqlite3_column_int64(st, 2);
    snprintf(d->org_code, sizeof d->org_code, "%s", cv_docs_col(st, 3));
    snprintf(d->term, sizeof d->term, "%s", cv_docs_col(st, 4));
    snprintf(d->kind, sizeof d->kind, "%s", cv_docs_col(st, 5));
    snprintf(d->status, sizeof d->status, "%s", cv_docs_col(st, 6));
    snprintf(d->title, sizeof d->title, "%s", cv_docs_col(st, 7));
    d->versions = sqlite3_column_int(st, 8);
}

int cv_doc_get(cv_store *s, int64_t id, cv_doc *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, DOC_SELECT "WHERE d.id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_doc(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no document %lld"), (long long)id);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a document", e);
}

static int insert_version(cv_store *s, const cv_doc *d, int64_t file_id, const char *link,
                          const char *author, const char *note, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO document_versions(document_id, n, file_id, path, author, note, created_at) "
        "VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int(st, 2, d->versions + 1);
    sqlite3_bind_int64(st, 3, file_id);
    if (link)
        sqlite3_bind_text(st, 4, link, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, author, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, cv_clock_now());
    return cv_store_exec(s, st, e);
}

int cv_doc_add_version(cv_store *s, const cv_doc_version_spec *spec, int *n, cv_err *e)
{
    char author[CV_NAME_MAX], note[CV_NAME_MAX] = "", link[CV_NAME_MAX] = "", hex[65] = "";
    cv_doc d;
    int64_t file_id = 0;
    if (!spec->file == !spec->link)
        return cv_err_set(e, CV_EINVAL, N_("give either a file to keep or --link PATH, not both"));
    if (cv_text_nfc(spec->author ? spec->author : "", author, sizeof author, "--by (author)", e) <
            0 ||
        (spec->note && *spec->note && cv_text_nfc(spec->note, note, sizeof note, "note", e) < 0) ||
        (spec->link && cv_text_nfc(spec->link, link, sizeof link, "link", e) < 0))
        return e->code;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_doc_get(s, spec->doc, &d, e) < 0)
        return e->code;
    if (strcmp(d.status, "adopted") == 0) {
        cv_err_set(e, CV_ECONFLICT, N_("document %lld is adopted; it takes no new version"),
                   (long long)d.id);
        return e->code;
    }
    if ((spec->file && cv_file_put(s, spec->file, &file_id, hex, e) < 0) ||
        insert_version(s, &d, file_id, spec->link ? link : NULL, author, note, e) < 0)
        return e->code;
    if (n)
        *n = d.versions + 1;
    return cv_journal_emit(s, "document.version_added", d.org_id,
                           json_pack("{s:I, s:s, s:s, s:i, s:s?, s:s?, s:s, s:s}", "document",
                                     (json_int_t)d.id, "org", d.org_code, "title", d.title,
                                     "version", d.versions + 1, "sha256", hex[0] ? hex : NULL,
                                     "path", spec->link ? link : NULL, "by", author, "note", note),
                           NULL, e);
}

int cv_doc_version_id(cv_store *s, int64_t doc, int n, int64_t *id, int *n_out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT id, n FROM document_versions WHERE document_id = ?1 AND (?2 = 0 OR n = ?2) "
        "ORDER BY n DESC LIMIT 1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_int(st, 2, n);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (n_out)
            *n_out = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return n ? cv_err_set(e, CV_ENOTFOUND, N_("document %lld has no version %d"),
                              (long long)doc, n)
                 : cv_err_set(e, CV_ENOTFOUND, N_("document %lld has no version yet"),
                              (long long)doc);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a version", e);
}

int cv_doc_get_file(cv_store *s, int64_t doc, int n, const char *out_path, cv_err *e)
{
    int64_t vid;
    cv_doc d;
    if (cv_doc_get(s, doc, &d, e) < 0 || cv_doc_version_id(s, doc, n, &vid, &n, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT coalesce(file_id, 0), coalesce(path, '') FROM document_versions WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, vid);
    int rc = sqlite3_step(st);
    int64_t file_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    char path[CV_NAME_MAX];
    snprintf(path, sizeof path, "%s", rc == SQLITE_ROW ? cv_docs_col(st, 1) : "");
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "reading a version", e);
    if (!file_id)
        return cv_err_set(e, CV_ENOTFOUND,
                          N_("version %d of document %lld is not kept in the store; it lies at %s"),
                          n, (long long)doc, path);
    return cv_file_write(s, file_id, out_path, e);
}

/* The moves a document may make (document.h); "" ends a row's list. */
static int allowed(const char *from, const char *to)
{
    static const char *const moves[][3] = {{"drafting", "consultation", ""},
                                           {"consultation", "revising", ""},
                                           {"revising", "consultation", "submitted"},
                                           {"submitted", "revising", "adopted"}};
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (strcmp(moves[i][0], from) == 0)
            return strcmp(moves[i][1], to) == 0 || strcmp(moves[i][2], to) == 0;
    return 0;
}

static int check_move(cv_store *s, const cv_doc *d, const char *to, cv_err *e)
{
    static const char *const statuses[] = {N_("drafting"), N_("consultation"), N_("revising"),
                                           N_("submitted"), N_("adopted")};
    int known = 0;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        known |= strcmp(statuses[i], to) == 0;
    if (!known)
        return cv_err_set(e, CV_EINVAL,
                          N_("status '%s' is not one of drafting, consultation, revising, "
                             "submitted, adopted"),
                          to);
    if (!allowed(d->status, to))
        return cv_err_set(e, CV_ECONFLICT, N_("document %lld cannot go from %s to %s"),
                          (long long)d->id, cv_err_term(d->status), cv_err_term(to));
    if (d->versions == 0)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("document %lld has no version yet (convene doc version)"),
                          (long long)d->id);
    int64_t open_round = 0;
    if (strcmp(to, "adopted") == 0 && cv_round_open_of(s, d->id, &open_round, e) < 0)
        return e->code;
    if (open_round)
        return cv_err_set(e, CV_ECONFLICT,
                          N_("document %lld cannot be adopted while comment round %lld is open "
                             "(convene round close %lld)"),
                          (long long)d->id, (long long)open_round, (long long)open_round);
    return 0;
}

int cv_doc_set_status(cv_store *s, int64_t doc, const char *status, cv_err *e)
{
    cv_doc d;
    if (cv_store_require_tx(s, __func__, e) < 0)
        return e->code;
    if (cv_doc_get(s, doc, &d, e) < 0 || check_move(s, &d, status, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(s, "UPDATE documents SET status = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, doc);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return cv_journal_emit(s, "document.status_changed", d.org_id,
                           json_pack("{s:I, s:s, s:s, s:s, s:s}", "document", (json_int_t)d.id,
                                     "org", d.org_code, "title", d.title, "from", d.status, "to",
                                     status),
                           NULL, e);
}

static int versions_json(cv_store *s, int64_t doc, json_t *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT v.n, f.sha256, f.size, v.path, v.author, v.note, v.created_at "
                         "FROM document_versions v LEFT JOIN files f ON f.id = v.file_id "
                         "WHERE v.document_id = ?1 ORDER BY v.n",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, doc);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char day[11];
        cv_clock_date(sqlite3_column_int64(st, 6), CV_TZ_VIETNAM_MIN, day);
        int kept = sqlite3_column_type(st, 1) != SQLITE_NULL;
        json_t *v = json_pack("{s:i, s:s, s:s, s:s}", "n", sqlite3_column_int(st, 0), "by",
                              cv_docs_col(st, 4), "note", cv_docs_col(st, 5), "on", day);
        if (kept) {
            json_object_set_new(v, "sha256", json_string(cv_docs_col(st, 1)));
            json_object_set_new(v, "size", json_integer(sqlite3_column_int64(st, 2)));
        } else {
            json_object_set_new(v, "path", json_string(cv_docs_col(st, 3)));
        }
        json_array_append_new(out, v);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading versions", e);
}

int cv_doc_show(cv_store *s, int64_t id, json_t **out, cv_err *e)
{
    cv_doc d;
    json_t *versions = json_array(), *rounds = NULL;
    if (cv_doc_get(s, id, &d, e) < 0 || versions_json(s, id, versions, e) < 0 ||
        cv_round_list(s, id, NULL, &rounds, e) < 0) {
        json_decref(versions);
        return e->code;
    }
    *out = cv_doc_json(&d);
    json_object_set_new(*out, "version_list", versions);
    json_object_set_new(*out, "rounds", rounds);
    return 0;
}

int cv_doc_list(cv_store *s, const char *org, const char *term, json_t **out, cv_err *e)
{
    cv_congress c = {0};
    if (org && cv_congress_get(s, org, term, &c, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s, DOC_SELECT "WHERE (?1 = 0 OR d.congress_id = ?1) ORDER BY o.code, d.id", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, c.id);
    *out = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_doc d;
        read_doc(st, &d);
        json_array_append_new(*out, cv_doc_json(&d));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    json_decref(*out);
    *out = NULL;
    return cv_store_fail(s, "listing documents", e);
}
