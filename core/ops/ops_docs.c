/* ops_docs.c: the operations on inspection visits and their requests (the inspector's work; a
 * request becomes a work item of the visited organisation's congress in the same transaction),
 * and on the meetings of a congress's bodies with their agendas and conclusions. */
#include "docs/inspection.h"
#include "docs/meeting.h"
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

/* meetings ----------------------------------------------------------------------------------- */

static void read_key(json_t *args, cv_meeting_key *k)
{
    *k = (cv_meeting_key){.org = cv_op_text(args, "org"),
                          .term = cv_op_text(args, "term"),
                          .body = cv_op_text(args, "body"),
                          .subcommittee = cv_op_text(args, "subcommittee"),
                          .number = (int)cv_op_int(args, "number", 0)};
}

static int meetings(cv_store *s, const cv_meeting_key *k, json_t **result, cv_err *e)
{
    return cv_meeting_list(s, k->org, k->term, k->body, result, e);
}

static int meeting_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_meeting_key k;
    read_key(args, &k);
    if (cv_meeting_add(c->s, &k, cv_op_text(args, "on"), cv_op_text(args, "title"), e) < 0)
        return e->code;
    return meetings(c->s, &k, result, e);
}

static int meeting_agenda(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_meeting_key k;
    read_key(args, &k);
    if (cv_meeting_agenda(c->s, &k, cv_op_text(args, "item"), cv_op_int(args, "doc", 0), NULL, e) <
        0)
        return e->code;
    return meetings(c->s, &k, result, e);
}

static int meeting_conclude(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_meeting_key k;
    read_key(args, &k);
    if (cv_meeting_conclude(c->s, &k, (int)cv_op_int(args, "item", 0),
                            cv_op_text(args, "conclusion"), e) < 0)
        return e->code;
    return meetings(c->s, &k, result, e);
}

static int meeting_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_meeting_key k;
    read_key(args, &k);
    return meetings(c->s, &k, result, e);
}

#define MEETING                                                                                    \
    CV_OP_CODE("org", 1, "the congress's organisation"),                                           \
        {"body", CV_ARG_TEXT, 1, 0, 15, "standing, executive or subcommittee"},                    \
        {"number", CV_ARG_INT, 1, 1, 9999, "the meeting's number"},                                \
        CV_OP_CODE("subcommittee", 0, "the subcommittee (body subcommittee)"),                     \
    {                                                                                              \
        "term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"                                        \
    }

static const cv_op_arg meeting_add_args[] = {MEETING, CV_OP_DATE("on", 1, "the day"),
                                             TEXT("title", 0, "what it is about"), CV_OP_ARGS_END};
static const cv_op_arg agenda_args[] = {MEETING,
                                        TEXT("item", 1, "the agenda item"),
                                        {"doc", CV_ARG_INT, 0, 1, INT64_MAX, "a document"},
                                        CV_OP_ARGS_END};
static const cv_op_arg conclude_args[] = {MEETING,
                                          TEXT("conclusion", 1, "the conclusion"),
                                          {"item", CV_ARG_INT, 0, 0, 9999, "the item (0: all)"},
                                          CV_OP_ARGS_END};
static const cv_op_arg meeting_list_args[] = {CV_OP_CODE("org", 1, "the congress's organisation"),
                                              {"body", CV_ARG_TEXT, 0, 0, 15, "one body (all)"},
                                              {"term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"},
                                              CV_OP_ARGS_END};

const cv_op cv_ops_docs[] = {
    {"meeting.add", "schedule or record a meeting of a congress's body", meeting_add_args,
     CV_ROLE_OFFICE, CV_AT_ORG, "org", 0, NULL, 1, meeting_add,
     "{\"org\":\"$ORG\",\"body\":\"standing\",\"number\":50,\"on\":\"2020-05-25\"}"},
    {"meeting.agenda", "add an item to a meeting's agenda", agenda_args, CV_ROLE_OFFICE, CV_AT_ORG,
     "org", 0, NULL, 1, meeting_agenda,
     "{\"org\":\"$ORG\",\"body\":\"standing\",\"number\":1,\"item\":\"Dự thảo báo cáo\"}"},
    {"meeting.conclude", "record a meeting's conclusion (it is then held)", conclude_args,
     CV_ROLE_OFFICE, CV_AT_ORG, "org", 0, NULL, 1, meeting_conclude,
     "{\"org\":\"$ORG\",\"body\":\"standing\",\"number\":1,\"conclusion\":\"Thống nhất\"}"},
    {"meeting.list", "the meetings of a congress with their agendas", meeting_list_args,
     CV_ROLES_ALL, CV_AT_ORG, "org", 0, NULL, 0, meeting_list, "{\"org\":\"$ORG\"}"},
    {"inspection.add", "record an inspection visit", add_args, INSPECT, CV_AT_ORG, "org", 0, NULL,
     1, inspection_add, "{\"org\":\"$ORG\",\"led_by\":\"Ủy ban Kiểm tra\",\"on\":\"2020-05-20\"}"},
    {"inspection.request", "record a request of a visit (a work item of the congress)",
     request_args, INSPECT, CV_AT_INSPECTION, "id", 0, NULL, 1, inspection_request,
     "{\"id\":$INSPECTION,\"text\":\"Bổ sung hồ sơ\",\"due\":\"2020-06-01\"}"},
    {"inspection.list", "the visits to a subtree and their requests", list_args, CV_ROLES_ALL,
     CV_AT_ORG, "org", 0, NULL, 0, inspection_list, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};
