/* cmd_account.c: `convene account`, `grant` and `audit`: who may act, where, and what they did.
 * Thin mappings from argv onto the operations account.*, token.*, grant.* and audit; passwords
 * are read from a file or the terminal, never from the command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/account.h"
#include "base/clock.h"
#include "base/json.h"
#include "cli/cli.h"
#include "ops/ops.h"
#include "report/report.h"

/* Reads a password from path ("-": standard input), or from the terminal with echo off when
 * path is NULL and standard input is one; the first line only, without its newline. */
static int read_password(cv_cli *cli, const char *path, char *buf, size_t cap)
{
    FILE *f = NULL;
    struct termios old, quiet;
    int tty = !path && isatty(STDIN_FILENO);
    if (!path && !tty)
        return cv_err_set(&cli->err, CV_EINVAL,
                          "give --password-file F (or run on a terminal to be asked)");
    if (path && strcmp(path, "-") != 0 && !(f = fopen(path, "r")))
        return cv_err_set(&cli->err, CV_EIO, "cannot read %s: %s", path, strerror(errno));
    if (tty) {
        fprintf(stderr, "password: ");
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *line = fgets(buf, (int)cap, f ? f : stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (f)
        fclose(f);
    if (!line)
        return cv_err_set(&cli->err, CV_EINVAL, "no password in %s", path ? path : "input");
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* Adds a password read as above to args under "password" (wiped from buf afterwards). */
int cv_cli_read_password(cv_cli *cli, const char *path, json_t *args)
{
    char buf[CV_PASSWORD_MAX + 2];
    int rc = read_password(cli, path, buf, sizeof buf);
    if (rc == 0)
        json_object_set_new(args, "password", json_string(buf));
    memset(buf, 0, sizeof buf);
    return rc;
}

static void print_account(json_t *j, FILE *out)
{
    int en = strcmp(cv_json_text(j, "lang"), "en") == 0;
    fprintf(out, "%s  %s%s%s  (%s%s%s%s)\n", cv_json_text(j, "login"),
            cv_json_text(j, "display_name"), *cv_json_text(j, "email") ? " <" : "",
            *cv_json_text(j, "email") ? cv_json_text(j, "email") : "", cv_json_text(j, "state"),
            *cv_json_text(j, "unix_user") ? ", Unix user " : "", cv_json_text(j, "unix_user"),
            en ? ", pages in English" : "");
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(j, "grants"), i, g) fprintf(
        out, "  grant #%lld: %s%s%s\n", (long long)json_integer_value(json_object_get(g, "id")),
        cv_json_text(g, "role"), *cv_json_text(g, "org") ? " over " : " over the whole store",
        cv_json_text(g, "org"));
}

static void print_accounts(json_t *j, FILE *out)
{
    size_t i;
    json_t *a;
    json_array_foreach(j, i, a) print_account(a, out);
    if (!json_array_size(j))
        fprintf(out, "no accounts\n");
}

/* Puts the options that were given into args as texts (value NULL: left out). */
static json_t *texts(json_t *args, const char *const *names, const char *const *values, int n)
{
    for (int i = 0; i < n; i++)
        if (values[i])
            json_object_set_new(args, names[i], json_string(values[i]));
    return args;
}

static int account_add(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "account add LOGIN NAME [--email E] [--unix-user U] [--password-file F]";
    const char *email = NULL, *unix_user = NULL, *pwfile = NULL;
    cv_opt opts[] = {{"email", &email, NULL},
                     {"unix-user", &unix_user, NULL},
                     {"password-file", &pwfile, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 2, 2, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"login", "name", "email", "unix_user"};
    const char *values[] = {pos[0], pos[1], email, unix_user};
    json_t *args = texts(json_object(), names, values, 4);
    if (pwfile && cv_cli_read_password(cli, pwfile, args) < 0) {
        json_decref(args);
        return cli->err.code;
    }
    return cv_cli_op_print(cli, "account.add", args, print_account);
}

static int account_set(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "account set LOGIN [--name N] [--email E] [--unix-user U] "
                        "[--state active|disabled] [--lang vi|en]";
    const char *name = NULL, *email = NULL, *unix_user = NULL, *state = NULL, *lang = NULL;
    cv_opt opts[] = {{"name", &name, NULL},           {"email", &email, NULL},
                     {"unix-user", &unix_user, NULL}, {"state", &state, NULL},
                     {"lang", &lang, NULL},           {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"login", "name", "email", "unix_user", "state", "lang"};
    const char *values[] = {pos[0], name, email, unix_user, state, lang};
    return cv_cli_op_print(cli, "account.set", texts(json_object(), names, values, 6),
                           print_account);
}

/* A command of one LOGIN argument mapped onto op. */
static int login_op(cv_cli *cli, int argc, char **argv, const char *op, const char *usage)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, op, json_pack("{s:s}", "login", pos[0]), print_account);
}

static int account_disable(cv_cli *cli, int argc, char **argv)
{
    return login_op(cli, argc, argv, "account.disable", "account disable LOGIN");
}

static int account_show(cv_cli *cli, int argc, char **argv)
{
    return login_op(cli, argc, argv, "account.show", "account show LOGIN");
}

static int account_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "account list", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "account.list", NULL, print_accounts);
}

static int account_passwd(cv_cli *cli, int argc, char **argv)
{
    const char *pwfile = NULL, *current = NULL;
    cv_opt opts[] = {
        {"password-file", &pwfile, NULL}, {"current-file", &current, NULL}, {NULL, NULL, NULL}};
    char *pos[1], buf[CV_PASSWORD_MAX + 2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "account passwd LOGIN [--password-file F] [--current-file F]", 1, 1, pos,
                     &npos) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s}", "login", pos[0]);
    /* the current password first: an account changing its own gives it (admin needs not) */
    int rc = current ? read_password(cli, current, buf, sizeof buf) : 0;
    if (rc == 0 && current)
        json_object_set_new(args, "current", json_string(buf));
    memset(buf, 0, sizeof buf);
    if (rc < 0 || cv_cli_read_password(cli, pwfile, args) < 0) {
        json_decref(args);
        return cli->err.code;
    }
    return cv_cli_op_print(cli, "account.passwd", args, print_account);
}

/* tokens ------------------------------------------------------------------------------------- */

static void print_new_token(json_t *j, FILE *out)
{
    fprintf(out, "token %s of %s (shown once, keep it secret):\n%s\n", cv_json_text(j, "label"),
            cv_json_text(j, "login"), cv_json_text(j, "token"));
}

static void print_tokens(json_t *j, FILE *out)
{
    size_t i;
    json_t *t;
    json_array_foreach(j, i, t)
        fprintf(out, "%-20s %s\n", cv_json_text(t, "label"),
                json_is_integer(json_object_get(t, "revoked_at")) ? "revoked" : "live");
    if (!json_array_size(j))
        fprintf(out, "no tokens\n");
}

static void print_revoked(json_t *j, FILE *out)
{
    fprintf(out, "token %s of %s revoked\n", cv_json_text(j, "revoked"), cv_json_text(j, "login"));
}

static int token_add(cv_cli *cli, int argc, char **argv)
{
    const char *days = NULL;
    cv_opt opts[] = {{"days", &days, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int64_t n = -1;
    if (cv_cli_parse(cli, argc, argv, opts, "account token add LOGIN LABEL [--days N]", 2, 2, pos,
                     &npos) < 0 ||
        cv_cli_count(cli, days, "--days", &n) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s, s:s}", "login", pos[0], "label", pos[1]);
    if (n >= 0)
        json_object_set_new(args, "days", json_integer(n));
    return cv_cli_op_print(cli, "token.add", args, print_new_token);
}

static int token_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "account token list LOGIN", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "token.list", json_pack("{s:s}", "login", pos[0]), print_tokens);
}

static int token_revoke(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "account token revoke LOGIN LABEL", 2, 2, pos, &npos) <
        0)
        return cli->err.code;
    return cv_cli_op_print(cli, "token.revoke",
                           json_pack("{s:s, s:s}", "login", pos[0], "label", pos[1]),
                           print_revoked);
}

static int account_token(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", token_add, NULL},
                                         {"list", token_list, NULL},
                                         {"revoke", token_revoke, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "account token", argc, argv);
}

int cv_cmd_account(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"add", account_add, NULL},         {"set", account_set, NULL},
        {"disable", account_disable, NULL}, {"list", account_list, NULL},
        {"show", account_show, NULL},       {"passwd", account_passwd, NULL},
        {"token", account_token, NULL},     {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "account", argc, argv);
}

/* grants ------------------------------------------------------------------------------------- */

static void print_grants(json_t *j, FILE *out)
{
    size_t i;
    json_t *g;
    json_array_foreach(j, i, g)
    {
        char from[11], to[11] = "";
        cv_clock_date(json_integer_value(json_object_get(g, "starts")), CV_TZ_VIETNAM_MIN, from);
        if (json_is_integer(json_object_get(g, "ends")))
            cv_clock_date(json_integer_value(json_object_get(g, "ends")), CV_TZ_VIETNAM_MIN, to);
        fprintf(out, "#%-4lld %-16s %-12s %-16s %s .. %s\n",
                (long long)json_integer_value(json_object_get(g, "id")), cv_json_text(g, "account"),
                cv_json_text(g, "role"),
                *cv_json_text(g, "org") ? cv_json_text(g, "org") : "(store)", from,
                *to ? to : "now");
    }
    if (!json_array_size(j))
        fprintf(out, "no grants\n");
}

static void print_grant(json_t *j, FILE *out)
{
    if (json_object_get(j, "ended"))
        fprintf(out, "grant #%lld ended\n",
                (long long)json_integer_value(json_object_get(j, "ended")));
    else
        fprintf(out, "grant #%lld: %s is %s over %s\n",
                (long long)json_integer_value(json_object_get(j, "id")), cv_json_text(j, "login"),
                cv_json_text(j, "role"),
                *cv_json_text(j, "org") ? cv_json_text(j, "org") : "the whole store");
}

static int grant_add(cv_cli *cli, int argc, char **argv)
{
    const char *org = NULL;
    cv_opt opts[] = {{"org", &org, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "grant add LOGIN ROLE [--org CODE]", 2, 2, pos, &npos) <
        0)
        return cli->err.code;
    json_t *args = json_pack("{s:s, s:s}", "login", pos[0], "role", pos[1]);
    if (org)
        json_object_set_new(args, "org", json_string(org));
    return cv_cli_op_print(cli, "grant.add", args, print_grant);
}

static int grant_end(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, "grant end ID", 1, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, pos[0][0] == '#' ? pos[0] + 1 : pos[0], "grant id", &id) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "grant.end", json_pack("{s:I}", "id", (json_int_t)id), print_grant);
}

static int grant_list(cv_cli *cli, int argc, char **argv)
{
    int history = 0;
    cv_opt opts[] = {{"history", NULL, &history}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "grant list [LOGIN] [--history]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:b}", "history", history);
    if (npos)
        json_object_set_new(args, "login", json_string(pos[0]));
    return cv_cli_op_print(cli, "grant.list", args, print_grants);
}

int cv_cmd_grant(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", grant_add, NULL},
                                         {"end", grant_end, NULL},
                                         {"list", grant_list, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "grant", argc, argv);
}

/* audit -------------------------------------------------------------------------------------- */

static void print_audit(json_t *j, FILE *out)
{
    size_t i;
    json_t *r;
    json_array_foreach(j, i, r)
    {
        char *data = json_dumps(json_object_get(r, "data"), JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(out, "%6lld  %s  %-8s %-18s %-22s %s  %s\n",
                (long long)json_integer_value(json_object_get(r, "id")), cv_json_text(r, "day"),
                cv_json_text(r, "actor_kind"), cv_json_text(r, "actor"), cv_json_text(r, "type"),
                cv_json_text(r, "org"), data ? data : "");
        free(data);
    }
    if (!json_array_size(j))
        fprintf(out, "no events\n");
}

int cv_cmd_audit(cv_cli *cli, int argc, char **argv)
{
    const char *org = NULL, *actor = NULL, *since = NULL, *type = NULL, *format = NULL,
               *output = NULL;
    cv_opt opts[] = {{"org", &org, NULL},   {"actor", &actor, NULL},   {"since", &since, NULL},
                     {"type", &type, NULL}, {"format", &format, NULL}, {"output", &output, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts,
                     "audit [--org O] [--actor A] [--since T] [--type T] "
                     "[--format csv|xlsx|... [--output FILE]]",
                     0, 0, pos, &npos) < 0)
        return cli->err.code;
    static const char *const names[] = {"org", "actor", "since", "type"};
    const char *values[] = {org, actor, since, type};
    json_t *args = texts(json_object(), names, values, 4);
    if (!format)
        return cv_cli_op_print(cli, "audit", args, print_audit);
    json_t *rows = NULL;
    if (cv_cli_op(cli, "audit", args, &rows) < 0)
        return cli->err.code;
    json_t *doc = cv_report_audit(rows);
    json_decref(rows);
    int rc = cv_cli_render(cli, cli->store, doc, format, output);
    json_decref(doc);
    return rc;
}

/* ops ---------------------------------------------------------------------------------------- */

static void print_ops(json_t *j, FILE *out)
{
    size_t i;
    json_t *op;
    json_array_foreach(j, i, op) fprintf(out, "%-18s %-34s %s\n", cv_json_text(op, "name"),
                                         cv_json_text(op, "roles"), cv_json_text(op, "summary"));
}

/* `convene ops` lists the operations table (name, roles, summary, arguments); `ops matrix` prints
 * the role matrix the README carries. Reads no store. */
int cv_cmd_ops(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "ops [matrix]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    if (npos && strcmp(pos[0], "matrix") == 0) {
        char *table = cv_ops_matrix_markdown();
        if (!table)
            return cv_err_set(&cli->err, CV_ENOMEM, "out of memory");
        fputs(table, stdout);
        free(table);
        return 0;
    }
    if (npos)
        return cv_err_set(&cli->err, CV_EINVAL, "usage: convene ops [matrix]");
    json_t *rows = json_array();
    for (int i = 0; i < cv_ops_count(); i++) {
        const cv_op *op = cv_ops_at(i);
        char roles[128];
        cv_role_names(op->roles | CV_ROLE_ADMIN, roles, sizeof roles);
        json_t *args = json_array();
        for (const cv_op_arg *a = op->args; a && a->name; a++)
            json_array_append_new(args, json_pack("{s:s, s:b, s:s}", "name", a->name, "required",
                                                  a->required, "help", a->help));
        json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:b, s:o}", "name", op->name,
                                              "summary", op->summary, "roles", roles, "writes",
                                              op->writes, "args", args));
    }
    return cv_cli_print(cli, rows, print_ops);
}
