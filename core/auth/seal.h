/* seal.h: secrets kept so that a copy of the store alone does not reveal them (issue 10). A value
 * is sealed with libsodium's crypto_secretbox (XSalsa20-Poly1305) under a 32-byte key in a file
 * beside the store (STORE.key, mode 0600, made on first use) and stored as text "sealed:1:" and
 * URL-safe base64 of nonce and box. Plugin secrets (the SMTP password, the webhook secret) are
 * stored this way. */
#ifndef CV_AUTH_SEAL_H
#define CV_AUTH_SEAL_H

#include <stddef.h>

#include "base/error.h"

#define CV_SEAL_PREFIX "sealed:1:"

/* Seals plain (at most 4000 bytes) under the key of the store at store_path into out[cap]. */
int cv_seal(const char *store_path, const char *plain, char *out, size_t cap, cv_err *e);

/* Opens a sealed value into out[cap]; a value without the prefix is copied as it is (stored
 * before sealing existed). A wrong key or a damaged value is CV_ECONFLICT. */
int cv_unseal(const char *store_path, const char *text, char *out, size_t cap, cv_err *e);

#endif
