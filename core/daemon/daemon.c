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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "auth/grant.h"
#include "base/clock.h"
#include "base/date.h"
#include "base/log.h"
#include "daemon/services.h"
#include "store/check.h"

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
    int started[SERVICES_MAX]; /* by list order: 1 once the service started */
    /* The store's check at start, on the thread pool: its work request, the connection it runs
     * on (under check_lock, so that a stop can interrupt it), what it found, and why the store
     * may not be written (NULL once it passed). */
    uv_work_t check;
    uv_mutex_t check_lock;
    sqlite3 *check_db;
    json_t *check_problems;
    cv_err check_err;
    int check_rc;
    uint64_t check_began;
    char read_only[600];
    const char *read_only_now;
    int checking; /* the check runs: events wait in the journal for the services that write */
    int rc;       /* the error the daemon stopped with, if any */
    cv_err err;
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

/* The pid holding a flock on the file (dev, ino), read from /proc/locks; 0 if unknown. */
static long lock_holder(const struct stat *st)
{
    FILE *f = fopen("/proc/locks", "re");
    char line[256];
    long pid = 0;
    while (f && !pid && fgets(line, sizeof line, f)) {
        unsigned maj, min;
        unsigned long ino;
        long p;
        if (sscanf(line, "%*d: FLOCK %*s %*s %ld %x:%x:%lu", &p, &maj, &min, &ino) == 4 &&
            maj == major(st->st_dev) && min == minor(st->st_dev) && ino == st->st_ino)
            pid = p;
    }
    if (f)
        fclose(f);
    return pid;
}

/* Takes an exclusive flock on the store file itself, so that one daemon serves it whatever path
 * reaches it (a symlink, a hard link, another mount of it). SQLite's own locks are POSIX record
 * locks, which flock locks never meet. The kernel drops the lock when the process dies, however
 * it dies, so a crashed daemon never blocks the next one. */
int cv_daemon_lock(const char *db_path, int *fd_out, cv_err *e)
{
    int fd = open(db_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return errno == ENOENT
                   ? cv_err_set(e, CV_ENOTFOUND, "no store at %s: run 'convene init' first",
                                db_path)
                   : cv_err_set(e, CV_EIO, "cannot open %s: %s", db_path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return cv_err_set(e, CV_EIO, "%s is not a regular file", db_path);
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        long pid = lock_holder(&st);
        close(fd);
        if (pid)
            return cv_err_set(e, CV_EBUSY, "another convene daemon (pid %ld) is already serving %s",
                              pid, db_path);
        return cv_err_set(e, CV_EBUSY, "another convene daemon is already serving %s", db_path);
    }
    *fd_out = fd;
    return 0;
}

const char *cv_daemon_read_only(cv_daemon *d)
{
    return d->read_only_now;
}

/* On the thread pool: PRAGMA quick_check (every page and index, in about the time of reading the
 * file once) on a connection of its own, with a small page cache (the check reads each page
 * about once, and the daemon's memory stays its own). */
static void check_run(uv_work_t *w)
{
    cv_daemon *d = w->data;
    cv_store *s;
    d->check_rc = cv_store_open(d->opt->db_path, 0, &s, &d->check_err);
    if (d->check_rc < 0)
        return;
    sqlite3_exec(cv_store_db(s), "PRAGMA cache_size = -2048", NULL, NULL, NULL);
    uv_mutex_lock(&d->check_lock);
    d->check_db = cv_store_db(s);
    uv_mutex_unlock(&d->check_lock);
    d->check_rc = cv_store_check(s, 0, &d->check_problems, &d->check_err);
    uv_mutex_lock(&d->check_lock);
    d->check_db = NULL;
    uv_mutex_unlock(&d->check_lock);
    cv_store_close(s);
}

static int start_services(cv_daemon *d, int before_check, cv_err *e);

/* Does a service that started before the check serve anything (the HTTP server, when it
 * listens)? */
static int serving_reads(cv_daemon *d)
{
    for (int i = 0; cv_daemon_services[i] && i < SERVICES_MAX; i++)
        if (d->started[i] && cv_daemon_services[i]->before_check && d->state[i])
            return 1;
    return 0;
}

/* Back on the loop: a sound store gets its writing services; a damaged one stays read-only
 * while something serves reads, and otherwise stops the daemon with the check's finding. */
static void check_done(uv_work_t *w, int status)
{
    cv_daemon *d = w->data;
    size_t n = d->check_rc == 0 && status == 0 ? json_array_size(d->check_problems) : 0;
    d->checking = 0;
    if (d->stopping || status != 0)
        return;
    if (d->check_rc < 0) {
        cv_err_set(&d->err, d->check_err.code, "%s", d->check_err.msg);
    } else if (n) {
        cv_err_set(
            &d->err, CV_EIO,
            "%s failed its check at start (quick_check: %s%s): run 'convene check' on it "
            "and restore it from a backup",
            d->opt->db_path,
            json_string_value(json_object_get(json_array_get(d->check_problems, 0), "problem")),
            n > 1 ? ", ..." : "");
    } else {
        cv_log(CV_LOG_INFO, "daemon",
               json_pack("{s:I}", "check_ms", (json_int_t)(uv_now(&d->loop) - d->check_began)),
               "store checked (quick_check: ok); starting the services that write");
        d->read_only_now = NULL;
        if (start_services(d, 0, &d->err) < 0) {
            d->rc = d->err.code;
            cv_log(CV_LOG_ERROR, "daemon", NULL, "%s", d->err.msg);
            cv_daemon_stop(d);
            return;
        }
        cv_log(CV_LOG_INFO, "daemon", NULL, "taking changes; every service started");
        cv_daemon_poke(d); /* the events written meanwhile, to every service */
        return;
    }
    snprintf(d->read_only, sizeof d->read_only, "%s; it is served for reading only", d->err.msg);
    d->read_only_now = d->read_only;
    if (serving_reads(d)) {
        cv_log(CV_LOG_ERROR, "daemon", NULL, "%s", d->read_only);
        cv_daemon_poke(d);
        return;
    }
    d->rc = d->err.code;
    cv_daemon_stop(d);
}

/* Starts the check on the thread pool; until it passes, the store is read-only. */
static void check_begin(cv_daemon *d)
{
    snprintf(d->read_only, sizeof d->read_only,
             "the store is being checked after the daemon's start (quick_check); changes are "
             "taken once it passes: try again in a moment");
    d->read_only_now = d->read_only;
    d->check.data = d;
    d->checking = 1;
    d->check_began = uv_now(&d->loop);
    uv_queue_work(&d->loop, &d->check, check_run, check_done);
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
    int rc = 0;
    if (d->checking)
        return;
    while (!d->stopping && (rc = cv_journal_next(d->store, d->cursor, &ev, &e)) == 1) {
        d->cursor = ev.id;
        log_event(&ev);
        for (int i = 0; cv_daemon_services[i] && i < SERVICES_MAX; i++)
            if (d->started[i] && cv_daemon_services[i]->on_event)
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
        for (int i = 0; cv_daemon_services[i] && i < SERVICES_MAX; i++)
            if (d->started[i] && cv_daemon_services[i]->on_store_changed)
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
    uv_mutex_lock(&d->check_lock);
    if (d->check_db)
        sqlite3_interrupt(d->check_db); /* a check still running ends now */
    uv_mutex_unlock(&d->check_lock);
    int n = 0;
    while (n < SERVICES_MAX && cv_daemon_services[n])
        n++;
    for (int i = n - 1; i >= 0; i--)
        if (d->started[i]) {
            d->started[i] = 0;
            if (cv_daemon_services[i]->stop)
                cv_daemon_services[i]->stop(d, d->state[i]);
        }
    uv_close((uv_handle_t *)&d->watch, NULL);
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    cv_log(CV_LOG_INFO, "daemon", json_pack("{s:i}", "signal", signum), "shutting down");
    cv_daemon_stop(h->data);
}

/* Starts, in list order, the services that start before the store's check (before_check 1) or
 * after it passed (0). */
static int start_services(cv_daemon *d, int before_check, cv_err *e)
{
    for (int i = 0; cv_daemon_services[i] && i < SERVICES_MAX; i++) {
        if (cv_daemon_services[i]->before_check != before_check)
            continue;
        if (cv_daemon_services[i]->start && cv_daemon_services[i]->start(d, &d->state[i], e) < 0)
            return e->code;
        d->started[i] = 1;
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
    if (cv_daemon_lock(opt->db_path, &d->lock_fd, e) < 0 ||
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
    uv_mutex_init(&d->check_lock);
    int loop_ready = 0, rc = open_all(d, opt, e);
    loop_ready = rc == 0;
    if (rc == 0) {
        char today[11];
        cv_clock_today(today);
        cv_log(CV_LOG_INFO, "daemon",
               json_pack("{s:s, s:i, s:I, s:s}", "store", opt->db_path, "pid", (int)getpid(),
                         "journal_at", (json_int_t)d->cursor, "today", today),
               "serving; send SIGINT or SIGTERM to stop");
        rc = start_services(d, 1, e);
        if (rc < 0) {
            cv_log(CV_LOG_ERROR, "daemon", NULL, "%s", e->msg);
            cv_daemon_stop(d);
        } else {
            check_begin(d);
        }
        uv_run(&d->loop, UV_RUN_DEFAULT);
        if (rc == 0 && d->rc < 0) {
            rc = d->rc;
            *e = d->err;
        }
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
    json_decref(d->check_problems);
    uv_mutex_destroy(&d->check_lock);
    if (d->lock_fd >= 0)
        close(d->lock_fd);
    free(d);
    return rc;
}
