/* minutes.c: the Vietnamese of the counting minutes: names of bodies, states and outcomes, the
 * rows that make up the base, and the sentences that explain an outcome (the report producer in
 * core/report/minutes.c lays them out). Reads elections; never writes the store. */
#include "minutes.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"

const char *cv_minutes_body_vi(const char *body)
{
    static const char *const map[][2] = {{"committee", "Ban Chấp hành"},
                                         {"standing", "Ban Thường vụ"},
                                         {"secretary", "Bí thư"},
                                         {"deputy", "Phó Bí thư"},
                                         {"inspection", "Ủy ban Kiểm tra"},
                                         {"delegates", "đại biểu dự đại hội cấp trên"},
                                         {"alternates", "đại biểu dự khuyết"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], body))
            return map[i][1];
    return body;
}

const char *cv_minutes_status_vi(const char *status)
{
    static const char *const map[][2] = {{"created", "đang lập danh sách"},
                                         {"open", "đang bỏ phiếu"},
                                         {"counted", "đã kiểm phiếu"},
                                         {"announced", "đã công bố"},
                                         {"approved", "đã được chuẩn y"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], status))
            return map[i][1];
    return status;
}

const char *cv_minutes_outcome_vi(const char *o)
{
    if (!strcmp(o, "elected"))
        return "Trúng cử";
    if (!strcmp(o, "tied"))
        return "Bằng phiếu ở vị trí cuối, bầu lại";
    if (!strcmp(o, "below"))
        return "Không trúng cử (không quá một nửa)";
    if (!strcmp(o, "outvoted"))
        return "Không trúng cử (ít phiếu hơn)";
    return "";
}

double cv_minutes_share(int64_t part, int64_t whole)
{
    return whole > 0 ? (double)part / (double)whole : 0.0;
}

/* The rows that make up the base: (what, how many), summoned first, the base last. */
json_t *cv_minutes_base_rows(const cv_election *x)
{
    json_t *rows = json_array();
    int members = !strcmp(x->kind, "members");
    json_array_append_new(rows, json_pack("[sI]",
                                          members ? "Đảng viên chính thức được triệu tập"
                                                  : "Đại biểu chính thức được triệu tập",
                                          (json_int_t)x->att.summoned));
    const struct {
        const char *what;
        int64_t n;
    } less[] = {
        {"Trừ: đảng viên chuyển sinh hoạt tạm thời", members ? x->att.transferred : 0},
        {"Trừ: đảng viên miễn sinh hoạt vắng mặt", members ? x->att.exempt_absent : 0},
        {"Trừ: đảng viên bị đình chỉ sinh hoạt, bị khởi tố", members ? x->att.suspended : 0},
        {"Trừ: vắng mặt suốt thời gian đại hội có lý do chính đáng",
         members ? x->att.excused_absent : 0},
        {"Trừ: ủy viên ban chấp hành triệu tập vắng mặt suốt đại hội",
         members ? 0 : x->att.convening_absent},
        {"Trừ: đại biểu vắng mặt suốt đại hội không có dự khuyết thay",
         members ? 0 : x->att.unreplaced_absent},
    };
    for (size_t i = 0; i < sizeof less / sizeof less[0]; i++)
        if (less[i].n > 0)
            json_array_append_new(rows, json_pack("[sI]", less[i].what, (json_int_t)less[i].n));
    if (!members && x->att.alternates_in > 0)
        json_array_append_new(rows, json_pack("[sI]", "Đại biểu dự khuyết thay thế (đã tính)",
                                              (json_int_t)x->att.alternates_in));
    json_array_append_new(rows,
                          json_pack("[sI]", "Cơ sở tính tỷ lệ trúng cử", (json_int_t)x->base));
    return rows;
}

int cv_minutes_explain(cv_store *s, int64_t id, json_t **lines, cv_err *e)
{
    cv_election x;
    cv_candidate *c;
    int n;
    if (cv_election_get(s, id, &x, e) < 0 || cv_election_candidates(s, id, &c, &n, e) < 0)
        return e->code;
    json_t *a = json_array();
    if (x.base < 0) {
        json_array_append_new(a, json_sprintf("Cuộc bầu cử #%lld %s: chưa có cơ sở tính tỷ lệ.",
                                              (long long)id, cv_minutes_status_vi(x.status)));
        *lines = a;
        free(c);
        return 0;
    }
    int64_t t = cv_rules_threshold(x.base), elected = 0, tied = 0;
    json_array_append_new(
        a, json_sprintf("Cơ sở tính tỷ lệ là %lld %s; người trúng cử phải được quá một nửa, tức "
                        "ít nhất %lld phiếu bầu (%lld/2 + 1), tính trên số phiếu hợp lệ.",
                        (long long)x.base, strcmp(x.kind, "members") ? "đại biểu" : "đảng viên",
                        (long long)t, (long long)x.base));
    if (x.tally.valid >= 0)
        json_array_append_new(
            a, json_sprintf("Số phiếu phát ra %lld, thu vào %lld, hợp lệ %lld, không hợp lệ %lld.",
                            (long long)x.tally.issued, (long long)x.tally.returned,
                            (long long)x.tally.valid, (long long)x.tally.invalid));
    for (int i = 0; i < n && x.tally.valid >= 0; i++) {
        elected += !strcmp(c[i].outcome, "elected");
        tied += !strcmp(c[i].outcome, "tied");
        json_array_append_new(a, json_sprintf("%s: %lld phiếu (%.1f%% cơ sở) — %s.", c[i].name,
                                              (long long)c[i].votes,
                                              100.0 * cv_minutes_share(c[i].votes, x.base),
                                              cv_minutes_outcome_vi(c[i].outcome)));
    }
    if (x.tally.valid >= 0) {
        json_array_append_new(a, json_sprintf("Số lượng bầu %lld, số người trúng cử %lld.",
                                              (long long)x.seats, (long long)elected));
        if (tied)
            json_array_append_new(
                a, json_sprintf("%lld người bằng phiếu nhau ở vị trí cuối: bầu lại trong số những "
                                "người này cho %lld chỗ còn lại.",
                                (long long)tied, (long long)(x.seats - elected)));
        else if (elected < x.seats)
            json_array_append_new(
                a, json_sprintf("Chưa đủ số lượng: đại hội có thể bầu tiếp %lld chỗ, danh sách "
                                "không gồm những người đã trúng cử.",
                                (long long)(x.seats - elected)));
    }
    free(c);
    *lines = a;
    return 0;
}
