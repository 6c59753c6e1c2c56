/* fuzz_nfc.c: import-csv's NFC (plugins/import-csv/nfc.c) against utf8proc_map on any input: the
 * same verdict on validity for text that fits, and the same text whenever it fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "nfc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[NFC_MAX + 64], out[NFC_MAX];
    if (size >= sizeof in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    const char *got = NULL;
    int rc = nfc_text(in, out, &got);
    utf8proc_uint8_t *want = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)in, 0, &want,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (rc != NFC_TOO_LONG && (rc == NFC_INVALID) != (n < 0)) /* too long is said first */
        abort();
    if (rc == 0 && (n < 0 || strcmp(got, (const char *)want) != 0))
        abort();
    if (rc == NFC_TOO_LONG && n >= 0 && n < NFC_MAX && strlen(in) < NFC_MAX)
        abort();
    free(want);
    return 0;
}
