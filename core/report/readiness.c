/* readiness.c: the "readiness" report: one congress's readiness sheet: the congress itself, how
 * far its work items are per group, and how many subordinate organisations have held theirs.
 * Read-only; it reuses the work-items and progress producers' sources, never their SQL. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/json.h"
#include "base/text.h"
#include "domain/congress.h"
#include "domain/status.h"
#include "domain/work.h"
#include "elect/complaint.h"
#include "report/report.h"

struct groups {
    json_t *map; /* group -> [total, done, overdue] */
    char today[11];
};

static int visit(const cv_work_item *w, void *ctx)
{
    struct groups *g = ctx;
    json_t *t = json_object_get(g->map, w->group);
    if (!t) {
        t = json_pack("[I, I, I]", (json_int_t)0, (json_int_t)0, (json_int_t)0);
        json_object_set_new(g->map, w->group, t);
    }
    int done = strcmp(w->status, "done") == 0;
    int late = !done && *w->due && strcmp(w->due, g->today) < 0;
    json_int_t add[3] = {1, done, late};
    for (size_t i = 0; i < 3; i++)
        json_array_set_new(t, i, json_integer(json_integer_value(json_array_get(t, i)) + add[i]));
    return 0;
}

static void congress_meta(json_t *doc, const cv_congress *c, const char *today)
{
    char numeral[16], when[40];
    cv_text_roman(c->ordinal, numeral);
    cv_report_meta(doc, "Đơn vị", c->org_name);
    cv_report_meta(doc, "Đại hội lần thứ", numeral);
    cv_report_meta(doc, "Nhiệm kỳ", c->term);
    cv_report_meta(doc, "Hình thức",
                   strcmp(c->kind, "delegates") == 0 ? "Đại hội đại biểu" : "Đại hội đảng viên");
    snprintf(when, sizeof when, "%s - %s", *c->planned_start ? c->planned_start : "?",
             *c->planned_end ? c->planned_end : "?");
    cv_report_meta(doc, "Thời gian dự kiến", when);
    cv_report_meta(doc, "Trạng thái",
                   !strcmp(c->status, "held")        ? "Đã đại hội"
                   : !strcmp(c->status, "preparing") ? "Đang chuẩn bị"
                                                     : "Đã có kế hoạch");
    cv_report_meta(doc, "Đại hội điểm", c->pilot ? "Có" : "Không");
    cv_report_meta(doc, "Bầu trực tiếp bí thư tại đại hội", c->direct_secretary ? "Có" : "Không");
    cv_report_meta(doc, "Số liệu đến ngày", today);
}

static int subordinates(cv_store *s, const char *org, const char *term, json_t *doc, cv_err *e)
{
    json_t *status;
    if (cv_status_report(s, org, term, &status, e) < 0)
        return e->code;
    json_t *first = json_array_get(json_object_get(status, "reports"), 0);
    json_t *d = json_object_get(first, "subordinates");
    json_t *sec = cv_report_section(doc, "Đại hội các tổ chức trực thuộc");
    cv_report_paragraph(sec, "%lld/%lld tổ chức đảng trực thuộc đã tiến hành đại hội.",
                        (long long)json_integer_value(json_object_get(d, "held")),
                        (long long)json_integer_value(json_object_get(d, "total")));
    json_decref(status);
    return 0;
}

/* The complaints and denunciations still open about the congress's candidates. */
static int complaints(cv_store *s, int64_t congress_id, json_t *doc, cv_err *e)
{
    json_t *list;
    if (cv_complaint_about_candidates(s, congress_id, &list, e) < 0)
        return e->code;
    json_t *section = cv_report_section(doc, "Đơn thư chưa giải quyết về nhân sự");
    static const char *const cols[] = {"Số",        "Loại",           "Về", "Nội dung",
                                       "Ngày nhận", "Hạn giải quyết", NULL};
    json_t *rows = cv_report_table(section, cols, "ittttd");
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        json_array_append_new(
            rows,
            json_pack("[I, s, s, s, s, s]", json_integer_value(json_object_get(o, "id")),
                      strcmp(cv_json_text(o, "kind"), "denunciation") ? "Khiếu nại" : "Tố cáo",
                      cv_json_text(o, "about_name"), cv_json_text(o, "summary"),
                      cv_json_text(o, "received"), cv_json_text(o, "deadline")));
    }
    if (json_array_size(list) == 0)
        cv_report_paragraph(section, "Không có đơn thư nào chưa giải quyết về người ứng cử.");
    json_decref(list);
    return 0;
}

int cv_report_readiness(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e)
{
    cv_congress c;
    if (!org)
        return cv_err_set(e, CV_EINVAL, "the readiness report needs an organisation");
    if (cv_congress_get(s, org, arg, &c, e) < 0)
        return e->code;
    struct groups g = {json_object(), ""};
    cv_clock_today(g.today);
    cv_work_filter f = {.org = org, .term = c.term};
    char title[CV_NAME_MAX + 64], numeral[16];
    cv_text_roman(c.ordinal, numeral);
    snprintf(title, sizeof title, "Tình hình chuẩn bị Đại hội %s", numeral);
    *doc = cv_report_doc(title, c.org_name);
    congress_meta(*doc, &c, g.today);
    json_t *prep = cv_report_section(*doc, "Công việc chuẩn bị");
    if (*c.planned_start && strcmp(c.status, "held") != 0) {
        long long left = (long long)(cv_date_days(c.planned_start) - cv_date_days(g.today));
        cv_report_paragraph(prep, "Còn %lld ngày đến ngày khai mạc (%s).", left, c.planned_start);
    }
    static const char *const cols[] = {"Nhóm công việc", "Tổng số",          "Hoàn thành",
                                       "Quá hạn",        "Tỷ lệ hoàn thành", NULL};
    int rc = cv_work_list(s, &f, visit, &g, e);
    json_t *rows = cv_report_table(prep, cols, "tiiip");
    const char *key;
    json_t *t;
    json_object_foreach(g.map, key, t)
    {
        json_int_t total = json_integer_value(json_array_get(t, 0));
        json_int_t done = json_integer_value(json_array_get(t, 1));
        json_array_append_new(rows, json_pack("[s, I, I, I, f]", key, total, done,
                                              json_integer_value(json_array_get(t, 2)),
                                              total ? (double)done / (double)total : 0.0));
    }
    json_decref(g.map);
    if (rc == 0)
        rc = subordinates(s, org, c.term, *doc, e);
    if (rc == 0)
        rc = cv_report_documents_sections(s, org, c.term, *doc, e);
    if (rc == 0)
        rc = complaints(s, c.id, *doc, e);
    if (rc < 0) {
        json_decref(*doc);
        *doc = NULL;
    }
    return rc;
}
