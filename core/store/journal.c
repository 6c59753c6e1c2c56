/* journal.c: writing and reading the events table and the consumers' cursors. It never updates
 * or deletes an event (triggers in the schema refuse it) and never opens a transaction itself. */
#include "journal.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

int cv_journal_emit(cv_store *s, const char *type, int64_t org_id, json_t *data, int64_t *id_out,
                    cv_err *e)
{
    if (!data)
        data = json_object();
    char *text = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(data);
    if (!text)
        return cv_err_set(e, CV_ENOMEM, "out of memory writing event %s", type);
    int rc = cv_journal_emit_text(s, type, org_id, text, strlen(text), e);
    free(text);
    if (rc == 0 && id_out)
        *id_out = sqlite3_last_insert_rowid(cv_store_db(s));
    return rc;
}

int cv_journal_emit_text(cv_store *s, const char *type, int64_t org_id, const char *text,
                         size_t len, cv_err *e)
{
    assert(!sqlite3_get_autocommit(cv_store_db(s)) && "an event commits with its change");
    const cv_actor *a = cv_store_actor(s);
    if (a->kind == CV_ACTOR_NONE)
        return cv_err_set(e, CV_EPERM,
                          "event %s has no actor: nobody may change the store anonymously", type);
    if (len > INT_MAX)
        return cv_err_set(e, CV_ELIMIT, "event %s: its data is too large", type);
    /* at is the domain time the event concerns (cv_clock_now, which `clock set` moves);
     * recorded_at is the real time it was written, never earlier than the event before it, so
     * the journal's order is its order in time whatever the domain clock says. */
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO events(at, type, org_id, data, actor_kind, actor_name, actor_account, "
        "actor_token, actor_via, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "max(?10, coalesce((SELECT recorded_at FROM events ORDER BY id DESC LIMIT 1), 0)))",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, cv_clock_now());
    sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
    if (org_id > 0)
        sqlite3_bind_int64(st, 3, org_id);
    sqlite3_bind_text(st, 4, text, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, cv_actor_kind_name(a->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a->name, -1, SQLITE_STATIC);
    if (a->account_id > 0)
        sqlite3_bind_int64(st, 7, a->account_id);
    if (a->token_id > 0)
        sqlite3_bind_int64(st, 8, a->token_id);
    sqlite3_bind_text(st, 9, a->via, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, cv_clock_real());
    return cv_store_exec(s, st, e);
}

int cv_journal_next(cv_store *s, int64_t after, cv_event *ev, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "SELECT id, at, type, coalesce(org_id, 0), data FROM events WHERE id > ?1 "
                         "ORDER BY id LIMIT 1",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, after);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return cv_store_fail(s, "reading the journal", e);
    }
    ev->id = sqlite3_column_int64(st, 0);
    ev->at = sqlite3_column_int64(st, 1);
    snprintf(ev->type, sizeof ev->type, "%s", (const char *)sqlite3_column_text(st, 2));
    ev->org_id = sqlite3_column_int64(st, 3);
    ev->data = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
    sqlite3_reset(st);
    if (!ev->data)
        return cv_err_set(e, CV_ESTORE, "event %lld has unreadable data", (long long)ev->id);
    return 1;
}

void cv_event_clear(cv_event *ev)
{
    json_decref(ev->data);
    ev->data = NULL;
}

int cv_journal_last_id(cv_store *s, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT coalesce(max(id), 0) FROM events", e);
    if (!st)
        return e->code;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cv_store_fail(s, "reading the journal", e);
    }
    *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int cv_journal_cursor_get(cv_store *s, const char *consumer, int64_t *id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT event_id FROM cursors WHERE consumer = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, consumer, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cv_store_fail(s, "reading a journal cursor", e);
    return 0;
}

int cv_journal_cursor_set(cv_store *s, const char *consumer, int64_t id, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s,
                         "INSERT INTO cursors(consumer, event_id) VALUES (?1, ?2) "
                         "ON CONFLICT(consumer) DO UPDATE SET event_id = excluded.event_id",
                         e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, consumer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    return cv_store_exec(s, st, e);
}
