/* fuzz_text.c: libFuzzer target for the text checks: NFC normalisation, codes, counts and Roman
 * ordinals. Accepted text must be NFC already (normalising twice changes nothing) and fit its
 * bound; an accepted ordinal must write back to a numeral that parses to the same number. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    cv_err e;
    char out[CV_NAME_MAX], again[CV_NAME_MAX];
    if (cv_text_nfc(s, out, sizeof out, "name", &e) == 0) {
        if (cv_text_nfc(out, again, sizeof again, "name", &e) != 0 || strcmp(out, again) != 0)
            abort();
    }
    int64_t n;
    (void)cv_text_code(s, "code", &e);
    (void)cv_text_count(s, &n, "count", &e);
    int ordinal, back;
    if (cv_text_parse_ordinal(s, &ordinal, &e) == 0) {
        char roman[16];
        cv_text_roman(ordinal, roman);
        if (cv_text_parse_ordinal(roman, &back, &e) != 0 || back != ordinal)
            abort();
    }
    free(s);
    return 0;
}
