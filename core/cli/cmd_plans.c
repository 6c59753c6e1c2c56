/* cmd_plans.c: `convene plan` and `convene scenario`: plans and legal references, the work items
 * citing them, and the scenarios a congress's plans are made in, mapped onto the operations
 * plan.* and scenario.*. Parses and prints only. */
#include <string.h>

#include "base/json.h"
#include "cli/cli.h"

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_plan_line(json_t *p, FILE *out)
{
    fprintf(out, "#%-4lld %-16s %s %-10s %s", num(p, "id"), cv_json_text(p, "number"),
            cv_json_text(p, "issued"), cv_json_text(p, "kind"), cv_json_text(p, "issuer"));
    if (*cv_json_text(p, "org"))
        fprintf(out, " [%s%s%s%s%s]", cv_json_text(p, "org"),
                *cv_json_text(p, "subcommittee") ? " " : "", cv_json_text(p, "subcommittee"),
                *cv_json_text(p, "department") ? ", " : "", cv_json_text(p, "department"));
    if (*cv_json_text(p, "scenario"))
        fprintf(out, " scenario %s", cv_json_text(p, "scenario"));
    fprintf(out, "\n      %s\n", cv_json_text(p, "title"));
}

static void print_plans(json_t *j, FILE *out)
{
    size_t i;
    json_t *p;
    json_array_foreach(j, i, p) print_plan_line(p, out);
    if (json_array_size(j) == 0)
        fprintf(out, "no plans\n");
}

static void print_plan(json_t *j, FILE *out)
{
    print_plan_line(j, out);
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(j, "work_items"), i, w)
    {
        fprintf(out, "  cited by #%lld %s %s: %s\n", num(w, "id"), cv_json_text(w, "org"),
                cv_json_text(w, "status"), cv_json_text(w, "title"));
    }
}

static int plan_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "plan add NUMBER --issued DATE --issuer WHO [--kind K] [--title T] "
                        "[--org ORG [--subcommittee CODE] [--department NAME] [--scenario CODE]] "
                        "[--term T]";
    static const char *const names[] = {"number", "issued",       "issuer",     "kind",     "title",
                                        "org",    "subcommittee", "department", "scenario", "term"};
    const char *values[10] = {0};
    cv_opt opts[10];
    for (int i = 1; i < 10; i++)
        opts[i - 1] = (cv_opt){names[i], &values[i], NULL};
    opts[9] = (cv_opt){NULL, NULL, NULL};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!values[1] || !values[2])
        return cv_err_set(&cli->err, CV_EINVAL,
                          "--issued DATE and --issuer WHO identify a plan with its number; "
                          "usage: convene %s",
                          usage);
    values[0] = pos[0];
    return cv_cli_op_print(cli, "plan.add", cv_cli_texts(json_object(), names, values, 10),
                           print_plan);
}

static int plan_list(cv_cli *cli, int argc, char **argv)
{
    const char *org = NULL, *number = NULL;
    cv_opt opts[] = {{"org", &org, NULL}, {"number", &number, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "plan list [--org ORG] [--number N]", 0, 0, pos,
                     &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "number"};
    const char *values[] = {org, number};
    return cv_cli_op_print(cli, "plan.list", cv_cli_texts(json_object(), names, values, 2),
                           print_plans);
}

static int plan_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "plan show ID|NUMBER[@DATE]", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "plan.show", json_pack("{s:s}", "ref", pos[0]), print_plan);
}

static int plan_cite(cv_cli *cli, int argc, char **argv)
{
    const char *work = NULL;
    cv_opt opts[] = {{"work", &work, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id = 0;
    const char *usage = "plan cite ID|NUMBER[@DATE] --work ID";
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!work)
        return cv_err_set(&cli->err, CV_EINVAL, "--work ID is required; usage: convene %s", usage);
    if (cv_cli_count(cli, work[0] == '#' ? work + 1 : work, "--work", &id) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "plan.cite",
                           json_pack("{s:s, s:I}", "ref", pos[0], "work", (json_int_t)id),
                           print_plan);
}

int cv_cmd_plan(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", plan_add, NULL},
                                         {"list", plan_list, NULL},
                                         {"show", plan_show, NULL},
                                         {"cite", plan_cite, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "plan", argc, argv);
}

/* scenario ----------------------------------------------------------------------------------- */

static void print_scenarios(json_t *j, FILE *out)
{
    fprintf(out, "Scenarios of %s (term %s), active: %s\n", cv_json_text(j, "org"),
            cv_json_text(j, "term"),
            *cv_json_text(j, "active") ? cv_json_text(j, "active") : "none");
    size_t i;
    json_t *sc;
    json_array_foreach(json_object_get(j, "scenarios"), i, sc)
    {
        fprintf(out, "  %s %-12s %s: %lld plans, %lld work items\n",
                json_is_true(json_object_get(sc, "active")) ? "*" : " ", cv_json_text(sc, "code"),
                cv_json_text(sc, "name"), num(sc, "plans"), num(sc, "work_items"));
    }
    fprintf(out, "  work items out of force: %lld\n", num(j, "out_of_force"));
}

/* scenario OP ORG [CODE ...] [--term T] [--notify TO]: args named after the positionals. */
static int scenario_op(cv_cli *cli, const char *op, const char *const *names, char **pos, int npos,
                       const char *term)
{
    json_t *args = cv_cli_texts(json_object(), names, (const char *const *)pos, npos);
    if (term)
        json_object_set_new(args, "term", json_string(term));
    return cv_cli_op_print(cli, op, args, print_scenarios);
}

static int scenario_add(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[3];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "scenario add ORG CODE NAME [--term T]", 3, 3, pos,
                     &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "code", "name"};
    return scenario_op(cli, "scenario.add", names, pos, 3, term);
}

static int scenario_use(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL, *notify = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {"notify", &notify, NULL}, {NULL, NULL, NULL}};
    char *pos[3];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "scenario use ORG CODE [--notify EMAIL|URL] [--term T]",
                     2, 2, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "code", "notify"};
    pos[2] = (char *)notify;
    return scenario_op(cli, "scenario.use", names, pos, 3, term);
}

static int scenario_assign(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL, *work = NULL, *plan = NULL;
    cv_opt opts[] = {
        {"term", &term, NULL}, {"work", &work, NULL}, {"plan", &plan, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t id = 0;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "scenario assign ORG CODE (--work ID | --plan REF) [--term T]", 2, 2, pos,
                     &npos) < 0 ||
        (work && cv_cli_count(cli, work[0] == '#' ? work + 1 : work, "--work", &id) < 0))
        return cli->err.code;
    if (work && id == 0)
        return cv_err_set(&cli->err, CV_EINVAL, "--work must be a work item's id");
    json_t *args = json_pack("{s:s, s:s}", "org", pos[0], "code", pos[1]);
    if (work)
        json_object_set_new(args, "work", json_integer(id));
    if (plan)
        json_object_set_new(args, "plan", json_string(plan));
    if (term)
        json_object_set_new(args, "term", json_string(term));
    return cv_cli_op_print(cli, "scenario.assign", args, print_scenarios);
}

static int scenario_show(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "scenario show ORG [--term T]", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org"};
    return scenario_op(cli, "scenario.show", names, pos, 1, term);
}

int cv_cmd_scenario(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", scenario_add, NULL},
                                         {"use", scenario_use, NULL},
                                         {"assign", scenario_assign, NULL},
                                         {"show", scenario_show, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "scenario", argc, argv);
}
