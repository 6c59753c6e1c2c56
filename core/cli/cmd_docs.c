/* cmd_docs.c: `convene doc` and `convene round`: congress documents, their versions and status,
 * and the comment rounds they go through, mapped onto the operations doc.* and round.* (the
 * files named on the command line are the operations' CV_ARG_FILE arguments). This file only
 * parses and prints. */
#include <string.h>

#include "cli/cli.h"

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static int id_arg(cv_cli *cli, const char *arg, const char *what, int64_t *id)
{
    return cv_cli_count(cli, arg[0] == '#' ? arg + 1 : arg, what, id);
}

static void print_round_line(json_t *r, FILE *out)
{
    fprintf(out, "  round %lld on version %lld, %s, opened %s, deadline %s: %s\n", num(r, "id"),
            num(r, "version"), text(r, "status"), text(r, "opened_on"), text(r, "deadline"),
            text(r, "summary"));
}

static void print_doc(json_t *j, FILE *out)
{
    fprintf(out, "#%lld %s [%s] %s: %s\n", num(j, "id"), text(j, "org"), text(j, "kind"),
            text(j, "status"), text(j, "title"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "version_list"), i, v)
    {
        fprintf(out, "  v%lld %s by %s: ", num(v, "n"), text(v, "on"), text(v, "by"));
        if (*text(v, "sha256"))
            fprintf(out, "%lld bytes, sha256 %.16s...", num(v, "size"), text(v, "sha256"));
        else
            fprintf(out, "at %s", text(v, "path"));
        fprintf(out, "%s%s\n", *text(v, "note") ? "; " : "", text(v, "note"));
    }
    json_array_foreach(json_object_get(j, "rounds"), i, v) print_round_line(v, out);
}

static void print_docs(json_t *j, FILE *out)
{
    size_t i;
    json_t *d;
    json_array_foreach(j, i, d)
    {
        fprintf(out, "#%-4lld %-8s %-17s %-13s v%lld %s\n", num(d, "id"), text(d, "org"),
                text(d, "kind"), text(d, "status"), num(d, "versions"), text(d, "title"));
    }
    if (json_array_size(j) == 0)
        fprintf(out, "no documents\n");
}

static json_t *id_args(const char *key, int64_t id)
{
    return json_pack("{s:I}", key, (json_int_t)id);
}

static int doc_add(cv_cli *cli, int argc, char **argv)
{
    const char *kind = NULL, *term = NULL, *file = NULL, *by = NULL, *note = NULL;
    cv_opt opts[] = {{"kind", &kind, NULL}, {"term", &term, NULL}, {"file", &file, NULL},
                     {"by", &by, NULL},     {"note", &note, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    const char *usage = "doc add ORG TITLE --kind political_report|review_report|resolution|"
                        "action_programme|other [--term T] [--file FILE --by WHO [--note TEXT]]";
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0)
        return cli->err.code;
    if (file && !by)
        return cv_err_set(&cli->err, CV_EINVAL, "--file needs --by WHO; usage: convene %s", usage);
    static const char *const names[] = {"org", "title", "kind", "term", "file", "by", "note"};
    const char *values[] = {pos[0], pos[1], kind ? kind : "other", term, file, by, note};
    return cv_cli_op_print(cli, "doc.add", cv_cli_texts(json_object(), names, values, 7),
                           print_doc);
}

static int doc_version(cv_cli *cli, int argc, char **argv)
{
    const char *by = NULL, *note = NULL, *link = NULL;
    int64_t id;
    cv_opt opts[] = {
        {"by", &by, NULL}, {"note", &note, NULL}, {"link", &link, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    const char *usage = "doc version ID (FILE | --link PATH) --by WHO [--note TEXT]";
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 2, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &id) < 0)
        return cli->err.code;
    if (!by)
        return cv_err_set(&cli->err, CV_EINVAL, "--by WHO is required; usage: convene %s", usage);
    static const char *const names[] = {"file", "link", "by", "note"};
    const char *values[] = {npos == 2 ? pos[1] : NULL, link, by, note};
    return cv_cli_op_print(cli, "doc.version", cv_cli_texts(id_args("id", id), names, values, 4),
                           print_doc);
}

static int doc_get(cv_cli *cli, int argc, char **argv)
{
    const char *version = NULL, *output = NULL;
    cv_opt opts[] = {{"version", &version, NULL}, {"output", &output, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id, n = 0;
    const char *usage = "doc get ID --output FILE [--version N]";
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &id) < 0 ||
        cv_cli_count(cli, version, "--version", &n) < 0)
        return cli->err.code;
    if (!output)
        return cv_err_set(&cli->err, CV_EINVAL, "--output FILE is required; usage: convene %s",
                          usage);
    if (version && (n < 1 || n > 100000))
        return cv_err_set(&cli->err, CV_EINVAL, "--version must be 1 or more");
    json_t *args = id_args("id", id), *result = NULL;
    json_object_set_new(args, "output", json_string(output));
    if (version)
        json_object_set_new(args, "version", json_integer(n));
    if (cv_cli_op(cli, "doc.get", args, &result) < 0)
        return cli->err.code;
    json_decref(result);
    if (!cli->json)
        printf("wrote %s\n", output);
    else
        return cv_cli_print(
            cli, json_pack("{s:I, s:s}", "document", (json_int_t)id, "output", output), NULL);
    return 0;
}

static int doc_status(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL,
                     "doc status ID drafting|consultation|revising|submitted|adopted", 2, 2, pos,
                     &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &id) < 0)
        return cli->err.code;
    json_t *args = id_args("id", id);
    json_object_set_new(args, "status", json_string(pos[1]));
    return cv_cli_op_print(cli, "doc.status", args, print_doc);
}

static int doc_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, "doc show ID", 1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &id) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "doc.show", id_args("id", id), print_doc);
}

static int doc_list(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "doc list [ORG] [--term T]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "term"};
    const char *values[] = {npos ? pos[0] : NULL, term};
    return cv_cli_op_print(cli, "doc.list", cv_cli_texts(json_object(), names, values, 2),
                           print_docs);
}

int cv_cmd_doc(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", doc_add, NULL},   {"version", doc_version, NULL},
                                         {"get", doc_get, NULL},   {"status", doc_status, NULL},
                                         {"show", doc_show, NULL}, {"list", doc_list, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "doc", argc, argv);
}

/* round -------------------------------------------------------------------------------------- */

static void print_round(json_t *j, FILE *out)
{
    fprintf(out, "Round %lld on \"%s\" (document %lld, version %lld) of %s\n", num(j, "id"),
            text(j, "title"), num(j, "document"), num(j, "version"), text(j, "org"));
    fprintf(out, "  %s, opened %s, deadline %s%s%s\n", text(j, "status"), text(j, "opened_on"),
            text(j, "deadline"), *text(j, "closed_on") ? ", closed " : "", text(j, "closed_on"));
    fprintf(out, "  %s\n", text(j, "summary"));
    if (*text(j, "taken_in"))
        fprintf(out, "  taken in: %s\n", text(j, "taken_in"));
    size_t i, waiting = 0;
    json_t *r;
    json_array_foreach(json_object_get(j, "recipients"), i, r)
    {
        if (json_is_string(json_object_get(r, "responded_on")))
            fprintf(out, "    %-12s %s%s %s%s%s\n", text(r, "key"), text(r, "responded_on"),
                    json_is_true(json_object_get(r, "late")) ? " (late)" : "", text(r, "name"),
                    *text(r, "summary") ? ": " : "", text(r, "summary"));
        else
            waiting++;
    }
    if (waiting) {
        fprintf(out, "  not yet answered (%zu):", waiting);
        json_array_foreach(json_object_get(j, "recipients"), i,
                           r) if (!json_is_string(json_object_get(r, "responded_on")))
            fprintf(out, " %s", text(r, "key"));
        fputc('\n', out);
    }
}

static void print_rounds(json_t *j, FILE *out)
{
    size_t i;
    json_t *r;
    json_array_foreach(j, i, r) print_round_line(r, out);
    if (json_array_size(j) == 0)
        fprintf(out, "no comment rounds\n");
}

static int round_open(cv_cli *cli, int argc, char **argv)
{
    static const char *const names[] = {"deadline",     "children", "orgs",
                                        "predecessors", "boards",   "above"};
    const char *values[6] = {0}, *version = NULL;
    cv_opt opts[8];
    for (int i = 0; i < 6; i++)
        opts[i] = (cv_opt){names[i], &values[i], NULL};
    opts[6] = (cv_opt){"version", &version, NULL};
    opts[7] = (cv_opt){NULL, NULL, NULL};
    char *pos[1];
    int npos;
    int64_t n = 0, doc;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "round open DOC --deadline DATE [--version N] [--children ORG] "
                     "[--orgs A,B] [--predecessors 'X;Y'] [--boards 'X;Y'] [--above 'X']",
                     1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &doc) < 0 ||
        cv_cli_count(cli, version, "--version", &n) < 0)
        return cli->err.code;
    if (n > 100000)
        return cv_err_set(&cli->err, CV_EINVAL, "--version %lld is out of range", (long long)n);
    json_t *args = cv_cli_texts(id_args("doc", doc), names, values, 6);
    if (n > 0)
        json_object_set_new(args, "version", json_integer(n));
    return cv_cli_op_print(cli, "round.open", args, print_round);
}

static int round_respond(cv_cli *cli, int argc, char **argv)
{
    const char *on = NULL, *summary = NULL, *file = NULL;
    cv_opt opts[] = {
        {"on", &on, NULL}, {"summary", &summary, NULL}, {"file", &file, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "round respond ROUND RECIPIENT [--on DATE] [--summary TEXT] [--file FILE]", 2,
                     2, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "round id", &id) < 0)
        return cli->err.code;
    static const char *const names[] = {"recipient", "on", "summary", "file"};
    const char *values[] = {pos[1], on, summary, file};
    return cv_cli_op_print(cli, "round.respond", cv_cli_texts(id_args("id", id), names, values, 4),
                           print_round);
}

static int round_close(cv_cli *cli, int argc, char **argv)
{
    const char *taken_in = NULL;
    cv_opt opts[] = {{"taken-in", &taken_in, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, "round close ROUND [--taken-in TEXT]", 1, 1, pos,
                     &npos) < 0 ||
        id_arg(cli, pos[0], "round id", &id) < 0)
        return cli->err.code;
    json_t *args = id_args("id", id);
    if (taken_in)
        json_object_set_new(args, "taken_in", json_string(taken_in));
    return cv_cli_op_print(cli, "round.close", args, print_round);
}

static int round_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, "round show ROUND", 1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "round id", &id) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "round.show", id_args("id", id), print_round);
}

static int round_list(cv_cli *cli, int argc, char **argv)
{
    const char *doc = NULL;
    int open_only = 0;
    cv_opt opts[] = {{"doc", &doc, NULL}, {"open", NULL, &open_only}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id = 0;
    if (cv_cli_parse(cli, argc, argv, opts, "round list [--doc ID] [--open]", 0, 0, pos, &npos) <
            0 ||
        (doc && id_arg(cli, doc, "document id", &id) < 0))
        return cli->err.code;
    json_t *args = json_pack("{s:b}", "open", open_only);
    if (doc)
        json_object_set_new(args, "doc", json_integer(id));
    return cv_cli_op_print(cli, "round.list", args, print_rounds);
}

int cv_cmd_round(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"open", round_open, NULL}, {"respond", round_respond, NULL}, {"close", round_close, NULL},
        {"show", round_show, NULL}, {"list", round_list, NULL},       {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "round", argc, argv);
}
