/* run.h: running jobs. Each run is one transaction holding the action's outbox rows, the run's
 * record (with its lateness) and the job's next due time, so a crash either keeps all of it or
 * none; a run repeated after a crash queues notifications under the same idempotency keys
 * (derived from the job's name and the due instant or the cause), which the outbox keeps once. */
#ifndef CV_RUN_H
#define CV_RUN_H

#include <stdint.h>

#include "sched/job.h"
#include "store/journal.h"

/* What an action sees of its run. */
typedef struct cv_sched_ctx {
    cv_store *s;
    const cv_job *job;
    int64_t due_at;        /* the instant the run was due */
    int64_t prev_due_at;   /* the previous run's due instant, -1 for the first run */
    int offset_min;        /* the organisation's zone */
    const cv_event *event; /* the event of an event job, else NULL */
    int queued;            /* notifications queued so far */
} cv_sched_ctx;

/* Returns 0, or an error recorded in the job (which moves on to its next due time); CV_EBUSY
 * means the action could not run now (it was interrupted): the run is undone, nothing is
 * recorded and the job stays due. */
typedef int (*cv_sched_action_fn)(cv_sched_ctx *c, void *data, cv_err *e);

/* Whether an action of that name exists (built in or registered). */
int cv_sched_action_known(const char *name);

/* Registers a kind of job implemented elsewhere (the Lua layer's "lua"); at most 8. With
 * own_runner, the daemon's scheduler leaves these jobs to the registering subsystem, which runs
 * them where it likes (a worker thread) through cv_sched_run_due with a scope of its own. */
int cv_sched_action_register(const char *name, cv_sched_action_fn fn, void *data, int own_runner,
                             cv_err *e);

/* The scope of the daemon's own scheduler: every job but those of own-runner kinds. The
 * returned text lives until the next registration. */
cv_job_scope cv_sched_daemon_scope(void);

/* Queues one notification per address of who (contacts), keyed cause:channel:address. */
int cv_sched_notify(cv_sched_ctx *c, const char *who, const char *cause, const char *subject,
                    const char *body, cv_err *e);

/* Runs up to max jobs of scope (NULL: all) due at or before now, earliest first, each in its own
 * transaction; jobs due before started_at are recorded as caught up. *ran counts them. A failing
 * action is recorded in the job (last_error) and does not stop the others. */
int cv_sched_run_due(cv_store *s, const cv_job_scope *scope, int64_t now, int64_t started_at,
                     int max, int *ran, cv_err *e);

/* Runs the job named name now (convene jobs run-now), whatever its schedule. */
int cv_sched_run_now(cv_store *s, const char *name, cv_err *e);

/* Runs the active event jobs that listen for ev's type, advancing the "sched" cursor with them. */
int cv_sched_on_event(cv_store *s, const cv_event *ev, cv_err *e);

/* Replays the events after the "sched" cursor (those the daemon missed while down) to the event
 * jobs that listen for them, reading the others by type alone, then moves the cursor past them
 * all so that the next start reads none again. */
int cv_sched_catch_up_events(cv_store *s, cv_err *e);

/* Runs the scheduler under a simulated clock up to until: the clock jumps to each due instant in
 * turn and everything due there runs as the daemon would run it (`convene jobs simulate`, and
 * `convene script test`). *runs counts the runs. Leaves the clock fixed at until. */
int cv_sched_simulate(cv_store *s, int64_t until, int64_t *runs, cv_err *e);

/* The built-in actions (remind.c). */
int cv_remind_notify(cv_sched_ctx *c, void *data, cv_err *e);
int cv_remind_work_due(cv_sched_ctx *c, void *data, cv_err *e);
int cv_remind_congress_soon(cv_sched_ctx *c, void *data, cv_err *e);
int cv_remind_congress_announce(cv_sched_ctx *c, void *data, cv_err *e);
int cv_remind_phase_changed(cv_sched_ctx *c, void *data, cv_err *e);
int cv_remind_document_deadline(cv_sched_ctx *c, void *data, cv_err *e);
int cv_remind_complaints(cv_sched_ctx *c, void *data, cv_err *e);

#endif
