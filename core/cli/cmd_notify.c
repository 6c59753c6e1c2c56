/* cmd_notify.c: `convene notify` (queue a notification by hand, configure delivery) and
 * `convene outbox` (what is queued, sent and failed). Delivery itself is the daemon's: nothing
 * here sends. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/text.h"
#include "cli/cli.h"
#include "notify/deliver.h"
#include "notify/notify.h"
#include "notify/template.h"
#include "sched/contact.h"
#include "store/journal.h"
#include "store/outbox.h"

#define NOTIFY_USAGE                                                                               \
    "notify NAME|ADDRESS [--channel C] (--subject S --body B | --template T "                      \
    "[--title X --org X --due DATE --date DATE]) [--key K]"

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

/* Checks a value admins type into a notification: NFC, no control characters, bounded. */
static int clean(cv_cli *cli, const char *in, char out[CV_NAME_MAX], const char *what)
{
    return in ? cv_text_nfc(in, out, CV_NAME_MAX, what, &cli->err) : 0;
}

/* Whether s is valid UTF-8 of at most max bytes (jansson refuses anything else). */
static int utf8_text(const char *s, size_t max)
{
    json_t *j = strlen(s) <= max ? json_string(s) : NULL;
    json_decref(j);
    return j != NULL;
}

/* The key of a notification queued by hand: the same command at the same instant is the same
 * notification, so running it twice queues it once. */
static void manual_key(const char *channel, const char *recipient, const char *subject,
                       char key[96])
{
    char buf[2048], idem[33];
    snprintf(buf, sizeof buf, "%s\n%s\n%s", channel, recipient, subject);
    cv_notify_idem(buf, idem);
    snprintf(key, 96, "manual:%lld:%s", (long long)cv_clock_now(), idem);
}

/* One notification of a command, to one address. */
typedef struct queue_ctx {
    cv_store *s;
    const char *key, *subject, *body;
    int many; /* addresses from contacts: each key is KEY|channel|address */
    json_t *out;
} queue_ctx;

static int queue_one(const char *channel, const char *address, void *arg, cv_err *e)
{
    queue_ctx *q = arg;
    char key[1024];
    snprintf(key, sizeof key, q->many ? "%s|%s|%s" : "%s", q->key, channel, address);
    cv_notification n = {key, channel, address, q->subject, q->body};
    int rc = cv_outbox_put(q->s, &n, e);
    if (rc == 1 && cv_journal_emit(q->s, "notification.queued", 0,
                                   json_pack("{s:s, s:s, s:s}", "key", key, "channel", channel,
                                             "recipient", address),
                                   NULL, e) < 0)
        return e->code;
    if (rc < 0)
        return rc;
    json_array_append_new(q->out, json_pack("{s:b, s:s, s:s, s:s, s:s}", "queued", rc == 1, "key",
                                            key, "channel", channel, "recipient", address,
                                            "subject", q->subject));
    return 0;
}

/* Queues the notification to recipient on channel, or (channel NULL) to every address the
 * contacts give the name recipient, in one transaction. */
static int queue(cv_cli *cli, queue_ctx *q, const char *channel, const char *recipient)
{
    if (cv_store_begin(q->s, &cli->err) < 0)
        return cli->err.code;
    int rc = channel ? queue_one(channel, recipient, q, &cli->err)
                     : cv_contact_resolve(q->s, recipient, queue_one, q, &cli->err);
    if (rc < 0 || cv_store_commit(q->s, &cli->err) < 0) {
        cv_store_rollback(q->s);
        return cli->err.code;
    }
    return 0;
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

typedef struct notify_args {
    const char *channel, *subject, *body, *tmpl, *key, *title, *org, *due, *date;
} notify_args;

/* Renders the notification's subject and body from its template and the options. */
static int compose(cv_cli *cli, cv_store *s, const notify_args *a, const char *recipient,
                   char **subject, char **body)
{
    char subj[CV_NAME_MAX] = "", title[CV_NAME_MAX] = "", org[CV_NAME_MAX] = "";
    if (clean(cli, a->subject, subj, "--subject") < 0 ||
        clean(cli, a->title, title, "--title") < 0 || clean(cli, a->org, org, "--org") < 0)
        return cli->err.code;
    if (a->body && !utf8_text(a->body, 16384))
        return cv_err_set(&cli->err, CV_EINVAL, "--body must be UTF-8 text of at most 16384 bytes");
    /* Only the values given: a template placeholder without one is refused, not left blank. */
    const char *given[][2] = {{"recipient", recipient},
                              {"subject", a->subject ? subj : NULL},
                              {"body", a->body},
                              {"title", a->title ? title : NULL},
                              {"org", a->org ? org : NULL},
                              {"due", a->due},
                              {"date", a->date}};
    const char *vars[2 * 7 + 1];
    int n = 0;
    for (int i = 0; i < 7; i++)
        if (given[i][1]) {
            vars[n++] = given[i][0];
            vars[n++] = given[i][1];
        }
    vars[n] = NULL;
    const char *tmpl = a->tmpl ? a->tmpl : "message";
    if (!a->tmpl && (!a->subject || !a->body))
        return cv_err_set(&cli->err, CV_EINVAL,
                          "--subject and --body (or --template); usage: "
                          "convene " NOTIFY_USAGE);
    return cv_template_render(s, tmpl, vars, subject, body, &cli->err);
}

static int notify_send(cv_cli *cli, int argc, char **argv)
{
    notify_args a = {0};
    cv_opt opts[] = {{"channel", &a.channel, NULL}, {"subject", &a.subject, NULL},
                     {"body", &a.body, NULL},       {"template", &a.tmpl, NULL},
                     {"key", &a.key, NULL},         {"title", &a.title, NULL},
                     {"org", &a.org, NULL},         {"due", &a.due, NULL},
                     {"date", &a.date, NULL},       {NULL, NULL, NULL}};
    char *pos[1], recipient[CV_NAME_MAX], key[96];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, NOTIFY_USAGE, 1, 1, pos, &npos) < 0 ||
        clean(cli, pos[0], recipient, "ADDRESS") < 0)
        return cli->err.code;
    if ((a.channel && cv_outbox_check_address(a.channel, recipient, &cli->err) < 0) ||
        (a.due && cv_date_check(a.due, "--due", &cli->err) < 0) ||
        (a.date && cv_date_check(a.date, "--date", &cli->err) < 0))
        return cli->err.code;
    if (a.key && !utf8_text(a.key, 200))
        return cv_err_set(&cli->err, CV_EINVAL, "--key must be UTF-8 text of at most 200 bytes");
    cv_store *s = cv_cli_store(cli);
    char *subject = NULL, *body = NULL;
    if (!s || compose(cli, s, &a, recipient, &subject, &body) < 0)
        return cli->err.code;
    if (!a.key)
        manual_key(a.channel ? a.channel : "contacts", recipient, subject, key);
    queue_ctx q = {s, a.key ? a.key : key, subject, body, !a.channel, json_array()};
    int rc = queue(cli, &q, a.channel, recipient);
    free(subject);
    free(body);
    if (rc < 0) {
        json_decref(q.out);
        return rc;
    }
    return cv_cli_print(cli, q.out, print_queued);
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
    cv_store *s = cv_cli_store(cli);
    json_t *list;
    if (!s || (npos == 2 && cv_notify_config_set(s, pos[0], pos[1], &cli->err) < 0) ||
        cv_notify_config_list(s, &list, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, list, print_config);
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
    if (state && strcmp(state, "pending") && strcmp(state, "sent") && strcmp(state, "failed"))
        return cv_err_set(&cli->err, CV_EINVAL, "--state must be pending, sent or failed");
    if (n < 1 || n > 100000)
        return cv_err_set(&cli->err, CV_EINVAL, "--limit must be between 1 and 100000");
    cv_store *s = cv_cli_store(cli);
    json_t *rows;
    if (!s || cv_deliver_list(s, state, (int)n, &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_outbox);
}

int cv_cmd_outbox(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"list", outbox_list, "outbox list [--state S] [--limit N]"},
        {NULL, NULL, NULL},
    };
    return cv_cli_dispatch(cli, sub, "outbox", argc, argv);
}
