/* outbox.c: queuing notifications. Owns the outbox rows' creation; never delivers. */
#include "outbox.h"

#include <assert.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"

int cv_outbox_check_address(const char *channel, const char *address, cv_err *e)
{
    if (strcmp(channel, "smtp") && strcmp(channel, "webhook") && strcmp(channel, "log"))
        return cv_err_set(e, CV_EINVAL, "channel must be smtp, webhook or log, not '%.32s'",
                          channel);
    if (cv_text_line(address, 512, "address", e) < 0)
        return e->code;
    if (strcmp(channel, "smtp") == 0 && (!strchr(address, '@') || strpbrk(address, " <>")))
        return cv_err_set(e, CV_EINVAL, "'%.64s' is not an email address", address);
    if (strcmp(channel, "webhook") == 0 && strncmp(address, "http://", 7) &&
        strncmp(address, "https://", 8))
        return cv_err_set(e, CV_EINVAL, "a webhook address is an http:// or https:// URL");
    return 0;
}

int cv_outbox_put(cv_store *s, const cv_notification *n, cv_err *e)
{
    if (cv_outbox_check_address(n->channel, n->recipient, e) < 0 ||
        cv_text_line(n->subject, 4096, "subject", e) < 0)
        return e->code;
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
