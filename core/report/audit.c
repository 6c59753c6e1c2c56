/* audit.c: the audit (the operation audit's rows) as a report document, for `convene audit
 * --format` and the dashboard's export alike: one row per event. Reads nothing itself. */
#include "report.h"

#include <stdlib.h>

#include "base/json.h"

/* The audit as a report document: one row per event, who, where, when, before and after. */
json_t *cv_report_audit(json_t *rows)
{
    json_t *doc = cv_report_doc("Nhật ký thay đổi", "Ai đã làm gì, ở đâu, khi nào");
    const char *cols[] = {"Số",  "Ngày ghi", "Sự kiện", "Tổ chức", "Loại", "Người thực hiện",
                          "Qua", "Trước",    "Sau",     "Dữ liệu", NULL};
    json_t *table = cv_report_table(cv_report_section(doc, "Sự kiện"), cols, "idtttttttt");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *data = json_object_get(r, "data");
        char *before = json_dumps(json_object_get(data, "before"), JSON_COMPACT | JSON_SORT_KEYS);
        char *after = json_dumps(json_object_get(data, "after"), JSON_COMPACT | JSON_SORT_KEYS);
        char *all = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
        json_array_append_new(table,
                              json_pack("[I, s, s, s, s, s, s, s, s, s]",
                                        (json_int_t)json_integer_value(json_object_get(r, "id")),
                                        cv_json_text(r, "day"), cv_json_text(r, "type"),
                                        cv_json_text(r, "org"), cv_json_text(r, "actor_kind"),
                                        cv_json_text(r, "actor"), cv_json_text(r, "via"),
                                        before ? before : "", after ? after : "", all ? all : ""));
        free(before);
        free(after);
        free(all);
    }
    return doc;
}
