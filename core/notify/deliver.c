/* deliver.c: outbox rows through their life (pending -> sent | failed), the retry policy and the
 * listing admins see. It must never send anything or touch the loop: the notify service does. */
#include "notify/deliver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "store/journal.h"

typedef struct policy_key {
    const char *key;
    int64_t def, min, max;
} policy_key;

static const policy_key policy_keys[] = {
    {"notify.max_tries", 8, 1, 100},
    {"notify.backoff_base_ms", 60000, 1, 86400000},
    {"notify.backoff_cap_ms", 3600000, 1, 7 * 86400000LL},
    {"notify.concurrency", 32, 1, 1024},
};
enum { POLICY_KEYS = sizeof policy_keys / sizeof policy_keys[0] };

static int parse_key(const policy_key *k, const char *text, int64_t *out, cv_err *e)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < k->min || v > k->max)
        return cv_err_set(e, CV_EINVAL, N_("%s must be a whole number from %lld to %lld, not '%s'"),
                          k->key, (long long)k->min, (long long)k->max, text);
    *out = v;
    return 0;
}

int cv_deliver_policy_load(cv_store *s, cv_deliver_policy *p, cv_err *e)
{
    int64_t v[POLICY_KEYS];
    for (int i = 0; i < POLICY_KEYS; i++) {
        char buf[32];
        cv_err unset;
        v[i] = policy_keys[i].def;
        if (cv_store_setting_get(s, policy_keys[i].key, buf, sizeof buf, &unset) == 0 &&
            parse_key(&policy_keys[i], buf, &v[i], e) < 0)
            return e->code;
    }
    *p = (cv_deliver_policy){
        .max_tries = (int)v[0], .base_ms = v[1], .cap_ms = v[2], .concurrency = (int)v[3]};
    return 0;
}

int cv_deliver_policy_set(cv_store *s, const char *key, const char *value, cv_err *e)
{
    for (int i = 0; i < POLICY_KEYS; i++) {
        int64_t v;
        if (strcmp(key, policy_keys[i].key) != 0)
            continue;
        if (parse_key(&policy_keys[i], value, &v, e) < 0)
            return e->code;
        return cv_store_setting_set(s, key, value, e);
    }
    return cv_err_set(
        e, CV_EINVAL,
        N_("unknown setting '%s' (notify.max_tries, notify.backoff_base_ms, "
           "notify.backoff_cap_ms, notify.concurrency, notify.template.NAME.subject|body;"
           " a notifier's settings: convene plugin config)"),
        key);
}

int64_t cv_deliver_backoff(const cv_deliver_policy *p, int tries)
{
    int64_t wait = p->base_ms;
    for (int i = 1; i < tries && wait < p->cap_ms; i++)
        wait *= 2;
    return wait < p->cap_ms ? wait : p->cap_ms;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return strdup(t ? t : "");
}

void cv_deliver_item_free(cv_deliver_item *it)
{
    free(it->key);
    free(it->channel);
    free(it->recipient);
    free(it->subject);
    free(it->body);
}

static int skipped(int64_t id, const int64_t *skip, int nskip)
{
    for (int i = 0; i < nskip; i++)
        if (skip[i] == id)
            return 1;
    return 0;
}

static int read_item(sqlite3_stmt *st, cv_deliver_item *it)
{
    *it = (cv_deliver_item){.id = sqlite3_column_int64(st, 0),
                            .tries = sqlite3_column_int(st, 1),
                            .created_at = sqlite3_column_int64(st, 2),
                            .key = column_dup(st, 3),
                            .channel = column_dup(st, 4),
                            .recipient = column_dup(st, 5),
                            .subject = column_dup(st, 6),
                            .body = column_dup(st, 7)};
    if (it->key && it->channel && it->recipient && it->subject && it->body)
        return 0;
    cv_deliver_item_free(it);
    return -1;
}

int cv_deliver_channels(cv_store *s, json_t **channels, cv_err *e)
{
    /* A skip-scan of outbox_by_channel: one index probe per channel, whatever the backlog. */
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "WITH RECURSIVE ch(c) AS (SELECT (SELECT min(channel) FROM outbox WHERE state = "
        "'pending') UNION ALL SELECT (SELECT min(channel) FROM outbox WHERE state = 'pending' "
        "AND channel > ch.c) FROM ch WHERE ch.c IS NOT NULL) SELECT c FROM ch WHERE c IS NOT NULL "
        "LIMIT ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int(st, 1, CV_DELIVER_CHANNELS_MAX);
    json_t *out = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(out);
        return cv_store_fail(s, "reading the outbox", e);
    }
    *channels = out;
    return 0;
}

int cv_deliver_due(cv_store *s, int64_t now, const char *channel, const int64_t *skip, int nskip,
                   int cap, cv_deliver_item **items, int *n, cv_err *e)
{
    *items = NULL;
    *n = 0;
    if (cap <= 0)
        return 0;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        channel
            ? "SELECT id, tries, created_at, key, channel, recipient, subject, body FROM outbox "
              "WHERE state = 'pending' AND channel = ?3 AND next_at <= ?1 "
              "ORDER BY next_at, id LIMIT ?2"
            : "SELECT id, tries, created_at, key, channel, recipient, subject, body FROM outbox "
              "WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
        e);
    if (!st)
        return e->code;
    cv_deliver_item *out = calloc((size_t)cap, sizeof *out);
    if (!out)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, cap + nskip);
    if (channel)
        sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
    int rc;
    while (*n < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (skipped(sqlite3_column_int64(st, 0), skip, nskip))
            continue;
        if (read_item(st, &out[*n]) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        (*n)++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        for (int i = 0; i < *n; i++)
            cv_deliver_item_free(&out[i]);
        free(out);
        *n = 0;
        return rc == SQLITE_NOMEM ? cv_err_set(e, CV_ENOMEM, N_("out of memory"))
                                  : cv_store_fail(s, "reading the outbox", e);
    }
    *items = out;
    return 0;
}

int cv_deliver_next_at(cv_store *s, int64_t now, int64_t *next_at, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT min(next_at) FROM outbox WHERE state = 'pending' AND next_at > ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, now);
    int rc = sqlite3_step(st);
    *next_at = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
                   ? sqlite3_column_int64(st, 0)
                   : -1;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading the outbox", e);
}

int cv_deliver_sent(cv_store *s, int64_t id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE outbox SET state = 'sent', tries = tries + 1, sent_at = ?2, last_error = NULL "
        "WHERE id = ?1 AND state = 'pending'",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, cv_clock_now());
    return cv_store_exec(s, st, e);
}

/* The journal's notice that a notification was given up, for admins and scripts. */
static int emit_failed(cv_store *s, int64_t id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT key, channel, recipient, tries, last_error FROM outbox WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return cv_store_fail(s, "reading the outbox", e);
    }
    json_t *data =
        json_pack("{s:I, s:s, s:s, s:s, s:i, s:s}", "id", (json_int_t)id, "key",
                  (const char *)sqlite3_column_text(st, 0), "channel",
                  (const char *)sqlite3_column_text(st, 1), "recipient",
                  (const char *)sqlite3_column_text(st, 2), "tries", sqlite3_column_int(st, 3),
                  "reason", (const char *)sqlite3_column_text(st, 4));
    sqlite3_reset(st);
    return cv_journal_emit(s, "notification.failed", 0, data, NULL, e);
}

static int record_failure(cv_store *s, const cv_deliver_policy *p, int64_t id, const char *reason,
                          int permanent, int *gave_up, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE outbox SET tries = tries + 1, last_error = ?2, "
        "  state = CASE WHEN tries + 1 >= ?3 OR ?7 THEN 'failed' ELSE 'pending' END, "
        "  next_at = CASE WHEN tries + 1 >= ?3 OR ?7 THEN next_at ELSE ?4 + "
        "    min(?6, ?5 << min(tries, 30)) END "
        "WHERE id = ?1 AND state = 'pending' RETURNING state",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, p->max_tries);
    sqlite3_bind_int64(st, 4, cv_clock_now());
    sqlite3_bind_int64(st, 5, p->base_ms);
    sqlite3_bind_int64(st, 6, p->cap_ms);
    sqlite3_bind_int(st, 7, permanent != 0);
    int rc = sqlite3_step(st);
    int failed =
        rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "failed") == 0;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return cv_store_fail(s, "recording a delivery", e);
    if (gave_up)
        *gave_up = failed;
    return failed ? emit_failed(s, id, e) : 0;
}

int cv_deliver_failed(cv_store *s, const cv_deliver_policy *p, int64_t id, const char *reason,
                      int permanent, int *gave_up, cv_err *e)
{
    if (cv_store_begin(s, e) < 0)
        return e->code;
    if (record_failure(s, p, id, reason, permanent, gave_up, e) < 0 || cv_store_commit(s, e) < 0) {
        cv_store_rollback(s);
        return e->code;
    }
    return 0;
}

int cv_deliver_retry(cv_store *s, int64_t id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT state, key, channel, recipient, tries, coalesce(last_error, '') FROM outbox "
        "WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    json_t *data = NULL;
    if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "failed") == 0)
        data = json_pack("{s:I, s:s, s:s, s:s, s:{s:s, s:i, s:s}, s:{s:s, s:i}}", "id",
                         (json_int_t)id, "key", (const char *)sqlite3_column_text(st, 1), "channel",
                         (const char *)sqlite3_column_text(st, 2), "recipient",
                         (const char *)sqlite3_column_text(st, 3), "before", "state", "failed",
                         "tries", sqlite3_column_int(st, 4), "last_error",
                         (const char *)sqlite3_column_text(st, 5), "after", "state", "pending",
                         "tries", 0);
    else if (rc == SQLITE_ROW)
        cv_err_set(e, CV_ECONFLICT,
                   N_("notification #%lld is %s, not failed: only a failed one is "
                      "retried"),
                   (long long)id, (const char *)sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE)
        cv_err_set(e, CV_ENOTFOUND, N_("no notification #%lld in the outbox"), (long long)id);
    else
        cv_store_fail(s, "reading the outbox", e);
    sqlite3_reset(st);
    if (!data)
        return e->code ? e->code : CV_ENOMEM;
    st = cv_store_prepare(s,
                          "UPDATE outbox SET state = 'pending', tries = 0, last_error = NULL, "
                          "next_at = ?2 WHERE id = ?1",
                          e);
    if (!st) {
        json_decref(data);
        return e->code;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, cv_clock_now());
    if (cv_store_exec(s, st, e) < 0) {
        json_decref(data);
        return e->code;
    }
    return cv_journal_emit(s, "notification.retried", 0, data, NULL, e);
}

static json_t *row_json(sqlite3_stmt *st)
{
    json_t *j = json_pack(
        "{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I}", "id",
        (json_int_t)sqlite3_column_int64(st, 0), "key", (const char *)sqlite3_column_text(st, 1),
        "channel", (const char *)sqlite3_column_text(st, 2), "recipient",
        (const char *)sqlite3_column_text(st, 3), "subject",
        (const char *)sqlite3_column_text(st, 4), "state", (const char *)sqlite3_column_text(st, 5),
        "tries", sqlite3_column_int(st, 6), "created_at", (json_int_t)sqlite3_column_int64(st, 7),
        "next_at", (json_int_t)sqlite3_column_int64(st, 8));
    if (j && sqlite3_column_type(st, 9) != SQLITE_NULL)
        json_object_set_new(j, "last_error", json_string((const char *)sqlite3_column_text(st, 9)));
    if (j && sqlite3_column_type(st, 10) != SQLITE_NULL)
        json_object_set_new(j, "sent_at", json_integer(sqlite3_column_int64(st, 10)));
    return j;
}

int cv_deliver_list(cv_store *s, const char *state, int limit, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT id, key, channel, recipient, subject, state, tries, created_at, next_at, "
        "last_error, sent_at FROM outbox WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(rows, row_json(st));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        return cv_store_fail(s, "reading the outbox", e);
    }
    *out = rows;
    return 0;
}
