/* ops_docs.c: the operations on inspection visits and their requests (the inspector's work); a
 * request becomes a work item of the visited organisation's congress in the same transaction. */
#include "docs/inspection.h"
#include "base/text.h"
#include "ops/ops.h"

#define INSPECT (CV_ROLE_OFFICE | CV_ROLE_INSPECTOR)
#define TEXT(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_TEXT, req, 0, CV_NAME_MAX - 1, help                                              \
    }

static int list(cv_store *s, const char *org, json_t **result, cv_err *e)
{
    return cv_inspection_list(s, org, result, e);
}

static int inspection_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_inspection_spec spec = {.org = cv_op_text(args, "org"),
                               .by = cv_op_text(args, "by"),
                               .led_by = cv_op_text(args, "led_by"),
                               .on = cv_op_text(args, "on"),
                               .findings = cv_op_text(args, "findings")};
    if (cv_inspection_add(c->s, &spec, NULL, e) < 0)
        return e->code;
    return list(c->s, spec.org, result, e);
}

static int inspection_request(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_inspection_request(c->s, cv_op_int(args, "id", 0), cv_op_text(args, "text"),
                              cv_op_text(args, "due"), cv_op_text(args, "unit"), NULL, e) < 0)
        return e->code;
    return list(c->s, NULL, result, e);
}

static int inspection_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return list(c->s, cv_op_text(args, "org"), result, e);
}

static const cv_op_arg add_args[] = {CV_OP_CODE("org", 1, "the organisation visited"),
                                     TEXT("led_by", 1, "who led the visit"),
                                     CV_OP_DATE("on", 1, "the day of the visit"),
                                     CV_OP_CODE("by", 0, "the organisation that inspected"),
                                     TEXT("findings", 0, "what it found"),
                                     CV_OP_ARGS_END};
static const cv_op_arg request_args[] = {{"id", CV_ARG_INT, 1, 1, INT64_MAX, "the visit"},
                                         TEXT("text", 1, "what is requested"),
                                         CV_OP_DATE("due", 1, "by when"),
                                         TEXT("unit", 0, "the unit responsible"),
                                         CV_OP_ARGS_END};
static const cv_op_arg list_args[] = {CV_OP_CODE("org", 0, "a subtree (all)"), CV_OP_ARGS_END};

const cv_op cv_ops_docs[] = {
    {"inspection.add", "record an inspection visit", add_args, INSPECT, CV_AT_ORG, "org", 0, NULL,
     1, inspection_add, "{\"org\":\"$ORG\",\"led_by\":\"Ủy ban Kiểm tra\",\"on\":\"2020-05-20\"}"},
    {"inspection.request", "record a request of a visit (a work item of the congress)",
     request_args, INSPECT, CV_AT_INSPECTION, "id", 0, NULL, 1, inspection_request,
     "{\"id\":$INSPECTION,\"text\":\"Bổ sung hồ sơ\",\"due\":\"2020-06-01\"}"},
    {"inspection.list", "the visits to a subtree and their requests", list_args, CV_ROLES_ALL,
     CV_AT_ORG, "org", 0, NULL, 0, inspection_list, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};
