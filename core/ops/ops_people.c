/* ops_people.c: the people who may stand as candidates (adding, changing, reading them) and
 * the complaints and denunciations about them, and the personnel scheme they are chosen by. Acting
 * on a person is acting on its organisation; moving one to another organisation needs the right
 * there too. */
#include "elect/allocate.h"
#include "elect/complaint.h"
#include "elect/person.h"
#include "elect/scheme.h"
#include "base/bound.h"
#include "ops/ops.h"

#define PEOPLE (CV_ROLE_OFFICE | CV_ROLE_ORGANISATION)
#define TEXT(n, help)                                                                              \
    {                                                                                              \
        n, CV_ARG_TEXT, 0, 0, CV_NAME_MAX - 1, help                                                \
    }

static int person_result(cv_store *s, const char *code, json_t **result, cv_err *e)
{
    cv_person p;
    if (cv_person_get(s, code, &p, e) < 0)
        return e->code;
    *result = cv_person_json(&p);
    return 0;
}

static void read_spec(json_t *args, cv_person_spec *spec)
{
    *spec = (cv_person_spec){
        .code = cv_op_text(args, "code"),
        .name = cv_op_text(args, "name"),
        .born = cv_op_text(args, "born"),
        .gender = cv_op_text(args, "gender"),
        .ethnicity = cv_op_text(args, "ethnicity"),
        .org = cv_op_text(args, "org"),
        .titles = cv_op_text(args, "titles"),
        .incumbent = cv_op_bool(args, "incumbent", -1),
    };
}

static int person_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_person_spec spec;
    read_spec(args, &spec);
    if (cv_person_add(c->s, &spec, NULL, e) < 0)
        return e->code;
    return person_result(c->s, spec.code, result, e);
}

static int person_set(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_person_spec spec;
    read_spec(args, &spec);
    if (cv_person_set(c->s, &spec, e) < 0)
        return e->code;
    return person_result(c->s, spec.code, result, e);
}

static int person_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return person_result(c->s, cv_op_text(args, "code"), result, e);
}

static int add_person(const cv_person *p, void *ctx)
{
    json_array_append_new(ctx, cv_person_json(p));
    return 0;
}

static int person_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    json_t *rows = json_array();
    if (cv_person_list(c->s, cv_op_text(args, "org"), add_person, rows, e) < 0) {
        json_decref(rows);
        return e->code;
    }
    *result = rows;
    return 0;
}

static const cv_op_arg edit_args[] = {
    CV_OP_CODE("code", 1, "the person's code"),
    TEXT("name", "the full name"),
    CV_OP_DATE("born", 0, "date of birth"),
    {"gender", CV_ARG_TEXT, 0, 0, 15, "male or female"},
    TEXT("ethnicity", "ethnicity"),
    CV_OP_CODE("org", 0, "the organisation"),
    TEXT("titles", "posts held"),
    {"incumbent", CV_ARG_BOOL, 0, 0, 0, "in the outgoing committee"},
    CV_OP_ARGS_END};
static const cv_op_arg code_args[] = {CV_OP_CODE("code", 1, "the person's code"), CV_OP_ARGS_END};
static const cv_op_arg list_args[] = {CV_OP_CODE("org", 0, "one organisation's people (all)"),
                                      CV_OP_ARGS_END};

const cv_op cv_ops_people[] = {
    {"person.add", "add a person", edit_args, PEOPLE, CV_AT_ORG, "org", 0, NULL, 1, person_add,
     "{\"code\":\"n$N\",\"name\":\"Lê Thị Hoa\",\"org\":\"$ORG\"}"},
    {"person.set", "change a person (moving one needs the new organisation too)", edit_args, PEOPLE,
     CV_AT_PERSON, "code", CV_AT_ORG, "org", 1, person_set,
     "{\"code\":\"$PERSON\",\"titles\":\"Phó Bí thư\"}"},
    {"person.show", "one person", code_args, CV_ROLES_ALL, CV_AT_PERSON, "code", 0, NULL, 0,
     person_show, "{\"code\":\"$PERSON\"}"},
    {"person.list", "the people of an organisation", list_args, CV_ROLES_ALL, CV_AT_ORG, "org", 0,
     NULL, 0, person_list, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};

/* complaints and denunciations --------------------------------------------------------------- */

#define COMPLAINTS (CV_ROLE_OFFICE | CV_ROLE_ORGANISATION)

static int complaint_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_complaint_spec spec = {
        .org = cv_op_text(args, "org"),
        .term = cv_op_text(args, "term"),
        .kind = cv_op_text(args, "kind"),
        .sender = cv_op_text(args, "from"),
        .address = cv_op_text(args, "address"),
        .about = cv_op_text(args, "about"),
        .summary = cv_op_text(args, "summary"),
        .received = cv_op_text(args, "received"),
        .false_name = cv_op_bool(args, "false_name", 0),
        .not_specific = cv_op_bool(args, "not_specific", 0),
        .refiled = cv_op_bool(args, "refiled", 0),
        .new_evidence = cv_op_bool(args, "new_evidence", 0),
    };
    int64_t id;
    json_t *all;
    if (cv_complaint_add(c->s, &spec, &id, e) < 0 ||
        cv_complaint_list(c->s, spec.org, spec.term, CV_COMPLAINTS_ALL, &all, e) < 0)
        return e->code;
    *result = json_incref(json_array_get(all, json_array_size(all) - 1));
    json_decref(all);
    return 0;
}

static int complaint_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int which = cv_op_bool(args, "candidates", 0) ? CV_COMPLAINTS_CANDIDATES
                : cv_op_bool(args, "open", 0)     ? CV_COMPLAINTS_OPEN
                                                  : CV_COMPLAINTS_ALL;
    return cv_complaint_list(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"), which, result,
                             e);
}

static int complaint_settle(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    if (cv_complaint_settle(c->s, id, cv_op_text(args, "on"), cv_op_text(args, "conclusion"), e) <
        0)
        return e->code;
    *result = json_pack("{sI ss}", "id", (json_int_t)id, "status", "settled");
    return 0;
}

#define FLAG(n, help)                                                                              \
    {                                                                                              \
        n, CV_ARG_BOOL, 0, 0, 0, help                                                              \
    }
#define TERM                                                                                       \
    {                                                                                              \
        "term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"                                        \
    }

static const cv_op_arg complaint_add_args[] = {
    CV_OP_CODE("org", 1, "the congress's organisation"),
    {"kind", CV_ARG_TEXT, 1, 0, 15, "complaint or denunciation"},
    TEXT("from", "the sender (none: anonymous)"),
    TEXT("address", "the sender's address"),
    CV_OP_CODE("about", 0, "the person it is about"),
    TEXT("summary", "what it says"),
    CV_OP_DATE("received", 0, "when it was received (today)"),
    FLAG("false_name", "sent under a false name"),
    FLAG("not_specific", "names no specific fact"),
    FLAG("refiled", "sent again"),
    FLAG("new_evidence", "with new evidence"),
    TERM,
    CV_OP_ARGS_END};
static const cv_op_arg complaint_list_args[] = {
    CV_OP_CODE("org", 1, "the organisation"), FLAG("open", "only those still open"),
    FLAG("candidates", "only those about candidates"), TERM, CV_OP_ARGS_END};
static const cv_op_arg complaint_settle_args[] = {
    {"id", CV_ARG_INT, 1, 1, INT64_MAX, "the complaint"},
    CV_OP_DATE("on", 0, "(today)"),
    TEXT("conclusion", "the conclusion"),
    CV_OP_ARGS_END};

const cv_op cv_ops_complaints[] = {
    {"complaint.add", "register a complaint or a denunciation", complaint_add_args, COMPLAINTS,
     CV_AT_ORG, "org", 0, NULL, 1, complaint_add,
     "{\"org\":\"$ORG\",\"kind\":\"complaint\",\"from\":\"Nguyễn Văn B\",\"address\":\"Tổ 3\","
     "\"about\":\"$PERSON\",\"summary\":\"Kê khai tài sản\"}"},
    {"complaint.list", "the complaints of a congress", complaint_list_args, CV_ROLES_ALL, CV_AT_ORG,
     "org", 0, NULL, 0, complaint_list, "{\"org\":\"$ORG\"}"},
    {"complaint.settle", "settle a complaint with its conclusion", complaint_settle_args,
     COMPLAINTS, CV_AT_COMPLAINT, "id", 0, NULL, 1, complaint_settle,
     "{\"id\":$COMPLAINT,\"conclusion\":\"Không có cơ sở\"}"},
    CV_OPS_END,
};

/* the personnel scheme ------------------------------------------------------------------------ */

static int scheme_result(cv_store *s, json_t *args, json_t **result, cv_err *e)
{
    return cv_scheme_json(s, cv_op_text(args, "org"), cv_op_text(args, "term"), result, e);
}

static int scheme_seats(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scheme_set_seats(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                            cv_op_text(args, "body"), cv_op_int(args, "seats", 0), e) < 0)
        return e->code;
    return scheme_result(c->s, args, result, e);
}

/* A target without a percentage is removed. */
static int scheme_target(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scheme_set_target(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                             cv_op_text(args, "target"), (int)cv_op_int(args, "pct", -1), e) < 0)
        return e->code;
    return scheme_result(c->s, args, result, e);
}

static int scheme_contents(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scheme_set_contents(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                               (int)cv_op_int(args, "contents", 0), e) < 0)
        return e->code;
    return scheme_result(c->s, args, result, e);
}

static int scheme_appoint(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_scheme_appoint(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                          cv_op_text(args, "body"), cv_op_text(args, "person"), e) < 0)
        return e->code;
    return scheme_result(c->s, args, result, e);
}

static int scheme_show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return scheme_result(c->s, args, result, e);
}

static int scheme_check(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_scheme_check(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"),
                           cv_op_text(args, "body"), result, e);
}

#define BODY                                                                                       \
    {                                                                                              \
        "body", CV_ARG_TEXT, 1, 0, 15, "committee, standing, secretary, ..."                       \
    }

static const cv_op_arg seats_args[] = {CV_OP_CODE("org", 1, "the organisation"),
                                       BODY,
                                       {"seats", CV_ARG_INT, 1, 0, 1000, "seats"},
                                       TERM,
                                       CV_OP_ARGS_END};
static const cv_op_arg target_args[] = {
    CV_OP_CODE("org", 1, "the organisation"),
    {"target", CV_ARG_TEXT, 1, 0, 15, "women, minorities, under40, age40to50, over50, renewal"},
    {"pct", CV_ARG_INT, 0, 0, 100, "the minimum percentage (none: remove the target)"},
    TERM,
    CV_OP_ARGS_END};
static const cv_op_arg contents_args[] = {CV_OP_CODE("org", 1, "the organisation"),
                                          {"contents", CV_ARG_INT, 1, 0, 4, "4, 3 or 2"},
                                          TERM,
                                          CV_OP_ARGS_END};
static const cv_op_arg appoint_args[] = {CV_OP_CODE("org", 1, "the organisation"), BODY,
                                         CV_OP_CODE("person", 1, "the person appointed"), TERM,
                                         CV_OP_ARGS_END};
static const cv_op_arg scheme_args[] = {CV_OP_CODE("org", 1, "the organisation"), TERM,
                                        CV_OP_ARGS_END};
static const cv_op_arg check_args[] = {CV_OP_CODE("org", 1, "the organisation"),
                                       {"body", CV_ARG_TEXT, 0, 0, 15, "one body (committee)"},
                                       TERM,
                                       CV_OP_ARGS_END};

const cv_op cv_ops_scheme[] = {
    {"scheme.seats", "set the seats of a body in the personnel scheme", seats_args, PEOPLE,
     CV_AT_ORG, "org", 0, NULL, 1, scheme_seats,
     "{\"org\":\"$ORG\",\"body\":\"committee\",\"seats\":5}"},
    {"scheme.target", "set or remove a structure target of the scheme", target_args, PEOPLE,
     CV_AT_ORG, "org", 0, NULL, 1, scheme_target,
     "{\"org\":\"$ORG\",\"target\":\"women\",\"pct\":15}"},
    {"scheme.contents", "how many contents the congress votes on", contents_args, PEOPLE, CV_AT_ORG,
     "org", 0, NULL, 1, scheme_contents, "{\"org\":\"$ORG\",\"contents\":4}"},
    {"scheme.appoint", "record a person appointed to a body the congress does not elect",
     appoint_args, PEOPLE, CV_AT_ORG, "org", 0, NULL, 1, scheme_appoint,
     "{\"org\":\"$CELL\",\"term\":\"2025-2030\",\"body\":\"committee\",\"person\":"
     "\"$PERSON\"}"},
    {"scheme.show", "the personnel scheme of a congress", scheme_args, CV_ROLES_ALL, CV_AT_ORG,
     "org", 0, NULL, 0, scheme_show, "{\"org\":\"$ORG\"}"},
    {"scheme.check", "check an election's list against the scheme", check_args, CV_ROLES_ALL,
     CV_AT_ORG, "org", 0, NULL, 0, scheme_check, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};

/* delegate allocation -------------------------------------------------------------------------- */

/* Computes (and stores nothing) how a congress's delegates are shared among the organisations
 * directly below org. */
static int allocate(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_alloc_request r = {.total = cv_op_int(args, "total", 0),
                          .ex_officio = cv_op_int(args, "ex_officio", 0),
                          .minimum = cv_op_int(args, "minimum", 1)};
    return cv_alloc_run(c->s, cv_op_text(args, "org"), cv_op_text(args, "method"), &r, result, e);
}

static const cv_op_arg allocate_args[] = {
    CV_OP_CODE("org", 1, "the congress's organisation"),
    {"total", CV_ARG_INT, 1, 0, CV_PEOPLE_MAX, "delegates of the congress"},
    {"ex_officio", CV_ARG_INT, 0, 0, CV_PEOPLE_MAX, "seats held ex officio (0)"},
    {"minimum", CV_ARG_INT, 0, 0, CV_PEOPLE_MAX, "at least this many per organisation (1)"},
    {"method", CV_ARG_TEXT, 0, 0, 63, "the method (largest-remainder)"},
    CV_OP_ARGS_END};

const cv_op cv_ops_allocate[] = {
    {"allocate", "share a congress's delegates among the organisations below", allocate_args,
     PEOPLE, CV_AT_ORG, "org", 0, NULL, 0, allocate, "{\"org\":\"$ORG\",\"total\":100}"},
    CV_OPS_END,
};
