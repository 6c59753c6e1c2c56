/* package_int.h: what package.c (loading, budgets, calls) and dispatch.c (the journal to the
 * hooks) share: the package's state. Not for use outside core/lua/package.c and dispatch.c. */
#ifndef CV_LUA_PACKAGE_INT_H
#define CV_LUA_PACKAGE_INT_H

#include "lua/package.h"

#define SCOPE_CACHE 256
#define CAUSED_MAX  64 /* ranges of events the package's hooks wrote, for the cascade depth */

struct caused {
    int64_t first, last;
    long depth;
};

/* What the running callback and the current minute spent of the per-call and per-minute
 * budgets; hooks and jobs count for the package's whole life. */
struct spending {
    long hooks, jobs, call_notify, call_log, minute_notify, minute_log;
    int64_t minute_cpu_ns; /* thread CPU the package's callbacks spent in the minute */
    int64_t minute;        /* when (monotonic ms) the minute of the per-minute counts began */
};

struct scope_entry {
    int64_t id;
    int yes;
    char code[CV_CODE_MAX];
};

struct cv_lua_pkg {
    char name[CV_LUA_NAME_MAX];
    char path[CV_LUA_PATH_MAX];
    char root[CV_CODE_MAX];
    int64_t root_id;
    cv_store *store;
    cv_lua_sandbox *sb;
    cv_lua_pkg_sink sink;
    void *sink_ctx;
    int loading, in_hook, sp_open, synced;
    char cause[CV_LUA_CAUSE_MAX]; /* what the running callback answers ("ev42", "day2020-06-30") */
    char last_error[700];
    char suspended[700]; /* "" while the package runs */
    int failures;        /* callbacks failed since the dispatch began */
    int store_failed;    /* a store call failed in this batch (the lock, say): retry it whole */
    int immediate;       /* the next batch takes the write lock from its start */
    cv_lua_limits limits;
    struct spending spent;
    long depth;         /* cascade depth of the event being handled (0: none of ours) */
    int64_t write_from; /* the journal's last id when the callback's savepoint opened */
    struct caused caused[CAUSED_MAX];
    int caused_next;
    struct scope_entry scope[SCOPE_CACHE];
};

/* Milliseconds of the monotonic clock (the per-minute budgets, a batch's time). */
int64_t cv_lua_pkg_now_ms(void);

#endif
