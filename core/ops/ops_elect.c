/* ops_elect.c: the operations on elections: creating and opening them, the candidate list
 * (several changes in one transaction, so a refused removal undoes the addition before it),
 * attendance, the tally and its corrections, announcing, approving, further rounds, and reading
 * an election, its explanation and its minutes. */
#include <stdlib.h>
#include <string.h>

#include "elect/election.h"
#include "elect/minutes.h"
#include "base/bound.h"
#include "base/text.h"
#include "ops/ops.h"
#include "report/report.h"

#define ELECTORS (CV_ROLE_OFFICE | CV_ROLE_ORGANISATION)

#define PERSON(n, help)                                                                            \
    {                                                                                              \
        n, CV_ARG_CODE, 0, 0, 0, help                                                              \
    }

/* Adds then removes, as `election candidates ID --add X --remove Y` reads; either failing leaves
 * the list as it was (ops.c rolls the whole operation back). */
static int candidates(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    const char *add = cv_op_text(args, "add"), *rm = cv_op_text(args, "remove");
    const char *source = cv_op_text(args, "source");
    int64_t agree = cv_op_int(args, "agree", -1);
    if (!source)
        source = "list";
    if (add && strcmp(source, "list") != 0 && agree < 0)
        return cv_err_set(e, CV_EINVAL, "a %s nominee needs --agree N (the opinion ballot)",
                          source);
    if ((add && cv_election_add_candidate(c->s, id, add, source, agree, e) < 0) ||
        (rm && cv_election_remove_candidate(c->s, id, rm, e) < 0))
        return e->code;
    return cv_election_json(c->s, id, result, e);
}

static int show(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_election_json(c->s, cv_op_int(args, "id", 0), result, e);
}

static int add_json(int64_t id, void *ctx)
{
    void **c = ctx;
    json_t *j;
    if (cv_election_json(c[0], id, &j, c[1]) < 0)
        return ((cv_err *)c[1])->code;
    json_array_append_new(c[2], j);
    return 0;
}

static int list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    json_t *rows = json_array();
    void *ctx[] = {c->s, e, rows};
    if (cv_election_list(c->s, cv_op_text(args, "org"), cv_op_text(args, "term"), add_json, ctx,
                         e) < 0) {
        json_decref(rows);
        return e->code;
    }
    *result = rows;
    return 0;
}

/* A list argument's texts as an array of C strings into *out (malloc'd; free it). */
static int names_of(json_t *list, const char ***out, int *n, cv_err *e)
{
    *n = (int)json_array_size(list);
    *out = calloc((size_t)*n + 1, sizeof **out);
    if (!*out)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    for (int i = 0; i < *n; i++)
        (*out)[i] = json_string_value(json_array_get(list, (size_t)i));
    return 0;
}

static int create_or_open(const cv_op_ctx *c, json_t *args, json_t **result, int open, cv_err *e)
{
    cv_election_spec spec = {.org = cv_op_text(args, "org"),
                             .term = cv_op_text(args, "term"),
                             .body = cv_op_text(args, "body"),
                             .seats = cv_op_int(args, "seats", 0)};
    const char **names;
    int64_t id;
    if (names_of(json_object_get(args, "candidates"), &names, &spec.count, e) < 0)
        return e->code;
    spec.candidates = names;
    int rc = open ? cv_election_open(c->s, &spec, &id, e) : cv_election_create(c->s, &spec, &id, e);
    free(names);
    return rc < 0 ? rc : cv_election_json(c->s, id, result, e);
}

static int create(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return create_or_open(c, args, result, 0, e);
}

static int open_new(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return create_or_open(c, args, result, 1, e);
}

static int start(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    return cv_election_start(c->s, id, e) < 0 ? e->code : cv_election_json(c->s, id, result, e);
}

static const char *const attendance_names[] = {
    "summoned",         "transferred",       "exempt_absent", "suspended", "excused_absent",
    "convening_absent", "unreplaced_absent", "alternates_in", "attending"};

static int attendance(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    cv_attendance a;
    int64_t *f[] = {&a.summoned,          &a.transferred,    &a.exempt_absent,
                    &a.suspended,         &a.excused_absent, &a.convening_absent,
                    &a.unreplaced_absent, &a.alternates_in,  &a.attending};
    for (int i = 0; i < 9; i++)
        *f[i] = cv_op_int(args, attendance_names[i], i == 8 ? -1 : 0);
    if (cv_election_set_attendance(c->s, id, &a, e) < 0)
        return e->code;
    return cv_election_json(c->s, id, result, e);
}

/* The ballots' figures and "PERSON=VOTES" texts of a tally or a correction. */
typedef struct tally_args {
    cv_tally t;
    const char **codes;
    int64_t *votes;
    char *text; /* the votes' texts, cut at '=' */
    int n;
} tally_args;

static void tally_free(tally_args *t)
{
    free(t->codes);
    free(t->votes);
    free(t->text);
}

static int tally_read(json_t *args, tally_args *t, cv_err *e)
{
    json_t *list = json_object_get(args, "votes");
    size_t bytes = 0;
    *t = (tally_args){.t = {cv_op_int(args, "issued", -1), cv_op_int(args, "returned", -1),
                            cv_op_int(args, "valid", -1), cv_op_int(args, "invalid", -1)},
                      .n = (int)json_array_size(list)};
    for (int i = 0; i < t->n; i++)
        bytes += json_string_length(json_array_get(list, (size_t)i)) + 1;
    t->codes = calloc((size_t)t->n + 1, sizeof *t->codes);
    t->votes = calloc((size_t)t->n + 1, sizeof *t->votes);
    t->text = malloc(bytes + 1);
    if (!t->codes || !t->votes || !t->text)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    char *p = t->text;
    for (int i = 0; i < t->n; i++) {
        const char *item = json_string_value(json_array_get(list, (size_t)i));
        char *eq;
        strcpy(p, item);
        if (!(eq = strchr(p, '=')))
            return cv_err_set(e, CV_EINVAL, "'%s' is not PERSON=VOTES", item);
        *eq = '\0';
        t->codes[i] = p;
        if (cv_text_count(eq + 1, &t->votes[i], "votes", e) < 0)
            return e->code;
        p += strlen(item) + 1;
    }
    return 0;
}

static int tally_or_correct(const cv_op_ctx *c, json_t *args, json_t **result, int correct,
                            cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    tally_args t;
    int rc = tally_read(args, &t, e);
    if (rc == 0)
        rc = correct
                 ? cv_election_correct(c->s, id, cv_op_text(args, "by"), cv_op_text(args, "reason"),
                                       &t.t, t.codes, t.votes, t.n, e)
                 : cv_election_tally(c->s, id, &t.t, t.codes, t.votes, t.n, e);
    tally_free(&t);
    return rc < 0 ? rc : cv_election_json(c->s, id, result, e);
}

static int tally(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return tally_or_correct(c, args, result, 0, e);
}

static int correct(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return tally_or_correct(c, args, result, 1, e);
}

static int announce(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    return cv_election_announce(c->s, id, e) < 0 ? e->code : cv_election_json(c->s, id, result, e);
}

static int approve(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    int64_t id = cv_op_int(args, "id", 0);
    return cv_election_approve(c->s, id, e) < 0 ? e->code : cv_election_json(c->s, id, result, e);
}

static int next_round(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    json_t *list = json_object_get(args, "candidates");
    const char **names;
    int n;
    int64_t next;
    if (names_of(list, &names, &n, e) < 0)
        return e->code;
    int rc =
        cv_election_next_round(c->s, cv_op_int(args, "id", 0), list ? names : NULL, n, &next, e);
    free(names);
    return rc < 0 ? rc : cv_election_json(c->s, next, result, e);
}

static int count(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_minutes_explain(c->s, cv_op_int(args, "id", 0), result, e);
}

static int minutes(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)cv_op_int(args, "id", 0));
    return cv_report_minutes(c->s, NULL, id, result, e);
}

#define ELECTION_ID                                                                                \
    {                                                                                              \
        "id", CV_ARG_INT, 1, 1, INT64_MAX, "the election"                                          \
    }
#define CANDIDATES                                                                                 \
    {                                                                                              \
        "candidates", CV_ARG_LIST, 0, 0, CV_ELECT_MAX_CANDIDATES, "people's codes, in list order"  \
    }
#define COUNT(n, req, help)                                                                        \
    {                                                                                              \
        n, CV_ARG_INT, req, 0, CV_PEOPLE_MAX, help                                                 \
    }
#define TALLY                                                                                      \
    ELECTION_ID, COUNT("issued", 1, "ballots issued"), COUNT("returned", 1, "ballots returned"),   \
        COUNT("valid", 1, "valid ballots"), COUNT("invalid", 1, "invalid ballots"),                \
    {                                                                                              \
        "votes", CV_ARG_LIST, 1, 0, CV_ELECT_MAX_CANDIDATES, "PERSON=VOTES, every candidate once"  \
    }

static const cv_op_arg create_args[] = {
    CV_OP_CODE("org", 1, "the congress's organisation"),
    {"body", CV_ARG_TEXT, 1, 0, 15,
     "committee, standing, secretary, deputy, inspection, delegates or alternates"},
    {"seats", CV_ARG_INT, 0, 0, 2000, "seats (the scheme's)"},
    CANDIDATES,
    {"term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"},
    CV_OP_ARGS_END};
static const cv_op_arg id_args[] = {ELECTION_ID, CV_OP_ARGS_END};
static const cv_op_arg attendance_args[] = {
    ELECTION_ID,
    COUNT("summoned", 1, "official members or delegates summoned"),
    COUNT("attending", 0, "present at the session"),
    COUNT("transferred", 0, "members' congress: on temporary transfer"),
    COUNT("exempt_absent", 0, "members' congress: exempted from activity and absent"),
    COUNT("suspended", 0, "members' congress: suspended or prosecuted"),
    COUNT("excused_absent", 0, "members' congress: absent all congress, reason accepted"),
    COUNT("convening_absent", 0, "delegates' congress: convening committee absent"),
    COUNT("unreplaced_absent", 0, "delegates' congress: absent, no alternate"),
    COUNT("alternates_in", 0, "delegates' congress: alternates replacing absent delegates"),
    CV_OP_ARGS_END};
static const cv_op_arg tally_args_[] = {TALLY, CV_OP_ARGS_END};
static const cv_op_arg correct_args[] = {
    TALLY,
    {"by", CV_ARG_TEXT, 0, 0, 255, "who corrects it (required)"},
    {"reason", CV_ARG_TEXT, 0, 0, 1023, "why (required)"},
    CV_OP_ARGS_END};
static const cv_op_arg round_args[] = {ELECTION_ID, CANDIDATES, CV_OP_ARGS_END};

static const cv_op_arg candidates_args[] = {
    {"id", CV_ARG_INT, 1, 1, INT64_MAX, "the election"},
    PERSON("add", "a person's code to add"),
    {"source", CV_ARG_TEXT, 0, 0, 15, "list, floor or self (list)"},
    {"agree", CV_ARG_INT, 0, 0, CV_PEOPLE_MAX,
     "votes for a floor or self nominee in the opinion ballot"},
    PERSON("remove", "a person's code to remove"),
    CV_OP_ARGS_END};
static const cv_op_arg list_args[] = {
    {"org", CV_ARG_CODE, 0, 0, 0, "the congress's organisation (all)"},
    {"term", CV_ARG_TEXT, 0, 0, 15, "the term (current)"},
    CV_OP_ARGS_END};
static const cv_op_arg show_args[] = {{"id", CV_ARG_INT, 1, 1, INT64_MAX, "the election"},
                                      CV_OP_ARGS_END};

#define VOTES(a, b)                                                                                \
    "\"issued\":100,\"returned\":100,\"valid\":100,\"invalid\":0,\"votes\":[\"$ORG-p1=" a          \
    "\",\"$ORG-p2=" b "\"]"

const cv_op cv_ops_elect[] = {
    {"election.create", "create an election with its list of candidates", create_args, ELECTORS,
     CV_AT_ORG, "org", 0, NULL, 1, create,
     "{\"org\":\"$ORG\",\"body\":\"deputy\",\"seats\":1,\"candidates\":[\"$PERSON\"]}"},
    {"election.open", "create and open an election with the attendance of the session", create_args,
     ELECTORS, CV_AT_ORG, "org", 0, NULL, 1, open_new,
     "{\"org\":\"$ORG\",\"body\":\"secretary\",\"seats\":1,\"candidates\":[\"$PERSON\"]}"},
    {"election.start", "open a created election: its list and base are fixed", id_args, ELECTORS,
     CV_AT_ELECTION, "id", 0, NULL, 1, start, "{\"id\":$ELECTION}"},
    {"election.attendance", "record the attendance an election's base comes from", attendance_args,
     ELECTORS, CV_AT_ELECTION, "id", 0, NULL, 1, attendance,
     "{\"id\":$ELECTION,\"summoned\":120,\"attending\":118}"},
    {"election.tally", "enter the counting committee's tally", tally_args_, ELECTORS,
     CV_AT_ELECTION, "id", 0, NULL, 1, tally, "{\"id\":$OPEN," VOTES("80", "70") "}"},
    {"election.correct", "correct an announced tally, recording who and why", correct_args,
     ELECTORS, CV_AT_ELECTION, "id", 0, NULL, 1, correct,
     "{\"id\":$ANNOUNCED," VOTES("81", "70") ",\"by\":\"Ban kiểm phiếu\","
                                             "\"reason\":\"Đếm lại\"}"},
    {"election.announce", "announce a counted result", id_args, ELECTORS, CV_AT_ELECTION, "id", 0,
     NULL, 1, announce, "{\"id\":$COUNTED}"},
    {"election.approve", "record the approval of an announced result (final)", id_args, ELECTORS,
     CV_AT_ELECTION, "id", 0, NULL, 1, approve, "{\"id\":$ANNOUNCED}"},
    {"election.round", "open a further round for the seats still free", round_args, ELECTORS,
     CV_AT_ELECTION, "id", 0, NULL, 1, next_round, "{\"id\":$COUNTED}"},
    {"election.count", "the outcome explained, one sentence per figure and candidate", id_args,
     CV_ROLES_ALL, CV_AT_ELECTION, "id", 0, NULL, 0, count, "{\"id\":$COUNTED}"},
    {"election.minutes", "the counting minutes as a report document", id_args, CV_ROLES_ALL,
     CV_AT_ELECTION, "id", 0, NULL, 0, minutes, "{\"id\":$COUNTED}"},
    {"election.candidates", "add and/or remove candidates, all or nothing", candidates_args,
     ELECTORS, CV_AT_ELECTION, "id", 0, NULL, 1, candidates,
     "{\"id\":$ELECTION,\"add\":\"$PERSON\"}"},
    {"election.show", "an election, its candidates and figures", show_args, CV_ROLES_ALL,
     CV_AT_ELECTION, "id", 0, NULL, 0, show, "{\"id\":$ELECTION}"},
    {"election.list", "the elections of a congress", list_args, CV_ROLES_ALL, CV_AT_ORG, "org", 0,
     NULL, 0, list, "{\"org\":\"$ORG\"}"},
    CV_OPS_END,
};
