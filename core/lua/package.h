/* package.h: a Lua package (a folder with init.lua) bound to one organisation subtree, in its own
 * sandbox. Loading runs init.lua, which registers hooks and campaigns and may read the store but
 * never writes it. Dispatch hands journal events to the hooks in batches: each batch's hook
 * writes, campaign steps and the cursor `lua:<name>` commit in one transaction (exactly once). */
#ifndef CV_LUA_PACKAGE_H
#define CV_LUA_PACKAGE_H

#include <lua.h>
#include <stdint.h>

#include "base/text.h"
#include "lua/sandbox.h"
#include "store/store.h"

#define CV_LUA_NAME_MAX 64
#define CV_LUA_PATH_MAX 1024
#define CV_LUA_FILE_MAX (1u << 20) /* bytes of one Lua source file */
#define CV_LUA_BATCH    1024       /* events per dispatch transaction */
#define CV_LUA_BATCH_MS 100        /* milliseconds after which a dispatch commits */

typedef struct cv_lua_pkg cv_lua_pkg;

/* Where a package's convene.log lines and timeline entries go (the daemon logs them, `script
 * test` prints them). kind: "log.info", "log.warn", "log.error". */
typedef void (*cv_lua_pkg_sink)(void *ctx, const cv_lua_pkg *p, const char *kind, const char *msg);

/* What a package may spend (README "Lua budgets"); an admin raises them per package with
 * `convene script limits NAME KEY=N ...` (stored as a JSON object in lua_packages.limits). */
typedef struct cv_lua_limits {
    long instructions; /* VM instructions (and charged C steps) per callback */
    long wall_ms;      /* wall-clock milliseconds per callback */
    long memory_mb;    /* bytes the package's state may hold */
    long hooks, jobs;  /* convene.on hooks and declared jobs */
    long notify_per_call, notify_per_minute;
    long log_per_call, log_per_minute;
    long cascade;           /* events caused by events caused by the package's own hooks */
    long cpu_ms_per_minute; /* thread CPU milliseconds of all its callbacks in a minute */
} cv_lua_limits;

/* Fills l with the defaults, then with the values of the JSON object text (NULL or "" for none).
 * An unknown key or a value out of its range is refused with a message naming it. */
int cv_lua_limits_parse(const char *text, cv_lua_limits *l, cv_err *e);

typedef struct cv_lua_pkg_options {
    const char *name;     /* NULL: the folder's base name */
    const char *path;     /* the folder holding init.lua */
    const char *org;      /* the subtree's root organisation code */
    const char *config;   /* JSON object of configuration values, or NULL */
    const char *limits;   /* JSON object of limits (cv_lua_limits_parse), or NULL */
    size_t mem_cap;       /* 0: the limits' */
    long budget;          /* 0: the limits' */
    cv_lua_pkg_sink sink; /* may be NULL */
    void *sink_ctx;
} cv_lua_pkg_options;

/* Creates the sandbox, binds the API and runs init.lua. On failure nothing is allocated and e
 * says which file and line failed. */
int cv_lua_pkg_load(cv_store *s, const cv_lua_pkg_options *opt, cv_lua_pkg **out, cv_err *e);
void cv_lua_pkg_free(cv_lua_pkg *p);

const char *cv_lua_pkg_name(const cv_lua_pkg *p);
const char *cv_lua_pkg_root(const cv_lua_pkg *p);
int64_t cv_lua_pkg_root_id(const cv_lua_pkg *p);
cv_store *cv_lua_pkg_store(const cv_lua_pkg *p);
lua_State *cv_lua_pkg_state(const cv_lua_pkg *p);
cv_lua_sandbox *cv_lua_pkg_sandbox(const cv_lua_pkg *p);

/* The package whose sandbox L belongs to. */
cv_lua_pkg *cv_lua_pkg_of(lua_State *L);

/* Runs the hooks on up to CV_LUA_BATCH events after the package's cursor and steps its campaigns,
 * in one transaction with the cursor. *handled receives how many events were consumed (0 when
 * caught up). A hook's or boundary's script error rolls back that callback's writes only, is
 * recorded as the package's last error (*hook_errors counts them) and does not stop the batch:
 * the event is skipped. A spent budget (CV_ELIMIT) suspends the package: the batch commits up to
 * and including that event and the package runs nothing more (cv_lua_pkg_suspended). Events
 * outside the package's subtree, and those with no organisation except the few that
 * cv_lua_pkg_sees allows, never reach it. */
int cv_lua_pkg_dispatch(cv_lua_pkg *p, int *handled, int *hook_errors, cv_err *e);

/* Whether an event of type about org_id (0: none) may reach a package bound to root: org events
 * only within the subtree (checked by the caller); org-less events only for the types that carry
 * nothing of another organisation (term, zone and holiday changes). */
int cv_lua_pkg_sees_orgless(const char *type);

/* Steps the campaigns against today's date alone (a new day with no event), in a transaction. */
int cv_lua_pkg_tick(cv_lua_pkg *p, cv_err *e);

/* The writes of the current callback: opens the callback's savepoint on first use. Raises a Lua
 * error when the package is not inside a hook (init.lua only reads). */
void cv_lua_pkg_write_begin(lua_State *L);

/* Sends a message to the package's sink. */
void cv_lua_pkg_emit(const cv_lua_pkg *p, const char *kind, const char *msg);

/* For the modules of core/lua: a journal event as hooks and campaigns see it. */
typedef struct cv_lua_event {
    int64_t id, at;
    const char *type;
    char org[CV_CODE_MAX]; /* "" when the event concerns no organisation */
    const char *data;      /* JSON text */
} cv_lua_event;

/* Pushes ev as the table a hook receives: {id, type, at, org, data}. */
void cv_lua_pkg_push_event(cv_lua_pkg *p, const cv_lua_event *ev);

/* Calls the function below nargs arguments as a hook (writes allowed in a savepoint that commits
 * or rolls back with the call) or, with writes 0, as a read-only predicate leaving 1 result. */
int cv_lua_pkg_call_hook(cv_lua_pkg *p, int nargs, int writes, cv_err *e);

/* Calls the function on the stack top with ev's table built inside the protected call (as a hook
 * when writes, else as a predicate leaving its 1 result). */
int cv_lua_pkg_call_with_event(cv_lua_pkg *p, const cv_lua_event *ev, int writes, cv_err *e);

/* Names the cause of what the next callback queues (its notifications' default keys): the event
 * being handled ("ev42"), the day being ticked ("day2020-06-30"), the job's run. */
#define CV_LUA_CAUSE_MAX 160
void cv_lua_pkg_set_cause(cv_lua_pkg *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The current cause ("load" while init.lua runs). */
const char *cv_lua_pkg_cause(const cv_lua_pkg *p);

/* Whether init.lua is running. */
int cv_lua_pkg_loading(const cv_lua_pkg *p);

/* The last hook error of the last dispatch ("" when none). */
const char *cv_lua_pkg_last_error(const cv_lua_pkg *p);

/* The package's limits. */
const cv_lua_limits *cv_lua_pkg_limits(const cv_lua_pkg *p);

/* Counts one use of a budgeted resource by the running callback (or by init.lua for hooks and
 * jobs) and stops the callback with a limit error once past the package's limit. */
enum cv_lua_count { CV_LUA_COUNT_HOOK, CV_LUA_COUNT_JOB, CV_LUA_COUNT_NOTIFY, CV_LUA_COUNT_LOG };
void cv_lua_pkg_count(lua_State *L, enum cv_lua_count what);

/* Suspends the package: no more hooks, jobs or boundaries run in it until an admin resumes it
 * (its next load). The reason is kept for the service to record and journal. */
void cv_lua_pkg_suspend(cv_lua_pkg *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records a failed callback (hook, job, boundary: what names it with its event or job) as the
 * package's last error and in its sink; a spent budget (CV_ELIMIT) also suspends the package. */
void cv_lua_pkg_failed(cv_lua_pkg *p, const char *what, const cv_err *he);

/* Notes that a store call of the running callback failed (the write lock, say): the batch is
 * rolled back and retried whole instead of the event being skipped (cv_lua_api_check). */
void cv_lua_pkg_store_failed(cv_lua_pkg *p);

/* The reason the package is suspended, or NULL. */
const char *cv_lua_pkg_suspended(const cv_lua_pkg *p);

/* Makes s record name as the actor of what it writes (issue 10), as office over org_id's subtree
 * (none when org_id is 0), with via naming what ran it ("load", an event, a job). */
void cv_lua_pkg_act_as(cv_store *s, const char *name, int64_t org_id, const char *via);

/* The package as an actor: kind package, its name and cause, and the `office` role over its own
 * subtree (nothing outside it). */
void cv_lua_pkg_actor(const cv_lua_pkg *p, cv_actor *a);

#endif
