/* text.c: the report-text plugin: a report as a terminal table, columns aligned by display width
 * (Vietnamese letters with marks count as one), numbers right-aligned. It never writes colour or
 * control sequences, so its output can be piped or printed. */
#include <string.h>
#include <utf8proc.h>

#include "reporter.h"

#define COLS_MAX 32

static size_t width(const char *s)
{
    size_t w = 0;
    utf8proc_int32_t cp;
    for (utf8proc_ssize_t n; *s; s += n > 0 ? n : 1) {
        n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
        if (n > 0) {
            int cw = utf8proc_charwidth(cp);
            w += cw > 0 ? (size_t)cw : 0;
        }
    }
    return w;
}

static void pad(FILE *f, const char *s, size_t w, int right)
{
    size_t have = width(s);
    if (right)
        fprintf(f, "%*s%s", (int)(w > have ? w - have : 0), "", s);
    else
        fprintf(f, "%s%*s", s, (int)(w > have ? w - have : 0), "");
}

static void rule(FILE *f, const size_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputc('+', f);
        for (size_t k = 0; k < w[i] + 2; k++)
            fputc('-', f);
    }
    fputs("+\n", f);
}

static void line(FILE *f, json_t *cells, json_t *cols, const size_t *w, int header)
{
    char buf[64];
    for (size_t i = 0; i < json_array_size(cols); i++) {
        const char *type = header ? "text" : rd_str(json_array_get(cols, i), "type");
        const char *s = header ? rd_str(json_array_get(cols, i), "name")
                               : rd_cell(json_array_get(cells, i), type, buf, sizeof buf);
        fputs("| ", f);
        pad(f, s, w[i], rd_numeric(type));
        fputc(' ', f);
    }
    fputs("|\n", f);
}

static void table(FILE *f, json_t *t)
{
    json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows"), *row;
    size_t n = json_array_size(cols), w[COLS_MAX], i;
    char buf[64];
    if (n > COLS_MAX)
        n = COLS_MAX;
    for (size_t c = 0; c < n; c++)
        w[c] = width(rd_str(json_array_get(cols, c), "name"));
    json_array_foreach(rows, i, row) for (size_t c = 0; c < n; c++)
    {
        const char *type = rd_str(json_array_get(cols, c), "type");
        size_t cw = width(rd_cell(json_array_get(row, c), type, buf, sizeof buf));
        w[c] = cw > w[c] ? cw : w[c];
    }
    rule(f, w, n);
    line(f, NULL, cols, w, 1);
    rule(f, w, n);
    json_array_foreach(rows, i, row) line(f, row, cols, w, 0);
    rule(f, w, n);
}

static int write_text(json_t *doc, const char *path, char *err, size_t cap)
{
    FILE *f = rd_fopen(path, err, cap);
    if (!f)
        return -1;
    fprintf(f, "%s\n", rd_str(doc, "title"));
    if (*rd_str(doc, "subtitle"))
        fprintf(f, "%s\n", rd_str(doc, "subtitle"));
    fputc('\n', f);
    size_t i, k;
    json_t *m, *s, *p;
    json_array_foreach(json_object_get(doc, "meta"), i, m)
        fprintf(f, "%s: %s\n", json_string_value(json_array_get(m, 0)),
                json_string_value(json_array_get(m, 1)));
    fprintf(f, "Ngày lập: %s\n", rd_str(doc, "generated"));
    json_array_foreach(json_object_get(doc, "sections"), i, s)
    {
        fprintf(f, "\n%s\n", rd_str(s, "heading"));
        json_array_foreach(json_object_get(s, "paragraphs"), k, p)
            fprintf(f, "%s\n", json_string_value(p));
        if (json_object_get(s, "table"))
            table(f, json_object_get(s, "table"));
    }
    return rd_fclose(f, path, err, cap);
}

RD_REPORTER("report-text", "text", ".txt", "reports as terminal tables", write_text)
