/* cmd_docs.c: `convene doc` and `convene round`: congress documents, their versions and status,
 * and the comment rounds they go through. The rules live in core/docs; this file only parses
 * and prints. */
#include <string.h>

#include "cli/cli.h"
#include "docs/document.h"
#include "docs/round.h"

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

static int show_doc(cv_cli *cli, cv_store *s, int64_t id)
{
    json_t *j;
    if (cv_doc_show(s, id, &j, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, j, print_doc);
}

static int doc_add(cv_cli *cli, int argc, char **argv)
{
    const char *kind = NULL, *term = NULL;
    cv_opt opts[] = {{"kind", &kind, NULL}, {"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "doc add ORG TITLE --kind political_report|review_report|resolution|"
                     "action_programme|other [--term T]",
                     2, 2, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_doc_add(s, pos[0], term, kind ? kind : "other", pos[1], &id, &cli->err) < 0)
        return cli->err.code;
    return show_doc(cli, s, id);
}

static int doc_version(cv_cli *cli, int argc, char **argv)
{
    cv_doc_version_spec spec = {0};
    cv_opt opts[] = {{"by", &spec.author, NULL},
                     {"note", &spec.note, NULL},
                     {"link", &spec.link, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    const char *usage = "doc version ID (FILE | --link PATH) --by WHO [--note TEXT]";
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 2, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &spec.doc) < 0)
        return cli->err.code;
    if (!spec.author)
        return cv_err_set(&cli->err, CV_EINVAL, "--by WHO is required; usage: convene %s", usage);
    spec.file = npos == 2 ? pos[1] : NULL;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_doc_add_version(s, &spec, NULL, &cli->err) < 0)
        return cli->err.code;
    return show_doc(cli, s, spec.doc);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_doc_get_file(s, id, (int)n, output, &cli->err) < 0)
        return cli->err.code;
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_doc_set_status(s, id, pos[1], &cli->err) < 0)
        return cli->err.code;
    return show_doc(cli, s, id);
}

static int doc_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, "doc show ID", 1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &id) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    return s ? show_doc(cli, s, id) : cli->err.code;
}

static int doc_list(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    json_t *rows;
    if (cv_cli_parse(cli, argc, argv, opts, "doc list [ORG] [--term T]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_doc_list(s, npos ? pos[0] : NULL, term, &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_docs);
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

static int show_round(cv_cli *cli, cv_store *s, int64_t id)
{
    json_t *j;
    if (cv_round_show(s, id, &j, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, j, print_round);
}

static int round_open(cv_cli *cli, int argc, char **argv)
{
    cv_round_spec spec = {0};
    const char *version = NULL;
    cv_opt opts[] = {{"deadline", &spec.deadline, NULL},
                     {"version", &version, NULL},
                     {"children", &spec.children, NULL},
                     {"orgs", &spec.orgs, NULL},
                     {"predecessors", &spec.predecessors, NULL},
                     {"boards", &spec.boards, NULL},
                     {"above", &spec.above, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t n = 0, id;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "round open DOC --deadline DATE [--version N] [--children ORG] "
                     "[--orgs A,B] [--predecessors 'X;Y'] [--boards 'X;Y'] [--above 'X']",
                     1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "document id", &spec.doc) < 0 ||
        cv_cli_count(cli, version, "--version", &n) < 0)
        return cli->err.code;
    if (n > 100000)
        return cv_err_set(&cli->err, CV_EINVAL, "--version %lld is out of range", (long long)n);
    spec.version = (int)n;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_round_open(s, &spec, &id, &cli->err) < 0)
        return cli->err.code;
    return show_round(cli, s, id);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_round_respond(s, id, pos[1], on, summary, file, &cli->err) < 0)
        return cli->err.code;
    return show_round(cli, s, id);
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
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_round_close(s, id, taken_in, &cli->err) < 0)
        return cli->err.code;
    return show_round(cli, s, id);
}

static int round_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, "round show ROUND", 1, 1, pos, &npos) < 0 ||
        id_arg(cli, pos[0], "round id", &id) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    return s ? show_round(cli, s, id) : cli->err.code;
}

static int round_list(cv_cli *cli, int argc, char **argv)
{
    const char *doc = NULL;
    int open_only = 0;
    cv_opt opts[] = {{"doc", &doc, NULL}, {"open", NULL, &open_only}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id = 0;
    json_t *rows;
    if (cv_cli_parse(cli, argc, argv, opts, "round list [--doc ID] [--open]", 0, 0, pos, &npos) <
            0 ||
        (doc && id_arg(cli, doc, "document id", &id) < 0))
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_round_list(s, id, open_only ? "open" : NULL, &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_rounds);
}

int cv_cmd_round(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"open", round_open, NULL}, {"respond", round_respond, NULL}, {"close", round_close, NULL},
        {"show", round_show, NULL}, {"list", round_list, NULL},       {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "round", argc, argv);
}
