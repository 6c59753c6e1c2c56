/* json.c: the report-json plugin: the report document itself, checked and indented, for other
 * programs. It never changes a value. */
#include "reporter.h"

static int write_json(json_t *doc, const char *path, char *err, size_t cap)
{
    FILE *f = rd_fopen(path, err, cap);
    if (!f)
        return -1;
    json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    return rd_fclose(f, path, err, cap);
}

RD_REPORTER("report-json", "json", ".json", "reports as JSON documents", write_json)
