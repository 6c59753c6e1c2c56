/* cmd_elect.c: `convene election`: lists, attendance, tally, count, announcement, approval,
 * corrections and further rounds of the elections of a congress. Parses and prints only; every
 * rule lives in core/elect. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "elect/election.h"

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

static int election_id(cv_cli *cli, const char *arg, int64_t *id)
{
    return cv_cli_count(cli, arg[0] == '#' ? arg + 1 : arg, "election id", id);
}

/* A comma-separated list of people's codes as a JSON array into *out (at most cap of them). */
static int split(cv_cli *cli, const char *list, int cap, json_t **out)
{
    char *copy = strdup(list ? list : "");
    *out = json_array();
    if (!copy || !*out) {
        free(copy);
        return cv_err_set(&cli->err, CV_ENOMEM, "out of memory");
    }
    int n = 0, rc = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && rc == 0;
         t = strtok_r(NULL, ",", &save))
        rc = n++ == cap ? cv_err_set(&cli->err, CV_ELIMIT, "more than %d candidates", cap)
                        : json_array_append_new(*out, json_string(t));
    free(copy);
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

static json_t *id_args(int64_t id)
{
    return json_pack("{s:I}", "id", (json_int_t)id);
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
    const char *seats = NULL, *cands = NULL, *term = NULL;
    cv_opt opts[] = {{"seats", &seats, NULL},
                     {"candidates", &cands, NULL},
                     {"term", &term, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t id, n_seats = -1;
    json_t *list;
    if (cv_cli_parse(cli, argc, argv, opts, usage, open ? 1 : 2, 2, pos, &npos) < 0 ||
        cv_cli_count(cli, seats, "--seats", &n_seats) < 0)
        return cli->err.code;
    if (open && npos == 1)
        return election_id(cli, pos[0], &id) < 0
                   ? cli->err.code
                   : cv_cli_op_print(cli, "election.start", id_args(id), print_election);
    if (split(cli, cands, CV_ELECT_MAX_CANDIDATES, &list) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s, s:s, s:o}", "org", pos[0], "body", pos[1], "candidates", list);
    if (n_seats >= 0)
        json_object_set_new(args, "seats", json_integer(n_seats));
    if (term)
        json_object_set_new(args, "term", json_string(term));
    return cv_cli_op_print(cli, open ? "election.open" : "election.create", args, print_election);
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
    cv_attendance a = {-1, -1, -1, -1, -1, -1, -1, -1, -1};
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
    json_t *args = id_args(id);
    for (int i = 0; i < 9; i++)
        if (*f[i] >= 0) {
            char key[32];
            snprintf(key, sizeof key, "%s", names[i]);
            for (char *k = key; *k; k++)
                *k = *k == '-' ? '_' : *k;
            json_object_set_new(args, key, json_integer(*f[i]));
        }
    return cv_cli_op_print(cli, "election.attendance", args, print_election);
}

/* Reads --issued/--returned/--valid/--invalid into args, and the PERSON=VOTES positionals
 * (pos[1..npos)) as its votes. */
static int read_tally(cv_cli *cli, const char *const *v, char **pos, int npos, json_t *args)
{
    static const char *const what[] = {"--issued", "--returned", "--valid", "--invalid"};
    for (int i = 0; i < 4; i++) {
        int64_t n = -1;
        if (!v[i])
            return cv_err_set(&cli->err, CV_EINVAL, "%s N is required", what[i]);
        if (cv_cli_count(cli, v[i], what[i], &n) < 0)
            return cli->err.code;
        json_object_set_new(args, what[i] + 2, json_integer(n));
    }
    json_t *votes = json_array();
    for (int i = 1; i < npos; i++)
        json_array_append_new(votes, json_string(pos[i]));
    json_object_set_new(args, "votes", votes);
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
    int npos;
    int64_t id;
    json_t *args = NULL;
    if (parse(cli, argc, argv, opts, usage, 2, MAX_ARGS - 1, &pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0 || read_tally(cli, v, pos, npos, args = id_args(id)) < 0)
        goto fail;
    if (!correct && (by || reason)) {
        cv_err_set(&cli->err, CV_EINVAL, "--by and --reason belong to 'election correct'");
        goto fail;
    }
    if (by)
        json_object_set_new(args, "by", json_string(by));
    if (reason)
        json_object_set_new(args, "reason", json_string(reason));
    free(pos);
    return cv_cli_op_print(cli, correct ? "election.correct" : "election.tally", args,
                           print_election);
fail:
    json_decref(args);
    free(pos);
    return cli->err.code;
}

static int election_tally(cv_cli *cli, int argc, char **argv)
{
    return tally_or_correct(cli, argc, argv, 0);
}

static int election_correct(cv_cli *cli, int argc, char **argv)
{
    return tally_or_correct(cli, argc, argv, 1);
}

/* announce, approve, show and count take only an id. */
static int by_id(cv_cli *cli, int argc, char **argv, const char *usage, const char *op,
                 void (*human)(json_t *j, FILE *out))
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 1, 1, pos, &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, op, id_args(id), human);
}

static int election_announce(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election announce ID", "election.announce", print_election);
}

static int election_approve(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election approve ID", "election.approve", print_election);
}

static int election_show(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election show ID", "election.show", print_election);
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
    return by_id(cli, argc, argv, "election count ID", "election.count", print_lines);
}

static int election_round(cv_cli *cli, int argc, char **argv)
{
    const char *cands = NULL;
    cv_opt opts[] = {{"candidates", &cands, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t id;
    json_t *list;
    if (cv_cli_parse(cli, argc, argv, opts, "election round ID [--candidates A,B,...]", 1, 1, pos,
                     &npos) < 0 ||
        election_id(cli, pos[0], &id) < 0)
        return cli->err.code;
    json_t *args = id_args(id);
    if (cands) {
        if (split(cli, cands, CV_ELECT_MAX_CANDIDATES, &list) < 0) {
            json_decref(args);
            return cli->err.code;
        }
        json_object_set_new(args, "candidates", list);
    }
    return cv_cli_op_print(cli, "election.round", args, print_election);
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
    json_t *args = json_object();
    if (npos)
        json_object_set_new(args, "org", json_string(pos[0]));
    if (term)
        json_object_set_new(args, "term", json_string(term));
    return cv_cli_op_print(cli, "election.list", args, print_list);
}

static void print_doc(json_t *j, FILE *out)
{
    json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
}

static int election_minutes(cv_cli *cli, int argc, char **argv)
{
    return by_id(cli, argc, argv, "election minutes ID", "election.minutes", print_doc);
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
