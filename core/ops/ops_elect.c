/* ops_elect.c: the operations on elections mapped so far: the candidate list (several changes in
 * one transaction, so a refused removal undoes the addition before it) and reading an election. */
#include <string.h>

#include "elect/election.h"
#include "ops/ops.h"

#define PERSON(n, help)                                                                            \
    {                                                                                              \
        n, CV_ARG_CODE, 0, 0, 0, help                                                              \
    }
#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL                                                                     \
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

static const cv_op_arg candidates_args[] = {
    {"id", CV_ARG_INT, 1, 1, INT64_MAX, "the election"},
    PERSON("add", "a person's code to add"),
    {"source", CV_ARG_TEXT, 0, 0, 15, "list, floor or self (list)"},
    {"agree", CV_ARG_INT, 0, 0, 100000, "votes for a floor or self nominee in the opinion ballot"},
    PERSON("remove", "a person's code to remove"),
    END};
static const cv_op_arg show_args[] = {{"id", CV_ARG_INT, 1, 1, INT64_MAX, "the election"}, END};

const cv_op cv_ops_elect[] = {
    {"election.candidates", "add and/or remove candidates, all or nothing", candidates_args,
     CV_ROLE_OFFICE | CV_ROLE_ORGANISATION, CV_AT_ELECTION, "id", 0, NULL, 1, candidates,
     "{\"id\":$ELECTION,\"add\":\"$PERSON\"}"},
    {"election.show", "an election, its candidates and figures", show_args, CV_ROLES_ALL,
     CV_AT_ELECTION, "id", 0, NULL, 0, show, "{\"id\":$ELECTION}"},
    {NULL, NULL, NULL, 0, 0, NULL, 0, NULL, 0, NULL, NULL},
};
