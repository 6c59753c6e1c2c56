/* outbox.c: queuing notifications. Owns the outbox rows' creation; never delivers. */
#include "outbox.h"

#include <assert.h>

#include "base/clock.h"

int cv_outbox_put(cv_store *s, const cv_notification *n, cv_err *e)
{
    assert(!sqlite3_get_autocommit(cv_store_db(s)) && "a notification commits with its cause");
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO outbox(key, channel, recipient, subject, body, created_at, next_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(key) DO NOTHING",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, n->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, n->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, n->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, n->subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, n->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, cv_clock_now());
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return sqlite3_changes(cv_store_db(s)) > 0;
}
