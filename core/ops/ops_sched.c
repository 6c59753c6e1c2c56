/* ops_sched.c: the scheduler's durable jobs (list, set, pause, resume, run-now, zone, simulate),
 * the contacts reminders go to and the holiday calendar, as operations. All of it is admin's
 * store-wide business, except that anyone may read the holiday calendar due dates count on. */
#include <string.h>

#include "backup/nightly.h"
#include "base/bound.h"
#include "base/clock.h"
#include "base/date.h"
#include "ops/ops.h"
#include "sched/calendar.h"
#include "sched/contact.h"
#include "sched/job.h"
#include "sched/run.h"

#define TEXT(n, req, max, help)                                                                    \
    {                                                                                              \
        n, CV_ARG_TEXT, req, 0, max, help                                                          \
    }

typedef struct list_ctx {
    cv_store *s;
    json_t *rows;
    int offset_min;
    const char *name; /* a prefix (list) or a whole name (one job) */
    int whole;
} list_ctx;

static int add_job(const cv_job *j, void *p)
{
    list_ctx *c = p;
    if (c->name && (c->whole ? strcmp(j->name, c->name) != 0
                             : strncmp(j->name, c->name, strlen(c->name)) != 0))
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

/* The jobs whose names start with prefix (whole: the one job of that name). */
static int jobs_json(cv_store *s, const char *name, int whole, json_t **result, cv_err *e)
{
    char zone[CV_ZONE_MAX];
    list_ctx c = {s, json_array(), 0, name, whole};
    if (cv_calendar_zone(s, zone, &c.offset_min, e) < 0 || cv_job_list(s, add_job, &c, e) < 0) {
        json_decref(c.rows);
        return e->code;
    }
    *result = c.rows;
    return 0;
}

/* The nightly backup is a job action the scheduler learns of here, as the daemon does. */
static int actions(cv_err *e)
{
    return cv_backup_register(NULL, NULL, e);
}

static int jobs_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (actions(e) < 0)
        return e->code;
    return jobs_json(c->s, cv_op_text(args, "prefix"), 0, result, e);
}

/* pause, resume and run-now: one job by name, then the job. */
static int jobs_one(const cv_op_ctx *c, json_t *args, json_t **result,
                    int (*fn)(cv_store *, const char *, cv_err *), cv_err *e)
{
    const char *name = cv_op_text(args, "name");
    if (actions(e) < 0 || fn(c->s, name, e) < 0)
        return e->code;
    return jobs_json(c->s, name, 1, result, e);
}

static int jobs_pause(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return jobs_one(c, args, result, cv_job_pause, e);
}

static int jobs_resume(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return jobs_one(c, args, result, cv_job_resume, e);
}

static int jobs_run_now(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return jobs_one(c, args, result, cv_sched_run_now, e);
}

/* The action's arguments: the job's own keys, copied from the operation's. */
static const char *const action_keys[] = {"to",           "subject", "body", "days",
                                          "working_days", "time",    "while"};

static int jobs_set(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    static const char *const kinds[][2] = {
        {"cron", "cron"}, {"at", "at"}, {"anchor", "anchor"}, {"on", "event"}};
    const char *kind = NULL, *spec = NULL;
    int given = 0;
    for (int i = 0; i < 4; i++)
        if (cv_op_text(args, kinds[i][0])) {
            kind = kinds[i][1];
            spec = cv_op_text(args, kinds[i][0]);
            given++;
        }
    if (given != 1)
        return cv_err_set(e, CV_EINVAL,
                          N_("one schedule and --action are needed: one of cron, at, "
                             "anchor or on"));
    json_t *job_args = json_object();
    for (size_t i = 0; i < sizeof action_keys / sizeof action_keys[0]; i++) {
        json_t *v = json_object_get(args, action_keys[i]);
        if (v && !json_is_null(v))
            json_object_set(job_args, action_keys[i], v);
    }
    const char *name = cv_op_text(args, "name");
    cv_job_spec js = {name, kind, spec, cv_op_text(args, "action"), job_args};
    int rc = actions(e) < 0 || cv_job_define(c->s, &js, e) < 0 ? e->code : 0;
    json_decref(job_args);
    return rc < 0 ? rc : jobs_json(c->s, name, 1, result, e);
}

static int jobs_zone(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    char zone[CV_ZONE_MAX];
    int off;
    const char *to = cv_op_text(args, "zone");
    if ((to && cv_calendar_set_zone(c->s, to, e) < 0) || cv_calendar_zone(c->s, zone, &off, e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:i}", "zone", zone, "offset_min", off);
    return 0;
}

static int count_outbox(cv_store *s, int64_t *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT count(*) FROM outbox", e);
    if (!st)
        return e->code;
    int rc = sqlite3_step(st);
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "counting the outbox", e);
}

/* Replays the scheduler under a simulated clock from the store's clock up to until: the jobs
 * run and queue as they would have, in this one transaction. */
static int jobs_simulate(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *until = cv_op_text(args, "until");
    char zone[CV_ZONE_MAX];
    int off;
    int64_t end, runs, before, after;
    if (actions(e) < 0 || cv_calendar_zone(c->s, zone, &off, e) < 0 ||
        cv_date_parse_instant(until, off, &end, "--until", e) < 0 ||
        count_outbox(c->s, &before, e) < 0)
        return e->code;
    if (end < cv_clock_now())
        return cv_err_set(e, CV_EINVAL, N_("--until %s is in the past"), until);
    cv_clock_fix(cv_clock_now());
    if (cv_sched_simulate(c->s, end, &runs, e) < 0 || count_outbox(c->s, &after, e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:I, s:I}", "until", until, "runs", (json_int_t)runs, "queued",
                        (json_int_t)(after - before));
    return 0;
}

/* contact --------------------------------------------------------------------------------- */

/* The one channel given (email, webhook or log) and its address. */
static int channel_of(json_t *args, const char **channel, const char **address, cv_err *e)
{
    static const char *const keys[][2] = {
        {"email", "smtp"}, {"webhook", "webhook"}, {"log", "log"}};
    int given = 0;
    for (int i = 0; i < 3; i++)
        if (cv_op_text(args, keys[i][0])) {
            *channel = keys[i][1];
            *address = cv_op_text(args, keys[i][0]);
            given++;
        }
    return given == 1 ? 0 : cv_err_set(e, CV_EINVAL, N_("give one of --email, --webhook, --log"));
}

static int contact_change(const cv_op_ctx *c, json_t *args, json_t **result,
                          int (*fn)(cv_store *, const char *, const char *, const char *, cv_err *),
                          cv_err *e)
{
    const char *name = cv_op_text(args, "name"), *channel = NULL, *address = NULL;
    if (channel_of(args, &channel, &address, e) < 0 || fn(c->s, name, channel, address, e) < 0)
        return e->code;
    return cv_contact_list(c->s, name, result, e);
}

static int contact_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return contact_change(c, args, result, cv_contact_add, e);
}

static int contact_remove(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return contact_change(c, args, result, cv_contact_remove, e);
}

static int contact_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return cv_contact_list(c->s, cv_op_text(args, "name"), result, e);
}

/* holiday --------------------------------------------------------------------------------- */

static int holiday_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_calendar_holiday_add(c->s, cv_op_text(args, "day"), cv_op_text(args, "name"), e) < 0)
        return e->code;
    return cv_calendar_holidays(c->s, result, e);
}

static int holiday_remove(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    if (cv_calendar_holiday_remove(c->s, cv_op_text(args, "day"), e) < 0)
        return e->code;
    return cv_calendar_holidays(c->s, result, e);
}

static int holiday_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    (void)args;
    return cv_calendar_holidays(c->s, result, e);
}

static const cv_op_arg list_args[] = {
    TEXT("prefix", 0, CV_NAME_MAX - 1, "jobs whose names start so"), CV_OP_ARGS_END};
static const cv_op_arg name_args[] = {TEXT("name", 1, CV_NAME_MAX - 1, "the job"), CV_OP_ARGS_END};
static const cv_op_arg set_args[] = {
    TEXT("name", 1, CV_NAME_MAX - 1, "the job"),
    TEXT("cron", 0, CV_NAME_MAX - 1, "a cron expression (in the store's zone)"),
    TEXT("at", 0, 32, "once, at this time"),
    TEXT("anchor", 0, CV_NAME_MAX - 1, "days from a date: congress:ORG or work:ID"),
    TEXT("on", 0, CV_NAME_MAX - 1, "on these journal events (space-separated)"),
    TEXT("action", 1, 63, "what it does (notify, work.due, ...)"),
    TEXT("to", 0, CV_NAME_MAX - 1, "notify: a contact or address"),
    TEXT("subject", 0, CV_NAME_MAX - 1, "notify: the subject"),
    TEXT("body", 0, 16384, "notify: the body"),
    {"days", CV_ARG_INT, 0, -CV_DAYS_MAX, CV_DAYS_MAX, "days after (negative: before)"},
    {"working_days", CV_ARG_INT, 0, -CV_DAYS_MAX, CV_DAYS_MAX, "working days before"},
    TEXT("time", 0, 5, "HH:MM (08:00)"),
    TEXT("while", 0, 64, "only while this campaign phase runs"),
    CV_OP_ARGS_END};
static const cv_op_arg zone_args[] = {TEXT("zone", 0, CV_ZONE_MAX - 1, "the new zone"),
                                      CV_OP_ARGS_END};
static const cv_op_arg until_args[] = {TEXT("until", 1, 32, "replay until this time"),
                                       CV_OP_ARGS_END};
static const cv_op_arg contact_args[] = {
    TEXT("name", 1, CV_NAME_MAX - 1, "the contact's name"),
    TEXT("email", 0, CV_NAME_MAX - 1, "an e-mail address"),
    TEXT("webhook", 0, CV_NAME_MAX - 1, "a webhook URL"),
    TEXT("log", 0, CV_NAME_MAX - 1, "a tag for the log channel"), CV_OP_ARGS_END};
static const cv_op_arg contact_list_args[] = {TEXT("name", 0, CV_NAME_MAX - 1, "one contact"),
                                              CV_OP_ARGS_END};
static const cv_op_arg holiday_args[] = {CV_OP_DATE("day", 1, "the day"),
                                         TEXT("name", 1, CV_NAME_MAX - 1, "what it is"),
                                         CV_OP_ARGS_END};
static const cv_op_arg day_args[] = {CV_OP_DATE("day", 1, "the day"), CV_OP_ARGS_END};

#define A CV_ROLE_ADMIN
#define S CV_AT_STORE
const cv_op cv_ops_sched[] = {
    {"jobs.list", "the scheduler's jobs", list_args, A, S, NULL, 0, NULL, 0, jobs_list,
     "{\"prefix\":\"builtin.\"}"},
    {"jobs.set", "define or change a job", set_args, A, S, NULL, 0, NULL, 1, jobs_set,
     "{\"name\":\"j$N\",\"cron\":\"0 8 * * 1\",\"action\":\"notify\",\"to\":\"vp@example.org\","
     "\"subject\":\"Họp\",\"body\":\"8 giờ\"}"},
    {"jobs.pause", "pause a job", name_args, A, S, NULL, 0, NULL, 1, jobs_pause,
     "{\"name\":\"builtin.work.due_soon\"}"},
    {"jobs.resume", "resume a paused job", name_args, A, S, NULL, 0, NULL, 1, jobs_resume,
     "{\"name\":\"builtin.congress.soon\"}"},
    {"jobs.run-now", "run a job now", name_args, A, S, NULL, 0, NULL, 1, jobs_run_now,
     "{\"name\":\"builtin.work.due_soon\"}"},
    {"jobs.zone", "the store's zone (with zone: change it)", zone_args, A, S, NULL, 0, NULL, 1,
     jobs_zone, "{\"zone\":\"Asia/Ho_Chi_Minh\"}"},
    {"jobs.simulate", "run the jobs under a simulated clock up to a time", until_args, A, S, NULL,
     0, NULL, 1, jobs_simulate, "{\"until\":\"2020-05-25\"}"},
    {"contact.add", "give a name an address reminders go to", contact_args, A, S, NULL, 0, NULL, 1,
     contact_add, "{\"name\":\"Văn phòng\",\"email\":\"vp@example.org\"}"},
    {"contact.list", "the contacts (or one)", contact_list_args, A, S, NULL, 0, NULL, 0,
     contact_list, "{}"},
    {"contact.remove", "take an address from a name", contact_args, A, S, NULL, 0, NULL, 1,
     contact_remove, "{\"name\":\"Văn phòng\",\"log\":\"vp\"}"},
    {"holiday.add", "add a holiday (not a working day)", holiday_args, A, S, NULL, 0, NULL, 1,
     holiday_add, "{\"day\":\"2020-09-02\",\"name\":\"Quốc khánh\"}"},
    {"holiday.list", "the holiday calendar", NULL, CV_ROLES_ALL, S, NULL, 0, NULL, 0, holiday_list,
     "{}"},
    {"holiday.remove", "remove a holiday", day_args, A, S, NULL, 0, NULL, 1, holiday_remove,
     "{\"day\":\"2020-09-02\"}"},
    CV_OPS_END,
};
