/* cmd_notify.c: `convene notify` (queue a notification by hand, configure delivery) and
 * `convene outbox` (what is queued, sent and failed; requeueing a failed one), mapped onto
 * operations. Delivery itself is the daemon's: nothing here sends. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define NOTIFY_USAGE                                                                               \
    "notify NAME|ADDRESS [--channel C] (--subject S --body B | --template T "                      \
    "[--title X --org X --due DATE --date DATE]) [--key K]"

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static void print_queued(json_t *j, FILE *out)
{
    size_t i;
    json_t *n;
    json_array_foreach(j, i, n)
    {
        fprintf(out, "%s %s notification %s to %s\n",
                json_is_true(json_object_get(n, "queued")) ? "Queued" : "Already queued:",
                text(n, "channel"), text(n, "key"), text(n, "recipient"));
    }
}

static int notify_send(cv_cli *cli, int argc, char **argv)
{
    static const char *const names[] = {"channel", "subject", "body", "template", "key",
                                        "title",   "org",     "due",  "date"};
    const char *v[9] = {0};
    cv_opt opts[10];
    for (int i = 0; i < 9; i++)
        opts[i] = (cv_opt){names[i], &v[i], NULL};
    opts[9] = (cv_opt){NULL, NULL, NULL};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, NOTIFY_USAGE, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_pack("{s:s}", "recipient", pos[0]);
    for (int i = 0; i < 9; i++)
        if (v[i])
            json_object_set_new(args, names[i], json_string(v[i]));
    return cv_cli_op_print(cli, "notify.send", args, print_queued);
}

static void print_config(json_t *j, FILE *out)
{
    size_t i;
    json_t *row;
    json_array_foreach(j, i, row)
    {
        json_t *v = json_object_get(row, "value");
        char num[32] = "";
        if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        fprintf(out, "%-26s %s", text(row, "key"),
                json_is_string(v) ? json_string_value(v)
                : *num            ? num
                                  : "(unset)");
        if (*text(row, "default") && !v)
            fprintf(out, "  [default %s]", text(row, "default"));
        if (*text(row, "help"))
            fprintf(out, "\n    %s", text(row, "help"));
        fputc('\n', out);
    }
}

static int notify_config(cv_cli *cli, int argc, char **argv)
{
    char *pos[2];
    int npos;
    const char *usage = "notify config [KEY VALUE]";
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 0, 2, pos, &npos) < 0)
        return cli->err.code;
    if (npos == 1)
        return cv_err_set(&cli->err, CV_EINVAL, "missing VALUE; usage: convene %s", usage);
    json_t *args =
        npos == 2 ? json_pack("{s:s, s:s}", "key", pos[0], "value", pos[1]) : json_object();
    return cv_cli_op_print(cli, "notify.config", args, print_config);
}

int cv_cmd_notify(cv_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "config") == 0)
        return notify_config(cli, argc - 1, argv + 1);
    return notify_send(cli, argc, argv);
}

static void print_outbox(json_t *j, FILE *out)
{
    size_t i;
    json_t *row;
    if (json_array_size(j) == 0)
        fprintf(out, "The outbox is empty.\n");
    json_array_foreach(j, i, row)
    {
        fprintf(out, "#%-5lld %-7s %-7s tries %-2lld %s -> %s\n    %s\n",
                (long long)json_integer_value(json_object_get(row, "id")), text(row, "state"),
                text(row, "channel"), (long long)json_integer_value(json_object_get(row, "tries")),
                text(row, "key"), text(row, "recipient"), text(row, "subject"));
        if (*text(row, "last_error"))
            fprintf(out, "    last error: %s\n", text(row, "last_error"));
    }
}

static int outbox_list(cv_cli *cli, int argc, char **argv)
{
    const char *state = NULL, *limit = NULL, *usage = "outbox list [--state S] [--limit N]";
    cv_opt opts[] = {{"state", &state, NULL}, {"limit", &limit, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int64_t n = 100;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 0, 0, pos, &npos) < 0 ||
        cv_cli_count(cli, limit, "--limit", &n) < 0)
        return cli->err.code;
    if (n < 1 || n > 100000)
        return cv_err_set(&cli->err, CV_EINVAL, "--limit must be between 1 and 100000");
    json_t *args = json_pack("{s:I}", "limit", (json_int_t)n);
    if (state)
        json_object_set_new(args, "state", json_string(state));
    return cv_cli_op_print(cli, "outbox.list", args, print_outbox);
}

static void print_retried(json_t *j, FILE *out)
{
    fprintf(out, "notification #%lld requeued\n",
            (long long)json_integer_value(json_object_get(j, "id")));
}

static int outbox_retry(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    int64_t id;
    if (cv_cli_parse(cli, argc, argv, NULL, "outbox retry ID", 1, 1, pos, &npos) < 0 ||
        cv_cli_count(cli, pos[0], "ID", &id) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "outbox.retry", json_pack("{s:I}", "id", (json_int_t)id),
                           print_retried);
}

int cv_cmd_outbox(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"list", outbox_list, "outbox list [--state S] [--limit N]"},
        {"retry", outbox_retry, "outbox retry ID"},
        {NULL, NULL, NULL},
    };
    return cv_cli_dispatch(cli, sub, "outbox", argc, argv);
}
