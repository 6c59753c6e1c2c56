/* daemon.c: the loop of `convene run`: the single-daemon lock, signals, the journal watch that
 * brings the CLI's changes in (PRAGMA data_version, DESIGN.md principle 2), one log line per
 * event, the services, and a shutdown that closes every handle. It must never block the loop on
 * the network; store queries here are short indexed reads. */
#include "daemon/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "auth/grant.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "daemon/services.h"

#define SERVICES_MAX 16

struct cv_daemon {
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    uv_timer_t watch;
    cv_store *store;
    const cv_daemon_options *opt;
    int lock_fd;
    int64_t cursor;       /* the last event logged and handed to services */
    int64_t data_version; /* PRAGMA data_version at the last look */
    int stopping;
    void *state[SERVICES_MAX];
    int started; /* services started, in list order */
};

uv_loop_t *cv_daemon_loop(cv_daemon *d)
{
    return &d->loop;
}

cv_store *cv_daemon_store(cv_daemon *d)
{
    return d->store;
}

const char *cv_daemon_db_path(cv_daemon *d)
{
    return d->opt->db_path;
}

int cv_daemon_setting(cv_daemon *d, const char *key, char *buf, size_t cap)
{
    cv_err ignored;
    for (const char *const *kv = d->opt->settings; kv && kv[0]; kv += 2)
        if (strcmp(kv[0], key) == 0) {
            snprintf(buf, cap, "%s", kv[1]);
            return 0;
        }
    return cv_store_setting_get(d->store, key, buf, cap, &ignored) < 0 ? CV_ENOTFOUND : 0;
}

/* Takes an exclusive flock on PATH.lock and writes our pid in it. The kernel drops the lock when
 * the process dies, however it dies, so a crashed daemon never blocks the next one. */
static int take_lock(const char *db_path, int *fd_out, cv_err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.lock", db_path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return cv_err_set(e, CV_EIO, "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        close(fd);
        return cv_err_set(e, CV_EBUSY, "another convene daemon (pid %s) is already serving %s",
                          *pid ? pid : "?", db_path);
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        close(fd);
        return cv_err_set(e, CV_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    *fd_out = fd;
    return 0;
}

static int read_data_version(cv_daemon *d, int64_t *v)
{
    cv_err e;
    sqlite3_stmt *st = cv_store_prepare(d->store, "PRAGMA data_version", &e);
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        if (st)
            sqlite3_reset(st);
        return -1;
    }
    *v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

static void log_event(const cv_event *ev)
{
    json_t *extra = json_pack("{s:I, s:s, s:O}", "event_id", (json_int_t)ev->id, "event", ev->type,
                              "data", ev->data);
    cv_log(CV_LOG_INFO, "journal", extra, "%s", ev->type);
}

/* Logs and hands to the services every event after the cursor. */
static void drain_journal(cv_daemon *d)
{
    cv_event ev;
    cv_err e;
    int rc;
    while (!d->stopping && (rc = cv_journal_next(d->store, d->cursor, &ev, &e)) == 1) {
        d->cursor = ev.id;
        log_event(&ev);
        for (int i = 0; i < d->started; i++)
            if (cv_daemon_services[i]->on_event)
                cv_daemon_services[i]->on_event(d, d->state[i], &ev);
        cv_event_clear(&ev);
    }
    if (rc < 0)
        cv_log(CV_LOG_ERROR, "journal", NULL, "%s", e.msg);
}

static void on_watch(uv_timer_t *t)
{
    cv_daemon *d = t->data;
    int64_t v;
    if (read_data_version(d, &v) == 0 && v != d->data_version) {
        d->data_version = v;
        for (int i = 0; i < d->started; i++)
            if (cv_daemon_services[i]->on_store_changed)
                cv_daemon_services[i]->on_store_changed(d, d->state[i]);
    }
    drain_journal(d);
}

void cv_daemon_poke(cv_daemon *d)
{
    if (!d->stopping)
        uv_timer_start(&d->watch, on_watch, 0, uv_timer_get_repeat(&d->watch));
}

static void on_close_unexpected(uv_handle_t *h)
{
    (void)h;
}

static void close_leftover(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) {
        cv_log(CV_LOG_WARN, "daemon", json_pack("{s:s}", "handle", uv_handle_type_name(h->type)),
               "a handle was left open at shutdown; closing it");
        uv_close(h, on_close_unexpected);
    }
}

void cv_daemon_stop(cv_daemon *d)
{
    if (d->stopping)
        return;
    d->stopping = 1;
    for (int i = d->started - 1; i >= 0; i--)
        if (cv_daemon_services[i]->stop)
            cv_daemon_services[i]->stop(d, d->state[i]);
    d->started = 0;
    uv_close((uv_handle_t *)&d->watch, NULL);
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    cv_log(CV_LOG_INFO, "daemon", json_pack("{s:i}", "signal", signum), "shutting down");
    cv_daemon_stop(h->data);
}

static int start_services(cv_daemon *d, cv_err *e)
{
    for (int i = 0; cv_daemon_services[i] && i < SERVICES_MAX; i++) {
        if (cv_daemon_services[i]->start && cv_daemon_services[i]->start(d, &d->state[i], e) < 0)
            return e->code;
        d->started = i + 1;
    }
    return 0;
}

/* A demo or rehearsal store carries the instant it is to be seen at (or the command line gave
 * one); the daemon's clock starts there and runs forward at real speed. */
static void anchor_clock(cv_daemon *d, int clock_given)
{
    char anchor[40];
    cv_err ignored;
    int64_t ms;
    if (clock_given)
        cv_clock_anchor(cv_clock_now());
    else if (cv_store_setting_get(d->store, "clock", anchor, sizeof anchor, &ignored) == 0 &&
             cv_date_parse_instant(anchor, CV_TZ_VIETNAM_MIN, &ms, "clock", &ignored) == 0)
        cv_clock_anchor(ms);
}

static int open_all(cv_daemon *d, const cv_daemon_options *opt, cv_err *e)
{
    if (take_lock(opt->db_path, &d->lock_fd, e) < 0 ||
        cv_store_open(opt->db_path, 0, &d->store, e) < 0 ||
        cv_journal_last_id(d->store, &d->cursor, e) < 0)
        return e->code;
    /* What the daemon changes on its own (jobs, reminders, deliveries) is the scheduler's doing;
     * packages and plugins set their own actor around their writes. */
    cv_actor scheduler = {.kind = CV_ACTOR_SCHEDULER, .scope_roles = CV_ROLES_ALL};
    snprintf(scheduler.name, sizeof scheduler.name, "scheduler");
    snprintf(scheduler.via, sizeof scheduler.via, "convene run");
    cv_store_set_actor(d->store, &scheduler);
    anchor_clock(d, opt->clock_given);
    read_data_version(d, &d->data_version);
    uv_loop_init(&d->loop);
    d->loop.data = d;
    uv_timer_init(&d->loop, &d->watch);
    uv_signal_init(&d->loop, &d->sigint);
    uv_signal_init(&d->loop, &d->sigterm);
    d->watch.data = d->sigint.data = d->sigterm.data = d;
    uv_signal_start(&d->sigint, on_signal, SIGINT);
    uv_signal_start(&d->sigterm, on_signal, SIGTERM);
    int poll = opt->poll_ms > 0 ? opt->poll_ms : 200;
    uv_timer_start(&d->watch, on_watch, (uint64_t)poll, (uint64_t)poll);
    return 0;
}

int cv_daemon_run(const cv_daemon_options *opt, cv_err *e)
{
    cv_daemon *d = calloc(1, sizeof *d);
    if (!d)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    d->lock_fd = -1;
    d->opt = opt;
    int loop_ready = 0, rc = open_all(d, opt, e);
    loop_ready = rc == 0;
    if (rc == 0) {
        char today[11];
        cv_clock_today(today);
        cv_log(CV_LOG_INFO, "daemon",
               json_pack("{s:s, s:i, s:I, s:s}", "store", opt->db_path, "pid", (int)getpid(),
                         "journal_at", (json_int_t)d->cursor, "today", today),
               "serving; send SIGINT or SIGTERM to stop");
        rc = start_services(d, e);
        if (rc < 0) {
            cv_log(CV_LOG_ERROR, "daemon", NULL, "%s", e->msg);
            cv_daemon_stop(d);
        }
        uv_run(&d->loop, UV_RUN_DEFAULT);
    }
    if (loop_ready) {
        uv_walk(&d->loop, close_leftover, NULL);
        uv_run(&d->loop, UV_RUN_DEFAULT);
        if (uv_loop_close(&d->loop) != 0 && rc == 0)
            rc = cv_err_set(e, CV_ECONFLICT, "the loop did not close cleanly");
        else if (rc == 0)
            cv_log(CV_LOG_INFO, "daemon", NULL, "stopped; every handle closed");
    }
    cv_store_close(d->store);
    if (d->lock_fd >= 0)
        close(d->lock_fd);
    free(d);
    return rc;
}
