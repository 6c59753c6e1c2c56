/* html.c: the report-html plugin: a report as one self-contained HTML file (styles inline, no
 * scripts, no external resources) that prints cleanly on A4. Every text is escaped. */
#include "reporter.h"

static const char style[] =
    "body{font-family:'Times New Roman',serif;margin:2em;color:#000}"
    "h1{font-size:1.4em;text-align:center;margin-bottom:0}"
    ".subtitle{text-align:center;font-style:italic;margin-top:.3em}"
    "table{border-collapse:collapse;margin:.5em 0 1em;width:100%}"
    "th,td{border:1px solid #444;padding:.25em .5em;vertical-align:top}"
    "th{background:#eee}td.n{text-align:right;white-space:nowrap}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}"
    "@page{size:A4;margin:1.5cm}@media print{body{margin:0}th{background:none}"
    "tr{page-break-inside:avoid}}";

static void esc(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
}

static void tag(FILE *f, const char *open, const char *text, const char *close)
{
    fputs(open, f);
    esc(f, text);
    fputs(close, f);
}

static void table(FILE *f, json_t *t)
{
    json_t *cols = json_object_get(t, "columns"), *row;
    size_t i, c;
    char buf[64];
    fputs("<table><thead><tr>", f);
    for (c = 0; c < json_array_size(cols); c++)
        tag(f, "<th>", rd_str(json_array_get(cols, c), "name"), "</th>");
    fputs("</tr></thead><tbody>\n", f);
    json_array_foreach(json_object_get(t, "rows"), i, row)
    {
        fputs("<tr>", f);
        for (c = 0; c < json_array_size(cols); c++) {
            const char *type = rd_str(json_array_get(cols, c), "type");
            tag(f, rd_numeric(type) ? "<td class=\"n\">" : "<td>",
                rd_cell(json_array_get(row, c), type, buf, sizeof buf), "</td>");
        }
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static int write_html(json_t *doc, const char *path, char *err, size_t cap)
{
    FILE *f = rd_fopen(path, err, cap);
    if (!f)
        return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">", f);
    tag(f, "<title>", rd_str(doc, "title"), "</title>");
    fprintf(f, "<style>%s</style></head><body>\n", style);
    tag(f, "<h1>", rd_str(doc, "title"), "</h1>\n");
    if (*rd_str(doc, "subtitle"))
        tag(f, "<p class=\"subtitle\">", rd_str(doc, "subtitle"), "</p>\n");
    fputs("<dl>", f);
    size_t i, k;
    json_t *m, *s, *p;
    json_array_foreach(json_object_get(doc, "meta"), i, m)
    {
        tag(f, "<dt>", json_string_value(json_array_get(m, 0)), "</dt>");
        tag(f, "<dd>", json_string_value(json_array_get(m, 1)), "</dd>");
    }
    tag(f, "<dt>Ngày lập</dt><dd>", rd_str(doc, "generated"), "</dd></dl>\n");
    json_array_foreach(json_object_get(doc, "sections"), i, s)
    {
        tag(f, "<h2>", rd_str(s, "heading"), "</h2>\n");
        json_array_foreach(json_object_get(s, "paragraphs"), k, p)
            tag(f, "<p>", json_string_value(p), "</p>\n");
        if (json_object_get(s, "table"))
            table(f, json_object_get(s, "table"));
    }
    fputs("</body></html>\n", f);
    return rd_fclose(f, path, err, cap);
}

RD_REPORTER("report-html", "html", ".html", "reports as one printable HTML file", write_html)
