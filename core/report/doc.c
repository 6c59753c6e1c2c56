/* doc.c: building report documents (see report.h). It only shapes JSON; it never reads the
 * store and never formats for a reader (reporters do). */
#include <stdarg.h>
#include <stdio.h>

#include "base/clock.h"
#include "report/report.h"

json_t *cv_report_doc(const char *title, const char *subtitle)
{
    char today[11];
    cv_clock_today(today);
    return json_pack("{s:s, s:s?, s:s, s:[], s:[]}", "title", title, "subtitle", subtitle,
                     "generated", today, "meta", "sections");
}

void cv_report_meta(json_t *doc, const char *label, const char *value)
{
    json_array_append_new(json_object_get(doc, "meta"), json_pack("[s, s]", label, value));
}

json_t *cv_report_section(json_t *doc, const char *heading)
{
    json_t *section = json_pack("{s:s, s:[]}", "heading", heading, "paragraphs");
    json_array_append_new(json_object_get(doc, "sections"), section);
    return section;
}

void cv_report_paragraph(json_t *section, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_array_append_new(json_object_get(section, "paragraphs"), json_string(text));
}

json_t *cv_report_table(json_t *section, const char *const *names, const char *types)
{
    static const char letters[] = "tirpd";
    static const char *const type_names[] = {"text", "int", "real", "percent", "date"};
    json_t *columns = json_array(), *rows = json_array();
    for (int i = 0; names[i] && types[i]; i++) {
        int t = 0;
        while (letters[t] && letters[t] != types[i])
            t++;
        json_array_append_new(columns, json_pack("{s:s, s:s}", "name", names[i], "type",
                                                 type_names[letters[t] ? t : 0]));
    }
    json_object_set_new(section, "table",
                        json_pack("{s:o, s:o}", "columns", columns, "rows", rows));
    return rows;
}
