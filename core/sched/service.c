/* service.c: the scheduler on the daemon's loop. ONE uv_timer, always armed for the earliest
 * due job (or stopped when none is pending); on start it catches up: what fell due while the
 * daemon was down runs once, with its lateness recorded. It must never block the loop: it runs
 * at most BATCH jobs per turn and yields before the next batch, and it moves the store's WAL
 * checkpoints (an fsync each) off the loop into a worker with its own connection, so a run's
 * commit never pays for one. */
#include "sched/service.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "sched/job.h"
#include "sched/run.h"

#define BATCH            64               /* jobs run per loop turn */
#define MAX_WAIT_MS      (60 * 60 * 1000) /* re-read the clock at least hourly */
#define CHECKPOINT_PAGES 1000             /* SQLite's own auto-checkpoint threshold */
#define FAULT_WAIT_MS    1000             /* after a failure of the store: 1 s, doubling ... */
#define FAULT_WAIT_MAX   60000            /* ... up to a minute */

typedef struct sched {
    cv_daemon *d;
    uv_timer_t timer;
    int64_t started_at;
    uv_work_t checkpoint;
    char path[4096];
    int checkpointing; /* a checkpoint runs in the worker */
    int checkpoint_rc; /* the last checkpoint's outcome (the worker's) */
    cv_err checkpoint_err;
    int closed; /* the timer is closed: free once no checkpoint runs */
    int faults; /* failed batches in a row (a full, busy or read-only store) */
} sched;

/* In a worker thread: a passive checkpoint on a connection of its own (it never blocks the
 * loop's writes; SQLite serialises what must be). */
static void checkpoint_work(uv_work_t *req)
{
    sched *sc = req->data;
    int wal_pages, copied;
    sc->checkpoint_rc = cv_store_checkpoint(sc->path, &wal_pages, &copied, &sc->checkpoint_err);
}

static void checkpoint_done(uv_work_t *req, int status)
{
    (void)status;
    sched *sc = req->data;
    sc->checkpointing = 0;
    if (sc->checkpoint_rc < 0)
        cv_log(CV_LOG_ERROR, "store", NULL, "%s", sc->checkpoint_err.msg);
    if (sc->closed)
        free(sc);
}

/* Replaces SQLite's auto-checkpoint on the daemon's connection (it is a WAL hook too). */
static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    sched *sc = arg;
    if (pages >= CHECKPOINT_PAGES && !sc->checkpointing && !sc->closed) {
        sc->checkpointing = 1;
        sc->checkpoint.data = sc;
        if (uv_queue_work(cv_daemon_loop(sc->d), &sc->checkpoint, checkpoint_work,
                          checkpoint_done) != 0)
            sc->checkpointing = 0;
    }
    return SQLITE_OK;
}

static void on_timer(uv_timer_t *t);

/* Arms the timer for the earliest due job: at once if one is due, never if none is pending. */
static void arm(sched *sc)
{
    cv_err e;
    int64_t at;
    cv_job_scope scope = cv_sched_daemon_scope();
    if (cv_job_earliest(cv_daemon_store(sc->d), &scope, &at, &e) < 0) {
        cv_log(CV_LOG_ERROR, "sched", NULL, "%s", e.msg);
        at = cv_clock_now() + 1000; /* try again shortly */
    }
    if (at == INT64_MAX) {
        uv_timer_stop(&sc->timer);
        return;
    }
    int64_t wait = at - cv_clock_now();
    wait = wait < 0 ? 0 : wait > MAX_WAIT_MS ? MAX_WAIT_MS : wait;
    uv_timer_start(&sc->timer, on_timer, (uint64_t)wait, 0);
}

static void on_timer(uv_timer_t *t)
{
    sched *sc = t->data;
    cv_err e;
    int ran = 0;
    uv_update_time(t->loop);
    cv_job_scope scope = cv_sched_daemon_scope();
    if (cv_sched_run_due(cv_daemon_store(sc->d), &scope, cv_clock_now(), sc->started_at, BATCH,
                         &ran, &e) < 0) {
        /* The due job is still due: running it again at once would spin. Say so once, wait. */
        if (!sc->faults++)
            cv_log(CV_LOG_ERROR, "sched", NULL, "%s; trying again later", e.msg);
        int64_t wait = FAULT_WAIT_MS << (sc->faults < 7 ? sc->faults - 1 : 6);
        uv_timer_start(&sc->timer, on_timer,
                       (uint64_t)(wait < FAULT_WAIT_MAX ? wait : FAULT_WAIT_MAX), 0);
        return;
    }
    if (sc->faults)
        cv_log(CV_LOG_INFO, "sched", json_pack("{s:i}", "tries", sc->faults + 1), "running again");
    sc->faults = 0;
    if (ran == BATCH)
        uv_timer_start(&sc->timer, on_timer, 0, 0); /* more are due: yield, then continue */
    else
        arm(sc);
}

static int start(cv_daemon *d, void **state, cv_err *e)
{
    int64_t at, started_at = cv_clock_now();
    *state = NULL;
    if (cv_job_plan(cv_daemon_store(d), e) < 0 ||
        cv_sched_catch_up_events(cv_daemon_store(d), e) < 0 ||
        cv_job_earliest(cv_daemon_store(d), NULL, &at, e) < 0)
        return e->code;
    sched *sc = calloc(1, sizeof *sc);
    if (!sc)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    sc->d = d;
    sc->started_at = started_at;
    snprintf(sc->path, sizeof sc->path, "%s", cv_store_path(cv_daemon_store(d)));
    sqlite3_wal_hook(cv_store_db(cv_daemon_store(d)), on_wal, sc);
    uv_timer_init(cv_daemon_loop(d), &sc->timer);
    sc->timer.data = sc;
    *state = sc;
    cv_log(CV_LOG_INFO, "sched",
           at == INT64_MAX ? NULL : json_pack("{s:I}", "next_at", (json_int_t)at),
           "scheduler started");
    arm(sc);
    return 0;
}

static void on_store_changed(cv_daemon *d, void *state);

static void on_event(cv_daemon *d, void *state, const cv_event *ev)
{
    cv_err e;
    if (cv_sched_on_event(cv_daemon_store(d), ev, &e) < 0)
        cv_log(CV_LOG_ERROR, "sched", NULL, "%s", e.msg);
    /* Jobs defined in this process (a Lua package's) are announced only through the journal. */
    if (strncmp(ev->type, "job.", 4) == 0)
        on_store_changed(d, state);
}

/* Another connection (the CLI) may have added, paused or moved jobs, or moved a domain date an
 * anchor job follows: replan and re-arm. */
static void on_store_changed(cv_daemon *d, void *state)
{
    cv_err e;
    if (cv_job_plan(cv_daemon_store(d), &e) < 0)
        cv_log(CV_LOG_ERROR, "sched", NULL, "%s", e.msg);
    arm(state);
}

static void on_closed(uv_handle_t *h)
{
    sched *sc = h->data;
    sc->closed = 1;
    if (!sc->checkpointing)
        free(sc);
}

static void stop(cv_daemon *d, void *state)
{
    sched *sc = state;
    if (!sc)
        return;
    sqlite3_wal_autocheckpoint(cv_store_db(cv_daemon_store(d)), CHECKPOINT_PAGES);
    uv_close((uv_handle_t *)&sc->timer, on_closed);
}

const cv_service cv_sched_service = {"sched", start, on_event, on_store_changed, stop, 0};
