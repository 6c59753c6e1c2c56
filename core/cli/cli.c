/* cli.c: option parsing, dispatch, opening the store and printing, shared by every command.
 * It must never print an error itself: errors travel back to main in cli->err. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/text.h"
#include "auth/account.h"
#include "auth/grant.h"
#include "ops/ops.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPTS_MAX 32

/* Refuses optarg unless it is valid UTF-8, naming the option it was given to, or quoting it
 * (escaped where the message is made) when it is a positional argument. */
static int not_utf8(cv_cli *cli, const char *option)
{
    char what[600];
    if (option)
        snprintf(what, sizeof what, "--%s", option);
    else
        snprintf(what, sizeof what, "argument '%.500s'", optarg);
    return cv_text_utf8(optarg, what, &cli->err) < 0;
}

int cv_cli_parse(cv_cli *cli, int argc, char **argv, const cv_opt *opts, const char *usage,
                 int min_pos, int max_pos, char **pos, int *npos)
{
    const cv_opt globals[] = {{"db", &cli->db_path, NULL},
                              {"now", &cli->now, NULL},
                              {"json", NULL, &cli->json},
                              {"as", &cli->as, NULL},
                              {NULL, NULL, NULL}};
    struct option longopts[OPTS_MAX + 1];
    const cv_opt *all[OPTS_MAX];
    int n = 0;
    for (const cv_opt *set[] = {opts, globals}, **p = set; p < set + 2; p++)
        for (const cv_opt *o = *p; o && o->name && n < OPTS_MAX; o++, n++) {
            all[n] = o;
            longopts[n] =
                (struct option){o->name, o->value ? required_argument : no_argument, NULL, 0};
        }
    longopts[n] = (struct option){0, 0, 0, 0};
    optind = 0; /* glibc: a full re-initialisation for each command */
    opterr = 0;
    *npos = 0;
    int c, index;
    /* "-": positionals come back in order as 1, so options may stand anywhere; ":" reports a
     * missing value apart from an unknown option. */
    while ((c = getopt_long(argc, argv, "-:", longopts, &index)) != -1) {
        if ((c == 1 || c == 0) && optarg && not_utf8(cli, c == 1 ? NULL : longopts[index].name))
            return cli->err.code;
        if (c == 1) {
            if (*npos >= max_pos)
                return cv_err_set(&cli->err, CV_EINVAL,
                                  "unexpected argument '%s'; usage: convene %s", optarg, usage);
            pos[(*npos)++] = optarg;
        } else if (c == 0) {
            const cv_opt *o = all[index];
            if (o->value)
                *o->value = optarg;
            else
                *o->flag = 1;
        } else {
            return cv_err_set(&cli->err, CV_EINVAL, "%s '%s'; usage: convene %s",
                              c == ':' ? "missing value for" : "unknown option", argv[optind - 1],
                              usage);
        }
    }
    /* After "--" every argument is a positional one, even one that begins with '-' (a
     * negative number: plugin config NAME KEY -- -5). */
    for (; optind < argc; optind++) {
        optarg = argv[optind];
        if (not_utf8(cli, NULL))
            return cli->err.code;
        if (*npos >= max_pos)
            return cv_err_set(&cli->err, CV_EINVAL, "unexpected argument '%s'; usage: convene %s",
                              optarg, usage);
        pos[(*npos)++] = optarg;
    }
    if (*npos < min_pos)
        return cv_err_set(&cli->err, CV_EINVAL, "missing arguments; usage: convene %s", usage);
    return cv_cli_apply_clock(cli);
}

int cv_cli_dispatch(cv_cli *cli, const cv_cli_command *table, const char *group, int argc,
                    char **argv)
{
    if (argc >= 2)
        for (const cv_cli_command *c = table; c->name; c++)
            if (strcmp(argv[1], c->name) == 0)
                return c->run(cli, argc - 1, argv + 1);
    char list[512] = "";
    for (const cv_cli_command *c = table; c->name; c++) {
        strncat(list, c->name, sizeof list - strlen(list) - 1);
        if (c[1].name)
            strncat(list, "|", sizeof list - strlen(list) - 1);
    }
    const char *space = *group ? " " : "";
    if (argc < 2)
        return cv_err_set(&cli->err, CV_EINVAL, "usage: convene %s%s%s ...", group, space, list);
    return cv_err_set(&cli->err, CV_EINVAL, "unknown command '%s%s%s'; try convene %s%s%s", group,
                      space, argv[1], group, space, list);
}

/* The time the command line fixes: --now, else a non-empty $CONVENE_NOW, else NULL. */
static const char *explicit_now(const cv_cli *cli)
{
    const char *now = cli->now ? cli->now : getenv("CONVENE_NOW");
    return now && *now ? now : NULL;
}

int cv_cli_apply_clock(cv_cli *cli)
{
    /* An empty option is a mistake (an unset shell variable), not "no option". */
    if (cli->now && !*cli->now)
        return cv_err_set(&cli->err, CV_EINVAL,
                          "--now is empty: give a date or time (YYYY-MM-DD[THH:MM])");
    if (cli->db_path && !*cli->db_path)
        return cv_err_set(&cli->err, CV_EINVAL, "--db is empty: give the store's path");
    const char *now = explicit_now(cli);
    if (!now)
        return 0;
    int64_t ms;
    if (cv_date_parse_instant(now, CV_TZ_VIETNAM_MIN, &ms, "--now", &cli->err) < 0)
        return cli->err.code;
    cv_clock_fix(ms);
    cli->now = now;
    return 0;
}

static void set_account_actor(cv_cli *cli, const cv_account *a, const char *via)
{
    memset(&cli->actor, 0, sizeof cli->actor);
    cli->actor.kind = CV_ACTOR_ACCOUNT;
    cli->actor.account_id = a->id;
    snprintf(cli->actor.name, sizeof cli->actor.name, "%s", a->login);
    snprintf(cli->actor.via, sizeof cli->actor.via, "%s", via);
}

/* Whether the caller may speak for others: root, or the owner of the store file. */
static int owns_store(cv_cli *cli)
{
    struct stat st;
    return geteuid() == 0 || (stat(cv_store_path(cli->store), &st) == 0 && st.st_uid == geteuid());
}

static int identify_named(cv_cli *cli, const char *name, const char *unix_user)
{
    cv_account a;
    if (cv_account_get(cli->store, name, &a, &cli->err) < 0)
        return cv_err_set(&cli->err, CV_EPERM, "no account '%.32s' to act as", name);
    if (strcmp(a.state, "active") != 0)
        return cv_err_set(&cli->err, CV_EPERM, "account %s is disabled", a.login);
    if (strcmp(a.unix_user, unix_user) != 0 && !owns_store(cli))
        return cv_err_set(&cli->err, CV_EPERM,
                          "Unix user %s may act only as its own account, not as %s", unix_user,
                          a.login);
    set_account_actor(cli, &a, "cli --as");
    return 0;
}

int cv_cli_identify(cv_cli *cli)
{
    const char *name = cli->as ? cli->as : getenv("CONVENE_ACCOUNT");
    struct passwd *pw = getpwuid(geteuid());
    const char *unix_user = pw ? pw->pw_name : "";
    cv_account a;
    cv_err missing;
    if (name && *name)
        return identify_named(cli, name, unix_user);
    if (*unix_user && cv_account_get_by_unix_user(cli->store, unix_user, &a, &missing) == 0 &&
        strcmp(a.state, "active") == 0) {
        set_account_actor(cli, &a, "cli unix user");
        return 0;
    }
    int admin = 0;
    if (cv_grant_admin_exists(cli->store, &admin, &cli->err) < 0)
        return cli->err.code;
    if (admin || !owns_store(cli))
        return cv_err_set(&cli->err, CV_EPERM,
                          "Unix user %s has no account here: use --as NAME or $CONVENE_ACCOUNT, "
                          "or ask an admin to map one (account set NAME --unix-user %s)",
                          unix_user, unix_user);
    /* The owner of a store that has no admin yet acts as its bootstrap admin (issue 10). */
    memset(&cli->actor, 0, sizeof cli->actor);
    cli->actor.kind = CV_ACTOR_ACCOUNT;
    cli->actor.scope_roles = CV_ROLES_ALL;
    snprintf(cli->actor.name, sizeof cli->actor.name, "owner:%.40s", unix_user);
    snprintf(cli->actor.via, sizeof cli->actor.via, "bootstrap admin (no admin account yet)");
    return 0;
}

/* Opens the store and finds the actor. A command that reaches the store through an operation
 * (cv_cli_op) is checked there; one that still reads or writes it directly is admin's. */
static cv_store *open_store(cv_cli *cli, int via_ops)
{
    if (cli->store)
        return cli->store;
    if (cli->db_path && !*cli->db_path) {
        cv_err_set(&cli->err, CV_EINVAL, "--db is empty: give the store's path");
        return NULL;
    }
    if (cv_store_open(cv_store_default_path(cli->db_path), 0, &cli->store, &cli->err) < 0)
        return NULL;
    if (cv_cli_identify(cli) < 0 ||
        (!via_ops &&
         cv_ops_permit(cli->store, &cli->actor, CV_ROLE_ADMIN, 0,
                       cli->command ? cli->command : "run this command", &cli->err) < 0)) {
        cv_store_close(cli->store);
        cli->store = NULL;
        return NULL;
    }
    cv_store_set_actor(cli->store, &cli->actor);
    char anchor[40];
    cv_err ignored;
    int64_t ms;
    /* A demo store carries the day it should be seen on; --now and $CONVENE_NOW win over it. */
    if (!explicit_now(cli) &&
        cv_store_setting_get(cli->store, "clock", anchor, sizeof anchor, &ignored) == 0 &&
        cv_date_parse_instant(anchor, CV_TZ_VIETNAM_MIN, &ms, "clock", &ignored) == 0)
        cv_clock_fix(ms);
    return cli->store;
}

cv_store *cv_cli_store(cv_cli *cli)
{
    return open_store(cli, 0);
}

int cv_cli_op(cv_cli *cli, const char *op, json_t *args, json_t **result)
{
    cv_store *s = open_store(cli, 1);
    int rc = s ? cv_ops_call(s, &cli->actor, op, args, result, &cli->err) : cli->err.code;
    json_decref(args);
    return rc;
}

int cv_cli_op_print(cv_cli *cli, const char *op, json_t *args, void (*human)(json_t *j, FILE *out))
{
    json_t *result = NULL;
    if (cv_cli_op(cli, op, args, &result) < 0)
        return cli->err.code;
    if (!result)
        result = json_object();
    if (!human && !cli->json) {
        json_decref(result);
        return 0;
    }
    return cv_cli_print(cli, result, human);
}

json_t *cv_cli_texts(json_t *args, const char *const *names, const char *const *values, int n)
{
    for (int i = 0; i < n; i++)
        if (values[i])
            json_object_set_new(args, names[i], json_string(values[i]));
    return args;
}

int cv_cli_print(cv_cli *cli, json_t *j, void (*human)(json_t *j, FILE *out))
{
    if (!j)
        return cv_err_set(&cli->err, CV_ENOMEM, "out of memory");
    if (cli->json) {
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
    } else {
        human(j, stdout);
    }
    json_decref(j);
    return 0;
}

int cv_cli_count(cv_cli *cli, const char *value, const char *what, int64_t *out)
{
    if (!value)
        return 0;
    return cv_text_count(value, out, what, &cli->err);
}

int cv_cli_yes_no(cv_cli *cli, const char *value, const char *what, int *out)
{
    if (!value)
        return 0;
    if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
        *out = value[0] == 'y';
        return 0;
    }
    return cv_err_set(&cli->err, CV_EINVAL, "%s must be 'yes' or 'no', not '%s'", what, value);
}

void cv_cli_pad(FILE *out, const char *s, int width)
{
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    fputs(s, out);
    for (; chars < width; chars++)
        fputc(' ', out);
}
