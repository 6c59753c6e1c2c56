/* account.h: the accounts people and systems act as (issue 10). A login is short lowercase ASCII;
 * the display name is Vietnamese text in NFC; a password is kept only as a libsodium argon2id
 * hash string (crypto_pwhash_str_alg) and never leaves this module in clear. Every change writes
 * its event (account.added, account.updated with before and after, account.password) and must run
 * inside the caller's transaction (the operations layer owns it). */
#ifndef CV_AUTH_ACCOUNT_H
#define CV_AUTH_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#include "base/text.h"
#include "store/store.h"

#define CV_LOGIN_MAX     33   /* 1-32 bytes of [a-z0-9._-], starting with a letter or digit */
#define CV_EMAIL_MAX     255  /* with its NUL */
#define CV_UNIX_USER_MAX 33   /* POSIX login names, with its NUL */
#define CV_PASSWORD_MIN  8    /* bytes of a new password */
#define CV_PASSWORD_MAX  1024 /* bytes of any password offered */

typedef struct cv_account {
    int64_t id;
    char login[CV_LOGIN_MAX];
    char display_name[CV_NAME_MAX];
    char email[CV_EMAIL_MAX];
    char state[16]; /* active, disabled */
    char unix_user[CV_UNIX_USER_MAX];
    int has_password;
    char lang[4]; /* the dashboard's language: vi or en */
} cv_account;

/* Checks a login name. */
int cv_account_check_login(const char *login, cv_err *e);

/* Adds an active account without a password; *id (if not NULL) receives its id. */
int cv_account_add(cv_store *s, const char *login, const char *display_name, const char *email,
                   int64_t *id, cv_err *e);

/* Sets the language the dashboard speaks to the account ("vi" or "en"); the event names the
 * languages before and after. */
int cv_account_set_lang(cv_store *s, const char *login, const char *lang, cv_err *e);

/* Changes what is not NULL: display name, e-mail ("" clears), Unix user ("" clears), state
 * ("active" or "disabled"). The event names the values before and after. */
int cv_account_update(cv_store *s, const char *login, const char *display_name, const char *email,
                      const char *unix_user, const char *state, cv_err *e);

/* Reads one account by login, by id or by the Unix user mapped to it. */
int cv_account_get(cv_store *s, const char *login, cv_account *out, cv_err *e);
int cv_account_get_by_id(cv_store *s, int64_t id, cv_account *out, cv_err *e);
int cv_account_get_by_unix_user(cv_store *s, const char *unix_user, cv_account *out, cv_err *e);

/* The actor of an active account (after a password check, for a session): *actor names it, with
 * via saying how it signed in ("http session"). A disabled or unknown account is CV_EPERM. */
int cv_account_actor(cv_store *s, int64_t account_id, const char *via, cv_actor *actor, cv_err *e);

/* Every account, by login, as a JSON array (new reference) in *out. */
int cv_account_list(cv_store *s, json_t **out, cv_err *e);

/* The account as JSON (new reference); never carries the password hash. */
json_t *cv_account_json(const cv_account *a);

/* Hashes password (CV_PASSWORD_MIN..MAX bytes) with argon2id at convene's parameters into
 * out[128]. Slow on purpose (tens of ms, 64 MiB): never call it on the daemon's loop. */
int cv_password_hash(const char *password, char out[128], cv_err *e);

/* Sets the account's password hash (from cv_password_hash) and journals account.password. */
int cv_account_set_password(cv_store *s, const char *login, const char *hash, cv_err *e);

/* Checks login and password. Unknown logins are checked against a dummy hash so they take as
 * long as known ones; a wrong password, an unknown or disabled account and an account without a
 * password all give the same CV_EPERM "wrong login or password". On success *account_id is set,
 * and a hash made with weaker parameters than today's is replaced (its own transaction). */
int cv_password_check(cv_store *s, const char *login, const char *password, int64_t *account_id,
                      cv_err *e);

/* The same check for the daemon: the store is read on the loop's thread, the hash runs on the
 * libuv thread pool (uv_queue_work), and done(ctx, rc, account_id, e) is called on the loop's
 * thread. The password is copied and wiped. Returns 0 once the work is queued. */
typedef void (*cv_password_done)(void *ctx, int rc, int64_t account_id, const cv_err *e);
int cv_password_check_async(uv_loop_t *loop, cv_store *s, const char *login, const char *password,
                            cv_password_done done, void *ctx, cv_err *e);

#endif
