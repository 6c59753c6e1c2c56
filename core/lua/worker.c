/* worker.c: a Lua package on a thread of its own (worker.h). The thread owns the package's state
 * and a store connection; the loop thread only writes the mailbox under the mutex. Writes commit
 * batch by batch (cv_lua_pkg_dispatch bounds a batch's time), so the write lock is never held
 * across Lua for long, and a stop interrupts the running callback and SQL statement at once. */
#include "lua/worker.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "domain/org.h"
#include "lua/jobs.h"
#include "sched/run.h"

#define BATCHES_PER_ROUND 16    /* dispatch batches before the mailbox is read again */
#define JOBS_PER_ROUND    16    /* due jobs run before the mailbox is read again */
#define WAIT_MAX_MS       60000 /* look at jobs and the journal at least this often */
#define BACKOFF_MAX_MS    30000 /* the longest wait after a store error */
#define BUSY_MAX_MS       5000  /* how long a statement waits for the write lock */

struct cv_lua_worker {
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cond;
    uv_async_t *wrote;
    char db_path[4096];
    char name[CV_LUA_NAME_MAX];
    /* The mailbox and what stop must reach, under mu. */
    cv_lua_reg reg;
    int want_reload, want_dispatch, want_tick, stop;
    cv_lua_pkg *pkg;
    cv_store *store;
    /* The worker thread's own. */
    atomic_int stopping;
    int64_t started_at;
    long backoff_ms;
    char shown[700]; /* the package's last error as last recorded */
};

static void sink(void *ctx, const cv_lua_pkg *p, const char *kind, const char *msg)
{
    (void)ctx;
    enum cv_log_level level = strcmp(kind, "log.error") == 0  ? CV_LOG_ERROR
                              : strcmp(kind, "log.warn") == 0 ? CV_LOG_WARN
                                                              : CV_LOG_INFO;
    cv_log(level, "lua", json_pack("{s:s, s:s}", "package", cv_lua_pkg_name(p), "kind", kind), "%s",
           msg);
}

static void record(cv_lua_worker *w, const char *state, const char *error)
{
    cv_err e;
    if (cv_lua_reg_record(w->store, w->name, state, error, &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", w->name), "%s", e.msg);
}

/* Waits for the write lock a little at a time, giving up at once when the worker stops. */
static int busy(void *arg, int count)
{
    cv_lua_worker *w = arg;
    if (atomic_load(&w->stopping) || count * 5 >= BUSY_MAX_MS)
        return 0;
    nanosleep(&(struct timespec){0, 5000000}, NULL);
    return 1;
}

/* Replaces the package's state with p (NULL: none), freeing the old one. */
static void swap_pkg(cv_lua_worker *w, cv_lua_pkg *p)
{
    uv_mutex_lock(&w->mu);
    cv_lua_pkg *old = w->pkg;
    w->pkg = p;
    uv_mutex_unlock(&w->mu);
    cv_lua_jobs_unloaded(old);
    cv_lua_pkg_free(old);
}

/* Loads r's version; it replaces the running one only if it loaded. A suspended package is not
 * loaded. */
static void load(cv_lua_worker *w, const cv_lua_reg *r)
{
    if (r->suspended[0]) {
        swap_pkg(w, NULL);
        return;
    }
    cv_lua_pkg_options opt = {.name = r->name,
                              .path = r->path,
                              .org = r->org,
                              .config = r->config,
                              .limits = r->limits,
                              .sink = sink};
    cv_lua_pkg *p;
    cv_err e;
    cv_org root;
    cv_lua_pkg_act_as(w->store, r->name, cv_org_get(w->store, r->org, &root, &e) == 0 ? root.id : 0,
                      "load");
    if (cv_lua_pkg_load(w->store, &opt, &p, &e) < 0) {
        char msg[700];
        snprintf(msg, sizeof msg, "%s%s",
                 w->pkg ? "reload failed, the previous version runs: " : "", e.msg);
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", r->name), "%s", msg);
        record(w, w->pkg ? "loaded" : "failed", msg);
        return;
    }
    swap_pkg(w, p);
    if (cv_lua_jobs_loaded(p, &e) < 0) {
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", r->name), "%s", e.msg);
        record(w, "loaded", e.msg);
        return;
    }
    cv_log(CV_LOG_INFO, "lua", json_pack("{s:s, s:s}", "package", r->name, "org", r->org),
           "package loaded");
    record(w, "loaded", NULL);
}

/* A package that spent a budget stops here: the reason is stored and journaled
 * (script.suspended) for `script status`, and its state freed until `script resume`. */
static int check_suspended(cv_lua_worker *w)
{
    const char *why = w->pkg ? cv_lua_pkg_suspended(w->pkg) : NULL;
    if (!why)
        return 0;
    cv_err e;
    cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", w->name), "package suspended: %s",
           why);
    if (cv_lua_reg_suspend(w->store, w->name, why, &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", NULL, "%s", e.msg);
    record(w, "loaded", why);
    swap_pkg(w, NULL);
    return 1;
}

/* Hands new events to the package, batch by batch; returns whether anything was written and
 * sets *more when events remain. A store error backs off (doubling up to BACKOFF_MAX_MS). */
static int dispatch(cv_lua_worker *w, int *more)
{
    int wrote = 0;
    *more = 0;
    for (int b = 0; w->pkg && b < BATCHES_PER_ROUND && !atomic_load(&w->stopping); b++) {
        int handled = 0;
        cv_err e;
        if (cv_lua_pkg_dispatch(w->pkg, &handled, NULL, &e) < 0) {
            if (atomic_load(&w->stopping))
                return wrote; /* undone; the next start takes it up again */
            w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : 100;
            w->backoff_ms = w->backoff_ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : w->backoff_ms;
            cv_log(CV_LOG_ERROR, "lua",
                   json_pack("{s:s, s:i}", "package", w->name, "retry_ms", (int)w->backoff_ms),
                   "%s", e.msg);
            record(w, "loaded", e.msg);
            return wrote;
        }
        w->backoff_ms = 0; /* a hook's failure is recorded by the round (round_trip) */
        wrote |= handled > 0;
        if (check_suspended(w))
            return 1;
        if (handled == 0)
            return wrote;
        *more = b == BATCHES_PER_ROUND - 1;
    }
    return wrote;
}

/* Runs the package's due jobs; returns whether any ran. */
static int run_jobs(cv_lua_worker *w, int *more)
{
    char prefix[CV_LUA_NAME_MAX + 8];
    snprintf(prefix, sizeof prefix, "lua:%s:", w->name);
    cv_job_scope scope = {prefix, NULL};
    int ran = 0;
    cv_err e;
    *more = 0;
    if (!w->pkg)
        return 0;
    if (cv_sched_run_due(w->store, &scope, cv_clock_now(), w->started_at, JOBS_PER_ROUND, &ran,
                         &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", w->name), "%s", e.msg);
    *more = ran == JOBS_PER_ROUND;
    check_suspended(w);
    return ran > 0;
}

/* How long to sleep when nothing is asked: until the package's next job, the backoff, or
 * WAIT_MAX_MS. */
static uint64_t wait_ns(cv_lua_worker *w)
{
    char prefix[CV_LUA_NAME_MAX + 8];
    snprintf(prefix, sizeof prefix, "lua:%s:", w->name);
    cv_job_scope scope = {prefix, NULL};
    int64_t at, ms = w->backoff_ms ? w->backoff_ms : WAIT_MAX_MS;
    cv_err e;
    if (w->pkg && cv_job_earliest(w->store, &scope, &at, &e) == 0 && at != INT64_MAX) {
        int64_t until = at - cv_clock_now();
        ms = until < ms ? (until < 0 ? 0 : until) : ms;
    }
    return (uint64_t)ms * 1000000u;
}

/* One round: takes the mailbox's requests and does them. */
static void round_trip(cv_lua_worker *w, const cv_lua_reg *reg, int reload, int tick)
{
    int wrote = 0, more_events = 0, more_jobs = 0;
    if (reload)
        load(w, reg), wrote = 1;
    wrote |= dispatch(w, &more_events);
    if (tick && w->pkg && !atomic_load(&w->stopping)) {
        cv_err e;
        if (cv_lua_pkg_tick(w->pkg, &e) < 0)
            record(w, "loaded", e.msg);
        wrote |= check_suspended(w);
    }
    if (!atomic_load(&w->stopping))
        wrote |= run_jobs(w, &more_jobs);
    const char *last = w->pkg ? cv_lua_pkg_last_error(w->pkg) : "";
    if (*last && strcmp(last, w->shown) != 0) { /* a hook, boundary or job failed */
        snprintf(w->shown, sizeof w->shown, "%s", last);
        record(w, "loaded", last);
        wrote = 1;
    }
    if (wrote)
        uv_async_send(w->wrote);
    if (more_events || more_jobs) {
        uv_mutex_lock(&w->mu);
        w->want_dispatch = 1;
        uv_mutex_unlock(&w->mu);
    }
}

static void worker_main(void *arg)
{
    cv_lua_worker *w = arg;
    cv_err e;
    cv_store *s;
    if (cv_store_open(w->db_path, 0, &s, &e) < 0) {
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", w->name), "%s", e.msg);
        return;
    }
    sqlite3_busy_handler(cv_store_db(s), busy, w);
    sqlite3_exec(cv_store_db(s), "PRAGMA cache_size=-2048", NULL, NULL, NULL);
    uv_mutex_lock(&w->mu);
    w->store = s;
    uv_mutex_unlock(&w->mu);
    for (;;) {
        uint64_t ns = wait_ns(w); /* read before the lock: stop never waits for SQL */
        uv_mutex_lock(&w->mu);
        if (!w->stop && !w->want_reload && !w->want_dispatch && !w->want_tick)
            uv_cond_timedwait(&w->cond, &w->mu, ns ? ns : 1);
        if (w->stop)
            break;
        cv_lua_reg reg = w->reg;
        int reload = w->want_reload, tick = w->want_tick;
        w->want_reload = w->want_dispatch = w->want_tick = 0;
        uv_mutex_unlock(&w->mu);
        round_trip(w, &reg, reload, tick);
    }
    w->store = NULL;
    uv_mutex_unlock(&w->mu);
    swap_pkg(w, NULL);
    cv_store_close(s);
}

int cv_lua_worker_start(const char *db_path, const cv_lua_reg *r, uv_async_t *wrote,
                        cv_lua_worker **out, cv_err *e)
{
    cv_lua_worker *w = calloc(1, sizeof *w);
    if (!w)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    snprintf(w->db_path, sizeof w->db_path, "%s", db_path);
    snprintf(w->name, sizeof w->name, "%s", r->name);
    w->reg = *r;
    w->want_reload = 1;
    w->wrote = wrote;
    w->started_at = cv_clock_now();
    if (uv_mutex_init(&w->mu) != 0) {
        free(w);
        return cv_err_set(e, CV_ENOMEM, "cannot create a mutex");
    }
    if (uv_cond_init(&w->cond) != 0 || uv_thread_create(&w->thread, worker_main, w) != 0) {
        uv_mutex_destroy(&w->mu);
        free(w);
        return cv_err_set(e, CV_ENOMEM, "cannot start a worker for package %s", r->name);
    }
    *out = w;
    return 0;
}

static void post(cv_lua_worker *w, int *flag)
{
    uv_mutex_lock(&w->mu);
    *flag = 1;
    uv_cond_signal(&w->cond);
    uv_mutex_unlock(&w->mu);
}

void cv_lua_worker_kick(cv_lua_worker *w)
{
    post(w, &w->want_dispatch);
}

void cv_lua_worker_tick(cv_lua_worker *w)
{
    post(w, &w->want_tick);
}

void cv_lua_worker_reload(cv_lua_worker *w, const cv_lua_reg *r)
{
    uv_mutex_lock(&w->mu);
    w->reg = *r;
    uv_mutex_unlock(&w->mu);
    post(w, &w->want_reload);
}

void cv_lua_worker_cancel(cv_lua_worker *w)
{
    atomic_store(&w->stopping, 1); /* before the lock: a waiting statement gives up */
    uv_mutex_lock(&w->mu);
    w->stop = 1;
    if (w->pkg)
        cv_lua_sandbox_interrupt(cv_lua_pkg_sandbox(w->pkg));
    if (w->store)
        sqlite3_interrupt(cv_store_db(w->store));
    uv_cond_signal(&w->cond);
    uv_mutex_unlock(&w->mu);
}

void cv_lua_worker_stop(cv_lua_worker *w)
{
    if (!w)
        return;
    cv_lua_worker_cancel(w);
    uv_thread_join(&w->thread);
    uv_cond_destroy(&w->cond);
    uv_mutex_destroy(&w->mu);
    free(w);
}
