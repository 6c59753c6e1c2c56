/* registry.c: the lua_packages rows and the packages' journal cursors. It never loads or runs a
 * package (package.c does) and never reads a package's files. */
#include "lua/registry.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "domain/org.h"
#include "store/journal.h"

static void consumer_of(const char *name, char buf[CV_LUA_NAME_MAX + 8])
{
    snprintf(buf, CV_LUA_NAME_MAX + 8, "lua:%s", name);
}

int cv_lua_reg_add(cv_store *s, const char *name, const char *path, const char *org,
                   const char *config, cv_err *e)
{
    cv_org o;
    char consumer[CV_LUA_NAME_MAX + 8];
    int64_t last;
    if (cv_text_code(name, "package name", e) < 0 || cv_org_get(s, org, &o, e) < 0)
        return e->code;
    if (strlen(path) >= CV_LUA_PATH_MAX || (config && strlen(config) >= 4096))
        return cv_err_set(e, CV_ELIMIT, N_("package path or configuration too long"));
    if (cv_store_begin(s, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s, "INSERT INTO lua_packages(name, path, org_id, config) VALUES (?1, ?2, ?3, ?4)", e);
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, o.id);
    sqlite3_bind_text(st, 4, config ? config : "{}", -1, SQLITE_STATIC);
    consumer_of(name, consumer);
    if (cv_store_exec(s, st, e) < 0) {
        if (e->code == CV_ECONFLICT)
            cv_err_set(e, CV_ECONFLICT,
                       N_("a package named %s is already registered (or the "
                          "configuration is not a JSON object)"),
                       name);
        goto fail;
    }
    if (cv_journal_emit(s, "script.added", o.id,
                        json_pack("{s:s, s:s, s:s}", "name", name, "path", path, "org", org), NULL,
                        e) < 0 ||
        cv_journal_last_id(s, &last, e) < 0 || cv_journal_cursor_set(s, consumer, last, e) < 0 ||
        cv_store_commit(s, e) < 0)
        goto fail;
    return 0;
fail:
    cv_store_rollback(s);
    return e->code;
}

int cv_lua_reg_record(cv_store *s, const char *name, const char *state, const char *error,
                      cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE lua_packages SET state = ?2, last_error = ?3, "
        "error_at = CASE WHEN ?3 IS NULL THEN error_at ELSE ?4 END, "
        "loaded_at = CASE WHEN ?2 = 'loaded' AND ?3 IS NULL THEN ?4 ELSE loaded_at END "
        "WHERE name = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    if (error)
        sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, cv_clock_now());
    return cv_store_exec(s, st, e);
}

/* Runs sql (?1 the package's name, ?2 text) and journals event with data, on the package's
 * organisation, in one transaction. */
static int change(cv_store *s, const char *name, const char *sql, const char *text,
                  const char *event, json_t *data, cv_err *e)
{
    cv_lua_reg r;
    cv_org o;
    if (cv_lua_reg_get(s, name, &r, e) < 0 || cv_org_get(s, r.org, &o, e) < 0 ||
        cv_store_begin(s, e) < 0) {
        json_decref(data);
        return e->code;
    }
    sqlite3_stmt *st = cv_store_prepare(s, sql, e);
    if (!st) {
        json_decref(data);
        goto fail;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0) {
        json_decref(data);
        goto fail;
    }
    if (cv_journal_emit(s, event, o.id, data, NULL, e) < 0 || cv_store_commit(s, e) < 0)
        goto fail;
    return 0;
fail:
    cv_store_rollback(s);
    return e->code;
}

int cv_lua_reg_bump(cv_store *s, const char *name, cv_err *e)
{
    return change(s, name, "UPDATE lua_packages SET generation = generation + 1 WHERE name = ?1",
                  NULL, "script.reload", json_pack("{s:s}", "name", name), e);
}

int cv_lua_reg_suspend(cv_store *s, const char *name, const char *reason, cv_err *e)
{
    return change(s, name, "UPDATE lua_packages SET suspended = ?2 WHERE name = ?1", reason,
                  "script.suspended", json_pack("{s:s, s:s}", "name", name, "reason", reason), e);
}

int cv_lua_reg_resume(cv_store *s, const char *name, cv_err *e)
{
    return change(s, name,
                  "UPDATE lua_packages SET suspended = NULL, generation = generation + 1 "
                  "WHERE name = ?1",
                  NULL, "script.resumed", json_pack("{s:s}", "name", name), e);
}

int cv_lua_reg_set_limits(cv_store *s, const char *name, const char *limits, cv_err *e)
{
    cv_lua_limits l;
    if (strlen(limits) >= sizeof((cv_lua_reg *)0)->limits)
        return cv_err_set(e, CV_ELIMIT, N_("package limits too long"));
    if (cv_lua_limits_parse(limits, &l, e) < 0)
        return e->code;
    return change(s, name,
                  "UPDATE lua_packages SET limits = ?2, generation = generation + 1 "
                  "WHERE name = ?1",
                  limits, "script.limits", json_pack("{s:s, s:s}", "name", name, "limits", limits),
                  e);
}

#define REG_SELECT                                                                                 \
    "SELECT p.name, p.path, o.code, p.config, p.state, coalesce(p.last_error, ''), "               \
    "p.generation, coalesce(c.event_id, 0), "                                                      \
    "(SELECT coalesce(max(id), 0) FROM events) - coalesce(c.event_id, 0), p.limits, "              \
    "coalesce(p.suspended, '') "                                                                   \
    "FROM lua_packages p JOIN orgs o ON o.id = p.org_id "                                          \
    "LEFT JOIN cursors c ON c.consumer = 'lua:' || p.name "

static void read_row(sqlite3_stmt *st, cv_lua_reg *r)
{
    snprintf(r->name, sizeof r->name, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(r->path, sizeof r->path, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(r->org, sizeof r->org, "%s", (const char *)sqlite3_column_text(st, 2));
    snprintf(r->config, sizeof r->config, "%s", (const char *)sqlite3_column_text(st, 3));
    snprintf(r->state, sizeof r->state, "%s", (const char *)sqlite3_column_text(st, 4));
    snprintf(r->last_error, sizeof r->last_error, "%s", (const char *)sqlite3_column_text(st, 5));
    r->generation = sqlite3_column_int64(st, 6);
    r->cursor = sqlite3_column_int64(st, 7);
    r->lag = sqlite3_column_int64(st, 8);
    snprintf(r->limits, sizeof r->limits, "%s", (const char *)sqlite3_column_text(st, 9));
    snprintf(r->suspended, sizeof r->suspended, "%s", (const char *)sqlite3_column_text(st, 10));
}

int cv_lua_reg_get(cv_store *s, const char *name, cv_lua_reg *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, REG_SELECT "WHERE p.name = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no package named '%s'; see convene script list"),
                          name);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading packages", e);
}

int cv_lua_reg_list(cv_store *s, cv_lua_reg_visit visit, void *ctx, cv_err *e)
{
    cv_lua_reg r;
    int n = 0, rc;
    /* Rows are read one at a time by name so that visit may use the store freely. */
    char after[CV_LUA_NAME_MAX] = "";
    for (;;) {
        sqlite3_stmt *st =
            cv_store_prepare(s, REG_SELECT "WHERE p.name > ?1 ORDER BY p.name LIMIT 1", e);
        if (!st)
            return e->code;
        sqlite3_bind_text(st, 1, after, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            read_row(st, &r);
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_ROW)
            return cv_store_fail(s, "reading packages", e);
        snprintf(after, sizeof after, "%s", r.name);
        n++;
        if ((rc = visit(&r, ctx)) != 0)
            return rc;
    }
}

json_t *cv_lua_reg_json(const cv_lua_reg *r)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:o, s:I, s:I, s:I}", "name", r->name, "path", r->path,
        "org", r->org, "state", r->suspended[0] ? "suspended" : r->state, "last_error",
        r->last_error[0] ? r->last_error : NULL, "suspended", r->suspended[0] ? r->suspended : NULL,
        "limits", json_loads(r->limits, 0, NULL), "generation", (json_int_t)r->generation, "cursor",
        (json_int_t)r->cursor, "lag", (json_int_t)r->lag);
}
