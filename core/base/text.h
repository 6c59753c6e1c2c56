/* text.h: checking and normalising text that enters convene from outside. Every name is valid
 * UTF-8 stored in NFC, so "Thái Nguyên" typed with combining marks is one name; every code is a
 * short ASCII identifier. Bounds are part of the contract. */
#ifndef CV_TEXT_H
#define CV_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define CV_CODE_MAX 64  /* bytes of a code, with its NUL */
#define CV_NAME_MAX 512 /* bytes of a name or title after NFC, with its NUL */

/* Normalises in (NUL-terminated, UTF-8) to NFC into out[cap]. Refuses invalid UTF-8, control
 * characters and results that do not fit; what names the field in the message. */
int cv_text_nfc(const char *in, char *out, size_t cap, const char *what, cv_err *e);

/* Checks that s is valid UTF-8 (text handed on as JSON must be). */
int cv_text_utf8(const char *s, const char *what, cv_err *e);

/* Checks a code: 1-63 bytes of [A-Za-z0-9._-], starting with a letter or digit. */
int cv_text_code(const char *code, const char *what, cv_err *e);

/* Parses a non-negative decimal integer (digits only, no sign, fits in int64); "4,200" and
 * "4.200" are refused rather than guessed. */
int cv_text_count(const char *s, int64_t *out, const char *what, cv_err *e);

/* Parses a congress ordinal given as a Roman numeral ("XX", any case) or a number ("20"),
 * 1-3999. */
int cv_text_parse_ordinal(const char *s, int *out, cv_err *e);

/* Writes n (1-3999) as a Roman numeral into buf[16]. */
void cv_text_roman(int n, char buf[16]);

#endif
