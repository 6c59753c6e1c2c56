/* job.h: durable jobs (the jobs table). A job has a stable name (its identity: defining it again
 * with the same name updates it, never duplicates it), a kind that says when it falls due, and
 * an action that says what it does:
 *   cron    spec is a cron expression read in the organisation's zone;
 *   at      spec is an instant ("2020-09-27T08:00", local to the zone unless it says Z/+HH:MM);
 *   anchor  spec is a domain date, "congress:ORG" (the congress's opening day) or "work:ID" (the
 *           item's due day), shifted by args.days (negative: before) at args.time ("08:00");
 *           it falls due once per value of that date and follows it when it moves;
 *   event   spec lists journal event types; the job runs for each such event.
 * args.while names a phase: the job then only acts while that phase is active. */
#ifndef CV_JOB_H
#define CV_JOB_H

#include <jansson.h>
#include <stdint.h>

#include "base/text.h"
#include "sched/cron.h"
#include "store/store.h"

#define CV_JOB_ARGS_MAX 4096 /* bytes of a job's args as JSON */

typedef struct cv_job {
    int64_t id;
    char name[CV_NAME_MAX];
    char kind[8];
    char spec[CV_NAME_MAX];
    char action[64];
    char state[8];            /* active | paused | done */
    json_t *args;             /* owned: cv_job_clear */
    int64_t next_at;          /* -1: none */
    int64_t last_due_at;      /* -1: never ran */
    int64_t last_run_at;      /* -1: never ran */
    int64_t last_lateness_ms; /* -1: never ran */
    int64_t runs;
    char last_error[CV_NAME_MAX]; /* "" when the last run went well */
} cv_job;

typedef struct cv_job_spec {
    const char *name, *kind, *spec, *action;
    json_t *args; /* borrowed; NULL for {} */
} cv_job_spec;

void cv_job_clear(cv_job *j);

/* Creates or updates the job named spec->name. An update that changes when it falls due
 * recomputes next_at from now; one that changes nothing leaves it as it was (so reloading a
 * script keeps its jobs' schedules). Returns 1 when created, 0 when it existed. */
int cv_job_define(cv_store *s, const cv_job_spec *spec, cv_err *e);

int cv_job_get(cv_store *s, const char *name, cv_job *out, cv_err *e);

/* Pauses (state paused) or resumes (active, next_at recomputed from now) a job. */
int cv_job_pause(cv_store *s, const char *name, cv_err *e);
int cv_job_resume(cv_store *s, const char *name, cv_err *e);

/* Deletes the jobs named prefix% not in keep (a script's jobs that its reload no longer
 * defines). Returns the number deleted in *n. */
int cv_job_prune(cv_store *s, const char *prefix, json_t *keep, int *n, cv_err *e);

/* Visits the jobs by name (active and paused first when pending_only). */
typedef int (*cv_job_visit)(const cv_job *j, void *ctx);
int cv_job_list(cv_store *s, cv_job_visit visit, void *ctx, cv_err *e);

json_t *cv_job_json(const cv_job *j);

/* Which jobs a runner takes: those whose name starts with prefix (NULL: any) and whose action is
 * not in skip, a JSON array of action names (NULL: none skipped). A NULL scope takes every job. */
typedef struct cv_job_scope {
    const char *prefix;
    const char *skip;
} cv_job_scope;

/* Reads the earliest active job of scope due at or before now into out: 1 if one was read, 0 if
 * none. */
int cv_job_next_pending(cv_store *s, const cv_job_scope *scope, int64_t now, cv_job *out,
                        cv_err *e);

/* The active event jobs, collected into a malloc'ed array (free each with cv_job_clear). */
int cv_job_event_jobs(cv_store *s, cv_job **out, size_t *n, cv_err *e);

/* Inside the run's transaction: records the run of j due at due (error NULL: it went well),
 * and moves j to its next due time; a cron job skips the ticks it missed (catch-up runs once). */
int cv_job_record_run(cv_store *s, cv_job *j, int64_t due, int64_t now, int caught_up, int queued,
                      const char *error, cv_err *e);

/* When j next falls due strictly after `after`, into *next (-1: never again). Reads the zone
 * and, for anchors, the domain date from the store. */
int cv_job_next_due(cv_store *s, const cv_job *j, int64_t after, int64_t *next, cv_err *e);

/* Gives every active job without a due time one (from now), and moves anchor jobs whose domain
 * date moved. Run at start and when another connection changed the store. */
int cv_job_plan(cv_store *s, cv_err *e);

/* The earliest next_at of an active job of scope, or INT64_MAX when none is pending. */
int cv_job_earliest(cv_store *s, const cv_job_scope *scope, int64_t *at, cv_err *e);

#endif
