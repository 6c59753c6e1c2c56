/* csv.c: the report-csv plugin: a report as one CSV file in UTF-8 with a BOM, so Excel shows
 * Vietnamese: the title, meta, then each section's heading, paragraphs and table (RFC 4180
 * quoting, CRLF). Numbers stay numbers; percents are written as "58.3%", which Excel reads. */
#include <string.h>

#include "reporter.h"

static void field(FILE *f, const char *s, int first)
{
    if (!first)
        fputc(',', f);
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void record(FILE *f, const char *a, const char *b)
{
    field(f, a, 1);
    if (b)
        field(f, b, 0);
    fputs("\r\n", f);
}

static void table(FILE *f, json_t *t)
{
    json_t *cols = json_object_get(t, "columns"), *row;
    size_t i, c;
    char buf[64];
    for (c = 0; c < json_array_size(cols); c++)
        field(f, rd_str(json_array_get(cols, c), "name"), c == 0);
    fputs("\r\n", f);
    json_array_foreach(json_object_get(t, "rows"), i, row)
    {
        for (c = 0; c < json_array_size(cols); c++)
            field(f,
                  rd_cell(json_array_get(row, c), rd_str(json_array_get(cols, c), "type"), buf,
                          sizeof buf),
                  c == 0);
        fputs("\r\n", f);
    }
}

static int write_csv(json_t *doc, const char *path, char *err, size_t cap)
{
    FILE *f = rd_fopen(path, err, cap);
    if (!f)
        return -1;
    fputs("\xEF\xBB\xBF", f);
    record(f, rd_str(doc, "title"), NULL);
    if (*rd_str(doc, "subtitle"))
        record(f, rd_str(doc, "subtitle"), NULL);
    size_t i, k;
    json_t *m, *s, *p;
    json_array_foreach(json_object_get(doc, "meta"), i, m)
        record(f, json_string_value(json_array_get(m, 0)), json_string_value(json_array_get(m, 1)));
    record(f, "Ngày lập", rd_str(doc, "generated"));
    json_array_foreach(json_object_get(doc, "sections"), i, s)
    {
        fputs("\r\n", f);
        record(f, rd_str(s, "heading"), NULL);
        json_array_foreach(json_object_get(s, "paragraphs"), k, p)
            record(f, json_string_value(p), NULL);
        if (json_object_get(s, "table"))
            table(f, json_object_get(s, "table"));
    }
    return rd_fclose(f, path, err, cap);
}

RD_REPORTER("report-csv", "csv", ".csv", "reports as CSV (UTF-8 with BOM, for Excel)", write_csv)
