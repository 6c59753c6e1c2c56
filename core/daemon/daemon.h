/* daemon.h: `convene run`, one libuv loop serving one store. It owns the loop, the store
 * connection, the single-daemon lock and the journal watch; services (plugins, Lua, scheduler)
 * plug in through cv_service and never touch another service's state. Everything here runs on
 * the loop thread. */
#ifndef CV_DAEMON_H
#define CV_DAEMON_H

#include <uv.h>

#include "store/journal.h"
#include "store/store.h"

typedef struct cv_daemon cv_daemon;

/* A part of the engine that lives in the daemon. All callbacks run on the loop thread. */
typedef struct cv_service {
    const char *name;
    /* Once the loop and store are ready; sets *state to the service's own context. A failure
     * stops the daemon before it serves. */
    int (*start)(cv_daemon *d, void **state, cv_err *e);
    /* For each new journal event, in id order, after it has been logged. May be NULL. */
    void (*on_event)(cv_daemon *d, void *state, const cv_event *ev);
    /* When another connection changed the store (the CLI, say). May be NULL. */
    void (*on_store_changed)(cv_daemon *d, void *state);
    /* At shutdown: close every handle the service opened and free state. */
    void (*stop)(cv_daemon *d, void *state);
    /* 1: starts at once, before the store's check at start has passed, because it writes only
     * when cv_daemon_read_only says it may (the HTTP server: reads meanwhile). 0: starts once
     * the check has passed, never if it fails (the scheduler, Lua, deliveries, backups). */
    int before_check;
} cv_service;

typedef struct cv_daemon_options {
    const char *db_path;
    int poll_ms;     /* how often the journal is checked; 0: 200 ms */
    int clock_given; /* the command line fixed the clock: run from it instead of the store's */
    /* Settings the command line gave, {key, value, key, value, ..., NULL}; they win over the
     * store's settings table for cv_daemon_setting. May be NULL. */
    const char *const *settings;
} cv_daemon_options;

/* Runs the daemon until SIGINT/SIGTERM or cv_daemon_stop; returns 0 after a clean shutdown
 * (every handle closed). CV_EBUSY when another daemon serves the same store. */
int cv_daemon_run(const cv_daemon_options *opt, cv_err *e);

/* Takes the single-daemon lock of the store at db_path (an exclusive flock on the store file
 * itself, whatever path reaches it) into *fd; close(*fd) releases it. CV_EBUSY, naming the daemon's
 * pid, when a daemon serves the store. `convene restore` takes it too, so no daemon starts under a
 * restore. */
int cv_daemon_lock(const char *db_path, int *fd, cv_err *e);

uv_loop_t *cv_daemon_loop(cv_daemon *d);
cv_store *cv_daemon_store(cv_daemon *d);
const char *cv_daemon_db_path(cv_daemon *d);

/* A service's setting: the command line's value of key, else the store's; copies it into
 * buf[cap]. CV_ENOTFOUND when neither sets it. */
int cv_daemon_setting(cv_daemon *d, const char *key, char *buf, size_t cap);

/* NULL when the store may be written; otherwise why not, as one sentence: while the store's
 * check at start (PRAGMA quick_check on the thread pool) runs, and for good once it failed. */
const char *cv_daemon_read_only(cv_daemon *d);

/* Asks the daemon to shut down cleanly once the current callback returns. */
void cv_daemon_stop(cv_daemon *d);

/* Asks for the journal to be read on the next loop turn (after a service wrote events). */
void cv_daemon_poke(cv_daemon *d);

#endif
