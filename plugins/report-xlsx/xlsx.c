/* xlsx.c: the report-xlsx plugin: a report as an Excel workbook (libxlsxwriter), one sheet with
 * the title, meta and each section's table. Numbers are written as numbers (percents with a
 * percent format, dates as real dates), so a spreadsheet can compute with them. */
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "reporter.h"

#define COLS_MAX 32

struct sheet {
    lxw_worksheet *ws;
    lxw_format *bold, *title, *head, *pct, *real, *date;
    lxw_row_t row;
    double width[COLS_MAX];
};

static void widen(struct sheet *sh, size_t col, const char *text)
{
    double w = (double)strlen(text) * 0.8 + 2; /* bytes overcount marks; close enough */
    if (col < COLS_MAX && w > sh->width[col])
        sh->width[col] = w > 60 ? 60 : w;
}

static void cell(struct sheet *sh, lxw_col_t c, json_t *v, const char *type)
{
    if (json_is_number(v)) {
        lxw_format *fmt = !strcmp(type, "percent") ? sh->pct : json_is_real(v) ? sh->real : NULL;
        worksheet_write_number(sh->ws, sh->row, c, json_number_value(v), fmt);
        return;
    }
    const char *s = json_string_value(v);
    lxw_datetime d = {0};
    if (s && !strcmp(type, "date") && sscanf(s, "%4d-%2d-%2d", &d.year, &d.month, &d.day) == 3)
        worksheet_write_datetime(sh->ws, sh->row, c, &d, sh->date);
    else if (s)
        worksheet_write_string(sh->ws, sh->row, c, s, NULL);
    if (s)
        widen(sh, c, s);
}

static void table(struct sheet *sh, json_t *t)
{
    json_t *cols = json_object_get(t, "columns"), *row;
    size_t i, c;
    for (c = 0; c < json_array_size(cols); c++) {
        worksheet_write_string(sh->ws, sh->row, (lxw_col_t)c,
                               rd_str(json_array_get(cols, c), "name"), sh->head);
        widen(sh, c, rd_str(json_array_get(cols, c), "name"));
    }
    sh->row++;
    json_array_foreach(json_object_get(t, "rows"), i, row)
    {
        for (c = 0; c < json_array_size(cols); c++)
            cell(sh, (lxw_col_t)c, json_array_get(row, c), rd_str(json_array_get(cols, c), "type"));
        sh->row++;
    }
}

static void formats(lxw_workbook *wb, struct sheet *sh)
{
    sh->bold = workbook_add_format(wb);
    format_set_bold(sh->bold);
    sh->title = workbook_add_format(wb);
    format_set_bold(sh->title);
    format_set_font_size(sh->title, 14);
    sh->head = workbook_add_format(wb);
    format_set_bold(sh->head);
    format_set_border(sh->head, LXW_BORDER_THIN);
    format_set_bg_color(sh->head, 0xEEEEEE);
    sh->pct = workbook_add_format(wb);
    format_set_num_format(sh->pct, "0.0%");
    sh->real = workbook_add_format(wb);
    format_set_num_format(sh->real, "0.00");
    sh->date = workbook_add_format(wb);
    format_set_num_format(sh->date, "yyyy-mm-dd");
}

static void body(json_t *doc, struct sheet *sh)
{
    size_t i, k;
    json_t *m, *s, *p;
    worksheet_write_string(sh->ws, sh->row++, 0, rd_str(doc, "title"), sh->title);
    if (*rd_str(doc, "subtitle"))
        worksheet_write_string(sh->ws, sh->row++, 0, rd_str(doc, "subtitle"), NULL);
    json_array_foreach(json_object_get(doc, "meta"), i, m)
    {
        worksheet_write_string(sh->ws, sh->row, 0, json_string_value(json_array_get(m, 0)),
                               sh->bold);
        worksheet_write_string(sh->ws, sh->row++, 1, json_string_value(json_array_get(m, 1)), NULL);
    }
    worksheet_write_string(sh->ws, sh->row, 0, "Ngày lập", sh->bold);
    worksheet_write_string(sh->ws, sh->row++, 1, rd_str(doc, "generated"), NULL);
    json_array_foreach(json_object_get(doc, "sections"), i, s)
    {
        sh->row++;
        worksheet_write_string(sh->ws, sh->row++, 0, rd_str(s, "heading"), sh->bold);
        json_array_foreach(json_object_get(s, "paragraphs"), k, p)
            worksheet_write_string(sh->ws, sh->row++, 0, json_string_value(p), NULL);
        if (json_object_get(s, "table"))
            table(sh, json_object_get(s, "table"));
    }
}

static int write_xlsx(json_t *doc, const char *path, char *err, size_t cap)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        snprintf(err, cap, "cannot create %s", path);
        return -1;
    }
    struct sheet sh = {.ws = workbook_add_worksheet(wb, "Báo cáo")};
    formats(wb, &sh);
    body(doc, &sh);
    for (lxw_col_t c = 0; c < COLS_MAX; c++)
        if (sh.width[c] > 0)
            worksheet_set_column(sh.ws, c, c, sh.width[c], NULL);
    lxw_error rc = workbook_close(wb);
    if (rc != LXW_NO_ERROR) {
        snprintf(err, cap, "cannot write %s: %s", path, lxw_strerror(rc));
        return -1;
    }
    return 0;
}

RD_REPORTER("report-xlsx", "xlsx", ".xlsx", "reports as Excel workbooks (XLSX)", write_xlsx)
