/* work.c: the "work-items" report: the work items of preparing the congresses of a subtree,
 * counted by group and by subcommittee, with the overdue ones listed (due before today, still
 * open). Read-only, through cv_work_list. */
#include <stdio.h>
#include <string.h>

#include "base/bound.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/org.h"
#include "domain/work.h"
#include "report/report.h"

struct acc {
    json_t *groups, *subs; /* name -> [total, done, open, overdue, budget], insertion order */
    json_t *overdue;       /* rows of the overdue table */
    char today[11];
    json_int_t total, late;
    cv_err *e; /* a budget total that does not fit */
};

/* Adds w to the row of key; budgets add up with a check (each is bounded, their count is not). */
static int tally(json_t *map, const char *key, const cv_work_item *w, int late, cv_err *e)
{
    json_t *t = json_object_get(map, key);
    if (!t) {
        t = json_pack("[I, I, I, I, I]", (json_int_t)0, (json_int_t)0, (json_int_t)0, (json_int_t)0,
                      (json_int_t)0);
        json_object_set_new(map, key, t);
    }
    int done = strcmp(w->status, "done") == 0;
    json_int_t add[5] = {1, done, !done, late, w->budget};
    for (size_t i = 0; i < 5; i++) {
        int64_t sum;
        if (cv_bound_add(json_integer_value(json_array_get(t, i)), add[i], &sum,
                         "the budgets of the work items", e) < 0)
            return e->code;
        json_array_set_new(t, i, json_integer(sum));
    }
    return 0;
}

static int visit(const cv_work_item *w, void *ctx)
{
    struct acc *a = ctx;
    int late = strcmp(w->status, "open") == 0 && *w->due && strcmp(w->due, a->today) < 0;
    a->total++;
    a->late += late;
    if (tally(a->groups, w->group, w, late, a->e) < 0 ||
        tally(a->subs, *w->subcommittee ? w->subcommittee : "(không thuộc tiểu ban)", w, late,
              a->e) < 0)
        return a->e->code;
    if (late)
        json_array_append_new(
            a->overdue, json_pack("[I, s, s, s, s, s, s, I]", (json_int_t)w->id, w->title, w->group,
                                  w->org_code, w->unit, w->person, w->due,
                                  (json_int_t)(cv_date_days(a->today) - cv_date_days(w->due))));
    return 0;
}

static void tally_table(json_t *doc, const char *heading, const char *first, json_t *map)
{
    const char *cols[] = {first,     "Tổng số",         "Hoàn thành", "Đang thực hiện",
                          "Quá hạn", "Kinh phí (đồng)", NULL};
    json_t *rows = cv_report_table(cv_report_section(doc, heading), cols, "tiiiii");
    const char *key;
    json_t *t;
    json_object_foreach(map, key, t)
    {
        json_t *row = json_pack("[s]", key);
        json_array_extend(row, t);
        json_array_append_new(rows, row);
    }
}

int cv_report_work(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e)
{
    cv_org o;
    if (!org)
        return cv_err_set(e, CV_EINVAL, "the work-items report needs an organisation");
    if (cv_org_get(s, org, &o, e) < 0)
        return e->code;
    struct acc a = {json_object(), json_object(), json_array(), "", 0, 0, e};
    cv_clock_today(a.today);
    cv_work_filter f = {.org = org, .term = arg};
    if (cv_work_list(s, &f, visit, &a, e) < 0) {
        json_decref(a.groups), json_decref(a.subs), json_decref(a.overdue);
        return e->code;
    }
    *doc = cv_report_doc("Tình hình thực hiện các công việc chuẩn bị đại hội", o.name);
    cv_report_meta(*doc, "Đơn vị", o.name);
    cv_report_meta(*doc, "Số liệu đến ngày", a.today);
    json_t *sum = cv_report_section(*doc, "Tổng hợp");
    cv_report_paragraph(sum, "%lld công việc, %lld quá hạn chưa hoàn thành.", (long long)a.total,
                        (long long)a.late);
    tally_table(*doc, "Theo nhóm công việc", "Nhóm công việc", a.groups);
    tally_table(*doc, "Theo tiểu ban", "Tiểu ban", a.subs);
    static const char *const late_cols[] = {"Số",     "Công việc",       "Nhóm",
                                            "Đơn vị", "Bộ phận chủ trì", "Người phụ trách",
                                            "Hạn",    "Số ngày quá hạn", NULL};
    json_t *late = cv_report_section(*doc, "Công việc quá hạn");
    if (a.late == 0)
        cv_report_paragraph(late, "Không có công việc quá hạn.");
    else
        json_array_extend(cv_report_table(late, late_cols, "itttttdi"), a.overdue);
    json_decref(a.groups), json_decref(a.subs), json_decref(a.overdue);
    return 0;
}
