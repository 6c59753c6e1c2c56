/* registry.c: the plugins and plugin_config tables. It must never store SQL built from input and
 * never put a setting's value in the journal (a secret would leak into every consumer). */
#include "plugin/registry.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "store/journal.h"

int cv_plugin_reg_get(cv_store *s, const char *name, cv_plugin_reg *out, cv_err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT enabled, revision, coalesce(last_error, '') FROM plugins WHERE name = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->enabled = sqlite3_column_int(st, 0);
        out->revision = sqlite3_column_int64(st, 1);
        snprintf(out->last_error, sizeof out->last_error, "%s", sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cv_store_fail(s, "reading plugin state", e);
    return 0;
}

/* Inserts name if missing and bumps its revision; inside the caller's transaction. */
static int touch(cv_store *s, const char *name, int enabled, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO plugins(name, enabled, revision, changed_at) VALUES (?1, max(?2, 0), 1, ?3) "
        "ON CONFLICT(name) DO UPDATE SET revision = revision + 1, changed_at = ?3, "
        "enabled = CASE WHEN ?2 < 0 THEN enabled ELSE ?2 END, "
        "last_error = CASE WHEN ?2 = 1 THEN NULL ELSE last_error END",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, enabled);
    sqlite3_bind_int64(st, 3, cv_clock_now());
    return cv_store_exec(s, st, e);
}

/* Runs touch plus an optional config write and the event, in the caller's transaction. */
static int change(cv_store *s, const char *name, int enabled, const char *key, const char *value,
                  const char *event, cv_err *e)
{
    if (cv_store_require_tx(s, event, e) < 0)
        return e->code;
    int rc = touch(s, name, enabled, e);
    if (rc == 0 && key) {
        sqlite3_stmt *st =
            cv_store_prepare(s,
                             "INSERT INTO plugin_config(plugin, key, value) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT(plugin, key) DO UPDATE SET value = excluded.value",
                             e);
        rc = st ? 0 : e->code;
        if (st) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
            rc = cv_store_exec(s, st, e);
        }
    }
    if (rc == 0) {
        json_t *data = key ? json_pack("{s:s, s:s}", "plugin", name, "key", key)
                           : json_pack("{s:s}", "plugin", name);
        rc = cv_journal_emit(s, event, 0, data, NULL, e);
    }
    return rc;
}

int cv_plugin_reg_enable(cv_store *s, const char *name, int enabled, cv_err *e)
{
    return change(s, name, enabled ? 1 : 0, NULL, NULL,
                  enabled ? "plugin.enabled" : "plugin.disabled", e);
}

int cv_plugin_reg_config_set(cv_store *s, const char *name, const char *key, const char *value,
                             cv_err *e)
{
    return change(s, name, -1, key, value, "plugin.configured", e);
}

int cv_plugin_reg_config_get(cv_store *s, const char *name, const char *key, char *buf, size_t cap,
                             cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT value FROM plugin_config WHERE plugin = ?1 AND key = ?2", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(buf, cap, "%s", sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "reading plugin config", e);
    return cv_err_set(e, CV_ENOTFOUND, N_("%s: %s is not set"), name, key);
}

int cv_plugin_reg_error(cv_store *s, const char *name, const char *msg, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO plugins(name, enabled, revision, changed_at, last_error) "
                         "VALUES (?1, 0, 0, ?2, ?3) ON CONFLICT(name) DO UPDATE SET last_error = "
                         "excluded.last_error, "
                         "enabled = CASE WHEN ?3 IS NULL THEN enabled ELSE 0 END",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cv_clock_now());
    if (msg)
        sqlite3_bind_text(st, 3, msg, -1, SQLITE_STATIC);
    return cv_store_exec(s, st, e);
}
