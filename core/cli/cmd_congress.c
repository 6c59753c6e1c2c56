/* cmd_congress.c: `convene congress`, `subcommittee` and `work`: planning and holding congresses
 * and the work items of preparing them. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/congress.h"
#include "domain/work.h"

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static void print_congress(json_t *j, FILE *out)
{
    fprintf(out, "Congress %s of %s (%s), term %s\n", text(j, "numeral"), text(j, "org_name"),
            text(j, "org"), text(j, "term"));
    fprintf(out, "  %s congress, status %s%s%s\n",
            strcmp(text(j, "kind"), "delegates") == 0 ? "delegates'" : "all-members'",
            text(j, "status"), json_is_true(json_object_get(j, "pilot")) ? ", pilot" : "",
            json_is_true(json_object_get(j, "direct_secretary"))
                ? ", pilot of directly electing the secretary"
                : "");
    if (*text(j, "planned_start"))
        fprintf(out, "  planned %s .. %s\n", text(j, "planned_start"), text(j, "planned_end"));
    if (*text(j, "actual_start"))
        fprintf(out, "  held    %s .. %s\n", text(j, "actual_start"), text(j, "actual_end"));
    if (json_is_integer(json_object_get(j, "delegates_summoned")))
        fprintf(out, "  delegates: %lld summoned",
                (long long)json_integer_value(json_object_get(j, "delegates_summoned")));
    if (json_is_integer(json_object_get(j, "delegates_present")))
        fprintf(out, ", %lld present",
                (long long)json_integer_value(json_object_get(j, "delegates_present")));
    if (json_is_integer(json_object_get(j, "delegates_summoned")))
        fputc('\n', out);
}

/* Reads the options plan and set share into the arguments of congress.plan / congress.set. */
static int congress_args(cv_cli *cli, int argc, char **argv, const char *usage, int npos_want,
                         json_t **out)
{
    const char *term = NULL, *kind = NULL, *start = NULL, *end = NULL;
    const char *pilot = NULL, *direct = NULL, *summoned = NULL, *present = NULL;
    cv_opt opts[] = {{"term", &term, NULL},
                     {"kind", &kind, NULL},
                     {"start", &start, NULL},
                     {"end", &end, NULL},
                     {"pilot", &pilot, NULL},
                     {"direct-secretary", &direct, NULL},
                     {"summoned", &summoned, NULL},
                     {"present", &present, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos, is_pilot = -1, is_direct = -1;
    int64_t n_summoned = -1, n_present = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, npos_want, npos_want, pos, &npos) < 0 ||
        cv_cli_yes_no(cli, pilot, "--pilot", &is_pilot) < 0 ||
        cv_cli_yes_no(cli, direct, "--direct-secretary", &is_direct) < 0 ||
        cv_cli_count(cli, summoned, "--summoned", &n_summoned) < 0 ||
        cv_cli_count(cli, present, "--present", &n_present) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "ordinal", "term", "kind", "start", "end"};
    const char *values[] = {pos[0], npos_want == 2 ? pos[1] : NULL, term, kind, start, end};
    json_t *args = cv_cli_texts(json_object(), names, values, 6);
    if (is_pilot >= 0)
        json_object_set_new(args, "pilot", json_boolean(is_pilot));
    if (is_direct >= 0)
        json_object_set_new(args, "direct_secretary", json_boolean(is_direct));
    if (n_summoned >= 0)
        json_object_set_new(args, "summoned", json_integer(n_summoned));
    if (n_present >= 0)
        json_object_set_new(args, "present", json_integer(n_present));
    *out = args;
    return 0;
}

static int congress_plan(cv_cli *cli, int argc, char **argv)
{
    json_t *args;
    if (congress_args(cli, argc, argv,
                      "congress plan ORG ORDINAL [--term T] [--kind delegates|members] "
                      "[--start DATE] [--end DATE] [--pilot yes|no] [--direct-secretary yes|no]",
                      2, &args) < 0)
        return cli->err.code;
    json_object_del(args, "summoned");
    json_object_del(args, "present");
    return cv_cli_op_print(cli, "congress.plan", args, print_congress);
}

static int congress_set(cv_cli *cli, int argc, char **argv)
{
    json_t *args;
    if (congress_args(cli, argc, argv,
                      "congress set ORG [--term T] [--kind K] [--start DATE] [--end DATE] "
                      "[--pilot yes|no] [--direct-secretary yes|no] [--summoned N] [--present N]",
                      1, &args) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "congress.set", args, print_congress);
}

/* congress prepare|show ORG [--term T]: one organisation's congress, mapped onto op. */
static int congress_at(cv_cli *cli, int argc, char **argv, const char *op, const char *usage)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "term"};
    const char *values[] = {pos[0], term};
    return cv_cli_op_print(cli, op, cv_cli_texts(json_object(), names, values, 2), print_congress);
}

static int congress_prepare(cv_cli *cli, int argc, char **argv)
{
    return congress_at(cli, argc, argv, "congress.prepare", "congress prepare ORG [--term T]");
}

static int congress_held(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "congress held ORG --on DATE [--to DATE] [--override REASON] [--term T]";
    const char *term = NULL, *on = NULL, *to = NULL, *override = NULL;
    cv_opt opts[] = {{"term", &term, NULL},
                     {"on", &on, NULL},
                     {"to", &to, NULL},
                     {"override", &override, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!on)
        return cv_err_set(&cli->err, CV_EINVAL, "--on DATE is required; usage: convene %s", usage);
    static const char *const names[] = {"org", "term", "on", "to", "override"};
    const char *values[] = {pos[0], term, on, to, override};
    return cv_cli_op_print(cli, "congress.held", cv_cli_texts(json_object(), names, values, 5),
                           print_congress);
}

static int congress_show(cv_cli *cli, int argc, char **argv)
{
    return congress_at(cli, argc, argv, "congress.show", "congress show ORG [--term T]");
}

int cv_cmd_congress(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"plan", congress_plan, NULL},       {"set", congress_set, NULL},
        {"prepare", congress_prepare, NULL}, {"held", congress_held, NULL},
        {"show", congress_show, NULL},       {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "congress", argc, argv);
}

/* subcommittee ------------------------------------------------------------------------------- */

static void print_subcommittee(json_t *j, FILE *out)
{
    fprintf(out, "subcommittee %s added to the congress of %s\n", text(j, "subcommittee"),
            text(j, "org"));
}

static int subcommittee_add(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[3];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "subcommittee add ORG CODE NAME [--term T]", 3, 3, pos,
                     &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "code", "name", "term"};
    const char *values[] = {pos[0], pos[1], pos[2], term};
    return cv_cli_op_print(cli, "subcommittee.add", cv_cli_texts(json_object(), names, values, 4),
                           print_subcommittee);
}

int cv_cmd_subcommittee(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", subcommittee_add, NULL}, {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "subcommittee", argc, argv);
}

/* work --------------------------------------------------------------------------------------- */

static void print_items(json_t *j, FILE *out)
{
    size_t i;
    json_t *w;
    json_array_foreach(j, i, w)
    {
        fprintf(out, "#%-5lld %-4s %-10s %s\n",
                (long long)json_integer_value(json_object_get(w, "id")), text(w, "status"),
                *text(w, "due") ? text(w, "due") : "-", text(w, "title"));
        fprintf(out, "       %s | %s%s%s | %lld VND\n", text(w, "group"), text(w, "unit"),
                *text(w, "person") ? ", " : "", text(w, "person"),
                (long long)json_integer_value(json_object_get(w, "budget")));
    }
    if (json_array_size(j) == 0)
        fprintf(out, "no work items\n");
}

/* One item printed as the list prints its items. */
static void print_item(json_t *j, FILE *out)
{
    json_t *one = json_pack("[O]", j);
    print_items(one, out);
    json_decref(one);
}

static int work_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "work add ORG TITLE --group G [--subcommittee CODE] [--unit U] "
                        "[--person P] [--due DATE] [--budget VND] [--term T]";
    const char *group = NULL, *subcommittee = NULL, *unit = NULL, *person = NULL, *due = NULL;
    const char *budget = NULL, *term = NULL;
    cv_opt opts[] = {{"group", &group, NULL}, {"subcommittee", &subcommittee, NULL},
                     {"unit", &unit, NULL},   {"person", &person, NULL},
                     {"due", &due, NULL},     {"budget", &budget, NULL},
                     {"term", &term, NULL},   {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t vnd = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0 ||
        cv_cli_count(cli, budget, "--budget", &vnd) < 0)
        return cli->err.code;
    static const char *const names[] = {"org",  "title",  "group", "subcommittee",
                                        "unit", "person", "due",   "term"};
    const char *values[] = {pos[0], pos[1], group, subcommittee, unit, person, due, term};
    json_t *args = cv_cli_texts(json_object(), names, values, 8);
    if (vnd >= 0)
        json_object_set_new(args, "budget", json_integer(vnd));
    return cv_cli_op_print(cli, "work.add", args, print_item);
}

static int item_id(cv_cli *cli, const char *arg, int64_t *id)
{
    return cv_cli_count(cli, arg[0] == '#' ? arg + 1 : arg, "work item id", id);
}

static int work_assign(cv_cli *cli, int argc, char **argv)
{
    const char *unit = NULL, *person = NULL;
    cv_opt opts[] = {{"unit", &unit, NULL}, {"person", &person, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, "work assign ID [--unit U] [--person P]", 1, 1, pos,
                     &npos) < 0 ||
        item_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    static const char *const names[] = {"unit", "person"};
    const char *values[] = {unit, person};
    json_t *args = cv_cli_texts(json_pack("{s:I}", "id", (json_int_t)id), names, values, 2);
    return cv_cli_op_print(cli, "work.assign", args, print_item);
}

static int work_done(cv_cli *cli, int argc, char **argv)
{
    const char *on = NULL;
    cv_opt opts[] = {{"on", &on, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, "work done ID [--on DATE]", 1, 1, pos, &npos) < 0 ||
        item_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:I}", "id", (json_int_t)id);
    if (on)
        json_object_set_new(args, "on", json_string(on));
    return cv_cli_op_print(cli, "work.done", args, print_item);
}

static int work_list(cv_cli *cli, int argc, char **argv)
{
    const char *org = NULL, *term = NULL, *group = NULL, *subcommittee = NULL;
    int overdue = 0, open_only = 0;
    cv_opt opts[] = {{"org", &org, NULL},         {"term", &term, NULL},
                     {"group", &group, NULL},     {"subcommittee", &subcommittee, NULL},
                     {"overdue", NULL, &overdue}, {"open", NULL, &open_only},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "work list [--org ORG] [--overdue] [--open] [--group G] "
                     "[--subcommittee CODE] [--term T]",
                     0, 0, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "term", "group", "subcommittee"};
    const char *values[] = {org, term, group, subcommittee};
    json_t *args = cv_cli_texts(json_pack("{s:b, s:b}", "overdue", overdue, "open", open_only),
                                names, values, 4);
    return cv_cli_op_print(cli, "work.list", args, print_items);
}

int cv_cmd_work(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", work_add, NULL},
                                         {"assign", work_assign, NULL},
                                         {"done", work_done, NULL},
                                         {"list", work_list, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "work", argc, argv);
}
