/* cmd_meetings.c: `convene meeting` and `convene inspection`: numbered meetings with agendas and
 * conclusions, and inspection visits with requests that become work items. Parses and prints
 * only; the rules live in core/docs. */
#include <string.h>

#include "base/json.h"
#include "cli/cli.h"
#include "docs/inspection.h"
#include "docs/meeting.h"

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_meetings(json_t *j, FILE *out)
{
    size_t i, k;
    json_t *m, *it;
    json_array_foreach(j, i, m)
    {
        fprintf(out, "%s %s%s%s meeting %lld on %s (%s)%s%s\n", cv_json_text(m, "org"),
                cv_json_text(m, "body"), *cv_json_text(m, "subcommittee") ? " " : "",
                cv_json_text(m, "subcommittee"), num(m, "number"), cv_json_text(m, "on"),
                cv_json_text(m, "status"), *cv_json_text(m, "title") ? ": " : "",
                cv_json_text(m, "title"));
        json_array_foreach(json_object_get(m, "agenda"), k, it)
        {
            fprintf(out, "  %lld. %s\n", num(it, "n"), cv_json_text(it, "title"));
            if (*cv_json_text(it, "conclusion"))
                fprintf(out, "     -> %s\n", cv_json_text(it, "conclusion"));
        }
        if (*cv_json_text(m, "conclusions"))
            fprintf(out, "  conclusions: %s\n", cv_json_text(m, "conclusions"));
    }
    if (json_array_size(j) == 0)
        fprintf(out, "no meetings\n");
}

/* Parses ORG BODY NUMBER (and up to extra more positionals) with the shared options into the
 * arguments of a meeting operation. */
static json_t *meeting_args(cv_cli *cli, int argc, char **argv, cv_opt *opts, const char *usage,
                            int extra, char **rest)
{
    char *pos[4];
    int npos;
    int64_t n = 0;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 3 + extra, 3 + extra, pos, &npos) < 0 ||
        cv_cli_count(cli, pos[2], "meeting number", &n) < 0)
        return NULL;
    if (n < 1 || n > 9999) {
        cv_err_set(&cli->err, CV_EINVAL, "a meeting number is 1-9999");
        return NULL;
    }
    if (extra)
        *rest = pos[3];
    return json_pack("{s:s, s:s, s:I}", "org", pos[0], "body", pos[1], "number", (json_int_t)n);
}

/* Adds the given text options to args under their names. */
static json_t *with(json_t *args, const char *const *names, const char *const *values, int n)
{
    for (int i = 0; args && i < n; i++)
        if (values[i])
            json_object_set_new(args, names[i], json_string(values[i]));
    return args;
}

static int meeting_add(cv_cli *cli, int argc, char **argv)
{
    const char *on = NULL, *title = NULL, *sub = NULL, *term = NULL;
    const char *usage = "meeting add ORG standing|executive|subcommittee NUMBER --on DATE "
                        "[--title T] [--subcommittee CODE] [--term T]";
    cv_opt opts[] = {{"on", &on, NULL},
                     {"title", &title, NULL},
                     {"subcommittee", &sub, NULL},
                     {"term", &term, NULL},
                     {NULL, NULL, NULL}};
    json_t *args = meeting_args(cli, argc, argv, opts, usage, 0, NULL);
    if (!args)
        return cli->err.code;
    if (!on) {
        json_decref(args);
        return cv_err_set(&cli->err, CV_EINVAL, "--on DATE is required; usage: convene %s", usage);
    }
    static const char *const names[] = {"on", "title", "subcommittee", "term"};
    const char *values[] = {on, title, sub, term};
    return cv_cli_op_print(cli, "meeting.add", with(args, names, values, 4), print_meetings);
}

static int meeting_agenda(cv_cli *cli, int argc, char **argv)
{
    const char *doc = NULL, *sub = NULL, *term = NULL;
    char *title = NULL;
    int64_t id = 0;
    cv_opt opts[] = {{"doc", &doc, NULL},
                     {"subcommittee", &sub, NULL},
                     {"term", &term, NULL},
                     {NULL, NULL, NULL}};
    json_t *args = meeting_args(cli, argc, argv, opts,
                                "meeting agenda ORG BODY NUMBER ITEM [--doc ID] "
                                "[--subcommittee CODE]",
                                1, &title);
    if (!args || (doc && cv_cli_count(cli, doc, "--doc", &id) < 0)) {
        json_decref(args);
        return cli->err.code;
    }
    if (id > 0)
        json_object_set_new(args, "doc", json_integer(id));
    static const char *const names[] = {"item", "subcommittee", "term"};
    const char *values[] = {title, sub, term};
    return cv_cli_op_print(cli, "meeting.agenda", with(args, names, values, 3), print_meetings);
}

static int meeting_conclude(cv_cli *cli, int argc, char **argv)
{
    const char *item = NULL, *sub = NULL, *term = NULL;
    char *conclusion = NULL;
    int64_t n = 0;
    cv_opt opts[] = {{"item", &item, NULL},
                     {"subcommittee", &sub, NULL},
                     {"term", &term, NULL},
                     {NULL, NULL, NULL}};
    json_t *args = meeting_args(cli, argc, argv, opts,
                                "meeting conclude ORG BODY NUMBER TEXT [--item N] "
                                "[--subcommittee CODE]",
                                1, &conclusion);
    if (!args || cv_cli_count(cli, item, "--item", &n) < 0) {
        json_decref(args);
        return cli->err.code;
    }
    if (n > 9999) {
        json_decref(args);
        return cv_err_set(&cli->err, CV_EINVAL, "--item %lld is out of range", (long long)n);
    }
    json_object_set_new(args, "item", json_integer(n));
    static const char *const names[] = {"conclusion", "subcommittee", "term"};
    const char *values[] = {conclusion, sub, term};
    return cv_cli_op_print(cli, "meeting.conclude", with(args, names, values, 3), print_meetings);
}

static int meeting_list(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL, *body = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {"body", &body, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "meeting list ORG [--body B] [--term T]", 1, 1, pos,
                     &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"term", "body"};
    const char *values[] = {term, body};
    return cv_cli_op_print(cli, "meeting.list",
                           with(json_pack("{s:s}", "org", pos[0]), names, values, 2),
                           print_meetings);
}

int cv_cmd_meeting(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", meeting_add, NULL},
                                         {"agenda", meeting_agenda, NULL},
                                         {"conclude", meeting_conclude, NULL},
                                         {"list", meeting_list, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "meeting", argc, argv);
}

/* inspection --------------------------------------------------------------------------------- */

static void print_inspections(json_t *j, FILE *out)
{
    size_t i, k;
    json_t *v, *r;
    json_array_foreach(j, i, v)
    {
        fprintf(out, "#%lld %s: %s (%s), led by %s%s%s\n", num(v, "id"), cv_json_text(v, "on"),
                cv_json_text(v, "name"), cv_json_text(v, "org"), cv_json_text(v, "led_by"),
                *cv_json_text(v, "by") ? " of " : "", cv_json_text(v, "by"));
        if (*cv_json_text(v, "findings"))
            fprintf(out, "  findings: %s\n", cv_json_text(v, "findings"));
        json_array_foreach(json_object_get(v, "requests"), k, r)
        {
            fprintf(out, "  request due %s (work item #%lld, %s): %s\n", cv_json_text(r, "due"),
                    num(r, "work_item"), cv_json_text(r, "status"), cv_json_text(r, "request"));
        }
    }
    if (json_array_size(j) == 0)
        fprintf(out, "no inspections\n");
}

static int inspection_add(cv_cli *cli, int argc, char **argv)
{
    const char *led_by = NULL, *on = NULL, *by = NULL, *findings = NULL;
    const char *usage = "inspection add ORG --led-by WHO --on DATE [--by ORG] [--findings TEXT]";
    cv_opt opts[] = {{"led-by", &led_by, NULL},
                     {"on", &on, NULL},
                     {"by", &by, NULL},
                     {"findings", &findings, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!led_by || !on)
        return cv_err_set(&cli->err, CV_EINVAL, "--led-by and --on are required; usage: convene %s",
                          usage);
    json_t *args = json_pack("{s:s, s:s, s:s}", "org", pos[0], "led_by", led_by, "on", on);
    if (by)
        json_object_set_new(args, "by", json_string(by));
    if (findings)
        json_object_set_new(args, "findings", json_string(findings));
    return cv_cli_op_print(cli, "inspection.add", args, print_inspections);
}

static int inspection_request(cv_cli *cli, int argc, char **argv)
{
    const char *due = NULL, *unit = NULL;
    const char *usage = "inspection request ID TEXT --due DATE [--unit U]";
    cv_opt opts[] = {{"due", &due, NULL}, {"unit", &unit, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0 ||
        cv_cli_count(cli, pos[0][0] == '#' ? pos[0] + 1 : pos[0], "inspection id", &id) < 0)
        return cli->err.code;
    if (!due)
        return cv_err_set(&cli->err, CV_EINVAL, "--due DATE is required; usage: convene %s", usage);
    json_t *args = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "text", pos[1], "due", due);
    if (unit)
        json_object_set_new(args, "unit", json_string(unit));
    return cv_cli_op_print(cli, "inspection.request", args, print_inspections);
}

static int inspection_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "inspection list [ORG]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_object();
    if (npos)
        json_object_set_new(args, "org", json_string(pos[0]));
    return cv_cli_op_print(cli, "inspection.list", args, print_inspections);
}

int cv_cmd_inspection(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", inspection_add, NULL},
                                         {"request", inspection_request, NULL},
                                         {"list", inspection_list, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "inspection", argc, argv);
}
