/* cmd_sched.c: `convene jobs`, `contact` and `holiday`: the scheduler's durable jobs (list, set,
 * pause, resume, run-now, zone), the contacts reminders go to, and the holiday calendar. */
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "base/json.h"
#include "backup/nightly.h"
#include "cli/cli.h"
#include "sched/calendar.h"
#include "sched/contact.h"
#include "sched/job.h"
#include "sched/run.h"

/* "2020-05-22 08:00" on the wall clock of the store's zone (the offset is in the JSON). */
static void local_time(json_t *j, const char *key, char out[20])
{
    json_t *v = json_object_get(j, key);
    int off = (int)json_integer_value(json_object_get(j, "offset_min"));
    if (!json_is_integer(v)) {
        snprintf(out, 20, "-");
        return;
    }
    char day[11];
    int64_t ms = json_integer_value(v), local = ms + (int64_t)off * 60000;
    cv_clock_date(ms, off, day);
    int64_t min = ((local % 86400000) + 86400000) % 86400000 / 60000;
    snprintf(out, 20, "%s %02d:%02d", day, (int)(min / 60), (int)(min % 60));
}

static void print_jobs(json_t *j, FILE *out)
{
    size_t i;
    json_t *job;
    json_array_foreach(j, i, job)
    {
        char next[20], last[20];
        local_time(job, "next_at", next);
        local_time(job, "last_due_at", last);
        fprintf(out, "%-34s %-6s %-8s next %s  %s %s\n", cv_json_text(job, "name"),
                cv_json_text(job, "state"), cv_json_text(job, "action"), next,
                cv_json_text(job, "kind"), cv_json_text(job, "spec"));
        if (json_integer_value(json_object_get(job, "runs")) > 0)
            fprintf(out, "%34s runs %lld, last due %s, late %lld ms%s%s\n", "",
                    (long long)json_integer_value(json_object_get(job, "runs")), last,
                    (long long)json_integer_value(json_object_get(job, "last_lateness_ms")),
                    *cv_json_text(job, "last_error") ? ", error: " : "",
                    cv_json_text(job, "last_error"));
    }
    if (json_array_size(j) == 0)
        fprintf(out, "no jobs\n");
}

typedef struct list_ctx {
    cv_store *s;
    json_t *rows;
    int offset_min;
    const char *prefix;
} list_ctx;

static int add_job(const cv_job *j, void *p)
{
    list_ctx *c = p;
    if (c->prefix && strncmp(j->name, c->prefix, strlen(c->prefix)) != 0)
        return 0;
    json_t *o = cv_job_json(j);
    json_object_set_new(o, "offset_min", json_integer(c->offset_min));
    /* A job the daemon has not planned yet (a new store's built-ins): show when it will be. */
    int64_t next;
    cv_err ignored;
    if (j->next_at < 0 && strcmp(j->state, "active") == 0 && strcmp(j->kind, "event") != 0 &&
        cv_job_next_due(c->s, j, cv_clock_now(), &next, &ignored) == 0 && next >= 0)
        json_object_set_new(o, "next_at", json_integer(next));
    json_array_append_new(c->rows, o);
    return 0;
}

static int list_jobs(cv_cli *cli, cv_store *s, const char *prefix)
{
    char zone[CV_ZONE_MAX];
    list_ctx c = {s, json_array(), 0, prefix};
    if (cv_calendar_zone(s, zone, &c.offset_min, &cli->err) < 0 ||
        cv_job_list(s, add_job, &c, &cli->err) < 0) {
        json_decref(c.rows);
        return cli->err.code;
    }
    return cv_cli_print(cli, c.rows, print_jobs);
}

static int jobs_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "jobs list [PREFIX]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    return s ? list_jobs(cli, s, npos ? pos[0] : NULL) : cli->err.code;
}

/* pause, resume and run-now: one job by name, then show it. */
static int jobs_one(cv_cli *cli, int argc, char **argv, const char *usage,
                    int (*fn)(cv_store *, const char *, cv_err *))
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || fn(s, pos[0], &cli->err) < 0)
        return cli->err.code;
    return list_jobs(cli, s, pos[0]);
}

static int jobs_pause(cv_cli *cli, int argc, char **argv)
{
    return jobs_one(cli, argc, argv, "jobs pause NAME", cv_job_pause);
}

static int jobs_resume(cv_cli *cli, int argc, char **argv)
{
    return jobs_one(cli, argc, argv, "jobs resume NAME", cv_job_resume);
}

static int jobs_run_now(cv_cli *cli, int argc, char **argv)
{
    return jobs_one(cli, argc, argv, "jobs run-now NAME", cv_sched_run_now);
}

/* Puts the option value v under key in args, as an integer when numeric is set. */
static int put_arg(cv_cli *cli, json_t *args, const char *key, const char *v, int numeric)
{
    if (!v)
        return 0;
    if (!numeric)
        return json_object_set_new(args, key, json_string(v)) == 0
                   ? 0
                   : cv_err_set(&cli->err, CV_EINVAL, "--%s is not valid UTF-8", key);
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end || n < -3660 || n > 3660)
        return cv_err_set(&cli->err, CV_EINVAL, "--%s must be a whole number of days", key);
    return json_object_set_new(args, key, json_integer(n));
}

static int jobs_set(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "jobs set NAME --cron EXPR|--at TIME|--anchor congress:ORG|work:ID|"
                        "--on EVENTS --action A [--to WHO] [--subject S] [--body B] [--days N] "
                        "[--working-days N] [--time HH:MM] [--while PHASE]";
    const char *cron = NULL, *at = NULL, *anchor = NULL, *on = NULL, *action = NULL, *to = NULL,
               *subject = NULL, *body = NULL, *days = NULL, *wdays = NULL, *time = NULL,
               *phase = NULL;
    cv_opt opts[] = {{"cron", &cron, NULL},       {"at", &at, NULL},
                     {"anchor", &anchor, NULL},   {"on", &on, NULL},
                     {"action", &action, NULL},   {"to", &to, NULL},
                     {"subject", &subject, NULL}, {"body", &body, NULL},
                     {"days", &days, NULL},       {"working-days", &wdays, NULL},
                     {"time", &time, NULL},       {"while", &phase, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!!cron + !!at + !!anchor + !!on != 1 || !action)
        return cv_err_set(&cli->err, CV_EINVAL,
                          "one schedule and --action are needed; usage: "
                          "convene %s",
                          usage);
    json_t *args = json_object();
    cv_job_spec spec = {pos[0],
                        cron     ? "cron"
                        : at     ? "at"
                        : anchor ? "anchor"
                                 : "event",
                        cron     ? cron
                        : at     ? at
                        : anchor ? anchor
                                 : on,
                        action, args};
    cv_store *s;
    int rc = -1;
    if (put_arg(cli, args, "to", to, 0) == 0 && put_arg(cli, args, "subject", subject, 0) == 0 &&
        put_arg(cli, args, "body", body, 0) == 0 && put_arg(cli, args, "days", days, 1) == 0 &&
        put_arg(cli, args, "working_days", wdays, 1) == 0 &&
        put_arg(cli, args, "time", time, 0) == 0 && put_arg(cli, args, "while", phase, 0) == 0 &&
        (s = cv_cli_store(cli)) && cv_job_define(s, &spec, &cli->err) >= 0)
        rc = list_jobs(cli, s, pos[0]);
    json_decref(args);
    return rc < 0 ? cli->err.code : rc;
}

static int jobs_zone(cv_cli *cli, int argc, char **argv)
{
    char *pos[1], zone[CV_ZONE_MAX];
    int npos, off;
    if (cv_cli_parse(cli, argc, argv, NULL, "jobs zone [ZONE]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || (npos && cv_calendar_set_zone(s, pos[0], &cli->err) < 0) ||
        cv_calendar_zone(s, zone, &off, &cli->err) < 0)
        return cli->err.code;
    if (cli->json)
        return cv_cli_print(cli, json_pack("{s:s, s:i}", "zone", zone, "offset_min", off), NULL);
    printf("%s (UTC%+d:%02d)\n", zone, off / 60, abs(off) % 60);
    return 0;
}

static int count_outbox(cv_cli *cli, cv_store *s, int64_t *n)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT count(*) FROM outbox", &cli->err);
    if (!st)
        return cli->err.code;
    int rc = sqlite3_step(st);
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "counting the outbox", &cli->err);
}

/* Replays the scheduler under a simulated clock from the store's clock up to --until. */
static int jobs_simulate(cv_cli *cli, int argc, char **argv)
{
    const char *until = NULL;
    cv_opt opts[] = {{"until", &until, NULL}, {NULL, NULL, NULL}};
    char *pos[1], zone[CV_ZONE_MAX];
    int npos, off;
    int64_t end, runs, before, after;
    if (cv_cli_parse(cli, argc, argv, opts, "jobs simulate --until TIME", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    if (!until)
        return cv_err_set(&cli->err, CV_EINVAL, "usage: convene jobs simulate --until TIME");
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_calendar_zone(s, zone, &off, &cli->err) < 0 ||
        cv_date_parse_instant(until, off, &end, "--until", &cli->err) < 0 ||
        count_outbox(cli, s, &before) < 0)
        return cli->err.code;
    if (end < cv_clock_now())
        return cv_err_set(&cli->err, CV_EINVAL, "--until %s is in the past", until);
    cv_clock_fix(cv_clock_now());
    if (cv_sched_simulate(s, end, &runs, &cli->err) < 0 || count_outbox(cli, s, &after) < 0)
        return cli->err.code;
    json_t *j = json_pack("{s:s, s:I, s:I}", "until", until, "runs", (json_int_t)runs, "queued",
                          (json_int_t)(after - before));
    if (cli->json)
        return cv_cli_print(cli, j, NULL);
    printf("simulated until %s: %lld job runs, %lld notifications queued\n", until, (long long)runs,
           (long long)(after - before));
    json_decref(j);
    return 0;
}

int cv_cmd_jobs(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"list", jobs_list, NULL},         {"set", jobs_set, NULL},
        {"pause", jobs_pause, NULL},       {"resume", jobs_resume, NULL},
        {"run-now", jobs_run_now, NULL},   {"zone", jobs_zone, NULL},
        {"simulate", jobs_simulate, NULL}, {NULL, NULL, NULL}};
    if (cv_backup_register(NULL, NULL, &cli->err) < 0) /* builtin.backup.nightly runs here */
        return cli->err.code;
    return cv_cli_dispatch(cli, sub, "jobs", argc, argv);
}

/* contact ------------------------------------------------------------------------------------ */

static void print_contacts(json_t *j, FILE *out)
{
    size_t i;
    json_t *c;
    json_array_foreach(j, i, c) fprintf(out, "%-40s %-8s %s\n", cv_json_text(c, "name"),
                                        cv_json_text(c, "channel"), cv_json_text(c, "address"));
    if (json_array_size(j) == 0)
        fprintf(out, "no contacts\n");
}

static int contact_change(cv_cli *cli, int argc, char **argv, const char *usage,
                          int (*fn)(cv_store *, const char *, const char *, const char *, cv_err *))
{
    const char *email = NULL, *webhook = NULL, *log = NULL;
    cv_opt opts[] = {{"email", &email, NULL},
                     {"webhook", &webhook, NULL},
                     {"log", &log, NULL},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!!email + !!webhook + !!log != 1)
        return cv_err_set(&cli->err, CV_EINVAL,
                          "give one of --email, --webhook, --log; usage: "
                          "convene %s",
                          usage);
    cv_store *s = cv_cli_store(cli);
    json_t *rows;
    if (!s ||
        fn(s, pos[0],
           email     ? "smtp"
           : webhook ? "webhook"
                     : "log",
           email     ? email
           : webhook ? webhook
                     : log,
           &cli->err) < 0 ||
        cv_contact_list(s, pos[0], &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_contacts);
}

static int contact_add(cv_cli *cli, int argc, char **argv)
{
    return contact_change(cli, argc, argv, "contact add NAME --email A|--webhook URL|--log TAG",
                          cv_contact_add);
}

static int contact_remove(cv_cli *cli, int argc, char **argv)
{
    return contact_change(cli, argc, argv, "contact remove NAME --email A|--webhook URL|--log TAG",
                          cv_contact_remove);
}

static int contact_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    json_t *rows;
    if (cv_cli_parse(cli, argc, argv, NULL, "contact list [NAME]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_contact_list(s, npos ? pos[0] : NULL, &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_contacts);
}

int cv_cmd_contact(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", contact_add, NULL},
                                         {"list", contact_list, NULL},
                                         {"remove", contact_remove, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "contact", argc, argv);
}

/* holiday ------------------------------------------------------------------------------------ */

static void print_holidays(json_t *j, FILE *out)
{
    size_t i;
    json_t *h;
    json_array_foreach(j, i, h)
        fprintf(out, "%s  %s\n", cv_json_text(h, "day"), cv_json_text(h, "name"));
    if (json_array_size(j) == 0)
        fprintf(out, "no holidays\n");
}

static int holiday_cmd(cv_cli *cli, int argc, char **argv, int want)
{
    static const char *const usage[] = {"holiday list", "holiday remove DATE",
                                        "holiday add DATE NAME"};
    char *pos[2];
    int npos;
    json_t *rows;
    if (cv_cli_parse(cli, argc, argv, NULL, usage[want], want, want, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || (want == 2 && cv_calendar_holiday_add(s, pos[0], pos[1], &cli->err) < 0) ||
        (want == 1 && cv_calendar_holiday_remove(s, pos[0], &cli->err) < 0) ||
        cv_calendar_holidays(s, &rows, &cli->err) < 0)
        return cli->err.code;
    return cv_cli_print(cli, rows, print_holidays);
}

static int holiday_add(cv_cli *cli, int argc, char **argv)
{
    return holiday_cmd(cli, argc, argv, 2);
}

static int holiday_remove(cv_cli *cli, int argc, char **argv)
{
    return holiday_cmd(cli, argc, argv, 1);
}

static int holiday_list(cv_cli *cli, int argc, char **argv)
{
    return holiday_cmd(cli, argc, argv, 0);
}

int cv_cmd_holiday(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"add", holiday_add, NULL},
                                         {"list", holiday_list, NULL},
                                         {"remove", holiday_remove, NULL},
                                         {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "holiday", argc, argv);
}
