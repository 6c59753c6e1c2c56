/* job.c: the jobs table: defining, reading, pausing and planning jobs, and when each falls due.
 * It never runs a job's action (run.c does) and never arms a timer (service.c does). */
#include "sched/job.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/bound.h"
#include "base/clock.h"
#include "base/date.h"
#include "domain/congress.h"
#include "domain/work.h"
#include "sched/calendar.h"
#include "sched/run.h"
#include "store/journal.h"

#define JOB_COLUMNS                                                                                \
    "id, name, kind, spec, action, args, state, next_at, last_due_at, last_run_at, "               \
    "last_lateness_ms, runs, last_error"

void cv_job_clear(cv_job *j)
{
    json_decref(j->args);
    j->args = NULL;
}

static int64_t col_or(sqlite3_stmt *st, int i, int64_t none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void read_row(sqlite3_stmt *st, cv_job *j)
{
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(st, 0);
    copy_col(j->name, sizeof j->name, st, 1);
    copy_col(j->kind, sizeof j->kind, st, 2);
    copy_col(j->spec, sizeof j->spec, st, 3);
    copy_col(j->action, sizeof j->action, st, 4);
    j->args = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
    if (!j->args)
        j->args = json_object();
    copy_col(j->state, sizeof j->state, st, 6);
    j->next_at = col_or(st, 7, -1);
    j->last_due_at = col_or(st, 8, -1);
    j->last_run_at = col_or(st, 9, -1);
    j->last_lateness_ms = col_or(st, 10, -1);
    j->runs = sqlite3_column_int64(st, 11);
    copy_col(j->last_error, sizeof j->last_error, st, 12);
}

int cv_job_get(cv_store *s, const char *name, cv_job *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT " JOB_COLUMNS " FROM jobs WHERE name = ?1", e);
    if (!st)
        return e->code;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return cv_err_set(e, CV_ENOTFOUND, N_("no job named '%.200s'; see convene jobs list"),
                          name);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading a job", e);
}

/* The domain date an anchor spec points at ("" when it has none now, e.g. an unplanned congress
 * or a finished work item). */
static int anchor_date(cv_store *s, const char *spec, char date[11], cv_err *e)
{
    date[0] = '\0';
    if (strncmp(spec, "congress:", 9) == 0) {
        cv_congress c;
        int rc = cv_congress_get(s, spec + 9, NULL, &c, e);
        if (rc == CV_ENOTFOUND)
            return 0;
        if (rc < 0)
            return rc;
        snprintf(date, 11, "%s", *c.actual_start ? c.actual_start : c.planned_start);
        return 0;
    }
    if (strncmp(spec, "work:", 5) == 0) {
        cv_work_item w;
        int64_t id;
        if (cv_text_count(spec + 5, &id, "work item id", e) < 0)
            return e->code;
        int rc = cv_work_get(s, id, &w, e);
        if (rc == CV_ENOTFOUND)
            return 0;
        if (rc < 0)
            return rc;
        if (strcmp(w.status, "open") == 0)
            snprintf(date, 11, "%s", w.due);
        return 0;
    }
    return cv_err_set(e, CV_EINVAL, N_("an anchor is congress:ORG or work:ID, not '%.64s'"), spec);
}

/* args.days days after (negative: before) the anchor's date, at args.time, in the zone. */
static int anchor_instant(cv_store *s, const cv_job *j, int offset_min, int64_t *at, cv_err *e)
{
    char date[11], when[24];
    *at = -1;
    if (anchor_date(s, j->spec, date, e) < 0)
        return e->code;
    if (!*date)
        return 0;
    json_int_t days = json_integer_value(json_object_get(j->args, "days"));
    const char *time = json_string_value(json_object_get(j->args, "time"));
    if (cv_bound_check(days, -CV_DAYS_MAX, CV_DAYS_MAX, "an anchor's days", e) < 0)
        return e->code;
    char shifted[11];
    cv_date_from_days(cv_date_days(date) + days, shifted);
    snprintf(when, sizeof when, "%sT%.5s", shifted, time ? time : "08:00");
    return cv_date_parse_instant(when, offset_min, at, "anchor time", e);
}

int cv_job_next_due(cv_store *s, const cv_job *j, int64_t after, int64_t *next, cv_err *e)
{
    char zone[CV_ZONE_MAX];
    int off;
    *next = -1;
    if (cv_calendar_zone(s, zone, &off, e) < 0)
        return e->code;
    if (strcmp(j->kind, "cron") == 0) {
        cv_cron c;
        if (cv_cron_parse(j->spec, &c, e) < 0 || cv_cron_next(&c, after, off, next, e) < 0)
            return e->code;
    } else if (strcmp(j->kind, "at") == 0 || strcmp(j->kind, "anchor") == 0) {
        int64_t at;
        if (strcmp(j->kind, "at") == 0 ? cv_date_parse_instant(j->spec, off, &at, "job time", e) < 0
                                       : anchor_instant(s, j, off, &at, e) < 0)
            return e->code;
        /* Once per instant: an instant already run is not due again (a moved anchor is). */
        *next = at == j->last_due_at ? -1 : at;
    }
    return 0;
}

/* The texts a job puts in a notification (args.to, args.subject) obey the rule `convene notify`
 * applies to its own: NFC, one line, no control character, not empty (a job to no one would
 * queue nothing, silently). */
static int check_texts(const json_t *args, cv_err *e)
{
    static const char *const keys[] = {"to", "subject"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(args, keys[i]);
        char nfc[CV_NAME_MAX], what[16];
        snprintf(what, sizeof what, "--%s", keys[i]);
        if (v && !json_is_string(v))
            return cv_err_set(e, CV_EINVAL, N_("%s must be text"), what);
        if (v && cv_text_nfc(json_string_value(v), nfc, sizeof nfc, what, e) < 0)
            return e->code;
    }
    return 0;
}

static int check_spec(cv_store *s, const cv_job_spec *spec, cv_err *e)
{
    char nfc[CV_NAME_MAX];
    if (!spec->name || cv_text_nfc(spec->name, nfc, sizeof nfc, "job name", e) < 0)
        return e->code;
    if (strlen(spec->name) > 200 || strcmp(nfc, spec->name) != 0)
        return cv_err_set(e, CV_EINVAL, N_("a job name is NFC text of at most 200 bytes"));
    if (!spec->kind || (strcmp(spec->kind, "cron") && strcmp(spec->kind, "at") &&
                        strcmp(spec->kind, "anchor") && strcmp(spec->kind, "event")))
        return cv_err_set(e, CV_EINVAL, N_("a job's kind is cron, at, anchor or event"));
    if (!spec->spec || !*spec->spec || strlen(spec->spec) >= CV_NAME_MAX)
        return cv_err_set(e, CV_EINVAL, N_("a job needs a schedule of 1 to %d bytes"),
                          CV_NAME_MAX - 1);
    if (!spec->action || !cv_sched_action_known(spec->action))
        return cv_err_set(e, CV_EINVAL, N_("unknown job action '%.64s'"),
                          spec->action ? spec->action : "");
    if (check_texts(spec->args, e) < 0)
        return e->code;
    cv_job probe = {.last_due_at = -1};
    snprintf(probe.kind, sizeof probe.kind, "%s", spec->kind);
    snprintf(probe.spec, sizeof probe.spec, "%s", spec->spec);
    probe.args = spec->args;
    int64_t next;
    if (strcmp(spec->kind, "event") != 0 &&
        cv_job_next_due(s, &probe, cv_clock_now(), &next, e) < 0)
        return e->code;
    return 0;
}

/* Sets next_at of job id (-1: NULL; done: state done). */
static int set_next(cv_store *s, int64_t id, int64_t next, int done, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "UPDATE jobs SET next_at = ?2, state = CASE WHEN ?3 THEN 'done' ELSE state END "
        "WHERE id = ?1",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, id);
    if (next >= 0)
        sqlite3_bind_int64(st, 2, next);
    sqlite3_bind_int(st, 3, done);
    return cv_store_exec(s, st, e);
}

/* The first due time of j from now: kinds at and anchor keep their instant even when it has
 * passed (it runs once, late, like systemd's Persistent=true). */
static int plan_one(cv_store *s, const cv_job *j, cv_err *e)
{
    int64_t next;
    if (strcmp(j->kind, "event") == 0)
        return 0;
    if (cv_job_next_due(s, j, cv_clock_now(), &next, e) < 0)
        return e->code;
    if (next == j->next_at)
        return 0;
    return set_next(s, j->id, next, next < 0 && strcmp(j->kind, "at") == 0, e);
}

int cv_job_define(cv_store *s, const cv_job_spec *spec, cv_err *e)
{
    if (check_spec(s, spec, e) < 0)
        return e->code;
    char *args = spec->args ? json_dumps(spec->args, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
    if (!args || strlen(args) >= CV_JOB_ARGS_MAX) {
        free(args);
        return cv_err_set(e, CV_ELIMIT, N_("a job's args are at most %d bytes"), CV_JOB_ARGS_MAX);
    }
    sqlite3_stmt *st;
    int created = 0;
    cv_job j = {0};
    if (cv_store_require_tx(s, __func__, e) < 0)
        goto out;
    if (!(st = cv_store_prepare(
              s,
              "INSERT INTO jobs(name, kind, spec, action, args, created_at) "
              "VALUES (?1, ?2, ?3, ?4, json(?5), ?6) ON CONFLICT(name) DO UPDATE SET "
              "kind = excluded.kind, spec = excluded.spec, action = excluded.action, "
              "args = excluded.args, next_at = NULL, last_error = NULL, "
              "state = CASE state WHEN 'done' THEN 'active' ELSE state END "
              "WHERE kind IS NOT excluded.kind OR spec IS NOT excluded.spec OR "
              "action IS NOT excluded.action OR args IS NOT excluded.args RETURNING 1",
              e)))
        goto out;
    sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, spec->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, spec->spec, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, spec->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, args, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, cv_clock_now());
    int existed = cv_job_get(s, spec->name, &j, e) == 0;
    cv_job_clear(&j);
    int rc = sqlite3_step(st), changed = rc == SQLITE_ROW;
    created = changed && !existed;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        cv_store_fail(s, "defining a job", e);
        goto out;
    }
    if (changed && (cv_job_get(s, spec->name, &j, e) < 0 || plan_one(s, &j, e) < 0 ||
                    cv_journal_emit(s, created ? "job.created" : "job.changed", 0,
                                    json_pack("{s:s, s:s, s:s}", "name", spec->name, "kind",
                                              spec->kind, "spec", spec->spec),
                                    NULL, e) < 0))
        goto out;
    cv_job_clear(&j);
    free(args);
    return created;
out:
    cv_job_clear(&j);
    free(args);
    return e->code;
}

/* Changes a job's state with its event; resuming replans it from now. */
static int change_state(cv_store *s, const char *name, const char *from, const char *to,
                        const char *event, cv_err *e)
{
    cv_job j = {0};
    if (cv_store_require_tx(s, event, e) < 0 || cv_job_get(s, name, &j, e) < 0)
        goto out;
    if (strcmp(j.state, from) != 0) {
        cv_err_set(e, CV_ECONFLICT, N_("job '%.200s' is %s, not %s"), name, j.state, from);
        goto out;
    }
    sqlite3_stmt *st =
        cv_store_prepare(s, "UPDATE jobs SET state = ?2, next_at = NULL WHERE id = ?1", e);
    if (!st)
        goto out;
    sqlite3_bind_int64(st, 1, j.id);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    snprintf(j.state, sizeof j.state, "%s", to);
    j.next_at = -1;
    if (cv_store_exec(s, st, e) < 0 || (strcmp(to, "active") == 0 && plan_one(s, &j, e) < 0) ||
        cv_journal_emit(s, event, 0, json_pack("{s:s}", "name", name), NULL, e) < 0)
        goto out;
    cv_err_clear(e);
out:
    cv_job_clear(&j);
    return e->code;
}

int cv_job_pause(cv_store *s, const char *name, cv_err *e)
{
    return change_state(s, name, "active", "paused", "job.paused", e);
}

int cv_job_resume(cv_store *s, const char *name, cv_err *e)
{
    return change_state(s, name, "paused", "active", "job.resumed", e);
}

int cv_job_prune(cv_store *s, const char *prefix, json_t *keep, int *n, cv_err *e)
{
    char *keep_text = json_dumps(keep, JSON_COMPACT);
    sqlite3_stmt *st;
    *n = 0;
    if (!keep_text)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    if (cv_store_require_tx(s, __func__, e) < 0)
        goto out;
    if (!(st = cv_store_prepare(s,
                                "DELETE FROM jobs WHERE substr(name, 1, length(?1)) = ?1 AND "
                                "name NOT IN (SELECT value FROM json_each(?2))",
                                e)))
        goto out;
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, keep_text, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        goto out;
    *n = sqlite3_changes(cv_store_db(s));
    if ((*n > 0 &&
         cv_journal_emit(s, "job.pruned", 0, json_pack("{s:s, s:i}", "prefix", prefix, "count", *n),
                         NULL, e) < 0))
        goto out;
    cv_err_clear(e);
out:
    free(keep_text);
    return e->code;
}

int cv_job_list(cv_store *s, cv_job_visit visit, void *ctx, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, "SELECT " JOB_COLUMNS " FROM jobs ORDER BY name", e);
    if (!st)
        return e->code;
    int rc, stop = 0;
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cv_job j;
        read_row(st, &j);
        stop = visit(&j, ctx);
        cv_job_clear(&j);
    }
    sqlite3_reset(st);
    return stop || rc == SQLITE_DONE ? 0 : cv_store_fail(s, "listing jobs", e);
}

/* Collects the jobs one query selects (so that planning may update them). */
static int collect(cv_store *s, const char *sql, cv_job **out, size_t *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, sql, e);
    if (!st)
        return e->code;
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            cv_job *grown = realloc(*out, cap * sizeof **out);
            if (!grown) {
                sqlite3_reset(st);
                return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
            }
            *out = grown;
        }
        read_row(st, &(*out)[(*n)++]);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(s, "planning jobs", e);
}

int cv_job_plan(cv_store *s, cv_err *e)
{
    cv_job *jobs = NULL;
    size_t n = 0;
    int rc = cv_store_begin(s, e);
    if (rc < 0)
        return rc;
    rc = collect(s,
                 "SELECT " JOB_COLUMNS " FROM jobs WHERE state = 'active' AND "
                 "((next_at IS NULL AND kind IN ('cron','at')) OR kind = 'anchor')",
                 &jobs, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = plan_one(s, &jobs[i], e);
    for (size_t i = 0; i < n; i++)
        cv_job_clear(&jobs[i]);
    free(jobs);
    if (rc < 0 || (rc = cv_store_commit(s, e)) < 0) {
        cv_store_rollback(s);
        return rc;
    }
    return 0;
}

#define IN_SCOPE                                                                                   \
    " AND (?2 IS NULL OR substr(name, 1, length(?2)) = ?2) AND (?3 IS NULL OR action NOT IN "      \
    "(SELECT value FROM json_each(?3)))"

static void bind_scope(sqlite3_stmt *st, const cv_job_scope *scope)
{
    if (scope && scope->prefix)
        sqlite3_bind_text(st, 2, scope->prefix, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 2);
    if (scope && scope->skip)
        sqlite3_bind_text(st, 3, scope->skip, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 3);
}

int cv_job_earliest(cv_store *s, const cv_job_scope *scope, int64_t *at, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT min(next_at) FROM jobs WHERE state = 'active' AND "
                                        "next_at IS NOT NULL AND ?1 IS NULL" IN_SCOPE,
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_null(st, 1);
    bind_scope(st, scope);
    int rc = sqlite3_step(st);
    *at = rc == SQLITE_ROW ? col_or(st, 0, INT64_MAX) : INT64_MAX;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : cv_store_fail(s, "reading the next job", e);
}

json_t *cv_job_json(const cv_job *j)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:O, s:I}", "id", (json_int_t)j->id,
                          "name", j->name, "kind", j->kind, "spec", j->spec, "action", j->action,
                          "state", j->state, "args", j->args, "runs", (json_int_t)j->runs);
    if (j->next_at >= 0)
        json_object_set_new(o, "next_at", json_integer(j->next_at));
    if (j->last_due_at >= 0) {
        json_object_set_new(o, "last_due_at", json_integer(j->last_due_at));
        json_object_set_new(o, "last_run_at", json_integer(j->last_run_at));
        json_object_set_new(o, "last_lateness_ms", json_integer(j->last_lateness_ms));
    }
    if (*j->last_error)
        json_object_set_new(o, "last_error", json_string(j->last_error));
    return o;
}

int cv_job_next_pending(cv_store *s, const cv_job_scope *scope, int64_t now, cv_job *out, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s,
                                        "SELECT " JOB_COLUMNS " FROM jobs WHERE state = 'active' "
                                        "AND next_at <= ?1" IN_SCOPE " ORDER BY next_at LIMIT 1",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, now);
    bind_scope(st, scope);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_row(st, out);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return cv_store_fail(s, "reading due jobs", e);
    return rc == SQLITE_ROW;
}

int cv_job_event_jobs(cv_store *s, cv_job **out, size_t *n, cv_err *e)
{
    return collect(s,
                   "SELECT " JOB_COLUMNS " FROM jobs WHERE kind = 'event' AND state = 'active' "
                   "ORDER BY id",
                   out, n, e);
}

int cv_job_record_run(cv_store *s, cv_job *j, int64_t due, int64_t now, int caught_up, int queued,
                      const char *error, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(
        s,
        "INSERT INTO job_runs(job_id, due_at, ran_at, lateness_ms, caught_up, queued, error) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        e);
    if (!st)
        return e->code;
    int64_t late = now > due ? now - due : 0;
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_int64(st, 2, due);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, late);
    sqlite3_bind_int(st, 5, caught_up);
    sqlite3_bind_int(st, 6, queued);
    if (error)
        sqlite3_bind_text(st, 7, error, -1, SQLITE_STATIC);
    if (cv_store_exec(s, st, e) < 0)
        return e->code;
    int64_t next = -1;
    j->last_due_at = due;
    /* A one-shot job is done once run; an anchor waits for its date to move. */
    int cron = strcmp(j->kind, "cron") == 0, anchor = strcmp(j->kind, "anchor") == 0;
    if ((cron && cv_job_next_due(s, j, now > due ? now : due, &next, e) < 0) ||
        (anchor && cv_job_next_due(s, j, now, &next, e) < 0))
        return e->code;
    if (!(st = cv_store_prepare(
              s,
              "UPDATE jobs SET last_due_at = ?2, last_run_at = ?3, last_lateness_ms = ?4, "
              "runs = runs + 1, last_error = ?5, next_at = ?6, "
              "state = CASE WHEN ?7 THEN 'done' ELSE state END WHERE id = ?1",
              e)))
        return e->code;
    sqlite3_bind_int64(st, 1, j->id);
    sqlite3_bind_int64(st, 2, due);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, late);
    if (error)
        sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
    if (next >= 0)
        sqlite3_bind_int64(st, 6, next);
    sqlite3_bind_int(st, 7, next < 0 && strcmp(j->kind, "at") == 0);
    return cv_store_exec(s, st, e);
}
