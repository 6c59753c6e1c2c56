/* docread.c: reading report documents for reporters (see docread.h). */
#include "docread.h"

#include <stdio.h>
#include <string.h>

const char *rd_str(json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s ? s : "";
}

int rd_numeric(const char *type)
{
    return !strcmp(type, "int") || !strcmp(type, "real") || !strcmp(type, "percent");
}

static int check_table(json_t *table, size_t section, char *err, size_t cap)
{
    json_t *cols = json_object_get(table, "columns"), *rows = json_object_get(table, "rows");
    size_t i;
    json_t *row;
    if (!json_is_array(cols) || !json_is_array(rows)) {
        snprintf(err, cap, "section %zu: a table needs columns and rows", section + 1);
        return -1;
    }
    json_array_foreach(rows, i, row) if (!json_is_array(row) ||
                                         json_array_size(row) != json_array_size(cols))
    {
        snprintf(err, cap, "section %zu, row %zu: %zu cells for %zu columns", section + 1, i + 1,
                 json_array_size(row), json_array_size(cols));
        return -1;
    }
    return 0;
}

json_t *rd_parse(const char *doc_json, char *err, size_t cap)
{
    json_error_t je;
    json_t *doc = json_loads(doc_json, 0, &je);
    if (!doc) {
        snprintf(err, cap, "the report is not JSON: %s (line %d)", je.text, je.line);
        return NULL;
    }
    json_t *sections = json_object_get(doc, "sections");
    if (!json_is_string(json_object_get(doc, "title")) || !json_is_array(sections)) {
        snprintf(err, cap, "the report has no title or no sections");
        json_decref(doc);
        return NULL;
    }
    size_t i, k;
    json_t *s, *m;
    json_array_foreach(json_object_get(doc, "meta"), i,
                       m) if (!json_is_string(json_array_get(m, 0)) ||
                              !json_is_string(json_array_get(m, 1)))
    {
        snprintf(err, cap, "meta entry %zu is not a pair of strings", i + 1);
        json_decref(doc);
        return NULL;
    }
    json_array_foreach(sections, i, s)
    {
        json_array_foreach(json_object_get(s, "paragraphs"), k, m) if (!json_is_string(m))
        {
            snprintf(err, cap, "section %zu: paragraph %zu is not a string", i + 1, k + 1);
            json_decref(doc);
            return NULL;
        }
        json_t *table = json_object_get(s, "table");
        if (table && check_table(table, i, err, cap) < 0) {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

const char *rd_cell(json_t *v, const char *type, char *buf, size_t cap)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (!json_is_number(v))
        return "";
    double d = json_number_value(v);
    if (!strcmp(type, "percent"))
        snprintf(buf, cap, "%.1f%%", d * 100.0);
    else if (json_is_integer(v))
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, cap, "%.2f", d);
    return buf;
}
