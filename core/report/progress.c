/* progress.c: the "progress" report: how far a subtree is with its congresses ("42 of 72
 * directly subordinate organisations have held their congress"), per level, and the late ones.
 * Built on the status report of core/domain/status.c; it never counts on its own. */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/text.h"
#include "domain/status.h"
#include "report/report.h"

static const char *level_vi(const char *level)
{
    static const char *const map[][2] = {{"national", "Trung ương"},
                                         {"province", "Cấp tỉnh"},
                                         {"district", "Cấp huyện"},
                                         {"grassroots", "Cấp cơ sở"},
                                         {"cell", "Chi bộ trực thuộc"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(level, map[i][0]) == 0)
            return map[i][1];
    return level;
}

static const char *status_vi(const char *status)
{
    return !strcmp(status, "held")        ? "Đã đại hội"
           : !strcmp(status, "preparing") ? "Đang chuẩn bị"
           : !strcmp(status, "planned")   ? "Đã có kế hoạch"
                                          : "Chưa có kế hoạch";
}

static json_int_t num(json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

static void tally_row(json_t *rows, const char *label, json_t *t)
{
    json_array_append_new(rows, json_pack("[s, I, I, I, I, I, I, f]", label, num(t, "total"),
                                          num(t, "held"), num(t, "preparing"), num(t, "planned"),
                                          num(t, "unplanned"), num(t, "late"),
                                          json_real_value(json_object_get(t, "percent")) / 100.0));
}

static void add_org(json_t *doc, json_t *r)
{
    static const char *const cols[] = {"Cấp",           "Tổng số",          "Đã đại hội",
                                       "Đang chuẩn bị", "Đã có kế hoạch",   "Chưa có kế hoạch",
                                       "Chậm",          "Tỷ lệ đã đại hội", NULL};
    json_t *org = json_object_get(r, "org"), *direct = json_object_get(r, "subordinates");
    json_t *sec = cv_report_section(doc, cv_json_text(org, "name"));
    cv_report_paragraph(sec, "%lld/%lld tổ chức đảng trực thuộc đã tiến hành đại hội (%.1f%%).",
                        (long long)num(direct, "held"), (long long)num(direct, "total"),
                        json_real_value(json_object_get(direct, "percent")));
    json_t *own = json_object_get(r, "congress");
    if (json_is_object(own))
        cv_report_paragraph(sec, "Đại hội %s của %s: %s.", cv_json_text(own, "numeral"),
                            cv_json_text(org, "name"), status_vi(cv_json_text(own, "status")));
    json_t *rows = cv_report_table(sec, cols, "tiiiiiip");
    tally_row(rows, "Trực thuộc trực tiếp", direct);
    size_t i;
    json_t *lv;
    json_array_foreach(json_object_get(r, "levels"), i, lv)
        tally_row(rows, level_vi(cv_json_text(lv, "level")), lv);

    static const char *const late_cols[] = {"Đơn vị",  "Mã",       "Cấp", "Trạng thái",
                                            "Dự kiến", "Hạn chót", NULL};
    json_t *late = json_object_get(r, "late");
    json_t *ls = cv_report_section(doc, "Đại hội chậm so với quy định");
    if (json_array_size(late) == 0) {
        cv_report_paragraph(ls, "Không có đại hội nào chậm so với quy định.");
        return;
    }
    json_t *lrows = cv_report_table(ls, late_cols, "tttddd");
    json_array_foreach(late, i, lv) json_array_append_new(
        lrows, json_pack("[s, s, s, s, s?, s]", cv_json_text(lv, "name"), cv_json_text(lv, "org"),
                         level_vi(cv_json_text(lv, "level")), status_vi(cv_json_text(lv, "status")),
                         json_string_value(json_object_get(lv, "planned_start")),
                         cv_json_text(lv, "window_closes")));
}

int cv_report_progress(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e)
{
    json_t *status = NULL;
    if (cv_status_report(s, org, arg, &status, e) < 0)
        return e->code;
    json_t *reports = json_object_get(status, "reports");
    json_t *first = json_object_get(json_array_get(reports, 0), "org");
    char subtitle[CV_NAME_MAX + 32];
    snprintf(subtitle, sizeof subtitle, "%s, nhiệm kỳ %s", first ? cv_json_text(first, "name") : "",
             cv_json_text(status, "term"));
    *doc = cv_report_doc("Tiến độ đại hội đảng bộ các cấp", subtitle);
    if (first)
        cv_report_meta(*doc, "Đơn vị", cv_json_text(first, "name"));
    cv_report_meta(*doc, "Nhiệm kỳ", cv_json_text(status, "term"));
    cv_report_meta(*doc, "Số liệu đến ngày", cv_json_text(status, "today"));
    size_t i;
    json_t *r;
    json_array_foreach(reports, i, r) add_org(*doc, r);
    json_decref(status);
    if (cv_report_open_rounds_section(s, org, *doc, e) < 0) {
        json_decref(*doc);
        *doc = NULL;
        return e->code;
    }
    return 0;
}
