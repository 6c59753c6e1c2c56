/* person.c: the people table. Owns people; never touches elections or complaints. */
#include "person.h"

#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/org.h"
#include "store/journal.h"

#define PERSON_COLUMNS                                                                             \
    "SELECT p.id, p.code, p.name, coalesce(p.born, ''), p.gender, p.ethnicity, "                   \
    "coalesce(o.code, ''), p.titles, p.incumbent FROM people p LEFT JOIN orgs o ON o.id = "        \
    "p.org_id "

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, cv_person *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    copy_col(p->code, sizeof p->code, st, 1);
    copy_col(p->name, sizeof p->name, st, 2);
    copy_col(p->born, sizeof p->born, st, 3);
    copy_col(p->gender, sizeof p->gender, st, 4);
    copy_col(p->ethnicity, sizeof p->ethnicity, st, 5);
    copy_col(p->org, sizeof p->org, st, 6);
    copy_col(p->titles, sizeof p->titles, st, 7);
    p->incumbent = sqlite3_column_int(st, 8);
}

/* Steps st once into out; CV_ENOTFOUND names what was looked for. */
static int read_one(cv_store *s, sqlite3_stmt *st, const char *what, cv_person *out, cv_err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no person %s"), what);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a person", e);
}

int cv_person_get(cv_store *s, const char *code, cv_person *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, PERSON_COLUMNS "WHERE p.code = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    return read_one(s, st, code, out, e);
}

int cv_person_get_by_id(cv_store *s, int64_t id, cv_person *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, PERSON_COLUMNS "WHERE p.id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    return read_one(s, st, "with that id", out, e);
}

/* Checks the given fields of spec and copies them onto p. */
static int apply(const cv_person_spec *spec, cv_person *p, cv_err *e)
{
    if (spec->name && cv_text_nfc(spec->name, p->name, sizeof p->name, "name", e) < 0)
        return e->code;
    if (spec->born) {
        if (spec->born[0] && cv_date_check(spec->born, "birth date", e) < 0)
            return e->code;
        snprintf(p->born, sizeof p->born, "%s", spec->born);
    }
    if (spec->gender) {
        if (strcmp(spec->gender, "male") && strcmp(spec->gender, "female") && spec->gender[0])
            return cv_err_set(e, CV_EINVAL, N_("gender '%s' is not 'male' or 'female'"),
                              spec->gender);
        snprintf(p->gender, sizeof p->gender, "%s", spec->gender);
    }
    if (spec->ethnicity &&
        cv_text_nfc(spec->ethnicity, p->ethnicity, sizeof p->ethnicity, "ethnicity", e) < 0)
        return e->code;
    if (spec->titles &&
        cv_text_nfc_lines(spec->titles, p->titles, sizeof p->titles, "titles", e) < 0)
        return e->code;
    if (spec->org)
        snprintf(p->org, sizeof p->org, "%s", spec->org);
    if (spec->incumbent >= 0)
        p->incumbent = spec->incumbent != 0;
    if (!p->name[0])
        return cv_err_set(e, CV_EINVAL, N_("a person needs a name"));
    return 0;
}

/* Writes p; *org_id: the id of its organisation, 0 for none. */
static int write_person(cv_store *s, cv_person *p, int64_t *org_id, cv_err *e)
{
    *org_id = 0;
    if (p->org[0]) {
        cv_org o;
        if (cv_org_get(s, p->org, &o, e) < 0)
            return e->code;
        *org_id = o.id;
    }
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO people(id, code, name, born, gender, ethnicity, org_id, titles, incumbent) "
        "VALUES (nullif(?1, 0), ?2, ?3, nullif(?4, ''), ?5, ?6, nullif(?7, 0), ?8, ?9) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, born = excluded.born, "
        "gender = excluded.gender, ethnicity = excluded.ethnicity, org_id = excluded.org_id, "
        "titles = excluded.titles, incumbent = excluded.incumbent",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_text(st, 2, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->born, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, p->gender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, p->ethnicity, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, *org_id);
    sqlite3_bind_text(st, 8, p->titles, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, p->incumbent);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return cv_err_set(e, CV_ECONFLICT, N_("person %s already exists"), p->code);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "writing a person", e);
    if (!p->id)
        p->id = sqlite3_last_insert_rowid(cv_store_db(s));
    return 0;
}

/* Writes p and its event, in the caller's transaction. The event belongs to the person's
 * organisation (a package over its subtree sees it, as it sees an imported person). */
static int save(cv_store *s, cv_person *p, const char *event, cv_err *e)
{
    int64_t org_id;
    if (cv_store_require_tx(s, event, e) < 0)
        return e->code;
    if (write_person(s, p, &org_id, e) < 0 ||
        cv_journal_emit(s, event, org_id, cv_person_json(p), NULL, e) < 0)
        return e->code;
    return 0;
}

int cv_person_add(cv_store *s, const cv_person_spec *spec, int64_t *id, cv_err *e)
{
    cv_person p = {0};
    if (!spec->code || cv_text_code(spec->code, "person code", e) < 0)
        return spec->code ? e->code : cv_err_set(e, CV_EINVAL, N_("a person needs a code"));
    snprintf(p.code, sizeof p.code, "%s", spec->code);
    if (apply(spec, &p, e) < 0 || save(s, &p, "person.added", e) < 0)
        return e->code;
    if (id)
        *id = p.id;
    return 0;
}

int cv_person_set(cv_store *s, const cv_person_spec *spec, cv_err *e)
{
    cv_person p;
    if (cv_person_get(s, spec->code, &p, e) < 0 || apply(spec, &p, e) < 0)
        return e->code;
    return save(s, &p, "person.updated", e);
}

int cv_person_list(cv_store *s, const char *org, cv_person_visit visit, void *ctx, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE code = ?1 "
        "  UNION SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id) " PERSON_COLUMNS
        "WHERE ?1 IS NULL OR p.org_id IN (SELECT id FROM sub) ORDER BY p.code",
        e);
    if (!st)
        return e->code;
    if (org) {
        cv_org o;
        if (cv_org_get(s, org, &o, e) < 0)
            return e->code;
        sqlite3_bind_text(st, 1, org, -1, SQLITE_STATIC);
    }
    int rc, stop = 0;
    cv_person p;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &p);
        stop = visit(&p, ctx);
    }
    sqlite3_reset(st);
    if (!stop && rc != SQLITE_DONE)
        return cv_store_fail(s, "listing people", e);
    return stop;
}

int cv_person_age(const cv_person *p, const char *date)
{
    if (!p->born[0] || strlen(date) < 10)
        return -1;
    int age = atoi(date) - atoi(p->born);
    if (strcmp(date + 5, p->born + 5) < 0)
        age--;
    return age;
}

json_t *cv_person_json(const cv_person *p)
{
    return json_pack("{sI ss ss ss ss ss ss ss sb}", "id", (json_int_t)p->id, "code", p->code,
                     "name", p->name, "born", p->born, "gender", p->gender, "ethnicity",
                     p->ethnicity, "org", p->org, "titles", p->titles, "incumbent", p->incumbent);
}
