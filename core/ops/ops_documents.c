/* ops_documents.c: the operations on congress documents and their versions, the comment rounds
 * they go through, plans and legal references, and the scenarios plans are made in. The file of
 * a version or a response is a CV_ARG_FILE the front end provides; a document added with its
 * file is added with its first version in the same transaction. */
#include <string.h>

#include "docs/document.h"
#include "docs/file.h"
#include "docs/plan.h"
#include "docs/round.h"
#include "docs/scenario.h"
#include "base/text.h"
#include "ops/ops.h"

#define WRITERS (CV_ROLE_OFFICE | CV_ROLE_SECRETARY | CV_ROLE_SUBCOMMITTEE)
#define EDITORS (CV_ROLE_OFFICE | CV_ROLE_SUBCOMMITTEE)
#define TEXT(n, req, help)                                                                         \
    {                                                                                              \
        n, CV_ARG_TEXT, req, 0, CV_NAME_MAX - 1, help                                              \
    }
#define LONG(n, help)                                                                              \
    {                                                                                              \
        n, CV_ARG_TEXT, 0, 0, 16383, help                                                          \
    }
#define FILE_ARG(n, help)                                                                          \
    {                                                                                              \
        n, CV_ARG_FILE, 0, 0, 4095, help                                                           \
    }
#define ID(n, help)                                                                                \
    {                                                                                              \
        n, CV_ARG_INT, 1, 1, INT64_MAX, help                                                       \
    }
#define TERM                                                                                       \
    {                                                                                              \
        "term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"                                        \
    }

/* documents ---------------------------------------------------------------------------------- */

static int doc_add_version(cv_store *s, int64_t doc, json_t *args, cv_err *e)
{
    cv_doc_version_spec spec = {.doc = doc,
                                .file = cv_op_text(args, "file"),
                                .link = cv_op_text(args, "link"),
                                .author = cv_op_text(args, "by"),
                                .note = cv_op_text(args, "note")};
    if (!spec.author)
        return cv_err_set(e, CV_EINVAL, N_("a version needs by (who made it)"));
    return cv_doc_add_version(s, &spec, NULL, e);
}

/* A document, and its first version when a file (or link) comes with it. */
static int doc_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *kind = cv_op_text(args, "kind");
    int64_t id;
    if (cv_doc_add(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"), kind ? kind : "other",
                   cv_op_text(args, "title"), &id, e) < 0)
        return e->code;
    if ((cv_op_text(args, "file") || cv_op_text(args, "link")) &&
        doc_add_version(c->s, id, args, e) < 0)
        return e->code;
    return cv_doc_show(c->s, id, result, e);
}

static int doc_version(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (doc_add_version(c->s, id, args, e) < 0)
        return e->code;
    return cv_doc_show(c->s, id, result, e);
}

/* What a version is (its number, checksum and size, or where it lies), and its bytes written to
 * output when the front end gives one. */
static int doc_get(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0), vid;
    int n = (int)cv_op_int(args, "version", 0);
    const char *output = cv_op_text(args, "output");
    json_t *doc, *versions;
    if (cv_doc_version_id(c->s, id, n, &vid, &n, e) < 0 || cv_doc_show(c->s, id, &doc, e) < 0)
        return e->code;
    *result = json_pack("{s:I, s:s, s:i}", "document", (json_int_t)id, "title",
                        json_string_value(json_object_get(doc, "title")), "version", n);
    versions = json_object_get(doc, "version_list");
    for (size_t i = 0; i < json_array_size(versions); i++)
        if (json_integer_value(json_object_get(json_array_get(versions, i), "n")) == n)
            json_object_update(*result, json_array_get(versions, i));
    json_object_del(*result, "n");
    json_decref(doc);
    if (output && cv_doc_get_file(c->s, id, n, output, e) < 0)
        return e->code;
    return 0;
}

static int doc_status(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_doc_set_status(c->s, id, cv_op_text(args, "status"), e) < 0)
        return e->code;
    return cv_doc_show(c->s, id, result, e);
}

static int doc_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_doc_show(c->s, cv_op_int(args, "id", 0), result, e);
}

static int doc_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_doc_list(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"), result, e);
}

#define VERSION_ARGS                                                                               \
    FILE_ARG("file", "the file to keep in the store"),                                             \
        TEXT("link", 0, "or only where the file lies"), TEXT("by", 0, "who made the version"),     \
        TEXT("note", 0, "what changed")

static const cv_op_arg doc_add_args[] = {
    CV_OP_CODE("org", 1, "the congress's organisation"),
    TEXT("title", 1, "the title"),
    {"kind", CV_ARG_TEXT, 0, 0, 19,
     "political_report, review_report, resolution, action_programme or other (other)"},
    TERM,
    VERSION_ARGS,
    CV_OP_ARGS_END};
static const cv_op_arg doc_version_args[] = {ID("id", "the document"), VERSION_ARGS,
                                             CV_OP_ARGS_END};
static const cv_op_arg doc_get_args[] = {
    ID("id", "the document"),
    {"version", CV_ARG_INT, 0, 1, 100000, "the version (the latest)"},
    FILE_ARG("output", "where to write the bytes"),
    CV_OP_ARGS_END};
static const cv_op_arg doc_status_args[] = {
    ID("id", "the document"),
    {"status", CV_ARG_TEXT, 1, 0, 15, "drafting, consultation, revising, submitted or adopted"},
    CV_OP_ARGS_END};
static const cv_op_arg doc_show_args[] = {ID("id", "the document"), CV_OP_ARGS_END};
static const cv_op_arg doc_list_args[] = {CV_OP_CODE("org", 0, "the congress's organisation (all)"),
                                          TERM, CV_OP_ARGS_END};

/* comment rounds ----------------------------------------------------------------------------- */

static int round_open(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_round_spec spec = {.doc = cv_op_int(args, "doc", 0),
                          .version = (int)cv_op_int(args, "version", 0),
                          .deadline = cv_op_text(args, "deadline"),
                          .children = cv_op_text(args, "children"),
                          .orgs = cv_op_text(args, "orgs"),
                          .predecessors = cv_op_text(args, "predecessors"),
                          .boards = cv_op_text(args, "boards"),
                          .above = cv_op_text(args, "above")};
    int64_t id;
    if (cv_round_open(c->s, &spec, &id, e) < 0)
        return e->code;
    return cv_round_show(c->s, id, result, e);
}

static int round_respond(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_round_respond(c->s, id, cv_op_text(args, "recipient"), cv_op_text(args, "on"),
                         cv_op_text(args, "summary"), cv_op_text(args, "file"), e) < 0)
        return e->code;
    return cv_round_show(c->s, id, result, e);
}

static int round_close(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_round_close(c->s, id, cv_op_text(args, "taken_in"), e) < 0)
        return e->code;
    return cv_round_show(c->s, id, result, e);
}

static int round_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_round_show(c->s, cv_op_int(args, "id", 0), result, e);
}

static int round_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_round_list(c->s, cv_op_int(args, "doc", 0),
                         cv_op_bool(args, "open", 0) ? "open" : NULL, result, e);
}

static const cv_op_arg round_open_args[] = {
    ID("doc", "the document"),
    CV_OP_DATE("deadline", 1, "answers are due by"),
    {"version", CV_ARG_INT, 0, 1, 100000, "the version sent (the latest)"},
    CV_OP_CODE("children", 0, "send to every organisation directly under this one"),
    {"orgs", CV_ARG_TEXT, 0, 0, 65535, "organisation codes, separated by commas"},
    {"predecessors", CV_ARG_TEXT, 0, 0, 65535, "former leaders, separated by ';'"},
    {"boards", CV_ARG_TEXT, 0, 0, 65535, "boards, separated by ';'"},
    {"above", CV_ARG_TEXT, 0, 0, 65535, "the level above, separated by ';'"},
    CV_OP_ARGS_END};
static const cv_op_arg round_respond_args[] = {
    ID("id", "the round"),
    TEXT("recipient", 1, "an organisation's code or a recipient's name"),
    CV_OP_DATE("on", 0, "the day it answered (today)"),
    LONG("summary", "what it said"),
    FILE_ARG("file", "its answer, kept in the store"),
    CV_OP_ARGS_END};
static const cv_op_arg round_close_args[] = {
    ID("id", "the round"), LONG("taken_in", "how the comments were taken in"), CV_OP_ARGS_END};
static const cv_op_arg round_show_args[] = {ID("id", "the round"), CV_OP_ARGS_END};
static const cv_op_arg round_list_args[] = {
    {"doc", CV_ARG_INT, 0, 1, INT64_MAX, "one document's rounds (all)"},
    {"open", CV_ARG_BOOL, 0, 0, 0, "only open rounds"},
    CV_OP_ARGS_END};

/* plans -------------------------------------------------------------------------------------- */

static int plan_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *kind = cv_op_text(args, "kind");
    cv_plan_spec spec = {.number = cv_op_text(args, "number"),
                         .issued = cv_op_text(args, "issued"),
                         .issuer = cv_op_text(args, "issuer"),
                         .kind = kind ? kind : "plan",
                         .title = cv_op_text(args, "title"),
                         .org = cv_op_text(args, "org"),
                         .term = cv_op_text(args, "term"),
                         .subcommittee = cv_op_text(args, "subcommittee"),
                         .department = cv_op_text(args, "department"),
                         .scenario = cv_op_text(args, "scenario")};
    int64_t id;
    char ref[32];
    if (cv_plan_add(c->s, &spec, &id, e) < 0)
        return e->code;
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    return cv_plan_show(c->s, ref, result, e);
}

static int plan_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_plan_list(c->s, cv_op_text(args, "org"), cv_op_text(args, "number"), result, e);
}

static int plan_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_plan_show(c->s, cv_op_text(args, "ref"), result, e);
}

static int plan_cite(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *ref = cv_op_text(args, "ref");
    if (cv_plan_cite(c->s, ref, cv_op_int(args, "work", 0), e) < 0)
        return e->code;
    return cv_plan_show(c->s, ref, result, e);
}

#define REF TEXT("ref", 1, "an id, a number, or NUMBER@DATE")

static const cv_op_arg plan_add_args[] = {
    TEXT("number", 1, "its number (76-KH/TU)"),
    CV_OP_DATE("issued", 1, "the day it was issued"),
    TEXT("issuer", 1, "who issued it"),
    {"kind", CV_ARG_TEXT, 0, 0, 15,
     "plan, notice, directive, regulation, guidance, decision, resolution or other (plan)"},
    TEXT("title", 0, "its title (the number)"),
    CV_OP_CODE("org", 0, "the organisation whose plan it is (none: an outside text, admin's)"),
    TERM,
    CV_OP_CODE("subcommittee", 0, "a subcommittee of the organisation's congress"),
    TEXT("department", 0, "a department of the organisation"),
    CV_OP_CODE("scenario", 0, "a scenario of the organisation's congress"),
    CV_OP_ARGS_END};
static const cv_op_arg plan_list_args[] = {CV_OP_CODE("org", 0, "one organisation's plans (all)"),
                                           TEXT("number", 0, "plans with this number"),
                                           CV_OP_ARGS_END};
static const cv_op_arg plan_show_args[] = {REF, CV_OP_ARGS_END};
static const cv_op_arg plan_cite_args[] = {REF, ID("work", "the work item citing it"),
                                           CV_OP_ARGS_END};

/* scenarios ---------------------------------------------------------------------------------- */

static int scenarios(cv_store *s, json_t *args, json_t **result, cv_err *e)
{
    return cv_scenario_show(s, cv_op_text(args, "org"), cv_op_text(args, "term"), result, e);
}

static int scenario_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scenario_add(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                        cv_op_text(args, "code"), cv_op_text(args, "name"), e) < 0)
        return e->code;
    return scenarios(c->s, args, result, e);
}

static int scenario_use(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scenario_use(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                        cv_op_text(args, "code"), cv_op_text(args, "notify"), e) < 0)
        return e->code;
    return scenarios(c->s, args, result, e);
}

static int scenario_assign(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scenario_assign(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                           cv_op_text(args, "code"), cv_op_int(args, "work", 0),
                           cv_op_text(args, "plan"), e) < 0)
        return e->code;
    return scenarios(c->s, args, result, e);
}

static int scenario_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return scenarios(c->s, args, result, e);
}

#define SCENARIO                                                                                   \
    CV_OP_CODE("org", 1, "the congress's organisation"), CV_OP_CODE("code", 1, "the scenario")

static const cv_op_arg scenario_add_args[] = {SCENARIO, TEXT("name", 1, "what it foresees"), TERM,
                                              CV_OP_ARGS_END};
static const cv_op_arg scenario_use_args[] = {
    SCENARIO, TEXT("notify", 0, "an e-mail address or URL to announce it to"), TERM,
    CV_OP_ARGS_END};
static const cv_op_arg scenario_assign_args[] = {
    SCENARIO,
    {"work", CV_ARG_INT, 0, 1, INT64_MAX, "a work item to put in it"},
    TEXT("plan", 0, "a plan to put in it (id, number or NUMBER@DATE)"),
    TERM,
    CV_OP_ARGS_END};
static const cv_op_arg scenario_show_args[] = {CV_OP_CODE("org", 1, "the congress's organisation"),
                                               TERM, CV_OP_ARGS_END};

const cv_op cv_ops_documents[] = {
    {"doc.add", "add a congress document (with its first version when a file comes with it)",
     doc_add_args, WRITERS, CV_AT_ORG, "org", 0, NULL, 1, doc_add,
     "{\"org\":\"$ORG\",\"title\":\"Biên bản đại hội\",\"kind\":\"other\"}"},
    {"doc.version", "add the next version of a document: a file kept, or a link", doc_version_args,
     WRITERS, CV_AT_DOCUMENT, "id", 0, NULL, 1, doc_version,
     "{\"id\":$DOC,\"link\":\"//may-chu/du-thao-2.docx\",\"by\":\"Tổ biên tập\"}"},
    {"doc.get", "a version of a document, its bytes written to output", doc_get_args, CV_ROLES_ALL,
     CV_AT_DOCUMENT, "id", 0, NULL, 0, doc_get, "{\"id\":$DOC}"},
    {"doc.status", "move a document to another status", doc_status_args, EDITORS, CV_AT_DOCUMENT,
     "id", 0, NULL, 1, doc_status, "{\"id\":$DOC,\"status\":\"revising\"}"},
    {"doc.show", "a document, its versions and rounds", doc_show_args, CV_ROLES_ALL, CV_AT_DOCUMENT,
     "id", 0, NULL, 0, doc_show, "{\"id\":$DOC}"},
    {"doc.list", "the documents of a congress", doc_list_args, CV_ROLES_ALL, CV_AT_ORG, "org", 0,
     NULL, 0, doc_list, "{\"org\":\"$ORG\"}"},
    {"round.open", "send a version of a document for comments", round_open_args, EDITORS,
     CV_AT_DOCUMENT, "doc", 0, NULL, 1, round_open,
     "{\"doc\":$DOC,\"deadline\":\"2020-06-30\",\"orgs\":\"$CELL\"}"},
    {"round.respond", "record a recipient's answer to a comment round", round_respond_args,
     CV_ROLE_OFFICE | CV_ROLE_SECRETARY, CV_AT_RECIPIENT, "id", 0, NULL, 1, round_respond,
     "{\"id\":$ROUND,\"recipient\":\"$ORG\",\"summary\":\"Nhất trí\"}"},
    {"round.close", "close a comment round, recording how comments were taken in", round_close_args,
     EDITORS, CV_AT_ROUND, "id", 0, NULL, 1, round_close,
     "{\"id\":$ROUND,\"taken_in\":\"Đã tiếp thu\"}"},
    {"round.show", "a comment round with every recipient and answer", round_show_args, CV_ROLES_ALL,
     CV_AT_ROUND, "id", 0, NULL, 0, round_show, "{\"id\":$ROUND}"},
    {"round.list", "the comment rounds of a document", round_list_args, CV_ROLES_ALL,
     CV_AT_DOCUMENT, "doc", 0, NULL, 0, round_list, "{\"doc\":$DOC}"},
    {"plan.add", "record a plan, notice, directive or other text", plan_add_args, EDITORS,
     CV_AT_ORG, "org", 0, NULL, 1, plan_add,
     "{\"number\":\"$N-KH/TU\",\"issued\":\"2020-03-12\",\"issuer\":\"Ban Thường vụ\","
     "\"org\":\"$ORG\"}"},
    {"plan.list", "the plans of an organisation", plan_list_args, CV_ROLES_ALL, CV_AT_ORG, "org", 0,
     NULL, 0, plan_list, "{\"org\":\"$ORG\"}"},
    {"plan.show", "one plan and the work items citing it (plans are published texts)",
     plan_show_args, CV_ROLES_ALL, CV_AT_STORE, NULL, 0, NULL, 0, plan_show, "{\"ref\":\"$PLAN\"}"},
    {"plan.cite", "record that a work item cites a plan", plan_cite_args, EDITORS, CV_AT_WORK,
     "work", 0, NULL, 1, plan_cite, "{\"ref\":\"$PLAN\",\"work\":$WORK}"},
    {"scenario.add", "add a scenario to a congress", scenario_add_args, CV_ROLE_OFFICE, CV_AT_ORG,
     "org", 0, NULL, 1, scenario_add,
     "{\"org\":\"$ORG\",\"code\":\"s$N\",\"name\":\"Dịch lan rộng\"}"},
    {"scenario.use", "make a scenario the active one (announced)", scenario_use_args,
     CV_ROLE_OFFICE, CV_AT_ORG, "org", 0, NULL, 1, scenario_use,
     "{\"org\":\"$ORG\",\"code\":\"a\"}"},
    {"scenario.assign", "put a work item or plan in a scenario", scenario_assign_args,
     CV_ROLE_OFFICE, CV_AT_ORG, "org", 0, NULL, 1, scenario_assign,
     "{\"org\":\"$ORG\",\"code\":\"a\",\"work\":$WORK}"},
    {"scenario.show", "the scenarios of a congress and what each holds", scenario_show_args,
     CV_ROLES_ALL, CV_AT_ORG, "org", 0, NULL, 0, scenario_show, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};
