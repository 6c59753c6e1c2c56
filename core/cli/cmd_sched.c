/* cmd_sched.c: `convene jobs`, `contact` and `holiday`: the scheduler's durable jobs (list, set,
 * pause, resume, run-now, zone, simulate), the contacts reminders go to, and the holiday
 * calendar: argv mapped onto the operations of core/ops/ops_sched.c, and their printers. */
#include <stdlib.h>
#include <string.h>

#include "base/bound.h"
#include "base/clock.h"
#include "base/json.h"
#include "cli/cli.h"

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

static int jobs_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "jobs list [PREFIX]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = npos ? json_pack("{s:s}", "prefix", pos[0]) : json_object();
    return cv_cli_op_print(cli, "jobs.list", args, print_jobs);
}

/* pause, resume and run-now: one job by name, then show it. */
static int jobs_one(cv_cli *cli, int argc, char **argv, const char *usage, const char *op)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, op, json_pack("{s:s}", "name", pos[0]), print_jobs);
}

static int jobs_pause(cv_cli *cli, int argc, char **argv)
{
    return jobs_one(cli, argc, argv, "jobs pause NAME", "jobs.pause");
}

static int jobs_resume(cv_cli *cli, int argc, char **argv)
{
    return jobs_one(cli, argc, argv, "jobs resume NAME", "jobs.resume");
}

static int jobs_run_now(cv_cli *cli, int argc, char **argv)
{
    return jobs_one(cli, argc, argv, "jobs run-now NAME", "jobs.run-now");
}

/* Puts the option value v under key in args, as a whole number of days when numeric is set. */
static int put_arg(cv_cli *cli, json_t *args, const char *key, const char *v, int numeric)
{
    if (!v)
        return 0;
    if (!numeric)
        return json_object_set_new(args, key, json_string(v)) == 0
                   ? 0
                   : cv_err_set(&cli->err, CV_EINVAL, "--%s is not valid UTF-8", key);
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*v == '\0' || *end || n < -CV_DAYS_MAX || n > CV_DAYS_MAX)
        return cv_err_set(&cli->err, CV_EINVAL, "--%s must be a whole number of days", key);
    return json_object_set_new(args, key, json_integer(n));
}

static int jobs_set(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "jobs set NAME --cron EXPR|--at TIME|--anchor congress:ORG|work:ID|"
                        "--on EVENTS --action A [--to WHO] [--subject S] [--body B] [--days N] "
                        "[--working-days N] [--time HH:MM] [--while PHASE]";
    static const char *const keys[] = {"cron",   "at",           "anchor",  "on",
                                       "action", "to",           "subject", "body",
                                       "days",   "working_days", "time",    "while"};
    const char *v[12] = {0};
    cv_opt opts[13];
    for (int i = 0; i < 12; i++)
        opts[i] = (cv_opt){i == 9 ? "working-days" : keys[i], &v[i], NULL};
    opts[12] = (cv_opt){NULL, NULL, NULL};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!!v[0] + !!v[1] + !!v[2] + !!v[3] != 1 || !v[4])
        return cv_err_set(&cli->err, CV_EINVAL,
                          "one schedule and --action are needed; usage: "
                          "convene %s",
                          usage);
    json_t *args = json_pack("{s:s}", "name", pos[0]);
    for (int i = 0; i < 12; i++)
        if (put_arg(cli, args, keys[i], v[i], i == 8 || i == 9) < 0) {
            json_decref(args);
            return cli->err.code;
        }
    return cv_cli_op_print(cli, "jobs.set", args, print_jobs);
}

static void print_zone(json_t *j, FILE *out)
{
    int off = (int)json_integer_value(json_object_get(j, "offset_min"));
    fprintf(out, "%s (UTC%+d:%02d)\n", cv_json_text(j, "zone"), off / 60, abs(off) % 60);
}

static int jobs_zone(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "jobs zone [ZONE]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "jobs.zone",
                           npos ? json_pack("{s:s}", "zone", pos[0]) : json_object(), print_zone);
}

static void print_simulated(json_t *j, FILE *out)
{
    fprintf(out, "simulated until %s: %lld job runs, %lld notifications queued\n",
            cv_json_text(j, "until"), (long long)json_integer_value(json_object_get(j, "runs")),
            (long long)json_integer_value(json_object_get(j, "queued")));
}

/* Replays the scheduler under a simulated clock from the store's clock up to --until. */
static int jobs_simulate(cv_cli *cli, int argc, char **argv)
{
    const char *until = NULL;
    cv_opt opts[] = {{"until", &until, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, "jobs simulate --until TIME", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    if (!until)
        return cv_err_set(&cli->err, CV_EINVAL, "usage: convene jobs simulate --until TIME");
    return cv_cli_op_print(cli, "jobs.simulate", json_pack("{s:s}", "until", until),
                           print_simulated);
}

int cv_cmd_jobs(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"list", jobs_list, NULL},         {"set", jobs_set, NULL},
        {"pause", jobs_pause, NULL},       {"resume", jobs_resume, NULL},
        {"run-now", jobs_run_now, NULL},   {"zone", jobs_zone, NULL},
        {"simulate", jobs_simulate, NULL}, {NULL, NULL, NULL}};
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

static int contact_change(cv_cli *cli, int argc, char **argv, const char *usage, const char *op)
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
    json_t *args = json_pack("{s:s}", "name", pos[0]);
    json_object_set_new(args,
                        email     ? "email"
                        : webhook ? "webhook"
                                  : "log",
                        json_string(email     ? email
                                    : webhook ? webhook
                                              : log));
    return cv_cli_op_print(cli, op, args, print_contacts);
}

static int contact_add(cv_cli *cli, int argc, char **argv)
{
    return contact_change(cli, argc, argv, "contact add NAME --email A|--webhook URL|--log TAG",
                          "contact.add");
}

static int contact_remove(cv_cli *cli, int argc, char **argv)
{
    return contact_change(cli, argc, argv, "contact remove NAME --email A|--webhook URL|--log TAG",
                          "contact.remove");
}

static int contact_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "contact list [NAME]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "contact.list",
                           npos ? json_pack("{s:s}", "name", pos[0]) : json_object(),
                           print_contacts);
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
    static const char *const op[] = {"holiday.list", "holiday.remove", "holiday.add"};
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, usage[want], want, want, pos, &npos) < 0)
        return cli->err.code;
    json_t *args = json_object();
    if (want)
        json_object_set_new(args, "day", json_string(pos[0]));
    if (want == 2)
        json_object_set_new(args, "name", json_string(pos[1]));
    return cv_cli_op_print(cli, op[want], args, print_holidays);
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
