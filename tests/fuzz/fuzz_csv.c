/* fuzz_csv.c: libFuzzer target for import-csv's reader (plugins/import-csv/csvread.c): decoding
 * (UTF-8 with a BOM, or Windows-1258 when the first byte is odd), record splitting through
 * libcsv on the reader thread, and the hand-over of records to this one. Every record must come
 * in order, within the field and byte bounds, each field NUL-terminated at its length; a callback
 * that stops early (when the second byte is odd, after the third record) must stop the reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

struct seen {
    int64_t last;
    int stop_after;
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
    return s->stop_after && record == s->stop_after ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const char *enc = (data[0] & 1) ? "cp1258" : "utf-8";
    struct seen s = {0, (data[1] & 1) ? 3 : 0};
    FILE *in = fmemopen((void *)(data + 2), size - 2, "rb");
    if (!in)
        return 0;
    char err[300];
    int rc = csvr_read(in, size - 2, size - 2, enc, check, NULL, &s, err, sizeof err);
    if (rc == 7 && s.last != 3)
        abort();
    fclose(in);
    return 0;
}
