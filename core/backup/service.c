/* service.c: the daemon's runner of scheduled backups. The job action (nightly.c) hands it a
 * plan; the backup runs on the libuv thread pool with its own connections, and only its journal
 * entry (and a failure's notification) is written on the loop, in one short transaction. One
 * backup at a time; a shutdown stops a running copy at its next step and journals nothing. */
#include "backup/service.h"

#include <stdlib.h>

#include "backup/nightly.h"
#include "base/log.h"

typedef struct runner {
    cv_daemon *d;
    uv_work_t work;
    cv_backup_plan plan;
    cv_backup_outcome outcome;
    volatile int stop; /* read by the worker between steps */
    int running;       /* a backup is on the thread pool */
    int closed;        /* the service stopped: free once no backup runs */
} runner;

static void work(uv_work_t *req)
{
    runner *r = req->data;
    cv_backup_nightly(&r->plan, &r->stop, &r->outcome);
}

static void record(runner *r)
{
    cv_store *s = cv_daemon_store(r->d);
    cv_err e;
    if (cv_store_begin(s, &e) == 0) {
        if (cv_backup_record(s, &r->plan, &r->outcome, &e) == 0 && cv_store_commit(s, &e) == 0) {
            cv_daemon_poke(r->d);
            return;
        }
        cv_store_rollback(s);
    }
    cv_log(CV_LOG_ERROR, "backup", NULL, "cannot journal the backup: %s", e.msg);
}

/* Back on the loop: journals what the backup did, unless a shutdown stopped it (a backup that
 * finished before the shutdown is journaled: the store is open until the loop has closed). */
static void done(uv_work_t *req, int status)
{
    runner *r = req->data;
    r->running = 0;
    if (status == UV_ECANCELED || (r->outcome.rc < 0 && r->stop))
        cv_log(CV_LOG_WARN, "backup", json_pack("{s:s}", "file", r->plan.name),
               "backup abandoned at shutdown");
    else if (r->outcome.rc == 0)
        cv_log(CV_LOG_INFO, "backup",
               json_pack("{s:s, s:I, s:I, s:I}", "file", r->outcome.r.file, "size",
                         (json_int_t)r->outcome.r.size, "last_event_id",
                         (json_int_t)r->outcome.r.last_event_id, "duration_ms",
                         (json_int_t)r->outcome.r.duration_ms),
               "backup made");
    else
        cv_log(CV_LOG_ERROR, "backup", NULL, "backup failed: %s", r->outcome.err.msg);
    if (status != UV_ECANCELED && !(r->outcome.rc < 0 && r->stop))
        record(r);
    if (r->closed)
        free(r);
}

/* The job action's hand-over, on the loop thread inside the job's transaction. */
static int hand_over(void *arg, const cv_backup_plan *p, cv_err *e)
{
    (void)e;
    runner *r = arg;
    if (r->running) {
        cv_log(CV_LOG_WARN, "backup", json_pack("{s:s}", "file", p->name),
               "a backup is still running; this one is skipped");
        return 0;
    }
    r->plan = *p;
    r->work.data = r;
    cv_log(CV_LOG_INFO, "backup", json_pack("{s:s, s:s}", "dir", p->dir, "file", p->name),
           "backup started");
    r->running = uv_queue_work(cv_daemon_loop(r->d), &r->work, work, done) == 0;
    return r->running ? 0 : cv_err_set(e, CV_EBUSY, N_("cannot start the backup"));
}

static int start(cv_daemon *d, void **state, cv_err *e)
{
    runner *r = calloc(1, sizeof *r);
    if (!r)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    r->d = d;
    if (cv_backup_register(hand_over, r, e) < 0) {
        free(r);
        return e->code;
    }
    *state = r;
    return 0;
}

static void stop(cv_daemon *d, void *state)
{
    (void)d;
    runner *r = state;
    cv_err ignored;
    cv_backup_register(NULL, NULL, &ignored);
    r->stop = 1;
    r->closed = 1;
    if (!r->running)
        free(r);
}

const cv_service cv_backup_service = {"backup", start, NULL, NULL, stop, 0};
