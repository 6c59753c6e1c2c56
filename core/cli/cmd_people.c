/* cmd_people.c: `convene person`, `scheme`, `allocate` and `complaint`: people, the personnel
 * scheme of a congress, delegate allocation and complaints. Parses and prints only; the rules
 * live in core/elect. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "elect/allocate.h"
#include "elect/complaint.h"
#include "elect/person.h"

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_json(json_t *j, FILE *out)
{
    json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
}

/* person ------------------------------------------------------------------------------------- */

static void print_people(json_t *j, FILE *out)
{
    size_t i;
    json_t *p;
    json_array_foreach(j, i, p)
    {
        fprintf(out, "%-12s ", text(p, "code"));
        cv_cli_pad(out, text(p, "name"), 24);
        fprintf(out, " %-10s %-6s ", *text(p, "born") ? text(p, "born") : "-", text(p, "gender"));
        cv_cli_pad(out, text(p, "ethnicity"), 6);
        fprintf(out, " %-12s %s%s\n", text(p, "org"), text(p, "titles"),
                json_is_true(json_object_get(p, "incumbent")) ? " (outgoing committee)" : "");
    }
    if (!json_array_size(j))
        fprintf(out, "no people\n");
}

/* One person printed as the list prints its people. */
static void print_person(json_t *j, FILE *out)
{
    json_t *one = json_pack("[O]", j);
    print_people(one, out);
    json_decref(one);
}

static int person_edit(cv_cli *cli, int argc, char **argv, int add)
{
    const char *usage = add ? "person add CODE NAME [--born DATE] [--gender male|female] "
                              "[--ethnicity E] [--org ORG] [--titles T] [--incumbent yes|no]"
                            : "person set CODE [--name N] [--born DATE] [--gender G] "
                              "[--ethnicity E] [--org ORG] [--titles T] [--incumbent yes|no]";
    static const char *const names[] = {"born", "gender", "ethnicity", "org", "titles", "name"};
    const char *v[6] = {0}, *inc = NULL;
    cv_opt opts[] = {{"born", &v[0], NULL}, {"gender", &v[1], NULL}, {"ethnicity", &v[2], NULL},
                     {"org", &v[3], NULL},  {"titles", &v[4], NULL}, {"incumbent", &inc, NULL},
                     {"name", &v[5], NULL}, {NULL, NULL, NULL}};
    if (add)
        opts[6] = (cv_opt){NULL, NULL, NULL};
    char *pos[2];
    int npos, incumbent = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, add ? 2 : 1, add ? 2 : 1, pos, &npos) < 0 ||
        cv_cli_yes_no(cli, inc, "--incumbent", &incumbent) < 0)
        return cli->err.code;
    if (add)
        v[5] = pos[1];
    json_t *args = json_pack("{s:s}", "code", pos[0]);
    for (int i = 0; i < 6; i++)
        if (v[i])
            json_object_set_new(args, names[i], json_string(v[i]));
    if (incumbent >= 0)
        json_object_set_new(args, "incumbent", json_boolean(incumbent));
    return cv_cli_op_print(cli, add ? "person.add" : "person.set", args, print_person);
}

static int person_add(cv_cli *cli, int argc, char **argv)
{
    return person_edit(cli, argc, argv, 1);
}

static int person_set(cv_cli *cli, int argc, char **argv)
{
    return person_edit(cli, argc, argv, 0);
}

static int person_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "person show CODE", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "person.show", json_pack("{s:s}", "code", pos[0]), print_person);
}

static int person_list(cv_cli *cli, int argc, char **argv)
{
    const char *org = NULL;
    cv_opt opts[] = {{"org", &org, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "person list [--org ORG]", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_object();
    if (org)
        json_object_set_new(args, "org", json_string(org));
    return cv_cli_op_print(cli, "person.list", args, print_people);
}

int cv_cmd_person(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", person_add, NULL},
                                         {"set", person_set, NULL},
                                         {"show", person_show, NULL},
                                         {"list", person_list, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "person", argc, argv);
}

/* scheme ------------------------------------------------------------------------------------- */

static void print_scheme(json_t *j, FILE *out)
{
    fprintf(out, "Personnel scheme of %s, term %s: %lld contents\n", text(j, "org"),
            text(j, "term"), num(j, "contents"));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(j, "seats"), k, v)
        fprintf(out, "  seats  %-11s %lld\n", k, (long long)json_integer_value(v));
    json_object_foreach(json_object_get(j, "targets"), k, v)
        fprintf(out, "  target %-11s at least %lld%%\n", k, (long long)json_integer_value(v));
    json_object_foreach(json_object_get(j, "appointed"), k, v)
    {
        size_t i;
        json_t *p;
        fprintf(out, "  appointed %s:", k);
        json_array_foreach(v, i, p) fprintf(out, " %s", json_string_value(p));
        fputc('\n', out);
    }
}

/* scheme seats|target|contents|appoint ORG A B, scheme show ORG. */
static int scheme_change(cv_cli *cli, int argc, char **argv, int what)
{
    static const char *const usages[] = {
        "scheme seats ORG BODY N [--term T]", "scheme target ORG TARGET PCT|none [--term T]",
        "scheme contents ORG 4|3|2 [--term T]", "scheme appoint ORG BODY PERSON [--term T]",
        "scheme show ORG [--term T]"};
    static const int npos_want[] = {3, 3, 2, 3, 1};
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[3];
    int npos;
    int64_t n = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usages[what], npos_want[what], npos_want[what], pos,
                     &npos) < 0)
        return cli->err.code;
    const char *count = what == 2 ? pos[1] : pos[npos - 1];
    if ((what == 0 || what == 2 || (what == 1 && strcmp(count, "none") != 0)) &&
        cv_cli_count(cli, count, "number", &n) < 0)
        return cli->err.code;
    if (what == 1 && n > 100)
        return cv_err_set(&cli->err, CV_EINVAL, "a target is a percentage, 0 to 100");
    static const char *const ops[] = {"scheme.seats", "scheme.target", "scheme.contents",
                                      "scheme.appoint", "scheme.show"};
    json_t *args = json_pack("{s:s}", "org", pos[0]);
    if (term)
        json_object_set_new(args, "term", json_string(term));
    if (what == 0 || what == 3)
        json_object_set_new(args, "body", json_string(pos[1]));
    if (what == 3)
        json_object_set_new(args, "person", json_string(pos[2]));
    if (what == 0)
        json_object_set_new(args, "seats", json_integer(n));
    if (what == 1)
        json_object_set_new(args, "target", json_string(pos[1]));
    if (what == 1 && n >= 0)
        json_object_set_new(args, "pct", json_integer(n));
    if (what == 2)
        json_object_set_new(args, "contents", json_integer(n > 4 ? 0 : n));
    return cv_cli_op_print(cli, ops[what], args, print_scheme);
}

static int scheme_seats(cv_cli *cli, int argc, char **argv)
{
    return scheme_change(cli, argc, argv, 0);
}

static int scheme_target(cv_cli *cli, int argc, char **argv)
{
    return scheme_change(cli, argc, argv, 1);
}

static int scheme_contents(cv_cli *cli, int argc, char **argv)
{
    return scheme_change(cli, argc, argv, 2);
}

static int scheme_appoint(cv_cli *cli, int argc, char **argv)
{
    return scheme_change(cli, argc, argv, 3);
}

static int scheme_show(cv_cli *cli, int argc, char **argv)
{
    return scheme_change(cli, argc, argv, 4);
}

static void print_check(json_t *j, FILE *out)
{
    fprintf(out,
            "List of the %s of %s (election #%lld): %lld candidates for %lld seats "
            "(at most %lld)\n",
            text(j, "body"), text(j, "org"), num(j, "election"), num(j, "candidates"),
            num(j, "seats"), num(j, "max_candidates"));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(j, "targets"), i, t)
        fprintf(out, "  %-11s %3lld = %5.1f%%  (target %lld%%) %s\n", text(t, "target"),
                num(t, "count"), json_real_value(json_object_get(t, "pct")), num(t, "min_pct"),
                json_is_true(json_object_get(t, "met")) ? "met" : "MISSED");
    json_array_foreach(json_object_get(j, "problems"), i, t)
        fprintf(out, "  problem: %s\n", json_string_value(t));
    if (json_is_true(json_object_get(j, "ok")))
        fprintf(out, "  the list meets the scheme\n");
}

static int scheme_check(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL, *body = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {"body", &body, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "scheme check ORG [--body B] [--term T]", 1, 1, pos,
                     &npos) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s}", "org", pos[0]);
    if (term)
        json_object_set_new(args, "term", json_string(term));
    if (body)
        json_object_set_new(args, "body", json_string(body));
    return cv_cli_op_print(cli, "scheme.check", args, print_check);
}

int cv_cmd_scheme(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"seats", scheme_seats, NULL},
                                         {"target", scheme_target, NULL},
                                         {"contents", scheme_contents, NULL},
                                         {"appoint", scheme_appoint, NULL},
                                         {"show", scheme_show, NULL},
                                         {"check", scheme_check, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "scheme", argc, argv);
}

/* allocate ----------------------------------------------------------------------------------- */

static void print_alloc(json_t *j, FILE *out)
{
    fprintf(out,
            "%lld delegates for the congress of %s (%s): %lld ex officio, %lld allocated among "
            "%zu organisations (%lld members), at least %lld each\n",
            num(j, "total"), text(j, "org"), text(j, "method"), num(j, "ex_officio"),
            num(j, "allocated"), json_array_size(json_object_get(j, "units")), num(j, "members"),
            num(j, "minimum"));
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(j, "units"), i, u)
        fprintf(out, "  %-14s %6lld members %4lld  %s\n", text(u, "org"), num(u, "members"),
                num(u, "delegates"), text(u, "why"));
}

int cv_cmd_allocate(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "allocate ORG --total N [--ex-officio N] [--minimum N] "
                        "[--method largest-remainder]";
    const char *total = NULL, *ex = NULL, *min = NULL, *method = NULL;
    cv_opt opts[] = {{"total", &total, NULL},
                     {"ex-officio", &ex, NULL},
                     {"minimum", &min, NULL},
                     {"method", &method, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    cv_alloc_request r = {.total = -1, .ex_officio = 0, .minimum = 1};
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, total, "--total", &r.total) < 0 ||
        cv_cli_count(cli, ex, "--ex-officio", &r.ex_officio) < 0 ||
        cv_cli_count(cli, min, "--minimum", &r.minimum) < 0)
        return cli->err.code;
    if (r.total < 0)
        return cv_err_set(&cli->err, CV_EINVAL, "--total N is required; usage: convene %s", usage);
    json_t *args =
        json_pack("{s:s, s:I, s:I, s:I}", "org", pos[0], "total", (json_int_t)r.total, "ex_officio",
                  (json_int_t)r.ex_officio, "minimum", (json_int_t)r.minimum);
    if (method)
        json_object_set_new(args, "method", json_string(method));
    return cv_cli_op_print(cli, "allocate", args, print_alloc);
}

/* complaint ---------------------------------------------------------------------------------- */

static void print_complaints(json_t *j, FILE *out)
{
    size_t i;
    json_t *c;
    json_array_foreach(j, i, c)
    {
        fprintf(out, "#%-4lld %-12s %-11s received %s about %s%s%s: %s\n", num(c, "id"),
                text(c, "kind"), text(c, "status"), text(c, "received"),
                *text(c, "about") ? text(c, "about_name") : "-",
                *text(c, "deadline") ? ", due " : "", text(c, "deadline"), text(c, "summary"));
        if (*text(c, "not_handled_reason"))
            fprintf(out, "      not handled: %s\n", text(c, "not_handled_reason"));
        if (*text(c, "settled_on"))
            fprintf(out, "      settled %s: %s\n", text(c, "settled_on"), text(c, "conclusion"));
    }
    if (!json_array_size(j))
        fprintf(out, "no complaints\n");
}

static void print_complaint(json_t *j, FILE *out)
{
    json_t *one = json_pack("[O]", j);
    print_complaints(one, out);
    json_decref(one);
}

static int complaint_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "complaint add ORG complaint|denunciation [--from NAME] [--address A] "
                        "[--about PERSON] [--summary S] [--received DATE] [--false-name] "
                        "[--not-specific] [--refiled] [--new-evidence] [--term T]";
    static const char *const names[] = {"from", "address", "about", "summary", "received", "term"};
    static const char *const flag_names[] = {"false_name", "not_specific", "refiled",
                                             "new_evidence"};
    const char *v[6] = {0};
    int flags[4] = {0};
    cv_opt opts[] = {{"from", &v[0], NULL},
                     {"address", &v[1], NULL},
                     {"about", &v[2], NULL},
                     {"summary", &v[3], NULL},
                     {"received", &v[4], NULL},
                     {"term", &v[5], NULL},
                     {"false-name", NULL, &flags[0]},
                     {"not-specific", NULL, &flags[1]},
                     {"refiled", NULL, &flags[2]},
                     {"new-evidence", NULL, &flags[3]},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s, s:s}", "org", pos[0], "kind", pos[1]);
    for (int i = 0; i < 6; i++)
        if (v[i])
            json_object_set_new(args, names[i], json_string(v[i]));
    for (int i = 0; i < 4; i++)
        if (flags[i])
            json_object_set_new(args, flag_names[i], json_true());
    return cv_cli_op_print(cli, "complaint.add", args, print_complaint);
}

static int complaint_list(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    int open = 0, cands = 0;
    cv_opt opts[] = {{"term", &term, NULL},
                     {"open", NULL, &open},
                     {"candidates", NULL, &cands},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "complaint list ORG [--open] [--candidates] [--term T]",
                     1, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s, s:b, s:b}", "org", pos[0], "open", open, "candidates", cands);
    if (term)
        json_object_set_new(args, "term", json_string(term));
    return cv_cli_op_print(cli, "complaint.list", args, print_complaints);
}

static int complaint_settle(cv_cli *cli, int argc, char **argv)
{
    const char *on = NULL, *conclusion = NULL;
    cv_opt opts[] = {{"on", &on, NULL}, {"conclusion", &conclusion, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, "complaint settle ID [--on DATE] [--conclusion TEXT]",
                     1, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, pos[0][0] == '#' ? pos[0] + 1 : pos[0], "complaint id", &id) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:I}", "id", (json_int_t)id);
    if (on)
        json_object_set_new(args, "on", json_string(on));
    if (conclusion)
        json_object_set_new(args, "conclusion", json_string(conclusion));
    return cv_cli_op_print(cli, "complaint.settle", args, print_json);
}

int cv_cmd_complaint(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", complaint_add, NULL},
                                         {"list", complaint_list, NULL},
                                         {"settle", complaint_settle, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "complaint", argc, argv);
}
