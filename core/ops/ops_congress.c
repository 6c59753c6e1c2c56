/* ops_congress.c: the operations on congresses, subcommittees, work items and the status report.
 * Handlers only read their checked arguments and call the domain; the transaction is ops.c's. */
#include "domain/congress.h"
#include "domain/status.h"
#include "domain/work.h"
#include "ops/ops.h"

#define ALL    CV_ROLES_ALL
#define OFFICE CV_ROLE_OFFICE
#define TEXT(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_TEXT, req, 0, CV_NAME_MAX - 1, help                                              \
    }
#define CODE(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_CODE, req, 0, 0, help                                                            \
    }
#define DATE(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_DATE, req, 0, 0, help                                                            \
    }
#define TERM                                                                                       \
    {                                                                                              \
        "term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"                                        \
    }
#define ID(n, help)                                                                                \
    {                                                                                              \
        n, CV_ARG_INT, 1, 1, INT64_MAX, help                                                       \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
    }

static int congress_result(cv_store *s, json_t *args, json_t **result, cv_err *e)
{
    cv_congress c;
    if (cv_congress_get(s, cv_op_text(args, "org"), cv_op_text(args, "term"), &c, e) < 0)
        return e->code;
    *result = cv_congress_json(&c);
    return 0;
}

/* -1 when absent, else 0 or 1. */
static int flag(json_t *args, const char *name)
{
    return cv_op_bool(args, name, -1);
}

static void read_spec(json_t *args, cv_congress_spec *spec)
{
    spec->org = cv_op_text(args, "org");
    spec->term = cv_op_text(args, "term");
    spec->ordinal = cv_op_text(args, "ordinal");
    spec->kind = cv_op_text(args, "kind");
    spec->start = cv_op_text(args, "start");
    spec->end = cv_op_text(args, "end");
    spec->pilot = flag(args, "pilot");
    spec->direct_secretary = flag(args, "direct_secretary");
    spec->summoned = cv_op_int(args, "summoned", -1);
    spec->present = cv_op_int(args, "present", -1);
}

static int congress_plan(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_congress_spec spec;
    read_spec(args, &spec);
    if (cv_congress_plan(c->s, &spec, NULL, e) < 0)
        return e->code;
    return congress_result(c->s, args, result, e);
}

static int congress_set(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_congress_spec spec;
    read_spec(args, &spec);
    if (cv_congress_set(c->s, &spec, e) < 0)
        return e->code;
    return congress_result(c->s, args, result, e);
}

static int congress_prepare(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_congress_prepare(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"), e) < 0)
        return e->code;
    return congress_result(c->s, args, result, e);
}

static int congress_held(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_congress_mark_held(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                              cv_op_text(args, "on"), cv_op_text(args, "to"),
                              cv_op_text(args, "override"), e) < 0)
        return e->code;
    return congress_result(c->s, args, result, e);
}

static int congress_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return congress_result(c->s, args, result, e);
}

static int subcommittee_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_subcommittee_add(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                            cv_op_text(args, "code"), cv_op_text(args, "name"), e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:s}", "org", cv_op_text(args, "org"), "subcommittee",
                        cv_op_text(args, "code"));
    return 0;
}

static int work_result(cv_store *s, int64_t id, json_t **result, cv_err *e)
{
    cv_work_item w;
    if (cv_work_get(s, id, &w, e) < 0)
        return e->code;
    *result = cv_work_json(&w);
    return 0;
}

static int work_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_work_spec spec = {
        .org = cv_op_text(args, "org"),
        .term = cv_op_text(args, "term"),
        .group = cv_op_text(args, "group"),
        .subcommittee = cv_op_text(args, "subcommittee"),
        .title = cv_op_text(args, "title"),
        .unit = cv_op_text(args, "unit"),
        .person = cv_op_text(args, "person"),
        .due = cv_op_text(args, "due"),
        .budget = cv_op_int(args, "budget", 0),
    };
    int64_t id;
    if (cv_work_add(c->s, &spec, &id, e) < 0)
        return e->code;
    return work_result(c->s, id, result, e);
}

static int work_assign(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_work_assign(c->s, id, cv_op_text(args, "unit"), cv_op_text(args, "person"), e) < 0)
        return e->code;
    return work_result(c->s, id, result, e);
}

static int work_done(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_work_done(c->s, id, cv_op_text(args, "on"), e) < 0)
        return e->code;
    return work_result(c->s, id, result, e);
}

static int add_item(const cv_work_item *w, void *ctx)
{
    json_array_append_new(ctx, cv_work_json(w));
    return 0;
}

static int work_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_work_filter f = {
        .org = cv_op_text(args, "org"),
        .term = cv_op_text(args, "term"),
        .group = cv_op_text(args, "group"),
        .subcommittee = cv_op_text(args, "subcommittee"),
        .overdue = cv_op_bool(args, "overdue", 0),
        .open_only = cv_op_bool(args, "open", 0),
    };
    json_t *rows = json_array();
    if (cv_work_list(c->s, &f, add_item, rows, e) < 0) {
        json_decref(rows);
        return e->code;
    }
    *result = rows;
    return 0;
}

static int status(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_status_report(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"), result, e);
}

static const cv_op_arg plan_args[] = {
    CODE("org", 1, "the organisation"),
    {"ordinal", CV_ARG_TEXT, 1, 0, 15, "VII or 7"},
    TERM,
    {"kind", CV_ARG_TEXT, 0, 0, 15, "delegates or members"},
    DATE("start", 0, "planned first day"),
    DATE("end", 0, "planned last day"),
    {"pilot", CV_ARG_BOOL, 0, 0, 0, "a pilot congress"},
    {"direct_secretary", CV_ARG_BOOL, 0, 0, 0, "piloting the direct election of the secretary"},
    END};
static const cv_op_arg set_args[] = {
    CODE("org", 1, "the organisation"),
    TERM,
    {"kind", CV_ARG_TEXT, 0, 0, 15, "delegates or members"},
    DATE("start", 0, "planned first day"),
    DATE("end", 0, "planned last day"),
    {"pilot", CV_ARG_BOOL, 0, 0, 0, "a pilot congress"},
    {"direct_secretary", CV_ARG_BOOL, 0, 0, 0, "piloting the direct election of the secretary"},
    {"summoned", CV_ARG_INT, 0, 0, 100000, "delegates summoned"},
    {"present", CV_ARG_INT, 0, 0, 100000, "delegates present"},
    END};
static const cv_op_arg org_term_args[] = {CODE("org", 1, "the organisation"), TERM, END};
static const cv_op_arg held_args[] = {CODE("org", 1, "the organisation"),
                                      TERM,
                                      DATE("on", 1, "first day"),
                                      DATE("to", 0, "last day (one day)"),
                                      TEXT("override", 0, "why a rule is knowingly broken"),
                                      END};
static const cv_op_arg subcommittee_args[] = {CODE("org", 1, "the congress's organisation"), TERM,
                                              CODE("code", 1, "the subcommittee"),
                                              TEXT("name", 1, "its name"), END};
static const cv_op_arg work_add_args[] = {CODE("org", 1, "the congress's organisation"),
                                          TERM,
                                          TEXT("title", 1, "what is to be done"),
                                          TEXT("group", 1, "the group of work"),
                                          CODE("subcommittee", 0, "the subcommittee"),
                                          TEXT("unit", 0, "the unit responsible"),
                                          TEXT("person", 0, "the person responsible"),
                                          DATE("due", 0, "due date"),
                                          {"budget", CV_ARG_INT, 0, 0, INT64_MAX / 4, "VND"},
                                          END};
static const cv_op_arg work_assign_args[] = {ID("id", "the work item"),
                                             TEXT("unit", 0, "the unit responsible"),
                                             TEXT("person", 0, "the person responsible"), END};
static const cv_op_arg work_done_args[] = {ID("id", "the work item"), DATE("on", 0, "(today)"),
                                           END};
static const cv_op_arg work_list_args[] = {CODE("org", 0, "a subtree (none: all)"),
                                           TERM,
                                           TEXT("group", 0, "one group"),
                                           CODE("subcommittee", 0, "one subcommittee"),
                                           {"overdue", CV_ARG_BOOL, 0, 0, 0, "open and late"},
                                           {"open", CV_ARG_BOOL, 0, 0, 0, "open only"},
                                           END};
static const cv_op_arg status_args[] = {CODE("org", 0, "a subtree (none: every root)"), TERM, END};

#define SECRETARY    CV_ROLE_SECRETARY
#define SUBCOMMITTEE CV_ROLE_SUBCOMMITTEE

const cv_op cv_ops_congress[] = {
    {"congress.plan", "plan an organisation's congress in a term", plan_args, OFFICE | SECRETARY,
     CV_AT_ORG, "org", 0, NULL, 1, congress_plan,
     "{\"org\":\"$ORG\",\"ordinal\":\"I\",\"term\":\"2025-2030\"}"},
    {"congress.set", "change a congress's dates, flags or delegate figures", set_args,
     OFFICE | SECRETARY, CV_AT_ORG, "org", 0, NULL, 1, congress_set,
     "{\"org\":\"$ORG\",\"summoned\":120,\"present\":118}"},
    {"congress.prepare", "move a planned congress to preparing", org_term_args, OFFICE | SECRETARY,
     CV_AT_ORG, "org", 0, NULL, 1, congress_prepare, "{\"org\":\"$ORG\"}"},
    {"congress.held", "record that a congress was held", held_args, OFFICE | SECRETARY, CV_AT_ORG,
     "org", 0, NULL, 1, congress_held,
     "{\"org\":\"$ORG\",\"on\":\"2020-05-20\",\"override\":\"matrix test\"}"},
    {"congress.show", "one congress", org_term_args, ALL, CV_AT_ORG, "org", 0, NULL, 0,
     congress_show, "{\"org\":\"$ORG\"}"},
    {"subcommittee.add", "add a subcommittee to a congress", subcommittee_args, OFFICE, CV_AT_ORG,
     "org", 0, NULL, 1, subcommittee_add,
     "{\"org\":\"$ORG\",\"code\":\"s$N\",\"name\":\"Tiểu ban mới\"}"},
    {"work.add", "add a work item to a congress", work_add_args, OFFICE | SUBCOMMITTEE, CV_AT_ORG,
     "org", 0, NULL, 1, work_add,
     "{\"org\":\"$ORG\",\"title\":\"In tài liệu\",\"group\":\"Hậu cần\"}"},
    {"work.assign", "set who is responsible for a work item", work_assign_args,
     OFFICE | SUBCOMMITTEE, CV_AT_WORK, "id", 0, NULL, 1, work_assign,
     "{\"id\":$WORK,\"unit\":\"Văn phòng\"}"},
    {"work.done", "mark a work item done", work_done_args, OFFICE | SECRETARY | SUBCOMMITTEE,
     CV_AT_WORK, "id", 0, NULL, 1, work_done, "{\"id\":$WORK}"},
    {"work.list", "the work items of a subtree", work_list_args, ALL, CV_AT_ORG, "org", 0, NULL, 0,
     work_list, "{\"org\":\"$ORG\"}"},
    {"status", "how far the congresses of a subtree have come", status_args, ALL, CV_AT_ORG, "org",
     0, NULL, 0, status, "{\"org\":\"$ORG\"}"},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL, 0, NULL, NULL},
};
