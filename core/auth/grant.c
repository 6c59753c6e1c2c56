/* grant.c: the grants table and the question every permission check asks: which roles does
 * this account hold over this organisation now. It never deletes a grant (a trigger refuses). */
#include "grant.h"

#include <string.h>

#include "base/clock.h"
#include "store/journal.h"

static const char *const role_names[CV_ROLE_COUNT] = {
    "admin", "office", "organisation", "secretary", "subcommittee", "inspector", "viewer"};

const char *cv_role_name(unsigned role)
{
    for (int i = 0; i < CV_ROLE_COUNT; i++)
        if (role == 1u << i)
            return role_names[i];
    return "";
}

int cv_role_parse(const char *name, unsigned *role, cv_err *e)
{
    for (int i = 0; i < CV_ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0) {
            *role = 1u << i;
            return 0;
        }
    return cv_err_set(e, CV_EINVAL,
                      N_("role '%.32s' is not one of admin, office, organisation, secretary, "
                         "subcommittee, inspector, viewer"),
                      name);
}

void cv_role_names(unsigned mask, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < CV_ROLE_COUNT && used < cap; i++)
        if (mask & (1u << i))
            used +=
                (size_t)snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", role_names[i]);
    if (!mask)
        snprintf(buf, cap, "none");
}

static unsigned role_bit(const char *name)
{
    unsigned r = 0;
    return cv_role_parse(name, &r, NULL) == 0 ? r : 0;
}

int cv_grant_add(cv_store *s, int64_t account_id, unsigned role, int64_t org_id, int64_t *id,
                 cv_err *e)
{
    const char *name = cv_role_name(role);
    if (!*name)
        return cv_err_set(e, CV_EINVAL, N_("a grant names exactly one role"));
    if ((role == CV_ROLE_ADMIN) != (org_id == 0))
        return cv_err_set(e, CV_EINVAL,
                          role == CV_ROLE_ADMIN ? "admin is granted over the whole store, not "
                                                  "an organisation"
                                                : "role %s is granted over an organisation "
                                                  "(--org CODE)",
                          name);
    sqlite3_stmt *st = cv_store_prepare(
        s, "INSERT INTO grants(account_id, role, org_id, starts) VALUES (?1, ?2, ?3, ?4)", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (org_id)
        sqlite3_bind_int64(st, 3, org_id);
    sqlite3_bind_int64(st, 4, cv_clock_real());
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    int64_t new_id = sqlite3_last_insert_rowid(cv_store_db(s));
    if (id)
        *id = new_id;
    return cv_journal_emit(s, "grant.added", org_id,
                           json_pack("{s:I, s:I, s:s}", "grant", (json_int_t)new_id, "account",
                                     (json_int_t)account_id, "role", name),
                           NULL, e);
}

int cv_grant_end(cv_store *s, int64_t id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT coalesce(org_id, 0), role, ends IS NOT NULL FROM grants WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    int64_t org_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    char role[16] = "";
    if (rc == SQLITE_ROW)
        snprintf(role, sizeof role, "%s", (const char *)sqlite3_column_text(st, 1));
    int ended = rc == SQLITE_ROW && sqlite3_column_int(st, 2);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no grant %lld"), (long long)id);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "reading a grant", e);
    if (ended)
        return cv_err_set(e, CV_ECONFLICT, N_("grant %lld has already ended"), (long long)id);
    st = cv_store_prepare(s, "UPDATE grants SET ends = max(starts, ?2) WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, cv_clock_real());
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return cv_journal_emit(s, "grant.ended", org_id,
                           json_pack("{s:I, s:s}", "grant", (json_int_t)id, "role", role), NULL, e);
}

int cv_grant_list(cv_store *s, int64_t account_id, int history, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT g.id, a.login, g.role, coalesce(o.code, ''), g.starts, g.ends FROM grants g "
        "JOIN accounts a ON a.id = g.account_id LEFT JOIN orgs o ON o.id = g.org_id "
        "WHERE (?1 = 0 OR g.account_id = ?1) AND (?2 OR g.ends IS NULL OR g.ends > ?3) "
        "ORDER BY g.id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int(st, 2, history != 0);
    sqlite3_bind_int64(st, 3, cv_clock_real());
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row =
            json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                      "account", (const char *)sqlite3_column_text(st, 1), "role",
                      (const char *)sqlite3_column_text(st, 2), "org",
                      (const char *)sqlite3_column_text(st, 3), "starts",
                      (json_int_t)sqlite3_column_int64(st, 4));
        json_object_set_new(row, "ends",
                            sqlite3_column_type(st, 5) == SQLITE_NULL
                                ? json_null()
                                : json_integer(sqlite3_column_int64(st, 5)));
        json_array_append_new(rows, row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        return cv_store_fail(s, "reading grants", e);
    }
    *out = rows;
    return 0;
}

/* The walk up from org_id is bounded by CV_GRANT_DEPTH_MAX, so a damaged tree cannot loop. */
int cv_grant_roles(cv_store *s, int64_t account_id, int64_t org_id, unsigned *roles, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE up(id, depth) AS (SELECT ?2, 0 UNION ALL "
        "  SELECT o.parent_id, up.depth + 1 FROM orgs o JOIN up ON o.id = up.id "
        "  WHERE o.parent_id IS NOT NULL AND up.depth < ?4) "
        "SELECT g.role, coalesce(g.org_id = ?2, 0) FROM grants g "
        "JOIN accounts a ON a.id = g.account_id AND a.state = 'active' "
        "WHERE g.account_id = ?1 AND g.starts <= ?3 AND (g.ends IS NULL OR g.ends > ?3) "
        "AND (g.org_id IS NULL OR g.org_id IN (SELECT id FROM up))",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, org_id);
    sqlite3_bind_int64(st, 3, cv_clock_real());
    sqlite3_bind_int(st, 4, CV_GRANT_DEPTH_MAX);
    *roles = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        unsigned r = role_bit((const char *)sqlite3_column_text(st, 0));
        int here = sqlite3_column_int(st, 1);
        if (r == CV_ROLE_ADMIN || (org_id && (r != CV_ROLE_SECRETARY || here)))
            *roles |= r;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading grants", e);
}

int cv_grant_roles_anywhere(cv_store *s, int64_t account_id, unsigned *roles, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT g.role FROM grants g JOIN accounts a ON a.id = g.account_id AND "
                         "a.state = 'active' WHERE g.account_id = ?1 AND g.starts <= ?2 AND "
                         "(g.ends IS NULL OR g.ends > ?2)",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, cv_clock_real());
    *roles = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *roles |= role_bit((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading grants", e);
}

int cv_grant_admin_exists(cv_store *s, int *yes, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT EXISTS (SELECT 1 FROM grants g JOIN accounts a ON a.id = g.account_id "
        "WHERE g.role = 'admin' AND a.state = 'active' AND (g.ends IS NULL OR g.ends > ?1))",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, cv_clock_real());
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading grants", e);
}

int cv_grant_admin_emails(cv_store *s, int (*fn)(const char *email, void *arg, cv_err *e),
                          void *arg, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT DISTINCT a.email FROM grants g JOIN accounts a ON a.id = g.account_id "
        "WHERE g.role = 'admin' AND a.state = 'active' AND a.email <> '' AND g.starts <= ?1 "
        "AND (g.ends IS NULL OR g.ends > ?1) ORDER BY a.email",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, cv_clock_real());
    int rc, err = 0;
    while (err == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = fn((const char *)sqlite3_column_text(st, 0), arg, e);
    sqlite3_reset(st);
    if (err < 0)
        return err;
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading grants", e);
}
