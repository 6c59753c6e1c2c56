/* session.h: browser sessions of the HTTP API. A session is opened by a login with a password and
 * carried by a cookie holding a random token; the store keeps only the token's BLAKE2b hash, the
 * account, when it was opened and last used, and a fingerprint of the password hash it was opened
 * with, so a password change ends every session opened before it. Sessions end after 30 minutes
 * unused or 12 hours after login (domain clock), at logout, and when the account is disabled. The
 * CSRF token is derived from the session token, so nothing more is stored. */
#ifndef CV_HTTP_SESSION_H
#define CV_HTTP_SESSION_H

#include <stdint.h>

#include "store/store.h"

#define CV_SESSION_IDLE_MS   (30 * 60 * 1000LL)
#define CV_SESSION_MAX_MS    (12 * 60 * 60 * 1000LL)
#define CV_SESSION_TOUCH_MS  (60 * 1000LL) /* last use is written at most this often */
#define CV_SESSION_TOKEN_MAX 48            /* 43 base64url characters and NUL */
#define CV_SESSION_CSRF_MAX  65            /* 64 hex digits and NUL */

/* Opens a session for account_id (journals session.opened with the store's actor) and writes
 * its token into token, to be set as a cookie and never stored. Inside the caller's
 * transaction. */
int cv_session_open(cv_store *s, int64_t account_id, const char *peer,
                    char token[CV_SESSION_TOKEN_MAX], int64_t *session_id, cv_err *e);

/* A session as a check finds it. */
typedef struct cv_session {
    int64_t id, account_id;
    int64_t opened_at, used_at; /* domain ms */
    char login[64];
} cv_session;

/* Sessions checked before, remembered with the store's version (data_version) at the check, so
 * that while nothing else has written, a use needs no store read. Loop thread only. */
typedef struct cv_session_memo cv_session_memo;
cv_session_memo *cv_session_memo_new(void);
void cv_session_memo_free(cv_session_memo *m);

/* Checks the token of a cookie: a session that is open, used within 30 minutes, younger than
 * 12 hours, of an active account whose password has not changed since; fills *out and records
 * the use. Anything else: CV_EPERM "no session, or it has expired; log in again". With a memo
 * (may be NULL) and the store's version, a session checked at the same version and used less
 * than CV_SESSION_TOUCH_MS ago is taken from the memo. */
int cv_session_check(cv_store *s, cv_session_memo *memo, int64_t version, const char *token,
                     cv_session *out, cv_err *e);

/* Ends session id (logout; journals session.closed). Inside the caller's transaction. */
int cv_session_close(cv_store *s, int64_t session_id, cv_err *e);

/* Ends every open session of account_id (each through cv_session_close); *n (may be NULL)
 * receives how many. Inside the caller's transaction. */
int cv_session_close_all(cv_store *s, int64_t account_id, int *n, cv_err *e);

/* The CSRF token of a session token (hex of a keyed BLAKE2b). */
void cv_session_csrf(const char *token, char out[CV_SESSION_CSRF_MAX]);

#endif
