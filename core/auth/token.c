/* token.c: the tokens table. It never stores or journals a token's text, only its hash. */
#include "token.h"

#include <sodium.h>
#include <string.h>

#include "auth/account.h"
#include "base/clock.h"
#include "store/journal.h"

#define TOKEN_BYTES  32
#define TOKEN_PREFIX "cvt_"

static void token_hash(const char *text, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)text, strlen(text), NULL, 0);
}

static int check_label(const char *label, cv_err *e)
{
    size_t n = strlen(label);
    if (n == 0 || n >= CV_TOKEN_LABEL_MAX)
        return cv_err_set(e, CV_EINVAL, "a token's label must be 1 to %d bytes",
                          CV_TOKEN_LABEL_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f)
            return cv_err_set(e, CV_EINVAL, "a token's label must not hold control characters");
    return 0;
}

int cv_token_add(cv_store *s, int64_t account_id, const char *label, int64_t expires_at,
                 char text[CV_TOKEN_TEXT_MAX], int64_t *id, cv_err *e)
{
    unsigned char raw[TOKEN_BYTES], hash[32];
    if (check_label(label, e) < 0)
        return e->code;
    if (sodium_init() < 0)
        return cv_err_set(e, CV_ENOMEM, "libsodium could not start");
    randombytes_buf(raw, sizeof raw);
    memcpy(text, TOKEN_PREFIX, sizeof TOKEN_PREFIX);
    sodium_bin2base64(text + strlen(TOKEN_PREFIX), CV_TOKEN_TEXT_MAX - strlen(TOKEN_PREFIX), raw,
                      sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(text, hash);
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "INSERT INTO tokens(account_id, label, hash, created_at, "
                                        "expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, hash, sizeof hash, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, cv_clock_real());
    if (expires_at > 0)
        sqlite3_bind_int64(st, 5, expires_at);
    if (cv_store_exec(s, st, e) < 0)
        return e->code == CV_ECONFLICT
                   ? cv_err_set(e, CV_ECONFLICT, "the account already has a token '%s'", label)
                   : e->code;
    int64_t new_id = sqlite3_last_insert_rowid(cv_store_db(s));
    if (id)
        *id = new_id;
    json_t *data = json_pack("{s:I, s:I, s:s}", "token", (json_int_t)new_id, "account",
                             (json_int_t)account_id, "label", label);
    if (expires_at > 0)
        json_object_set_new(data, "expires_at", json_integer(expires_at));
    return cv_journal_emit(s, "token.added", 0, data, NULL, e);
}

int cv_token_revoke(cv_store *s, int64_t account_id, const char *label, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "UPDATE tokens SET revoked_at = ?3 WHERE account_id = ?1 "
                                        "AND label = ?2 AND revoked_at IS NULL RETURNING id",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, cv_clock_real());
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, "no live token labelled '%.64s'", label);
    if (rc != SQLITE_ROW)
        return cv_store_fail(s, "revoking a token", e);
    return cv_journal_emit(s, "token.revoked", 0,
                           json_pack("{s:I, s:I, s:s}", "token", (json_int_t)id, "account",
                                     (json_int_t)account_id, "label", label),
                           NULL, e);
}

static json_t *instant_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? json_null()
               : json_integer(sqlite3_column_int64(st, col));
}

int cv_token_list(cv_store *s, int64_t account_id, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT id, label, created_at, expires_at, revoked_at "
                                        "FROM tokens WHERE account_id = ?1 ORDER BY id",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, account_id);
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(rows, json_pack("{s:I, s:s, s:I, s:o, s:o}", "id",
                                              (json_int_t)sqlite3_column_int64(st, 0), "label",
                                              (const char *)sqlite3_column_text(st, 1),
                                              "created_at", (json_int_t)sqlite3_column_int64(st, 2),
                                              "expires_at", instant_or_null(st, 3), "revoked_at",
                                              instant_or_null(st, 4)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        return cv_store_fail(s, "reading tokens", e);
    }
    *out = rows;
    return 0;
}

int cv_token_check(cv_store *s, const char *text, cv_actor *actor, cv_err *e)
{
    unsigned char hash[32];
    if (strnlen(text, CV_TOKEN_TEXT_MAX) >= CV_TOKEN_TEXT_MAX)
        return cv_err_set(e, CV_EPERM, "unknown or expired token");
    token_hash(text, hash);
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT t.id, a.id, a.login, t.label FROM tokens t JOIN accounts a ON a.id = t.account_id "
        "WHERE t.hash = ?1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR "
        "t.expires_at > ?2) AND a.state = 'active'",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cv_clock_real());
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(actor, 0, sizeof *actor);
        actor->kind = CV_ACTOR_TOKEN;
        actor->token_id = sqlite3_column_int64(st, 0);
        actor->account_id = sqlite3_column_int64(st, 1);
        snprintf(actor->name, sizeof actor->name, "%s", (const char *)sqlite3_column_text(st, 2));
        snprintf(actor->via, sizeof actor->via, "token %s",
                 (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_EPERM, "unknown or expired token");
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading tokens", e);
}
