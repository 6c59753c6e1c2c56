/* session.c: the http_sessions table. Tokens are 32 random bytes from libsodium; only their
 * BLAKE2b-256 hash is written. Comparisons of secrets run in constant time. */
#include "http/session.h"

#include <sodium.h>
#include <string.h>

#include "base/clock.h"
#include "store/journal.h"

#define CV_SESSION_BUSY_MS 5000 /* the store's own busy timeout (store.c), put back after */

static const char expired[] = "no session, or it has expired; log in again";

static void token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* A fingerprint of the account's password hash as it is now (all zero without a password). */
static int password_fingerprint(cv_store *s, int64_t account_id, unsigned char out[16], int *active,
                                cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT coalesce(password_hash, ''), state = 'active' FROM accounts WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    int rc = sqlite3_step(st);
    *active = 0;
    memset(out, 0, 16);
    if (rc == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 0);
        crypto_generichash(out, 16, (const unsigned char *)h, strlen(h), NULL, 0);
        *active = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading an account", e);
}

int cv_session_open(cv_store *s, int64_t account_id, const char *peer,
                    char token[CV_SESSION_TOKEN_MAX], int64_t *session_id, cv_err *e)
{
    unsigned char raw[32], hash[32], fp[16];
    int active;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, CV_SESSION_TOKEN_MAX, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hash);
    if (password_fingerprint(s, account_id, fp, &active, e) < 0)
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

/* Records a use at now, at most once every CV_SESSION_TOUCH_MS (a read must not write each time).
 */
static void touch(cv_store *s, int64_t id, int64_t used_at, int64_t now)
{
    cv_err ignored;
    if (now - used_at < CV_SESSION_TOUCH_MS)
        return;
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE http_sessions SET used_at = ?2 WHERE id = ?1", &ignored);
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    cv_store_exec(s, st, &ignored);
}

int cv_session_check(cv_store *s, const char *token, int64_t *account_id, int64_t *session_id,
                     cv_err *e)
{
    unsigned char hash[32], fp[16];
    int active = 0, ok = 0;
    int64_t used_at = 0, now = cv_clock_now();
    if (!token || strlen(token) >= CV_SESSION_TOKEN_MAX)
        return cv_err_set(e, CV_EPERM, "%s", expired);
    token_hash(token, hash);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT id, account_id, password_fp, opened_at, used_at FROM http_sessions "
        "WHERE token_hash = ?1 AND closed_at IS NULL",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 2) == (int)sizeof fp) {
        *session_id = sqlite3_column_int64(st, 0);
        *account_id = sqlite3_column_int64(st, 1);
        memcpy(fp, sqlite3_column_blob(st, 2), sizeof fp);
        used_at = sqlite3_column_int64(st, 4);
        ok = now - used_at <= CV_SESSION_IDLE_MS &&
             now - sqlite3_column_int64(st, 3) <= CV_SESSION_MAX_MS && now >= used_at - 60000;
    }
    sqlite3_reset(st);
    unsigned char current[16];
    if (ok && password_fingerprint(s, *account_id, current, &active, e) < 0)
        return e->code;
    if (!ok || !active || sodium_memcmp(current, fp, sizeof fp) != 0)
        return cv_err_set(e, CV_EPERM, "%s", expired);
    touch(s, *session_id, used_at, now);
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

void cv_session_csrf(const char *token, char out[CV_SESSION_CSRF_MAX])
{
    unsigned char mac[32];
    static const char what[] = "convene csrf";
    crypto_generichash(mac, sizeof mac, (const unsigned char *)what, sizeof what - 1,
                       (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, CV_SESSION_CSRF_MAX, mac, sizeof mac);
}
