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

static int show_congress(cv_cli *cli, cv_store *s, const char *org, const char *term)
{
    cv_congress c;
    if (cv_congress_get(s, org, term, &c, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, cv_congress_json(&c), print_congress);
}

/* Reads the options plan and set share into spec. */
static int congress_spec(cv_cli *cli, int argc, char **argv, const char *usage, int npos_want,
                         cv_congress_spec *spec)
{
    const char *pilot = NULL, *direct = NULL, *summoned = NULL, *present = NULL;
    cv_opt opts[] = {{"term", &spec->term, NULL},
                     {"kind", &spec->kind, NULL},
                     {"start", &spec->start, NULL},
                     {"end", &spec->end, NULL},
                     {"pilot", &pilot, NULL},
                     {"direct-secretary", &direct, NULL},
                     {"summoned", &summoned, NULL},
                     {"present", &present, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    spec->pilot = spec->direct_secretary = -1;
    spec->summoned = spec->present = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, npos_want, npos_want, pos, &npos) < 0 ||
        cv_cli_yes_no(cli, pilot, "--pilot", &spec->pilot) < 0 ||
        cv_cli_yes_no(cli, direct, "--direct-secretary", &spec->direct_secretary) < 0 ||
        cv_cli_count(cli, summoned, "--summoned", &spec->summoned) < 0 ||
        cv_cli_count(cli, present, "--present", &spec->present) < 0)
        return cli->err.code;
    spec->org = pos[0];
    if (npos_want == 2)
        spec->ordinal = pos[1];
    return 0;
}

static int congress_plan(cv_cli *cli, int argc, char **argv)
{
    cv_congress_spec spec = {0};
    if (congress_spec(cli, argc, argv,
                      "congress plan ORG ORDINAL [--term T] [--kind delegates|members] "
                      "[--start DATE] [--end DATE] [--pilot yes|no] [--direct-secretary yes|no]",
                      2, &spec) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_congress_plan(s, &spec, NULL, &cli->err) < 0)
        return cli->err.code;
    return show_congress(cli, s, spec.org, spec.term);
}

static int congress_set(cv_cli *cli, int argc, char **argv)
{
    cv_congress_spec spec = {0};
    if (congress_spec(cli, argc, argv,
                      "congress set ORG [--term T] [--kind K] [--start DATE] [--end DATE] "
                      "[--pilot yes|no] [--direct-secretary yes|no] [--summoned N] [--present N]",
                      1, &spec) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_congress_set(s, &spec, &cli->err) < 0)
        return cli->err.code;
    return show_congress(cli, s, spec.org, spec.term);
}

static int congress_prepare(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "congress prepare ORG [--term T]", 1, 1, pos, &npos) <
        0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_congress_prepare(s, pos[0], term, &cli->err) < 0)
        return cli->err.code;
    return show_congress(cli, s, pos[0], term);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_congress_mark_held(s, pos[0], term, on, to, override, &cli->err) < 0)
        return cli->err.code;
    return show_congress(cli, s, pos[0], term);
}

static int congress_show(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "congress show ORG [--term T]", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    return s ? show_congress(cli, s, pos[0], term) : cli->err.code;
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

static int subcommittee_add(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[3];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "subcommittee add ORG CODE NAME [--term T]", 3, 3, pos,
                     &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_subcommittee_add(s, pos[0], term, pos[1], pos[2], &cli->err) < 0)
        return cli->err.code;
    printf("subcommittee %s added to the congress of %s\n", pos[1], pos[0]);
    return 0;
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

static int show_item(cv_cli *cli, cv_store *s, int64_t id)
{
    cv_work_item w;
    if (cv_work_get(s, id, &w, &cli->err) < 0)
        return cli->err.code;
    json_t *one = json_array();
    json_array_append_new(one, cv_work_json(&w));
    if (cli->json) {
        json_t *item = json_incref(json_array_get(one, 0));
        json_decref(one);
        return cv_cli_print(cli, item, print_items);
    }
    return cv_cli_print(cli, one, print_items);
}

static int work_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "work add ORG TITLE --group G [--subcommittee CODE] [--unit U] "
                        "[--person P] [--due DATE] [--budget VND] [--term T]";
    cv_work_spec spec = {0};
    const char *budget = NULL;
    cv_opt opts[] = {{"group", &spec.group, NULL}, {"subcommittee", &spec.subcommittee, NULL},
                     {"unit", &spec.unit, NULL},   {"person", &spec.person, NULL},
                     {"due", &spec.due, NULL},     {"budget", &budget, NULL},
                     {"term", &spec.term, NULL},   {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0 ||
        cv_cli_count(cli, budget, "--budget", &spec.budget) < 0)
        return cli->err.code;
    spec.org = pos[0];
    spec.title = pos[1];
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_work_add(s, &spec, &id, &cli->err) < 0)
        return cli->err.code;
    return show_item(cli, s, id);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_work_assign(s, id, unit, person, &cli->err) < 0)
        return cli->err.code;
    return show_item(cli, s, id);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_work_done(s, id, on, &cli->err) < 0)
        return cli->err.code;
    return show_item(cli, s, id);
}

static int add_item(const cv_work_item *w, void *ctx)
{
    json_array_append_new(ctx, cv_work_json(w));
    return 0;
}

static int work_list(cv_cli *cli, int argc, char **argv)
{
    cv_work_filter f = {0};
    cv_opt opts[] = {{"org", &f.org, NULL},
                     {"term", &f.term, NULL},
                     {"group", &f.group, NULL},
                     {"subcommittee", &f.subcommittee, NULL},
                     {"overdue", NULL, &f.overdue},
                     {"open", NULL, &f.open_only},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "work list [--org ORG] [--overdue] [--open] [--group G] "
                     "[--subcommittee CODE] [--term T]",
                     0, 0, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    json_t *rows = json_array();
    if (!s || cv_work_list(s, &f, add_item, rows, &cli->err) < 0) {
        json_decref(rows);
        return cli->err.code;
    }
    return cv_cli_print(cli, rows, print_items);
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
