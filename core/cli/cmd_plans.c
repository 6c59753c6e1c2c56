/* cmd_plans.c: `convene plan` and `convene scenario`: plans and legal references, the work items
 * citing them, and the scenarios a congress's plans are made in. Parses and prints only; the
 * rules live in core/docs. */
#include <string.h>

#include "base/json.h"
#include "cli/cli.h"
#include "docs/plan.h"
#include "docs/scenario.h"

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

static int show_plan(cv_cli *cli, cv_store *s, const char *ref)
{
    json_t *j;
    if (cv_plan_show(s, ref, &j, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, j, print_plan);
}

static int plan_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "plan add NUMBER --issued DATE --issuer WHO [--kind K] [--title T] "
                        "[--org ORG [--subcommittee CODE] [--department NAME] [--scenario CODE]] "
                        "[--term T]";
    cv_plan_spec spec = {0};
    cv_opt opts[] = {{"issued", &spec.issued, NULL},
                     {"issuer", &spec.issuer, NULL},
                     {"kind", &spec.kind, NULL},
                     {"title", &spec.title, NULL},
                     {"org", &spec.org, NULL},
                     {"term", &spec.term, NULL},
                     {"subcommittee", &spec.subcommittee, NULL},
                     {"department", &spec.department, NULL},
                     {"scenario", &spec.scenario, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1], ref[32];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!spec.issued || !spec.issuer)
        return cv_err_set(&cli->err, CV_EINVAL,
                          "--issued DATE and --issuer WHO identify a plan with its number; "
                          "usage: convene %s",
                          usage);
    spec.number = pos[0];
    if (!spec.kind)
        spec.kind = "plan";
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plan_add(s, &spec, &id, &cli->err) < 0)
        return cli->err.code;
    snprintf(ref, sizeof ref, "%lld", (long long)id);
    return show_plan(cli, s, ref);
}

static int plan_list(cv_cli *cli, int argc, char **argv)
{
    const char *org = NULL, *number = NULL;
    cv_opt opts[] = {{"org", &org, NULL}, {"number", &number, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    json_t *rows;
    if (cv_cli_parse(cli, argc, argv, opts, "plan list [--org ORG] [--number N]", 0, 0, pos,
                     &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plan_list(s, org, number, &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_plans);
}

static int plan_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "plan show ID|NUMBER[@DATE]", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    return s ? show_plan(cli, s, pos[0]) : cli->err.code;
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plan_cite(s, pos[0], id, &cli->err) < 0)
        return cli->err.code;
    return show_plan(cli, s, pos[0]);
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

static int show_scenarios(cv_cli *cli, cv_store *s, const char *org, const char *term)
{
    json_t *j;
    if (cv_scenario_show(s, org, term, &j, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, j, print_scenarios);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_scenario_add(s, pos[0], term, pos[1], pos[2], &cli->err) < 0)
        return cli->err.code;
    return show_scenarios(cli, s, pos[0], term);
}

static int scenario_use(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL, *notify = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {"notify", &notify, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "scenario use ORG CODE [--notify EMAIL|URL] [--term T]",
                     2, 2, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_scenario_use(s, pos[0], term, pos[1], notify, &cli->err) < 0)
        return cli->err.code;
    return show_scenarios(cli, s, pos[0], term);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_scenario_assign(s, pos[0], term, pos[1], id, plan, &cli->err) < 0)
        return cli->err.code;
    return show_scenarios(cli, s, pos[0], term);
}

static int scenario_show(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "scenario show ORG [--term T]", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    return s ? show_scenarios(cli, s, pos[0], term) : cli->err.code;
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
