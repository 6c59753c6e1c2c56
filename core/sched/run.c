/* run.c: running due jobs and event jobs, one transaction per run (see run.h for the crash
 * argument). It owns the action registry; it never arms timers and never delivers anything. */
#include "sched/run.h"

#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "sched/calendar.h"
#include "sched/contact.h"
#include "store/outbox.h"

#define EXTRA_MAX 8

typedef struct action {
    const char *name;
    cv_sched_action_fn fn;
    void *data;
    int own_runner;
} action;

static const action builtins[] = {
    {"notify", cv_remind_notify, NULL, 0},
    {"work.due", cv_remind_work_due, NULL, 0},
    {"congress.soon", cv_remind_congress_soon, NULL, 0},
    {"congress.announce", cv_remind_congress_announce, NULL, 0},
    {"phase.changed", cv_remind_phase_changed, NULL, 0},
    {"document.deadline", cv_remind_document_deadline, NULL, 0},
    {"complaints.unsettled", cv_remind_complaints, NULL, 0},
};
static action extra[EXTRA_MAX];
static int nextra;
static char own_runners[EXTRA_MAX * 40 + 8] = "[]"; /* JSON array of own-runner action names */

static const action *find_action(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    for (int i = 0; i < nextra; i++)
        if (strcmp(extra[i].name, name) == 0)
            return &extra[i];
    return NULL;
}

int cv_sched_action_known(const char *name)
{
    return find_action(name) != NULL;
}

/* Rewrites own_runners from the registered kinds. */
static void list_own_runners(void)
{
    size_t at = (size_t)snprintf(own_runners, sizeof own_runners, "[");
    for (int i = 0; i < nextra; i++)
        if (extra[i].own_runner && at < sizeof own_runners)
            at += (size_t)snprintf(own_runners + at, sizeof own_runners - at, "%s\"%.32s\"",
                                   at > 1 ? "," : "", extra[i].name);
    if (at < sizeof own_runners)
        snprintf(own_runners + at, sizeof own_runners - at, "]");
}

int cv_sched_action_register(const char *name, cv_sched_action_fn fn, void *data, int own_runner,
                             cv_err *e)
{
    for (int i = 0; i < nextra; i++)
        if (strcmp(extra[i].name, name) == 0) {
            extra[i].fn = fn;
            extra[i].data = data;
            extra[i].own_runner = own_runner;
            list_own_runners();
            return 0;
        }
    if (nextra == EXTRA_MAX || find_action(name) || strlen(name) > 32 ||
        strcspn(name, "\"\\") != strlen(name))
        return cv_err_set(e, CV_ELIMIT, "cannot register job action '%s'", name);
    extra[nextra++] = (action){name, fn, data, own_runner};
    list_own_runners();
    return 0;
}

cv_job_scope cv_sched_daemon_scope(void)
{
    return (cv_job_scope){NULL, own_runners};
}

typedef struct notify_ctx {
    cv_sched_ctx *c;
    const char *cause, *subject, *body;
} notify_ctx;

static int put_one(const char *channel, const char *address, void *p, cv_err *e)
{
    notify_ctx *n = p;
    char key[1200];
    snprintf(key, sizeof key, "%s:%s:%s", n->cause, channel, address);
    cv_notification msg = {key, channel, address, n->subject, n->body};
    int rc = cv_outbox_put(n->c->s, &msg, e);
    if (rc < 0)
        return rc;
    n->c->queued += rc;
    return 0;
}

int cv_sched_notify(cv_sched_ctx *c, const char *who, const char *cause, const char *subject,
                    const char *body, cv_err *e)
{
    if (!who || !*who)
        return 0;
    notify_ctx n = {c, cause, subject, body};
    return cv_contact_resolve(c->s, who, put_one, &n, e);
}

/* Whether the phase args.while names ("campaign/phase" or the phase's name alone) is active now:
 * its latest phase event is phase.started. */
static int phase_allows(cv_store *s, const cv_job *j, int *yes, cv_err *e)
{
    const char *phase = json_string_value(json_object_get(j->args, "while"));
    *yes = 1;
    if (!phase)
        return 0;
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "SELECT type FROM events WHERE type IN ('phase.started','phase.ended') AND "
        "(json_extract(data, '$.campaign') || '/' || json_extract(data, '$.phase') = ?1 OR "
        " coalesce(json_extract(data, '$.phase'), json_extract(data, '$.name')) = ?1) "
        "ORDER BY id DESC LIMIT 1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, phase, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *yes =
        rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "phase.started") == 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading phases", e);
}

/* Runs j once for the instant due (or for ev) in one transaction. A failed action is rolled
 * back whole, then recorded in a second transaction so the job moves on instead of spinning. */
static int run_one(cv_store *s, cv_job *j, int64_t due, const cv_event *ev, int caught_up,
                   cv_err *e)
{
    const action *a = find_action(j->action);
    char zone[CV_ZONE_MAX];
    int64_t now = cv_clock_now();
    cv_sched_ctx c = {s, j, due, j->last_due_at, 0, ev, 0};
    int allowed = 1, rc = cv_store_begin(s, e);
    if (rc < 0)
        return rc;
    if (!a)
        rc = cv_err_set(e, CV_ENOTFOUND, "no job action '%s' in this process", j->action);
    else if ((rc = cv_calendar_zone(s, zone, &c.offset_min, e)) == 0 &&
             (rc = phase_allows(s, j, &allowed, e)) == 0 && allowed)
        rc = a->fn(&c, a->data, e);
    if (rc == 0)
        rc = cv_job_record_run(s, j, due, now, caught_up, c.queued, NULL, e);
    if (rc == 0 && ev)
        rc = cv_journal_cursor_set(s, "sched", ev->id, e);
    if (rc == 0 && (rc = cv_store_commit(s, e)) == 0)
        return 0;
    cv_store_rollback(s);
    if (rc == CV_EBUSY)
        return rc; /* the action did not run (it was interrupted): nothing recorded, still due */
    cv_err failed = *e;
    if (cv_store_begin(s, e) < 0)
        return e->code;
    if (cv_job_record_run(s, j, due, now, caught_up, 0, failed.msg, e) < 0 ||
        (ev && cv_journal_cursor_set(s, "sched", ev->id, e) < 0) || cv_store_commit(s, e) < 0) {
        cv_store_rollback(s);
        return e->code;
    }
    *e = failed;
    return failed.code;
}

int cv_sched_run_due(cv_store *s, const cv_job_scope *scope, int64_t now, int64_t started_at,
                     int max, int *ran, cv_err *e)
{
    *ran = 0;
    while (*ran < max) {
        cv_job j;
        int rc = cv_job_next_pending(s, scope, now, &j, e);
        if (rc <= 0)
            return rc;
        cv_err job_err;
        int64_t due = j.next_at;
        if (run_one(s, &j, due, NULL, due < started_at, &job_err) < 0 &&
            cv_store_faulted(job_err.code)) {
            *e = job_err;
            cv_job_clear(&j);
            return e->code;
        }
        cv_job_clear(&j);
        (*ran)++;
    }
    return 0;
}

int cv_sched_run_now(cv_store *s, const char *name, cv_err *e)
{
    cv_job j;
    if (cv_job_get(s, name, &j, e) < 0)
        return e->code;
    int rc = strcmp(j.kind, "event") == 0
                 ? cv_err_set(e, CV_EINVAL, "job '%s' runs on events, not on demand", name)
                 : run_one(s, &j, cv_clock_now(), NULL, 0, e);
    cv_job_clear(&j);
    return rc;
}

/* Whether the space-separated list of event types spec names type. */
static int listens(const char *spec, const char *type)
{
    size_t n = strlen(type);
    for (const char *p = spec; (p = strstr(p, type)); p += n)
        if ((p == spec || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

int cv_sched_on_event(cv_store *s, const cv_event *ev, cv_err *e)
{
    cv_job *jobs;
    size_t n;
    int64_t cursor;
    if (cv_journal_cursor_get(s, "sched", &cursor, e) < 0)
        return e->code;
    if (ev->id <= cursor)
        return 0; /* already handled (the start-up catch-up and the daemon may overlap) */
    int rc = cv_job_event_jobs(s, &jobs, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (listens(jobs[i].spec, ev->type)) {
            cv_err job_err;
            if (run_one(s, &jobs[i], ev->at, ev, 0, &job_err) < 0 && cv_store_faulted(job_err.code))
                rc = (*e = job_err).code;
        }
    for (size_t i = 0; i < n; i++)
        cv_job_clear(&jobs[i]);
    free(jobs);
    return rc;
}

/* The first event after `after`, up to `last`, that a job of jobs listens to (its id in *id, 0
 * for none), found by type alone: the events no job wants, a big import's batches say, are
 * never parsed. */
static int next_wanted(cv_store *s, const cv_job *jobs, size_t n, int64_t after, int64_t last,
                       int64_t *id, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s, "SELECT id, type FROM events WHERE id > ?1 AND id <= ?2 ORDER BY id", e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, last);
    int rc;
    *id = 0;
    while (!*id && (rc = sqlite3_step(st)) == SQLITE_ROW)
        for (size_t i = 0; i < n && !*id; i++)
            if (listens(jobs[i].spec, (const char *)sqlite3_column_text(st, 1)))
                *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return *id || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "reading the journal", e);
}

/* The event jobs (read again after each event: one may define more) and the next event one of
 * them wants, in *id (0: none up to last). */
static int next_for_jobs(cv_store *s, int64_t after, int64_t last, int64_t *id, cv_err *e)
{
    cv_job *jobs;
    size_t n;
    if (cv_job_event_jobs(s, &jobs, &n, e) < 0)
        return e->code;
    int rc = next_wanted(s, jobs, n, after, last, id, e);
    for (size_t i = 0; i < n; i++)
        cv_job_clear(&jobs[i]);
    free(jobs);
    return rc;
}

/* Moves the scheduler's cursor to id, unless it is there already. */
static int pass_to(cv_store *s, int64_t id, cv_err *e)
{
    int64_t cursor;
    if (cv_journal_cursor_get(s, "sched", &cursor, e) < 0)
        return e->code;
    if (cursor >= id)
        return 0;
    if (cv_store_begin(s, e) < 0)
        return e->code;
    if (cv_journal_cursor_set(s, "sched", id, e) < 0 || cv_store_commit(s, e) < 0) {
        cv_store_rollback(s);
        return e->code;
    }
    return 0;
}

int cv_sched_catch_up_events(cv_store *s, cv_err *e)
{
    int64_t cursor, last, id = 0;
    if (cv_journal_cursor_get(s, "sched", &cursor, e) < 0 || cv_journal_last_id(s, &last, e) < 0)
        return e->code;
    while (cursor < last) {
        if (next_for_jobs(s, cursor, last, &id, e) < 0)
            return e->code;
        if (!id)
            break;
        cv_event ev;
        int rc = cv_journal_next(s, id - 1, &ev, e);
        if (rc == 1) {
            rc = cv_sched_on_event(s, &ev, e);
            cv_event_clear(&ev);
        }
        if (rc < 0)
            return rc;
        cursor = id;
    }
    /* Every event up to last has been seen: the next start reads none of them again. */
    return pass_to(s, last, e);
}

int cv_sched_simulate(cv_store *s, int64_t until, int64_t *runs, cv_err *e)
{
    int64_t at;
    *runs = 0;
    for (;;) {
        int ran;
        if (cv_sched_catch_up_events(s, e) < 0 || cv_job_plan(s, e) < 0 ||
            cv_job_earliest(s, NULL, &at, e) < 0)
            return e->code;
        if (at > until)
            break;
        if (at > cv_clock_now())
            cv_clock_fix(at);
        if (cv_sched_run_due(s, NULL, cv_clock_now(), 0, 1 << 20, &ran, e) < 0)
            return e->code;
        *runs += ran;
    }
    cv_clock_fix(until);
    return 0;
}
