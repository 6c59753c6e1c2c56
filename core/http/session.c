/* session.c: the http_sessions table. Tokens are 32 random bytes from libsodium; only their
 * BLAKE2b-256 hash is written. Comparisons of secrets run in constant time. */
#include "http/session.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "store/journal.h"

#define CV_SESSION_BUSY_MS 5000 /* the store's own busy timeout (store.c), put back after */

static const char expired[] = "no session, or it has expired; log in again";

static void token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* A fingerprint of a password hash string ("" without a password). */
static void fingerprint(const char *password_hash, unsigned char out[16])
{
    crypto_generichash(out, 16, (const unsigned char *)password_hash, strlen(password_hash), NULL,
                       0);
}

/* The fingerprint of the account's password hash as it is now. */
static int password_fingerprint(cv_store *s, int64_t account_id, unsigned char out[16], cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT coalesce(password_hash, '') FROM accounts WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    int rc = sqlite3_step(st);
    fingerprint(rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "", out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading an account", e);
}

int cv_session_open(cv_store *s, int64_t account_id, const char *peer,
                    char token[CV_SESSION_TOKEN_MAX], int64_t *session_id, cv_err *e)
{
    unsigned char raw[32], hash[32], fp[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, CV_SESSION_TOKEN_MAX, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hash);
    if (password_fingerprint(s, account_id, fp, e) < 0)
        return e->code;
    int64_t now = cv_clock_now();
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO http_sessions(token_hash, account_id, password_fp, peer, opened_at, used_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_blob(st, 3, fp, sizeof fp, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, now);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    *session_id = sqlite3_last_insert_rowid(cv_store_db(s));
    return cv_journal_emit(s, "session.opened", 0,
                           json_pack("{s:I, s:I, s:s}", "session", (json_int_t)*session_id,
                                     "account", (json_int_t)account_id, "peer", peer),
                           NULL, e);
}

/* Records a use at now, at most once every CV_SESSION_TOUCH_MS (a read must not write each time);
 * 1 when it was recorded. It never waits for the write lock: the daemon's loop calls this, and a
 * use that cannot be recorded now is recorded by the next one. */
static int touch(cv_store *s, int64_t id, int64_t used_at, int64_t now)
{
    cv_err ignored;
    if (now - used_at < CV_SESSION_TOUCH_MS)
        return 0;
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE http_sessions SET used_at = ?2 WHERE id = ?1", &ignored);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_busy_timeout(cv_store_db(s), 0);
    int rc = cv_store_exec(s, st, &ignored);
    sqlite3_busy_timeout(cv_store_db(s), CV_SESSION_BUSY_MS);
    return rc == 0;
}

#define MEMO_SLOTS 256

struct cv_session_memo {
    struct {
        unsigned char hash[32];
        int64_t version;
        cv_session session;
    } slot[MEMO_SLOTS];
};

cv_session_memo *cv_session_memo_new(void)
{
    return calloc(1, sizeof(cv_session_memo));
}

void cv_session_memo_free(cv_session_memo *m)
{
    free(m);
}

/* Whether a session used at used_at and opened at opened_at may still be used at now. */
static int alive(int64_t opened_at, int64_t used_at, int64_t now)
{
    return now - used_at <= CV_SESSION_IDLE_MS && now - opened_at <= CV_SESSION_MAX_MS &&
           now >= used_at - 60000; /* a clock set far back does not revive anything */
}

/* The session of hash from the store, with its account's state and password fingerprint. */
static int lookup(cv_store *s, const unsigned char hash[32], cv_session *out, int *ok, cv_err *e)
{
    unsigned char fp[16];
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT se.id, se.account_id, se.password_fp, se.opened_at, se.used_at, a.login, "
        "coalesce(a.password_hash, ''), a.state = 'active' FROM http_sessions se "
        "JOIN accounts a ON a.id = se.account_id WHERE se.token_hash = ?1 AND se.closed_at IS NULL",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    *ok = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 2) == (int)sizeof fp &&
        sqlite3_column_int(st, 7)) {
        fingerprint((const char *)sqlite3_column_text(st, 6), fp);
        out->id = sqlite3_column_int64(st, 0);
        out->account_id = sqlite3_column_int64(st, 1);
        out->opened_at = sqlite3_column_int64(st, 3);
        out->used_at = sqlite3_column_int64(st, 4);
        snprintf(out->login, sizeof out->login, "%s", (const char *)sqlite3_column_text(st, 5));
        *ok = sodium_memcmp(sqlite3_column_blob(st, 2), fp, sizeof fp) == 0;
    }
    sqlite3_reset(st);
    return 0;
}

int cv_session_check(cv_store *s, cv_session_memo *memo, int64_t version, const char *token,
                     cv_session *out, cv_err *e)
{
    unsigned char hash[32];
    int ok = 0;
    int64_t now = cv_clock_now();
    if (!token || strlen(token) >= CV_SESSION_TOKEN_MAX)
        return cv_err_set(e, CV_EPERM, "%s", expired);
    token_hash(token, hash);
    int i = (hash[0] | hash[1] << 8) % MEMO_SLOTS;
    if (memo && version >= 0 && memo->slot[i].version == version &&
        sodium_memcmp(memo->slot[i].hash, hash, sizeof hash) == 0 &&
        now - memo->slot[i].session.used_at < CV_SESSION_TOUCH_MS &&
        alive(memo->slot[i].session.opened_at, memo->slot[i].session.used_at, now)) {
        *out = memo->slot[i].session;
        return 0;
    }
    if (lookup(s, hash, out, &ok, e) < 0)
        return e->code;
    if (!ok || !alive(out->opened_at, out->used_at, now))
        return cv_err_set(e, CV_EPERM, "%s", expired);
    if (touch(s, out->id, out->used_at, now))
        out->used_at = now;
    if (memo && version >= 0) {
        memcpy(memo->slot[i].hash, hash, sizeof hash);
        memo->slot[i].version = version;
        memo->slot[i].session = *out;
    }
    return 0;
}

int cv_session_close(cv_store *s, int64_t session_id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "UPDATE http_sessions SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, cv_clock_now());
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return cv_journal_emit(s, "session.closed", 0,
                           json_pack("{s:I}", "session", (json_int_t)session_id), NULL, e);
}

int cv_session_close_all(cv_store *s, int64_t account_id, int *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT id FROM http_sessions WHERE account_id = ?1 AND closed_at IS NULL ORDER BY id",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    int64_t ids[64];
    int count = 0, rc;
    /* in batches: closing changes the rows the query walks */
    do {
        count = 0;
        while (count < 64 && (rc = sqlite3_step(st)) == SQLITE_ROW)
            ids[count++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (count == 0 && rc != SQLITE_DONE)
            return cv_store_fail(s, "reading sessions", e);
        for (int i = 0; i < count; i++)
            if (cv_session_close(s, ids[i], e) < 0)
                return e->code;
        if (n)
            *n += count;
    } while (count == 64);
    return 0;
}

void cv_session_csrf(const char *token, char out[CV_SESSION_CSRF_MAX])
{
    unsigned char mac[32];
    static const char what[] = "convene csrf";
    crypto_generichash(mac, sizeof mac, (const unsigned char *)what, sizeof what - 1,
                       (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, CV_SESSION_CSRF_MAX, mac, sizeof mac);
}
