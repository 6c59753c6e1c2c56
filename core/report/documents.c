/* documents.c: the "documents" report (one congress's documents, their versions and status, and
 * every comment round with who has answered), and the sections the readiness and progress
 * reports borrow from it. Read-only; it reads through core/docs, never its tables. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/text.h"
#include "docs/document.h"
#include "docs/round.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "report/report.h"

static const char *kind_vi(const char *kind)
{
    static const char *const map[][2] = {{"political_report", "Báo cáo chính trị"},
                                         {"review_report", "Báo cáo kiểm điểm"},
                                         {"resolution", "Dự thảo Nghị quyết"},
                                         {"action_programme", "Chương trình hành động"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(kind, map[i][0]) == 0)
            return map[i][1];
    return "Văn kiện khác";
}

static const char *status_vi(const char *status)
{
    static const char *const map[][2] = {{"drafting", "Đang dự thảo"},
                                         {"consultation", "Đang lấy ý kiến"},
                                         {"revising", "Đang tiếp thu, chỉnh sửa"},
                                         {"submitted", "Đã trình"},
                                         {"adopted", "Đã thông qua"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(status, map[i][0]) == 0)
            return map[i][1];
    return status;
}

/* One row per round; a paragraph "30/47 tổ chức đã gửi ý kiến" per open round. */
struct rounds {
    json_t *section, *rows;
    int64_t root; /* only rounds of this subtree (0: all) */
    cv_store *s;
    int count;
};

static int add_round(const cv_round_progress *p, void *ctx)
{
    struct rounds *r = ctx;
    int inside = 1;
    cv_err ignored;
    if (r->root && cv_org_in_subtree(r->s, r->root, p->org_id, &inside, &ignored) < 0)
        inside = 0;
    if (!inside)
        return 0;
    int total = p->orgs + p->others, answered = p->orgs_answered + p->others_answered;
    json_array_append_new(
        r->rows,
        json_pack("[s, s, i, s, s, i, i, i, f]", p->org_code, p->title, p->version, p->deadline,
                  strcmp(p->status, "open") ? "Đã kết thúc" : "Đang lấy ý kiến", total, answered,
                  p->late, total ? (double)answered / total : 0.0));
    if (strcmp(p->status, "open") == 0 && p->orgs)
        cv_report_paragraph(r->section, "%s: %d/%d tổ chức đã gửi ý kiến về \"%s\" (hạn %s).",
                            p->org_code, p->orgs_answered, p->orgs, p->title, p->deadline);
    else if (strcmp(p->status, "open") == 0)
        cv_report_paragraph(r->section, "%s: %d/%d nơi đã gửi ý kiến về \"%s\" (hạn %s).",
                            p->org_code, p->others_answered, p->others, p->title, p->deadline);
    r->count++;
    return 0;
}

static json_t *rounds_table(json_t *section)
{
    static const char *const cols[] = {"Đơn vị",     "Văn kiện",   "Phiên bản", "Hạn góp ý",
                                       "Trạng thái", "Số nơi gửi", "Đã góp ý",  "Gửi muộn",
                                       "Tỷ lệ",      NULL};
    return cv_report_table(section, cols, "ttidtiiip");
}

/* The documents of org's congress in term: one table row each. */
static int add_documents(cv_store *s, const char *org, const char *term, json_t *doc, cv_err *e)
{
    json_t *list;
    if (cv_doc_list(s, org, term, &list, e) < 0)
        return e->code;
    json_t *section = cv_report_section(doc, "Văn kiện đại hội");
    static const char *const cols[] = {"Văn kiện", "Loại", "Trạng thái", "Số phiên bản", NULL};
    json_t *rows = cv_report_table(section, cols, "ttti");
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d)
    {
        json_array_append_new(rows, json_pack("[s, s, s, I]", cv_json_text(d, "title"),
                                              kind_vi(cv_json_text(d, "kind")),
                                              status_vi(cv_json_text(d, "status")),
                                              json_integer_value(json_object_get(d, "versions"))));
    }
    if (json_array_size(list) == 0)
        cv_report_paragraph(section, "Chưa có văn kiện nào.");
    json_decref(list);
    return 0;
}

int cv_report_documents_sections(cv_store *s, const char *org, const char *term, json_t *doc,
                                 cv_err *e)
{
    cv_congress c;
    if (cv_congress_get(s, org, term, &c, e) < 0 || add_documents(s, org, term, doc, e) < 0)
        return e->code;
    /* The rounds of the congress's own documents (its organisation alone, not its subtree). */
    json_t *section = cv_report_section(doc, "Lấy ý kiến dự thảo văn kiện");
    struct rounds r = {section, rounds_table(section), 0, s, 0};
    json_t *list;
    if (cv_doc_list(s, org, term, &list, e) < 0)
        return e->code;
    size_t i;
    json_t *d;
    int rc = 0;
    json_array_foreach(list, i, d)
    {
        if (rc == 0)
            rc =
                cv_round_each(s, json_integer_value(json_object_get(d, "id")), 0, add_round, &r, e);
    }
    json_decref(list);
    if (rc == 0 && r.count == 0)
        cv_report_paragraph(section, "Chưa có đợt lấy ý kiến nào.");
    return rc < 0 ? rc : 0;
}

int cv_report_open_rounds_section(cv_store *s, const char *org, json_t *doc, cv_err *e)
{
    cv_org root = {0};
    if (org && cv_org_get(s, org, &root, e) < 0)
        return e->code;
    json_t *section = cv_report_section(doc, "Các đợt lấy ý kiến dự thảo văn kiện đang mở");
    struct rounds r = {section, rounds_table(section), root.id, s, 0};
    if (cv_round_each(s, 0, 1, add_round, &r, e) < 0)
        return e->code;
    if (r.count == 0)
        cv_report_paragraph(section, "Không có đợt lấy ý kiến nào đang mở.");
    return 0;
}

int cv_report_documents(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e)
{
    cv_congress c;
    char title[CV_NAME_MAX + 64], numeral[16], today[11];
    if (!org)
        return cv_err_set(e, CV_EINVAL, "the documents report needs an organisation");
    if (cv_congress_get(s, org, arg, &c, e) < 0)
        return e->code;
    cv_text_roman(c.ordinal, numeral);
    cv_clock_today(today);
    snprintf(title, sizeof title, "Văn kiện Đại hội %s", numeral);
    *doc = cv_report_doc(title, c.org_name);
    cv_report_meta(*doc, "Đơn vị", c.org_name);
    cv_report_meta(*doc, "Nhiệm kỳ", c.term);
    cv_report_meta(*doc, "Số liệu đến ngày", today);
    if (cv_report_documents_sections(s, org, c.term, *doc, e) < 0) {
        json_decref(*doc);
        *doc = NULL;
        return e->code;
    }
    return 0;
}
