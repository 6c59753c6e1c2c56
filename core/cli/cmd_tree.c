/* cmd_tree.c: `convene init`, `org`, `term`, `clock` and `journal`: the store itself, the
 * organisation tree, terms and their windows, the demo clock and the event journal. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "cli/cli.h"
#include "domain/org.h"
#include "domain/term.h"
#include "store/journal.h"

/* With --admin NAME the store's first administrator is made in the same run: the account, its
 * password (from --password-file, else asked on the terminal) and a store-wide admin grant. */
static int init_admin(cv_cli *cli, const char *login, const char *password_file)
{
    json_t *args = json_pack("{s:s, s:s}", "login", login, "name", login);
    if (cv_cli_read_password(cli, password_file, args) < 0) {
        json_decref(args);
        return cli->err.code;
    }
    if (cv_cli_op(cli, "account.add", args, NULL) < 0 ||
        cv_cli_op(cli, "grant.add", json_pack("{s:s, s:s}", "login", login, "role", "admin"),
                  NULL) < 0)
        return cli->err.code;
    return 0;
}

int cv_cmd_init(cv_cli *cli, int argc, char **argv)
{
    const char *admin = NULL, *password_file = NULL;
    cv_opt opts[] = {
        {"admin", &admin, NULL}, {"password-file", &password_file, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "init [--admin LOGIN [--password-file F]]", 0, 0, pos,
                     &npos) < 0)
        return cli->err.code;
    const char *path = cv_store_default_path(cli->db_path);
    if (cv_store_open(path, CV_STORE_CREATE, &cli->store, &cli->err) < 0 ||
        cv_cli_identify(cli) < 0)
        return cli->err.code;
    cv_store_set_actor(cli->store, &cli->actor);
    if (cv_store_begin(cli->store, &cli->err) < 0)
        return cli->err.code;
    if (cv_term_seed(cli->store, &cli->err) < 0 || cv_store_commit(cli->store, &cli->err) < 0) {
        cv_store_rollback(cli->store);
        return cli->err.code;
    }
    if (admin && init_admin(cli, admin, password_file) < 0)
        return cli->err.code;
    json_t *j = json_pack("{s:s, s:i}", "store", path, "schema", cv_store_schema_version());
    if (admin)
        json_object_set_new(j, "admin", json_string(admin));
    if (cli->json)
        return cv_cli_print(cli, j, NULL);
    printf("store %s is ready (schema %d)%s%s\n", path, cv_store_schema_version(),
           admin ? ", administrator " : "", admin ? admin : "");
    json_decref(j);
    return 0;
}

/* org ---------------------------------------------------------------------------------------- */

static void print_org(json_t *j, FILE *out)
{
    fprintf(out, "%s  %s\n  level %s%s%s, %lld members",
            json_string_value(json_object_get(j, "code")),
            json_string_value(json_object_get(j, "name")),
            json_string_value(json_object_get(j, "level")),
            *json_string_value(json_object_get(j, "kind")) ? ", " : "",
            json_string_value(json_object_get(j, "kind")),
            (long long)json_integer_value(json_object_get(j, "members")));
    json_t *parent = json_object_get(j, "parent");
    if (json_is_string(parent))
        fprintf(out, ", under %s", json_string_value(parent));
    fputc('\n', out);
}

static int org_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "org add CODE NAME --level LEVEL [--parent CODE] [--kind WORD] "
                        "[--members N]";
    const char *level = NULL, *parent = NULL, *kind = NULL, *members = NULL;
    cv_opt opts[] = {{"level", &level, NULL},
                     {"parent", &parent, NULL},
                     {"kind", &kind, NULL},
                     {"members", &members, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t count = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0 ||
        cv_cli_count(cli, members, "--members", &count) < 0)
        return cli->err.code;
    if (!level)
        return cv_err_set(&cli->err, CV_EINVAL, "--level is required; usage: convene %s", usage);
    json_t *args = json_pack("{s:s, s:s, s:s}", "code", pos[0], "name", pos[1], "level", level);
    if (parent)
        json_object_set_new(args, "parent", json_string(parent));
    if (kind)
        json_object_set_new(args, "kind", json_string(kind));
    if (count >= 0)
        json_object_set_new(args, "members", json_integer(count));
    return cv_cli_op_print(cli, "org.add", args, print_org);
}

static int org_set(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "org set CODE [--name NAME] [--kind WORD] [--members N]";
    const char *name = NULL, *kind = NULL, *members = NULL;
    cv_opt opts[] = {{"name", &name, NULL},
                     {"kind", &kind, NULL},
                     {"members", &members, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t count = -1;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, members, "--members", &count) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s}", "code", pos[0]);
    if (name)
        json_object_set_new(args, "name", json_string(name));
    if (kind)
        json_object_set_new(args, "kind", json_string(kind));
    if (count >= 0)
        json_object_set_new(args, "members", json_integer(count));
    return cv_cli_op_print(cli, "org.set", args, print_org);
}

static int org_move(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "org move CODE NEW_PARENT", 2, 2, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "org.move",
                           json_pack("{s:s, s:s}", "code", pos[0], "parent", pos[1]), print_org);
}

static int org_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "org show CODE", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "org.show", json_pack("{s:s}", "code", pos[0]), print_org);
}

static void print_tree(json_t *j, FILE *out)
{
    size_t i;
    json_t *row;
    json_array_foreach(j, i, row)
    {
        int depth = (int)json_integer_value(json_object_get(row, "depth"));
        fprintf(out, "%*s%s  %s (%s, %lld members)\n", depth * 2, "",
                json_string_value(json_object_get(row, "code")),
                json_string_value(json_object_get(row, "name")),
                json_string_value(json_object_get(row, "level")),
                (long long)json_integer_value(json_object_get(row, "members")));
    }
}

static int org_tree(cv_cli *cli, int argc, char **argv)
{
    const char *depth = NULL;
    cv_opt opts[] = {{"depth", &depth, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t max_depth = -1;
    if (cv_cli_parse(cli, argc, argv, opts, "org tree [CODE] [--depth N]", 0, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, depth, "--depth", &max_depth) < 0)
        return cli->err.code;
    json_t *args = json_object();
    if (npos)
        json_object_set_new(args, "root", json_string(pos[0]));
    if (max_depth >= 0)
        json_object_set_new(args, "depth", json_integer(max_depth > 16 ? 16 : max_depth));
    return cv_cli_op_print(cli, "org.tree", args, print_tree);
}

int cv_cmd_org(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", org_add, NULL},   {"set", org_set, NULL},
                                         {"move", org_move, NULL}, {"show", org_show, NULL},
                                         {"tree", org_tree, NULL}, {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "org", argc, argv);
}

/* term --------------------------------------------------------------------------------------- */

static void print_term(json_t *j, FILE *out)
{
    fprintf(out, "term %s (%s to %s)\n", json_string_value(json_object_get(j, "code")),
            json_string_value(json_object_get(j, "starts")),
            json_string_value(json_object_get(j, "ends")));
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(j, "windows"), i, w)
    {
        fprintf(out, "  %-11s %s .. %s", json_string_value(json_object_get(w, "level")),
                json_string_value(json_object_get(w, "opens")),
                json_string_value(json_object_get(w, "closes")));
        json_int_t days = json_integer_value(json_object_get(w, "max_days"));
        if (days)
            fprintf(out, "  at most %lld day%s", (long long)days, days == 1 ? "" : "s");
        fputc('\n', out);
    }
}

static int term_show(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "term show [TERM]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_object();
    if (npos)
        json_object_set_new(args, "term", json_string(pos[0]));
    return cv_cli_op_print(cli, "term.show", args, print_term);
}

static void print_current(json_t *j, FILE *out)
{
    fprintf(out, "current term: %s\n", json_string_value(json_object_get(j, "term")));
}

static int term_use(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "term use TERM", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "term.use", json_pack("{s:s}", "term", pos[0]), print_current);
}

static void print_window(json_t *j, FILE *out)
{
    fprintf(out, "%s window of %s: %s .. %s\n", json_string_value(json_object_get(j, "level")),
            json_string_value(json_object_get(j, "term")),
            json_string_value(json_object_get(j, "opens")),
            json_string_value(json_object_get(j, "closes")));
}

static int term_window(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "term window TERM LEVEL OPENS CLOSES [--max-days N]";
    const char *max_days = NULL;
    cv_opt opts[] = {{"max-days", &max_days, NULL}, {NULL, NULL, NULL}};
    char *pos[4];
    int npos;
    int64_t days = 0;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 4, 4, pos, &npos) < 0 ||
        cv_cli_count(cli, max_days, "--max-days", &days) < 0)
        return cli->err.code;
    if (days > 366)
        return cv_err_set(&cli->err, CV_EINVAL, "--max-days %lld is more than a year",
                          (long long)days);
    return cv_cli_op_print(cli, "term.window",
                           json_pack("{s:s, s:s, s:s, s:s, s:I}", "term", pos[0], "level", pos[1],
                                     "opens", pos[2], "closes", pos[3], "max_days",
                                     (json_int_t)days),
                           print_window);
}

int cv_cmd_term(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"show", term_show, NULL},
                                         {"use", term_use, NULL},
                                         {"window", term_window, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "term", argc, argv);
}

/* clock -------------------------------------------------------------------------------------- */

static void print_today(json_t *j, FILE *out)
{
    fprintf(out, "today is %s (Asia/Ho_Chi_Minh)\n",
            json_string_value(json_object_get(j, "today")));
}

/* `convene clock` shows the clock; `clock set TIME` makes the store be seen at TIME (a demo or a
 * rehearsal); `clock real` returns it to real time. Both changes are admin's and journaled. */
int cv_cmd_clock(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "clock [set TIME|real]", 0, 2, pos, &npos) < 0)
        return cli->err.code;
    if (npos == 2 && strcmp(pos[0], "set") == 0)
        return cv_cli_op_print(cli, "clock.set", json_pack("{s:s}", "time", pos[1]), print_today);
    if (npos == 1 && strcmp(pos[0], "real") == 0)
        return cv_cli_op_print(cli, "clock.real", NULL, print_today);
    if (npos != 0)
        return cv_err_set(&cli->err, CV_EINVAL, "usage: convene clock [set TIME|real]");
    return cv_cli_op_print(cli, "clock.show", NULL, print_today);
}

/* journal ------------------------------------------------------------------------------------ */

static void print_events(json_t *j, FILE *out)
{
    size_t i;
    json_t *ev;
    json_array_foreach(j, i, ev)
    {
        char *data = json_dumps(json_object_get(ev, "data"), JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(out, "%6lld  %s  %s\n", (long long)json_integer_value(json_object_get(ev, "id")),
                json_string_value(json_object_get(ev, "type")), data ? data : "");
        free(data);
    }
}

int cv_cmd_journal(cv_cli *cli, int argc, char **argv)
{
    const char *after = NULL, *type = NULL, *limit = NULL;
    cv_opt opts[] = {{"after", &after, NULL},
                     {"type", &type, NULL},
                     {"limit", &limit, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t from = 0, max = 1000;
    if (cv_cli_parse(cli, argc, argv, opts, "journal [--after ID] [--type TYPE] [--limit N]", 0, 0,
                     pos, &npos) < 0 ||
        cv_cli_count(cli, after, "--after", &from) < 0 ||
        cv_cli_count(cli, limit, "--limit", &max) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:I, s:I}", "after", (json_int_t)from, "limit", (json_int_t)max);
    if (type)
        json_object_set_new(args, "type", json_string(type));
    return cv_cli_op_print(cli, "journal.list", args, print_events);
}
