/* minutes.c: the report producer "minutes": the counting minutes (biên bản kiểm phiếu) of one
 * election (--arg ID): the base row by row, the ballots, every candidate's votes, share of the
 * base and result, and the conclusion in Vietnamese. Only reads the store. */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "elect/election.h"
#include "elect/minutes.h"
#include "report/report.h"

static void ballots(json_t *doc, const cv_election *x)
{
    static const char *const names[] = {"Phiếu", "Số lượng", NULL};
    json_t *rows = cv_report_table(cv_report_section(doc, "Kết quả kiểm phiếu"), names, "ti");
    const char *what[] = {"Phát ra", "Thu vào", "Hợp lệ", "Không hợp lệ"};
    const int64_t n[] = {x->tally.issued, x->tally.returned, x->tally.valid, x->tally.invalid};
    for (int i = 0; i < 4; i++)
        json_array_append_new(rows, json_pack("[sI]", what[i], (json_int_t)n[i]));
}

static void votes(json_t *doc, const cv_election *x, const cv_candidate *c, int n)
{
    static const char *const names[] = {"STT",     "Họ và tên", "Số phiếu", "Tỷ lệ so với cơ sở",
                                        "Kết quả", NULL};
    json_t *rows =
        cv_report_table(cv_report_section(doc, "Số phiếu bầu cho từng người"), names, "titpt");
    for (int i = 0; i < n; i++)
        json_array_append_new(rows,
                              json_pack("[i s o f s]", c[i].position, c[i].name,
                                        c[i].votes >= 0 ? json_integer(c[i].votes) : json_null(),
                                        cv_minutes_share(c[i].votes < 0 ? 0 : c[i].votes, x->base),
                                        cv_minutes_outcome_vi(c[i].outcome)));
}

static void base(json_t *doc, const cv_election *x)
{
    static const char *const names[] = {"Khoản", "Số lượng", NULL};
    json_t *s = cv_report_section(doc, "Cơ sở tính tỷ lệ trúng cử");
    cv_report_paragraph(s,
                        "%s: người trúng cử phải được quá một nửa so với tổng số %s "
                        "triệu tập sau khi trừ các trường hợp theo quy chế bầu cử.",
                        strcmp(x->kind, "members") ? "Đại hội đại biểu" : "Đại hội đảng viên",
                        strcmp(x->kind, "members") ? "đại biểu chính thức"
                                                   : "đảng viên chính thức");
    json_t *rows = cv_report_table(s, names, "ti"), *mine = cv_minutes_base_rows(x);
    json_array_extend(rows, mine);
    json_decref(mine);
}

int cv_report_minutes(cv_store *s, const char *org, const char *arg, json_t **doc, cv_err *e)
{
    int64_t id;
    cv_election x;
    cv_candidate *c;
    int n;
    json_t *explain;
    if (!arg)
        return cv_err_set(e, CV_EINVAL, "the minutes need an election id (--arg ID)");
    if (cv_text_count(arg[0] == '#' ? arg + 1 : arg, &id, "election id", e) < 0 ||
        cv_election_get(s, id, &x, e) < 0)
        return e->code;
    if (org && org[0] && strcmp(org, x.org) != 0)
        return cv_err_set(e, CV_EINVAL, "election #%lld is of %s, not %s", (long long)id, x.org,
                          org);
    if (x.base < 0)
        return cv_err_set(e, CV_ECONFLICT, "election #%lld is not open yet: no minutes",
                          (long long)id);
    if (cv_election_candidates(s, id, &c, &n, e) < 0)
        return e->code;
    if (cv_minutes_explain(s, id, &explain, e) < 0) {
        free(c);
        return e->code;
    }
    char title[128], sub[CV_NAME_MAX + 32], round[64], seats[24];
    snprintf(title, sizeof title, "Biên bản kiểm phiếu bầu %s", cv_minutes_body_vi(x.body));
    snprintf(sub, sizeof sub, "%s, nhiệm kỳ %s", x.org_name, x.term);
    snprintf(round, sizeof round, "#%lld, vòng %d", (long long)id, x.round);
    snprintf(seats, sizeof seats, "%lld", (long long)x.seats);
    *doc = cv_report_doc(title, sub);
    cv_report_meta(*doc, "Đơn vị", x.org_name);
    cv_report_meta(*doc, "Nhiệm kỳ", x.term);
    cv_report_meta(*doc, "Cuộc bầu", round);
    cv_report_meta(*doc, "Số lượng bầu", seats);
    cv_report_meta(*doc, "Trạng thái", cv_minutes_status_vi(x.status));
    base(*doc, &x);
    if (x.tally.valid >= 0)
        ballots(*doc, &x);
    votes(*doc, &x, c, n);
    json_object_set_new(cv_report_section(*doc, "Kết luận"), "paragraphs", explain);
    free(c);
    return 0;
}
