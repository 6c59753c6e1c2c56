/* nfc.c: NFC through utf8proc (see nfc.h). It must give exactly utf8proc_map's NFC: the quick
 * rule is only a shortcut, proved against utf8proc by tests/unit/test_nfc.c and fuzz_nfc. */
#include "nfc.h"

#include <string.h>
#include <utf8proc.h>

/* Characters NFC leaves alone whatever surrounds them, when only such characters surround them:
 * printable ASCII, Latin-1 to Latin Extended-B, and Latin Extended Additional (the precomposed
 * Vietnamese letters). Each is NFC on its own and a starter, and no two of them compose. */
static int quick(utf8proc_int32_t c)
{
    return (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff);
}

/* 1 if s is valid UTF-8 made only of quick characters. */
static int quick_nfc(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t c;
    for (utf8proc_ssize_t n; *p; p += n)
        if ((n = utf8proc_iterate(p, -1, &c)) < 0 || !quick(c))
            return 0;
    return 1;
}

int nfc_text(const char *s, char out[NFC_MAX], const char **result)
{
    if (strlen(s) >= NFC_MAX)
        return NFC_TOO_LONG;
    if (quick_nfc(s)) {
        *result = s;
        return 0;
    }
    /* utf8proc_map's steps (decompose, compose, encode in place) in a buffer of our own: a
     * character decomposes into at most a few, so twice the bytes is room enough for any cell
     * that fits; +1 for the NUL the encoding ends with. */
    enum { ROOM = 2 * NFC_MAX };
    utf8proc_int32_t cps[ROOM + 1];
    const int opts = UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)s, 0, cps, ROOM, opts);
    if (n < 0)
        return NFC_INVALID;
    if (n > ROOM || (n = utf8proc_reencode(cps, n, opts)) < 0 || n >= NFC_MAX)
        return NFC_TOO_LONG;
    memcpy(out, cps, (size_t)n + 1);
    *result = out;
    return 0;
}
