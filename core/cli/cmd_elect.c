/* cmd_elect.c: `convene election`: lists, attendance, tally, count, announcement, approval,
 * corrections and further rounds of the elections of a congress. Parses and prints only; every
 * rule lives in core/elect. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "elect/election.h"
#include "elect/minutes.h"
#include "report/report.h"

#define MAX_ARGS (CV_ELECT_MAX_CANDIDATES + 2)

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_election(json_t *j, FILE *out)
{
    fprintf(out, "Election #%lld: %s of %s (%s), term %s, round %lld\n", num(j, "id"),
            text(j, "body"), text(j, "org_name"), text(j, "org"), text(j, "term"), num(j, "round"));
    fprintf(out, "  %lld seats, %s, %s congress, tie rule %s\n", num(j, "seats"), text(j, "status"),
            text(j, "kind"), text(j, "tie_rule"));
    if (json_is_integer(json_object_get(j, "base")))
        fprintf(out, "  base %lld (adjusted summoned); elected with at least %lld votes\n",
                num(j, "base"), num(j, "threshold"));
    if (json_is_integer(json_object_get(j, "valid")))
        fprintf(out, "  ballots: %lld issued, %lld returned, %lld valid, %lld invalid\n",
                num(j, "issued"), num(j, "returned"), num(j, "valid"), num(j, "invalid"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "candidates"), i, c)
    {
        fprintf(out, "  %2lld. %-12s ", num(c, "position"), text(c, "person"));
        cv_cli_pad(out, text(c, "name"), 28);
        if (json_is_integer(json_object_get(c, "votes")))
            fprintf(out, " %6lld  %s", num(c, "votes"), text(c, "outcome"));
        if (strcmp(text(c, "source"), "list") != 0)
            fprintf(out, "  (%s nominee, %lld agreed)", text(c, "source"), num(c, "opinion_agree"));
        fputc('\n', out);
    }
    json_t *next = json_object_get(j, "next_round");
    if (json_is_object(next))
        fprintf(out, "  a further round is needed for %lld seats, among the %s\n",
                num(next, "seats"),
                strcmp(text(next, "among"), "tied") == 0 ? "candidates tied for the last seat"
                                                         : "candidates not elected");
    json_array_foreach(json_object_get(j, "corrections"), i, c)
        fprintf(out, "  corrected by %s: %s\n", text(c, "by"), text(c, "reason"));
}

static int show(cv_cli *cli, cv_store *s, int64_t id)
{
    json_t *j;
    if (cv_election_json(s, id, &j, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, j, print_election);
}

static int election_id(cv_cli *cli, const char *arg, int64_t *id)
{
    return cv_cli_count(cli, arg[0] == '#' ? arg + 1 : arg, "election id", id);
}

/* Splits a comma-separated list in place into v (at most cap names). */
static int split(cv_cli *cli, char *list, const char **v, int cap)
{
    int n = 0;
    for (char *save = NULL, *t = list ? strtok_r(list, ",", &save) : NULL; t;
         t = strtok_r(NULL, ",", &save)) {
        if (n == cap)
            return cv_err_set(&cli->err, CV_ELIMIT, "more than %d candidates", cap);
        v[n++] = t;
    }
    return n;
}

/* Runs the parse for a command taking an election id and at most max_pos more positionals,
 * leaving them in a heap array *pos (free it). */
static int parse(cv_cli *cli, int argc, char **argv, const cv_opt *opts, const char *usage,
                 int min_pos, int max_pos, char ***pos, int *npos)
{
    *pos = calloc((size_t)max_pos + 1, sizeof **pos);
    if (!*pos)
        return cv_err_set(&cli->err, CV_ENOMEM, "out of memory");
    return cv_cli_parse(cli, argc, argv, opts, usage, min_pos, max_pos, *pos, npos);
}

static int election_create_or_open(cv_cli *cli, int argc, char **argv, int open)
{
    const char *usage = open ? "election open ID | election open ORG BODY --candidates A,B,... "
                               "[--seats N] [--term T]"
                             : "election create ORG BODY [--seats N] [--candidates A,B,...] "
                               "[--term T]";
    const char *seats = NULL, *cands = NULL;
    cv_election_spec spec = {0};
    cv_opt opts[] = {{"seats", &seats, NULL},
                     {"candidates", &cands, NULL},
                     {"term", &spec.term, NULL},
                     {NULL, NULL, NULL}};
    char **pos = NULL;
    int npos, rc = 0;
    int64_t id;
    const char **names = calloc(CV_ELECT_MAX_CANDIDATES + 1, sizeof *names);
    char *list = NULL;
    if (!names || parse(cli, argc, argv, opts, usage, open ? 1 : 2, 2, &pos, &npos) < 0 ||
        cv_cli_count(cli, seats, "--seats", &spec.seats) < 0) {
        rc = names ? cli->err.code : CV_ENOMEM;
        goto end;
    }
    cv_store *s = cv_cli_store(cli);
    if (!s) {
        rc = cli->err.code;
        goto end;
    }
    if (open && npos == 1) {
        if (election_id(cli, pos[0], &id) < 0 || cv_election_start(s, id, &cli->err) < 0)
            rc = cli->err.code;
        else
            rc = show(cli, s, id);
        goto end;
    }
    if (npos < 2) {
        rc = cv_err_set(&cli->err, CV_EINVAL, "missing arguments; usage: convene %s", usage);
        goto end;
    }
    list = cands ? strdup(cands) : NULL;
    spec.org = pos[0];
    spec.body = pos[1];
    if ((spec.count = split(cli, list, names, CV_ELECT_MAX_CANDIDATES)) < 0) {
        rc = cli->err.code;
        goto end;
    }
    spec.candidates = names;
    if ((open ? cv_election_open(s, &spec, &id, &cli->err)
              : cv_election_create(s, &spec, &id, &cli->err)) < 0)
        rc = cli->err.code;
    else
        rc = show(cli, s, id);
end:
    free(list);
    free(names);
    free(pos);
    return rc;
}

static int election_create(cv_cli *cli, int argc, char **argv)
{
    return election_create_or_open(cli, argc, argv, 0);
}

static int election_open(cv_cli *cli, int argc, char **argv)
{
    return election_create_or_open(cli, argc, argv, 1);
}

static int election_candidates(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "election candidates ID [--add PERSON [--source list|floor|self] "
                        "[--agree N]] [--remove PERSON]";
    const char *add = NULL, *rm = NULL, *source = "list", *agree_s = NULL;
    cv_opt opts[] = {{"add", &add, NULL},
                     {"remove", &rm, NULL},
                     {"source", &source, NULL},
                     {"agree", &agree_s, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id, agree = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0 || cv_cli_count(cli, agree_s, "--agree", &agree) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:I, s:s}", "id", (json_int_t)id, "source", source);
    if (add)
        json_object_set_new(args, "add", json_string(add));
    if (rm)
        json_object_set_new(args, "remove", json_string(rm));
    if (agree >= 0)
        json_object_set_new(args, "agree", json_integer(agree));
    return cv_cli_op_print(cli, "election.candidates", args, print_election);
}

static int election_attendance(cv_cli *cli, int argc, char **argv)
{
    const char *usage =
        "election attendance ID --summoned N [--attending N] [--transferred N] "
        "[--exempt-absent N] [--suspended N] [--excused-absent N] [--convening-absent N] "
        "[--unreplaced-absent N] [--alternates-in N]";
    static const char *const names[] = {"summoned",          "transferred",    "exempt-absent",
                                        "suspended",         "excused-absent", "convening-absent",
                                        "unreplaced-absent", "alternates-in",  "attending"};
    const char *v[9] = {0};
    cv_opt opts[10];
    for (int i = 0; i < 9; i++)
        opts[i] = (cv_opt){names[i], &v[i], NULL};
    opts[9] = (cv_opt){NULL, NULL, NULL};
    cv_attendance a = {.summoned = -1, .attending = -1};
    int64_t *f[] = {&a.summoned,          &a.transferred,    &a.exempt_absent,
                    &a.suspended,         &a.excused_absent, &a.convening_absent,
                    &a.unreplaced_absent, &a.alternates_in,  &a.attending};
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    for (int i = 0; i < 9; i++) {
        char what[32];
        snprintf(what, sizeof what, "--%s", names[i]);
        if (cv_cli_count(cli, v[i], what, f[i]) < 0)
            return cli->err.code;
    }
    if (a.summoned < 0)
        return cv_err_set(&cli->err, CV_EINVAL, "--summoned N is required; usage: convene %s",
                          usage);
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_election_set_attendance(s, id, &a, &cli->err) < 0)
        return cli->err.code;
    return show(cli, s, id);
}

/* Reads --issued/--returned/--valid/--invalid and CODE=VOTES positionals (pos[1..npos)). */
static int read_tally(cv_cli *cli, const char *const *v, char **pos, int npos, cv_tally *t,
                      const char **codes, int64_t *votes)
{
    int64_t *f[] = {&t->issued, &t->returned, &t->valid, &t->invalid};
    static const char *const what[] = {"--issued", "--returned", "--valid", "--invalid"};
    for (int i = 0; i < 4; i++) {
        *f[i] = -1;
        if (!v[i])
            return cv_err_set(&cli->err, CV_EINVAL, "%s N is required", what[i]);
        if (cv_cli_count(cli, v[i], what[i], f[i]) < 0)
            return cli->err.code;
    }
    for (int i = 1; i < npos; i++) {
        char *eq = strchr(pos[i], '=');
        if (!eq)
            return cv_err_set(&cli->err, CV_EINVAL, "'%s' is not PERSON=VOTES", pos[i]);
        *eq = 0;
        codes[i - 1] = pos[i];
        if (cv_cli_count(cli, eq + 1, "votes", &votes[i - 1]) < 0)
            return cli->err.code;
    }
    return 0;
}

static int tally_or_correct(cv_cli *cli, int argc, char **argv, int correct)
{
    const char *usage = correct ? "election correct ID --by WHO --reason WHY --issued N "
                                  "--returned N --valid N --invalid N PERSON=VOTES..."
                                : "election tally ID --issued N --returned N --valid N "
                                  "--invalid N PERSON=VOTES...";
    const char *v[4] = {0}, *by = NULL, *reason = NULL;
    cv_opt opts[] = {{"issued", &v[0], NULL},  {"returned", &v[1], NULL}, {"valid", &v[2], NULL},
                     {"invalid", &v[3], NULL}, {"by", &by, NULL},         {"reason", &reason, NULL},
                     {NULL, NULL, NULL}};
    char **pos = NULL;
    int npos, rc = 0;
    int64_t id;
    cv_tally t;
    const char **codes = calloc(MAX_ARGS, sizeof *codes);
    int64_t *votes = calloc(MAX_ARGS, sizeof *votes);
    if (!codes || !votes) {
        rc = cv_err_set(&cli->err, CV_ENOMEM, "out of memory");
        goto end;
    }
    if (parse(cli, argc, argv, opts, usage, 2, MAX_ARGS - 1, &pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0 || read_tally(cli, v, pos, npos, &t, codes, votes) < 0) {
        rc = cli->err.code;
        goto end;
    }
    if (!correct && (by || reason)) {
        rc = cv_err_set(&cli->err, CV_EINVAL, "--by and --reason belong to 'election correct'");
        goto end;
    }
    cv_store *s = cv_cli_store(cli);
    if (!s ||
        (correct ? cv_election_correct(s, id, by, reason, &t, codes, votes, npos - 1, &cli->err)
                 : cv_election_tally(s, id, &t, codes, votes, npos - 1, &cli->err)) < 0)
        rc = cli->err.code;
    else
        rc = show(cli, s, id);
end:
    free(codes);
    free(votes);
    free(pos);
    return rc;
}

static int election_tally(cv_cli *cli, int argc, char **argv)
{
    return tally_or_correct(cli, argc, argv, 0);
}

static int election_correct(cv_cli *cli, int argc, char **argv)
{
    return tally_or_correct(cli, argc, argv, 1);
}

/* announce, approve and show take only an id. */
static int by_id(cv_cli *cli, int argc, char **argv, const char *usage,
                 int (*fn)(cv_store *, int64_t, cv_err *))
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 1, 1, pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || (fn && fn(s, id, &cli->err) < 0))
        return cli->err.code;
    return show(cli, s, id);
}

static int election_announce(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election announce ID", cv_election_announce);
}

static int election_approve(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election approve ID", cv_election_approve);
}

static int election_show(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election show ID", NULL);
}

static void print_lines(json_t *j, FILE *out)
{
    size_t i;
    json_t *l;
    json_array_foreach(j, i, l) fprintf(out, "%s\n", json_string_value(l));
}

/* The outcome explained, one sentence per figure and per candidate. */
static int election_count(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    json_t *lines;
    if (cv_cli_parse(cli, argc, argv, NULL, "election count ID", 1, 1, pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_minutes_explain(s, id, &lines, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, lines, print_lines);
}

static int election_round(cv_cli *cli, int argc, char **argv)
{
    const char *cands = NULL;
    cv_opt opts[] = {{"candidates", &cands, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos, n = 0, rc;
    int64_t id, next;
    if (cv_cli_parse(cli, argc, argv, opts, "election round ID [--candidates A,B,...]", 1, 1, pos,
                     &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    const char **names = calloc(CV_ELECT_MAX_CANDIDATES + 1, sizeof *names);
    char *list = cands ? strdup(cands) : NULL;
    cv_store *s = cv_cli_store(cli);
    if (!names || (cands && !list))
        rc = cv_err_set(&cli->err, CV_ENOMEM, "out of memory");
    else if (!s || (n = split(cli, list, names, CV_ELECT_MAX_CANDIDATES)) < 0 ||
             cv_election_next_round(s, id, cands ? names : NULL, n, &next, &cli->err) < 0)
        rc = cli->err.code;
    else
        rc = show(cli, s, next);
    free(names);
    free(list);
    return rc;
}

static int add_json(int64_t id, void *ctx)
{
    void **c = ctx;
    json_t *j;
    if (cv_election_json(c[0], id, &j, c[1]) < 0)
        return ((cv_err *)c[1])->code;
    json_array_append_new(c[2], j);
    return 0;
}

static void print_list(json_t *j, FILE *out)
{
    size_t i;
    json_t *x;
    json_array_foreach(j, i, x) fprintf(out, "#%-4lld %-12s %-10s round %lld  %lld seats  %s\n",
                                        num(x, "id"), text(x, "org"), text(x, "body"),
                                        num(x, "round"), num(x, "seats"), text(x, "status"));
    if (!json_array_size(j))
        fprintf(out, "no elections\n");
}

static int election_list(cv_cli *cli, int argc, char **argv)
{
    const char *term = NULL;
    cv_opt opts[] = {{"term", &term, NULL}, {NULL, NULL, NULL}};
    char *pos[1] = {NULL};
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "election list [ORG] [--term T]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s)
        return cli->err.code;
    json_t *rows = json_array();
    void *ctx[] = {s, &cli->err, rows};
    if (cv_election_list(s, npos ? pos[0] : NULL, term, add_json, ctx, &cli->err) < 0) {
        json_decref(rows);
        return cli->err.code;
    }
    return cv_cli_print(cli, rows, print_list);
}

static void print_doc(json_t *j, FILE *out)
{
    json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
}

static int election_minutes(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    json_t *doc;
    if (cv_cli_parse(cli, argc, argv, NULL, "election minutes ID", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_report_minutes(s, NULL, pos[0], &doc, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, doc, print_doc);
}

int cv_cmd_election(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"create", election_create, NULL},
                                         {"open", election_open, NULL},
                                         {"candidates", election_candidates, NULL},
                                         {"attendance", election_attendance, NULL},
                                         {"tally", election_tally, NULL},
                                         {"count", election_count, NULL},
                                         {"announce", election_announce, NULL},
                                         {"approve", election_approve, NULL},
                                         {"correct", election_correct, NULL},
                                         {"round", election_round, NULL},
                                         {"show", election_show, NULL},
                                         {"list", election_list, NULL},
                                         {"minutes", election_minutes, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "election", argc, argv);
}
