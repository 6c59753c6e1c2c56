/* fuzz_csv.c: libFuzzer target for import-csv's reader (plugins/import-csv/csvread.c): decoding
 * (UTF-8 with a BOM, or Windows-1258 when the first byte is odd) and record splitting through
 * libcsv. Every record must come in order, within the field and byte bounds, each field
 * NUL-terminated at its length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

struct seen {
    int64_t last;
};

static int check(void *arg, int64_t record, const csvr_field *f, int n)
{
    struct seen *s = arg;
    size_t bytes = 0;
    if (record != s->last + 1 || n < 0 || n > CSVR_FIELDS_MAX)
        abort();
    s->last = record;
    for (int i = 0; i < n; i++) {
        if (f[i].s[f[i].len] != '\0')
            abort();
        bytes += f[i].len + 1;
    }
    if (bytes > CSVR_RECORD_MAX)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *enc = (data[0] & 1) ? "cp1258" : "utf-8";
    const char *text;
    char *owned, err[200];
    size_t len;
    if (csvr_decode((const char *)data + 1, size - 1, enc, &text, &len, &owned, err, sizeof err) <
        0)
        return 0;
    struct seen s = {0};
    (void)csvr_read(text, len, check, NULL, &s, err, sizeof err);
    free(owned);
    return 0;
}
