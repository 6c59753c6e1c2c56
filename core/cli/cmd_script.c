/* cmd_script.c: `convene script add|list|status|check|test|reload|resume|limits`: registering Lua
 * packages, showing their state and last error, checking and rehearsing them. The daemon runs them;
 * these commands only load a package to check it and never run its hooks on the real store. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "cli/cli.h"
#include "lua/package.h"
#include "lua/rehearsal.h"

static void print_added(json_t *j, FILE *out)
{
    fprintf(out, "package %s (%s) bound to %s: %s\n", cv_json_text(j, "name"),
            cv_json_text(j, "path"), cv_json_text(j, "org"), cv_json_text(j, "state"));
}

static int script_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "script add PATH --org CODE [--name NAME] [--config JSON]";
    const char *org = NULL, *name = NULL, *config = NULL;
    cv_opt opts[] = {
        {"org", &org, NULL}, {"name", &name, NULL}, {"config", &config, NULL}, {NULL, NULL, NULL}};
    char *pos[1], abs[PATH_MAX];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!org)
        return cv_err_set(&cli->err, CV_EINVAL, "--org CODE is required; usage: convene %s", usage);
    if (!realpath(pos[0], abs))
        return cv_err_set(&cli->err, CV_ENOTFOUND, "no package folder %s", pos[0]);
    json_t *args = json_pack("{s:s, s:s}", "path", abs, "org", org);
    if (name)
        json_object_set_new(args, "name", json_string(name));
    if (config)
        json_object_set_new(args, "config", json_string(config));
    return cv_cli_op_print(cli, "script.add", args, print_added);
}

/* The package's limits, every one with its value (raised or default). */
static void print_limits(json_t *j, FILE *out)
{
    cv_lua_limits l;
    cv_err e;
    char *raised = json_dumps(json_object_get(j, "limits"), JSON_COMPACT);
    if (cv_lua_limits_parse(raised, &l, &e) == 0)
        fprintf(out,
                "package %s limits: instructions=%ld wall_ms=%ld memory_mb=%ld hooks=%ld jobs=%ld "
                "notify_per_call=%ld notify_per_minute=%ld log_per_call=%ld log_per_minute=%ld "
                "cascade=%ld cpu_ms_per_minute=%ld\n",
                cv_json_text(j, "name"), l.instructions, l.wall_ms, l.memory_mb, l.hooks, l.jobs,
                l.notify_per_call, l.notify_per_minute, l.log_per_call, l.log_per_minute, l.cascade,
                l.cpu_ms_per_minute);
    free(raised);
}

static void print_list(json_t *j, FILE *out)
{
    size_t i;
    json_t *p;
    if (json_array_size(j) == 0)
        fprintf(out, "no packages; add one with convene script add PATH --org CODE\n");
    json_array_foreach(j, i, p)
    {
        fprintf(out, "%-12s %-8s %-10s %s\n", cv_json_text(p, "name"), cv_json_text(p, "state"),
                cv_json_text(p, "org"), cv_json_text(p, "path"));
    }
}

static int script_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "script list", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "script.list", json_object(), print_list);
}

static void print_status(json_t *j, FILE *out)
{
    size_t i, k;
    json_t *p, *ph;
    if (json_array_size(j) == 0)
        fprintf(out, "no packages\n");
    json_array_foreach(j, i, p)
    {
        fprintf(out, "%s: %s, bound to %s, %lld events behind\n  %s\n", cv_json_text(p, "name"),
                cv_json_text(p, "state"), cv_json_text(p, "org"),
                (long long)json_integer_value(json_object_get(p, "lag")), cv_json_text(p, "path"));
        if (*cv_json_text(p, "suspended"))
            fprintf(out, "  suspended: %s\n  resume with: convene script resume %s\n",
                    cv_json_text(p, "suspended"), cv_json_text(p, "name"));
        if (*cv_json_text(p, "last_error"))
            fprintf(out, "  last error: %s\n", cv_json_text(p, "last_error"));
        json_array_foreach(json_object_get(p, "failed_jobs"), k, ph)
        {
            fprintf(out, "  job %s failed: %s\n", cv_json_text(ph, "job"),
                    cv_json_text(ph, "error"));
        }
        json_array_foreach(json_object_get(p, "phases"), k, ph)
        {
            fprintf(out, "  campaign %s phase %lld %s: %s %s%s%s\n", cv_json_text(ph, "campaign"),
                    (long long)json_integer_value(json_object_get(ph, "ordinal")),
                    cv_json_text(ph, "phase"), cv_json_text(ph, "state"),
                    cv_json_text(ph, "started_on"), *cv_json_text(ph, "ended_on") ? " .. " : "",
                    cv_json_text(ph, "ended_on"));
        }
    }
}

static int script_status(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "script status [NAME]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "script.status",
                           npos ? json_pack("{s:s}", "name", pos[0]) : json_object(), print_status);
}

static void print_check(json_t *j, FILE *out)
{
    size_t i;
    json_t *f;
    fprintf(out, "package %s loads for %s: %zu hooks, %lld campaigns, %lld KB\n",
            cv_json_text(j, "package"), cv_json_text(j, "org"),
            json_array_size(json_object_get(j, "hooks")),
            (long long)json_integer_value(json_object_get(j, "campaigns")),
            (long long)json_integer_value(json_object_get(j, "memory")) / 1024);
    json_array_foreach(json_object_get(j, "findings"), i, f)
    {
        fprintf(out, "%s:%lld: %s\n", cv_json_text(f, "file"),
                (long long)json_integer_value(json_object_get(f, "line")),
                cv_json_text(f, "message"));
    }
}

static int script_check(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "script check PATH [--org CODE] [--config JSON]";
    const char *org = NULL, *config = NULL;
    cv_opt opts[] = {{"org", &org, NULL}, {"config", &config, NULL}, {NULL, NULL, NULL}};
    char *pos[1], abs[PATH_MAX];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!realpath(pos[0], abs))
        return cv_err_set(&cli->err, CV_ENOTFOUND, "no package folder %s", pos[0]);
    json_t *args = json_pack("{s:s}", "path", abs), *report = NULL;
    if (org)
        json_object_set_new(args, "org", json_string(org));
    if (config)
        json_object_set_new(args, "config", json_string(config));
    if (cv_cli_op(cli, "script.check", args, &report) < 0)
        return cli->err.code;
    size_t findings = json_array_size(json_object_get(report, "findings"));
    cv_cli_print(cli, report, print_check);
    if (findings)
        return cv_err_set(&cli->err, CV_ESCRIPT, "%zu misuses of the API in %s", findings, pos[0]);
    return 0;
}

/* Not an operation: the rehearsal runs this binary on a fresh store of its own and never opens
 * the caller's, so it needs no account. */
static int script_test(cv_cli *cli, int argc, char **argv)
{
    char *pos[2], abs[PATH_MAX];
    int npos, failed = 0;
    if (cv_cli_parse(cli, argc, argv, NULL, "script test PATH SCENARIO", 2, 2, pos, &npos) < 0)
        return cli->err.code;
    if (!realpath(pos[0], abs))
        return cv_err_set(&cli->err, CV_ENOTFOUND, "no package folder %s", pos[0]);
    if (cv_lua_rehearse(abs, pos[1], stdout, &failed, &cli->err) < 0)
        return cli->err.code;
    if (failed)
        return cv_err_set(&cli->err, CV_ESCRIPT, "%d expectations of %s were not met", failed,
                          pos[1]);
    return 0;
}

static int script_reload(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "script reload NAME", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "script.reload", json_pack("{s:s}", "name", pos[0]), print_added);
}

static int script_resume(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "script resume NAME", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "script.resume", json_pack("{s:s}", "name", pos[0]), print_added);
}

/* Passes KEY=N arguments on to be merged into the package's limits. */
static int script_limits(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "script limits NAME [KEY=N ...]";
    char *pos[12];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 1, 12, pos, &npos) < 0)
        return cli->err.code;
    json_t *set = json_array();
    for (int i = 1; i < npos; i++)
        json_array_append_new(set, json_string(pos[i]));
    return cv_cli_op_print(cli, "script.limits",
                           json_pack("{s:s, s:o}", "name", pos[0], "set", set), print_limits);
}

int cv_cmd_script(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command table[] = {
        {"add", script_add, "script add PATH --org CODE [--name NAME] [--config JSON]"},
        {"list", script_list, "script list"},
        {"status", script_status, "script status [NAME]"},
        {"check", script_check, "script check PATH [--org CODE]"},
        {"test", script_test, "script test PATH SCENARIO"},
        {"reload", script_reload, "script reload NAME"},
        {"resume", script_resume, "script resume NAME"},
        {"limits", script_limits, "script limits NAME [KEY=N ...]"},
        {NULL, NULL, NULL},
    };
    return cv_cli_dispatch(cli, table, "script", argc, argv);
}
