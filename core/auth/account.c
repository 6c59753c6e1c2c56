/* account.c: the accounts table and password checks. It never stores, logs or returns a
 * password in clear, and never hashes on the caller's loop when asked to be asynchronous. */
#include "account.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "store/journal.h"

/* At least OWASP's argon2id minimum (19 MiB, 2 passes): libsodium's interactive level, 64 MiB
 * and 2 passes. A stored hash made with less is replaced at the next successful login. */
#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

int cv_account_check_login(const char *login, cv_err *e)
{
    size_t n = strlen(login);
    if (n == 0 || n >= CV_LOGIN_MAX)
        return cv_err_set(e, CV_EINVAL, N_("login '%s' must be 1 to %d characters"), login,
                          CV_LOGIN_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return cv_err_set(e, CV_EINVAL,
                              N_("login '%s' may hold only a-z, 0-9, '.', '_' and '-', starting "
                                 "with a letter or digit"),
                              login);
    }
    return 0;
}

static int check_email(const char *email, cv_err *e)
{
    size_t n = strlen(email);
    if (n >= CV_EMAIL_MAX || (n && (!strchr(email, '@') || strpbrk(email, " \t\r\n<>,;"))))
        return cv_err_set(e, CV_EINVAL, N_("e-mail '%.64s' is not one address"), email);
    return 0;
}

static int check_unix_user(const char *u, cv_err *e)
{
    size_t n = strlen(u);
    if (n >= CV_UNIX_USER_MAX)
        return cv_err_set(e, CV_EINVAL, N_("Unix user name '%.40s' is too long"), u);
    for (size_t i = 0; i < n; i++)
        if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z') ||
              (u[i] >= '0' && u[i] <= '9') || strchr("._-", u[i])))
            return cv_err_set(e, CV_EINVAL, N_("Unix user name '%s' has a character not allowed"),
                              u);
    return 0;
}

int cv_account_add(cv_store *s, const char *login, const char *display_name, const char *email,
                   int64_t *id, cv_err *e)
{
    char name[CV_NAME_MAX];
    if (cv_account_check_login(login, e) < 0 ||
        cv_text_nfc(display_name, name, sizeof name, "display name", e) < 0 ||
        check_email(email ? email : "", e) < 0)
        return e->code;
    if (!name[0])
        return cv_err_set(e, CV_EINVAL, N_("the display name of %s is empty"), login);
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "INSERT INTO accounts(login, display_name, email, "
                                        "created_at) VALUES (?1, ?2, ?3, ?4)",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, email ? email : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, cv_clock_real());
    if (cv_store_exec(s, st, e) < 0)
        return e->code == CV_ECONFLICT
                   ? cv_err_set(e, CV_ECONFLICT, N_("an account '%s' already exists"), login)
                   : e->code;
    int64_t new_id = sqlite3_last_insert_rowid(cv_store_db(s));
    if (id)
        *id = new_id;
    return cv_journal_emit(s, "account.added", 0,
                           json_pack("{s:s, s:s, s:s}", "login", login, "display_name", name,
                                     "email", email ? email : ""),
                           NULL, e);
}

#define ACCOUNT_COLUMNS                                                                            \
    "id, login, display_name, email, state, coalesce(unix_user, ''), password_hash IS NOT NULL, "  \
    "lang"

static int fetch_account(cv_store *s, sqlite3_stmt *st, cv_account *a, const char *what, cv_err *e)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        snprintf(a->login, sizeof a->login, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(a->display_name, sizeof a->display_name, "%s",
                 (const char *)sqlite3_column_text(st, 2));
        snprintf(a->email, sizeof a->email, "%s", (const char *)sqlite3_column_text(st, 3));
        snprintf(a->state, sizeof a->state, "%s", (const char *)sqlite3_column_text(st, 4));
        snprintf(a->unix_user, sizeof a->unix_user, "%s", (const char *)sqlite3_column_text(st, 5));
        a->has_password = sqlite3_column_int(st, 6);
        snprintf(a->lang, sizeof a->lang, "%s", (const char *)sqlite3_column_text(st, 7));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no account %s"), what);
    return cv_store_fail(s, "reading an account", e);
}

int cv_account_get(cv_store *s, const char *login, cv_account *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE login = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    char what[CV_LOGIN_MAX + 8];
    snprintf(what, sizeof what, "'%.32s'", login);
    return fetch_account(s, st, out, what, e);
}

int cv_account_get_by_id(cv_store *s, int64_t id, cv_account *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    char what[32];
    snprintf(what, sizeof what, "with id %lld", (long long)id);
    return fetch_account(s, st, out, what, e);
}

int cv_account_get_by_unix_user(cv_store *s, const char *unix_user, cv_account *out, cv_err *e)
{
    sqlite3_stmt *st =
        cv_store_prepare(s, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE unix_user = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, unix_user, -1, SQLITE_STATIC);
    char what[CV_UNIX_USER_MAX + 24];
    snprintf(what, sizeof what, "mapped to Unix user %.32s", unix_user);
    return fetch_account(s, st, out, what, e);
}

int cv_account_actor(cv_store *s, int64_t account_id, const char *via, cv_actor *actor, cv_err *e)
{
    cv_account a;
    cv_err missing;
    if (cv_account_get_by_id(s, account_id, &a, &missing) < 0 || strcmp(a.state, "active") != 0)
        return cv_err_set(e, CV_EPERM, N_("account %lld may not act (unknown or disabled)"),
                          (long long)account_id);
    memset(actor, 0, sizeof *actor);
    actor->kind = CV_ACTOR_ACCOUNT;
    actor->account_id = a.id;
    snprintf(actor->name, sizeof actor->name, "%s", a.login);
    snprintf(actor->via, sizeof actor->via, "%s", via ? via : "");
    return 0;
}

json_t *cv_account_json(const cv_account *a)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)a->id, "login",
                     a->login, "display_name", a->display_name, "email", a->email, "state",
                     a->state, "unix_user", a->unix_user, "password", a->has_password, "lang",
                     a->lang);
}

int cv_account_list(cv_store *s, json_t **out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id > ?1 ORDER BY id", e);
    if (!st)
        return e->code;
    json_t *rows = json_array();
    cv_account a = {0};
    int rc;
    for (;;) {
        sqlite3_bind_int64(st, 1, a.id);
        if ((rc = fetch_account(s, st, &a, "", e)) < 0)
            break;
        json_array_append_new(rows, cv_account_json(&a));
    }
    if (rc != CV_ENOTFOUND) {
        json_decref(rows);
        return rc;
    }
    cv_err_clear(e);
    *out = rows;
    return 0;
}

/* Adds field to before/after when the new value differs from the old one. */
static void diff(json_t *before, json_t *after, const char *field, const char *old, const char *new)
{
    if (new &&strcmp(old, new) != 0) {
        json_object_set_new(before, field, json_string(old));
        json_object_set_new(after, field, json_string(new));
    }
}

static int check_update(const char *display_name, char *name, const char *email,
                        const char *unix_user, const char *state, cv_err *e)
{
    if (display_name && cv_text_nfc(display_name, name, CV_NAME_MAX, "display name", e) < 0)
        return e->code;
    if (display_name && !name[0])
        return cv_err_set(e, CV_EINVAL, N_("a display name must not be empty"));
    if ((email && check_email(email, e) < 0) || (unix_user && check_unix_user(unix_user, e) < 0))
        return e->code;
    if (state && strcmp(state, "active") != 0 && strcmp(state, "disabled") != 0)
        return cv_err_set(e, CV_EINVAL, N_("state must be 'active' or 'disabled', not '%s'"),
                          state);
    return 0;
}

int cv_account_update(cv_store *s, const char *login, const char *display_name, const char *email,
                      const char *unix_user, const char *state, cv_err *e)
{
    cv_account a;
    char name[CV_NAME_MAX] = "";
    if (check_update(display_name, name, email, unix_user, state, e) < 0 ||
        cv_account_get(s, login, &a, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE accounts SET display_name = coalesce(?2, display_name), "
        "email = coalesce(?3, email), unix_user = CASE WHEN ?4 IS NULL THEN unix_user "
        "WHEN ?4 = '' THEN NULL ELSE ?4 END, state = coalesce(?5, state) WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a.id);
    if (display_name)
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, unix_user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, state, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code == CV_ECONFLICT
                   ? cv_err_set(e, CV_ECONFLICT, N_("Unix user %s is mapped to another account"),
                                unix_user ? unix_user : "")
                   : e->code;
    json_t *before = json_object(), *after = json_object();
    diff(before, after, "display_name", a.display_name, display_name ? name : NULL);
    diff(before, after, "email", a.email, email);
    diff(before, after, "unix_user", a.unix_user, unix_user);
    diff(before, after, "state", a.state, state);
    return cv_journal_emit(
        s, "account.updated", 0,
        json_pack("{s:s, s:o, s:o}", "login", login, "before", before, "after", after), NULL, e);
}

int cv_account_set_lang(cv_store *s, const char *login, const char *lang, cv_err *e)
{
    cv_account a;
    if (strcmp(lang, "vi") != 0 && strcmp(lang, "en") != 0)
        return cv_err_set(e, CV_EINVAL, N_("the language must be 'vi' or 'en', not '%s'"), lang);
    if (cv_account_get(s, login, &a, e) < 0)
        return e->code;
    sqlite3_stmt *st = cv_store_prepare(s, "UPDATE accounts SET lang = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a.id);
    sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    json_t *before = json_object(), *after = json_object();
    diff(before, after, "lang", a.lang, lang);
    return cv_journal_emit(
        s, "account.updated", 0,
        json_pack("{s:s, s:o, s:o}", "login", login, "before", before, "after", after), NULL, e);
}

static int check_password_length(const char *password, cv_err *e)
{
    size_t n = strnlen(password, CV_PASSWORD_MAX + 1);
    if (n < CV_PASSWORD_MIN || n > CV_PASSWORD_MAX)
        return cv_err_set(e, CV_EINVAL, N_("a password must be %d to %d bytes long"),
                          CV_PASSWORD_MIN, CV_PASSWORD_MAX);
    return 0;
}

int cv_password_hash(const char *password, char out[128], cv_err *e)
{
    _Static_assert(crypto_pwhash_STRBYTES <= 128, "a hash string fits in 128 bytes");
    if (check_password_length(password, e) < 0)
        return e->code;
    if (sodium_init() < 0 || crypto_pwhash_str_alg(out, password, strlen(password), PW_OPS, PW_MEM,
                                                   crypto_pwhash_ALG_ARGON2ID13) != 0)
        return cv_err_set(e, CV_ENOMEM, "out of memory hashing a password");
    return 0;
}

int cv_account_set_password(cv_store *s, const char *login, const char *hash, cv_err *e)
{
    cv_account a;
    if (cv_account_get(s, login, &a, e) < 0)
        return e->code;
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE accounts SET password_hash = ?2 WHERE id = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, a.id);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    return cv_journal_emit(s, "account.password", 0, json_pack("{s:s}", "login", login), NULL, e);
}

/* checking ---------------------------------------------------------------------------------- */

static char dummy_hash[crypto_pwhash_STRBYTES];

/* A hash of a random password at today's parameters, made once: an unknown login is checked
 * against it so that its answer takes as long as a known login's. */
static void make_dummy(void)
{
    unsigned char pw[24];
    char text[sizeof pw * 2 + 1];
    if (sodium_init() < 0)
        return;
    randombytes_buf(pw, sizeof pw);
    sodium_bin2hex(text, sizeof text, pw, sizeof pw);
    if (crypto_pwhash_str_alg(dummy_hash, text, strlen(text), PW_OPS, PW_MEM,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        dummy_hash[0] = '\0';
}

/* What a check needs from the store, read on the caller's thread. */
typedef struct pw_job {
    uv_work_t work;
    cv_store *s;
    int64_t account_id; /* 0: unknown, disabled or no password (checked against the dummy) */
    char login[CV_LOGIN_MAX];
    char hash[crypto_pwhash_STRBYTES];
    char *password; /* sodium_malloc'd, wiped by sodium_free */
    int ok;         /* the password matched a real account's hash */
    int rehashed;   /* new_hash holds a hash at today's parameters */
    char new_hash[crypto_pwhash_STRBYTES];
    cv_password_done done;
    void *ctx;
} pw_job;

static int read_hash(cv_store *s, const char *login, pw_job *j, cv_err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_dummy);
    snprintf(j->login, sizeof j->login, "%.32s", login);
    snprintf(j->hash, sizeof j->hash, "%s", dummy_hash);
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT id, password_hash FROM accounts WHERE login = ?1 "
                                        "AND state = 'active' AND password_hash IS NOT NULL",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        j->account_id = sqlite3_column_int64(st, 0);
        snprintf(j->hash, sizeof j->hash, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cv_store_fail(s, "reading an account", e);
    return 0;
}

/* The slow half: verify, and rehash when the stored parameters are weaker than today's. Runs on
 * any thread; touches only the job. */
static void verify(pw_job *j)
{
    size_t n = strlen(j->password);
    int match = j->hash[0] && crypto_pwhash_str_verify(j->hash, j->password, n) == 0;
    j->ok = match && j->account_id > 0;
    if (j->ok && crypto_pwhash_str_needs_rehash(j->hash, PW_OPS, PW_MEM) != 0)
        j->rehashed = crypto_pwhash_str_alg(j->new_hash, j->password, n, PW_OPS, PW_MEM,
                                            crypto_pwhash_ALG_ARGON2ID13) == 0;
}

/* The quick half, on the caller's thread: store a stronger hash, then answer. */
static int finish(pw_job *j, int64_t *account_id, cv_err *e)
{
    if (!j->ok)
        return cv_err_set(e, CV_EPERM, N_("wrong login or password"));
    if (j->rehashed) {
        const cv_actor previous = *cv_store_actor(j->s);
        cv_actor self = {.kind = CV_ACTOR_ACCOUNT, .account_id = j->account_id};
        snprintf(self.name, sizeof self.name, "%s", j->login);
        snprintf(self.via, sizeof self.via, "rehash at login");
        cv_store_set_actor(j->s, &self);
        int rc = cv_store_begin(j->s, e);
        if (rc == 0 && (rc = cv_account_set_password(j->s, j->login, j->new_hash, e)) == 0)
            rc = cv_store_commit(j->s, e);
        else if (rc == 0)
            cv_store_rollback(j->s);
        cv_store_set_actor(j->s, &previous);
        if (rc < 0)
            return rc;
    }
    *account_id = j->account_id;
    return 0;
}

static pw_job *new_job(cv_store *s, const char *login, const char *password, cv_err *e)
{
    if (strnlen(password, CV_PASSWORD_MAX + 1) > CV_PASSWORD_MAX) {
        cv_err_set(e, CV_EPERM, N_("wrong login or password"));
        return NULL;
    }
    pw_job *j = calloc(1, sizeof *j);
    size_t n = strlen(password);
    if (!j || sodium_init() < 0 || !(j->password = sodium_malloc(n + 1))) {
        free(j);
        cv_err_set(e, CV_ENOMEM, "out of memory checking a password");
        return NULL;
    }
    memcpy(j->password, password, n + 1);
    j->s = s;
    if (read_hash(s, login, j, e) < 0) {
        sodium_free(j->password);
        free(j);
        return NULL;
    }
    return j;
}

static void free_job(pw_job *j)
{
    sodium_free(j->password);
    sodium_memzero(j->new_hash, sizeof j->new_hash);
    free(j);
}

int cv_password_check(cv_store *s, const char *login, const char *password, int64_t *account_id,
                      cv_err *e)
{
    pw_job *j = new_job(s, login, password, e);
    if (!j)
        return e->code;
    verify(j);
    int rc = finish(j, account_id, e);
    free_job(j);
    return rc;
}

static void work_verify(uv_work_t *w)
{
    verify(w->data);
}

static void work_done(uv_work_t *w, int status)
{
    pw_job *j = w->data;
    cv_err e = {0};
    int64_t id = 0;
    int rc = status < 0 ? cv_err_set(&e, CV_EBUSY, N_("the password check was cancelled"))
                        : finish(j, &id, &e);
    j->done(j->ctx, rc, id, &e);
    free_job(j);
}

int cv_password_check_async(uv_loop_t *loop, cv_store *s, const char *login, const char *password,
                            cv_password_done done, void *ctx, cv_err *e)
{
    pw_job *j = new_job(s, login, password, e);
    if (!j)
        return e->code;
    j->done = done;
    j->ctx = ctx;
    j->work.data = j;
    int rc = uv_queue_work(loop, &j->work, work_verify, work_done);
    if (rc < 0) {
        free_job(j);
        return cv_err_set(e, CV_EBUSY, N_("cannot queue a password check: %s"), uv_strerror(rc));
    }
    return 0;
}
