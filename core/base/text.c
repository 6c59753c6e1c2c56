/* text.c: UTF-8 validation and NFC normalisation (utf8proc), code and number checks. Owns no
 * state; never truncates text silently. */
#include "text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int nfc(const char *in, char *out, size_t cap, const char *what, int lines, cv_err *e)
{
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)in, 0, &nfc,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                          (lines ? UTF8PROC_NLF2LF : 0));
    if (n < 0)
        return cv_err_set(e, CV_EINVAL, N_("%s is not valid UTF-8 text"), what);
    int rc = 0;
    if (n == 0)
        rc = cv_err_set(e, CV_EINVAL, N_("%s must not be empty"), what);
    else if ((size_t)n >= cap)
        rc = cv_err_set(e, CV_ELIMIT, N_("%s is longer than %zu bytes"), what, cap - 1);
    for (utf8proc_ssize_t i = 0; rc == 0 && i < n; i++)
        if ((nfc[i] < 0x20 && !(lines && nfc[i] == '\n')) || nfc[i] == 0x7f)
            rc = cv_err_set(e, CV_EINVAL, N_("%s contains a control character"), what);
    if (rc == 0)
        memcpy(out, nfc, (size_t)n + 1);
    free(nfc);
    return rc;
}

int cv_text_nfc(const char *in, char *out, size_t cap, const char *what, cv_err *e)
{
    return nfc(in, out, cap, what, 0, e);
}

int cv_text_nfc_lines(const char *in, char *out, size_t cap, const char *what, cv_err *e)
{
    return nfc(in, out, cap, what, 1, e);
}

int cv_text_line(const char *s, size_t max, const char *what, cv_err *e)
{
    size_t n = strnlen(s, max + 1);
    if (n == 0 || n > max)
        return cv_err_set(e, CV_EINVAL, N_("%s must be 1 to %zu bytes"), what, max);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len < 0)
            return cv_err_set(e, CV_EINVAL, N_("%s is not valid UTF-8 text"), what);
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            return cv_err_set(e, CV_EINVAL, N_("%s contains a control character"), what);
        i += (size_t)len;
    }
    return 0;
}

int cv_text_utf8(const char *s, const char *what, cv_err *e)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t cp;
    while (*p) {
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0)
            return cv_err_set(e, CV_EINVAL, N_("%s is not valid UTF-8 text"), what);
        p += n;
    }
    return 0;
}

static int is_code_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

int cv_text_code(const char *code, const char *what, cv_err *e)
{
    size_t n = strlen(code);
    if (n == 0 || n >= CV_CODE_MAX)
        return cv_err_set(e, CV_EINVAL, N_("%s must be 1 to %d characters"), what, CV_CODE_MAX - 1);
    if (!is_code_char(code[0]) || code[0] == '.' || code[0] == '_' || code[0] == '-')
        return cv_err_set(e, CV_EINVAL, N_("%s '%s' must start with a letter or digit"), what,
                          code);
    for (size_t i = 0; i < n; i++)
        if (!is_code_char(code[i]))
            return cv_err_set(e, CV_EINVAL,
                              N_("%s '%s' may only use letters, digits, '.', '_', '-'"), what,
                              code);
    return 0;
}

int cv_text_count(const char *s, int64_t *out, const char *what, cv_err *e)
{
    if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
        return cv_err_set(e, CV_EINVAL, N_("%s '%s' is not a whole number"), what, s);
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return cv_err_set(e, CV_ELIMIT, N_("%s '%s' is too large"), what, s);
    *out = v;
    return 0;
}

static const struct {
    int value;
    const char *numeral;
} romans[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"},
              {40, "XL"},  {10, "X"},   {9, "IX"},  {5, "V"},    {4, "IV"},  {1, "I"}};

/* The longest numeral of 1-3999 is MMMDCCCLXXXVIII (3888): 15 letters and the NUL fill buf. */
void cv_text_roman(int n, char buf[16])
{
    size_t len = 0;
    for (size_t i = 0; i < sizeof romans / sizeof romans[0]; i++)
        for (size_t k = strlen(romans[i].numeral); n >= romans[i].value && len + k < 16;
             n -= romans[i].value, len += k)
            memcpy(buf + len, romans[i].numeral, k);
    buf[len] = '\0';
}

/* Reads a Roman numeral and accepts it only if writing the value back gives the same letters,
 * so "IIII" or "VX" are refused instead of guessed. */
int cv_text_parse_ordinal(const char *s, int *out, cv_err *e)
{
    int64_t n = 0;
    if (s[0] >= '0' && s[0] <= '9') {
        if (cv_text_count(s, &n, "ordinal", e) < 0)
            return e ? e->code : CV_EINVAL;
    } else {
        char upper[16];
        size_t len = strlen(s);
        if (len == 0 || len >= sizeof upper)
            return cv_err_set(e, CV_EINVAL, N_("ordinal '%s' is not a Roman numeral"), s);
        for (size_t i = 0; i <= len; i++)
            upper[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
        const char *p = upper;
        for (size_t i = 0; i < sizeof romans / sizeof romans[0]; i++) {
            size_t k = strlen(romans[i].numeral);
            while (strncmp(p, romans[i].numeral, k) == 0) {
                n += romans[i].value;
                p += k;
            }
        }
        char back[16];
        cv_text_roman((int)n, back);
        if (*p != '\0' || n == 0 || strcmp(back, upper) != 0)
            return cv_err_set(e, CV_EINVAL, N_("ordinal '%s' is not a Roman numeral"), s);
    }
    if (n < 1 || n > 3999)
        return cv_err_set(e, CV_EINVAL, N_("ordinal '%s' must be between 1 and 3999"), s);
    *out = (int)n;
    return 0;
}
