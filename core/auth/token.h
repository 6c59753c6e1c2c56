/* token.h: API tokens for scripts and other systems (issue 10). A token is 32 random bytes shown
 * once as text ("cvt_" and URL-safe base64); the store keeps only its BLAKE2b hash
 * (crypto_generichash), a label, an expiry and when it was revoked. Changes run inside the
 * caller's transaction and journal token.added and token.revoked (never the token itself). */
#ifndef CV_AUTH_TOKEN_H
#define CV_AUTH_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

#define CV_TOKEN_TEXT_MAX  64 /* "cvt_" + 43 base64 characters, with its NUL */
#define CV_TOKEN_LABEL_MAX 65

/* Makes a token for account_id labelled label (unique per account) that expires at expires_at
 * (real ms, 0 for never); writes its text into text[CV_TOKEN_TEXT_MAX], to be shown once. */
int cv_token_add(cv_store *s, int64_t account_id, const char *label, int64_t expires_at,
                 char text[CV_TOKEN_TEXT_MAX], int64_t *id, cv_err *e);

/* Revokes the token of account_id labelled label. */
int cv_token_revoke(cv_store *s, int64_t account_id, const char *label, cv_err *e);

/* The tokens of account_id (never their text or hash), as a JSON array in *out. */
int cv_token_list(cv_store *s, int64_t account_id, json_t **out, cv_err *e);

/* Checks a token's text: known, not revoked, not expired, its account active. On success *actor
 * is a CV_ACTOR_TOKEN actor naming the account; otherwise CV_EPERM "unknown or expired token". */
int cv_token_check(cv_store *s, const char *text, cv_actor *actor, cv_err *e);

#endif
