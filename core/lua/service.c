/* service.c: the Lua packages in the daemon. Loads every registered package, hands new journal
 * events to them in batches (each batch commits with the package's cursor), steps campaigns once a
 * minute, and reloads a package when its folder changes or `script reload` asks: the new state
 * replaces the old only if it loads cleanly. A failing package never stops the daemon or another
 * package; it never blocks the loop for more than a few batches at a time. */
#include "lua/service.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "lua/registry.h"
#include "lua/jobs.h"

#define PKGS_MAX         64
#define BATCHES_PER_TURN 8
#define TICK_MS          60000
#define RELOAD_DELAY_MS  200

typedef struct lua_service lua_service;

typedef struct entry {
    lua_service *svc;
    char name[CV_LUA_NAME_MAX];
    int64_t generation;
    cv_lua_pkg *pkg;
    uv_fs_event_t watch;
    uv_timer_t reload;
    int watching, closing, open_handles;
} entry;

struct lua_service {
    cv_daemon *d;
    uv_timer_t kick, tick;
    entry *pkgs[PKGS_MAX];
    int n, open_handles;
};

static void on_kick(uv_timer_t *t);

static void kick(lua_service *svc)
{
    uv_timer_start(&svc->kick, on_kick, 0, 0);
}

static void sink(void *ctx, const cv_lua_pkg *p, const char *kind, const char *msg)
{
    (void)ctx;
    enum cv_log_level level = strcmp(kind, "log.error") == 0  ? CV_LOG_ERROR
                              : strcmp(kind, "log.warn") == 0 ? CV_LOG_WARN
                                                              : CV_LOG_INFO;
    cv_log(level, "lua", json_pack("{s:s, s:s}", "package", cv_lua_pkg_name(p), "kind", kind), "%s",
           msg);
}

static void record(lua_service *svc, const char *name, const char *state, const char *error)
{
    cv_err e;
    if (cv_lua_reg_record(cv_daemon_store(svc->d), name, state, error, &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", NULL, "%s", e.msg);
}

static void unload(entry *en)
{
    cv_lua_jobs_unloaded(en->pkg);
    cv_lua_pkg_free(en->pkg);
    en->pkg = NULL;
}

/* A package that spent a budget stops here: its state is freed (no hook, job or boundary of it
 * runs again), the reason is stored and journaled (script.suspended) for `script status`, and
 * the other packages go on. `convene script resume` reloads it. */
static void check_suspended(lua_service *svc, entry *en)
{
    const char *why = en->pkg ? cv_lua_pkg_suspended(en->pkg) : NULL;
    if (!why)
        return;
    cv_err e;
    cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", en->name), "package suspended: %s",
           why);
    if (cv_lua_reg_suspend(cv_daemon_store(svc->d), en->name, why, &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", NULL, "%s", e.msg);
    record(svc, en->name, "loaded", why);
    unload(en);
    cv_daemon_poke(svc->d);
}

/* Loads r's package into a fresh state; it replaces the running one only if it loaded. A
 * suspended package is not loaded. */
static void load_entry(entry *en, const cv_lua_reg *r)
{
    lua_service *svc = en->svc;
    cv_lua_pkg_options opt = {.name = r->name,
                              .path = r->path,
                              .org = r->org,
                              .config = r->config,
                              .limits = r->limits,
                              .sink = sink};
    cv_lua_pkg *p;
    cv_err e;
    en->generation = r->generation;
    if (r->suspended[0]) {
        unload(en);
        return;
    }
    if (cv_lua_pkg_load(cv_daemon_store(svc->d), &opt, &p, &e) < 0) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s%s",
                 en->pkg ? "reload failed, the previous version runs: " : "", e.msg);
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", r->name), "%s", msg);
        record(svc, r->name, en->pkg ? "loaded" : "failed", msg);
        return;
    }
    unload(en);
    en->pkg = p;
    if (cv_lua_jobs_loaded(p, &e) < 0) {
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", r->name), "%s", e.msg);
        record(svc, r->name, "loaded", e.msg);
        return;
    }
    cv_daemon_poke(svc->d);
    cv_log(CV_LOG_INFO, "lua", json_pack("{s:s, s:s}", "package", r->name, "org", r->org),
           "package loaded");
    record(svc, r->name, "loaded", NULL);
    kick(svc);
}

static void on_reload_timer(uv_timer_t *t)
{
    entry *en = t->data;
    cv_lua_reg r;
    cv_err e;
    if (cv_lua_reg_get(cv_daemon_store(en->svc->d), en->name, &r, &e) == 0) {
        load_entry(en, &r);
        kick(en->svc);
    }
}

/* The package's folder changed: reload after a short quiet time (an editor writes in steps). */
static void on_fs(uv_fs_event_t *h, const char *file, int events, int status)
{
    (void)file;
    (void)events;
    entry *en = h->data;
    if (status == 0 && !en->closing)
        uv_timer_start(&en->reload, on_reload_timer, RELOAD_DELAY_MS, 0);
}

static entry *add_entry(lua_service *svc, const cv_lua_reg *r)
{
    if (svc->n >= PKGS_MAX)
        return NULL;
    entry *en = calloc(1, sizeof *en);
    if (!en)
        return NULL;
    en->svc = svc;
    snprintf(en->name, sizeof en->name, "%s", r->name);
    uv_timer_init(cv_daemon_loop(svc->d), &en->reload);
    en->reload.data = en;
    uv_fs_event_init(cv_daemon_loop(svc->d), &en->watch);
    en->watch.data = en;
    en->watching = uv_fs_event_start(&en->watch, on_fs, r->path, 0) == 0;
    if (!en->watching)
        cv_log(CV_LOG_WARN, "lua", json_pack("{s:s, s:s}", "package", r->name, "path", r->path),
               "cannot watch the package folder; use convene script reload");
    svc->pkgs[svc->n++] = en;
    load_entry(en, r);
    return en;
}

static int sync_one(const cv_lua_reg *r, void *ctx)
{
    lua_service *svc = ctx;
    for (int i = 0; i < svc->n; i++)
        if (strcmp(svc->pkgs[i]->name, r->name) == 0) {
            if (r->generation != svc->pkgs[i]->generation)
                load_entry(svc->pkgs[i], r);
            return 0;
        }
    if (strcmp(r->state, "disabled") != 0)
        add_entry(svc, r);
    return 0;
}

/* Brings the running packages in line with the registry: new ones load, bumped ones reload. */
static void sync_registry(lua_service *svc)
{
    cv_err e;
    if (cv_lua_reg_list(cv_daemon_store(svc->d), sync_one, svc, &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", NULL, "%s", e.msg);
}

static void on_kick(uv_timer_t *t)
{
    lua_service *svc = t->data;
    int more = 0, wrote = 0;
    for (int i = 0; i < svc->n; i++) {
        entry *en = svc->pkgs[i];
        check_suspended(svc, en); /* a job of it may have spent a budget */
        for (int b = 0; en->pkg && b < BATCHES_PER_TURN; b++) {
            int handled = 0, failed = 0;
            cv_err e;
            if (cv_lua_pkg_dispatch(en->pkg, &handled, &failed, &e) < 0) {
                record(svc, en->name, "loaded", e.msg);
                cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", en->name), "%s", e.msg);
                break;
            }
            if (failed)
                record(svc, en->name, "loaded", cv_lua_pkg_last_error(en->pkg));
            check_suspended(svc, en);
            wrote += handled > 0;
            if (handled == 0)
                break;
            more |= b == BATCHES_PER_TURN - 1;
        }
    }
    if (more)
        kick(svc);
    if (wrote)
        cv_daemon_poke(svc->d);
}

static void on_tick(uv_timer_t *t)
{
    lua_service *svc = t->data;
    for (int i = 0; i < svc->n; i++) {
        cv_err e;
        if (svc->pkgs[i]->pkg && cv_lua_pkg_tick(svc->pkgs[i]->pkg, &e) < 0)
            record(svc, svc->pkgs[i]->name, "loaded", e.msg);
        check_suspended(svc, svc->pkgs[i]);
    }
    kick(svc);
}

static int lua_start(cv_daemon *d, void **state, cv_err *e)
{
    lua_service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    svc->d = d;
    uv_timer_init(cv_daemon_loop(d), &svc->kick);
    uv_timer_init(cv_daemon_loop(d), &svc->tick);
    svc->kick.data = svc->tick.data = svc;
    *state = svc;
    sync_registry(svc);
    uv_timer_start(&svc->tick, on_tick, 0, TICK_MS);
    kick(svc);
    return 0;
}

static void lua_on_event(cv_daemon *d, void *state, const cv_event *ev)
{
    (void)d;
    (void)ev;
    kick(state);
}

static void lua_on_store_changed(cv_daemon *d, void *state)
{
    (void)d;
    sync_registry(state);
    kick(state);
}

/* Frees an entry once both of its handles are closed. */
static void entry_closed(uv_handle_t *h)
{
    entry *en = h->data;
    if (--en->open_handles > 0)
        return;
    cv_lua_jobs_unloaded(en->pkg);
    cv_lua_pkg_free(en->pkg);
    free(en);
}

static void svc_closed(uv_handle_t *h)
{
    lua_service *svc = h->data;
    if (--svc->open_handles == 0)
        free(svc);
}

static void lua_stop(cv_daemon *d, void *state)
{
    (void)d;
    lua_service *svc = state;
    for (int i = 0; i < svc->n; i++) {
        entry *en = svc->pkgs[i];
        en->closing = 1;
        en->open_handles = 2;
        uv_close((uv_handle_t *)&en->reload, entry_closed);
        uv_close((uv_handle_t *)&en->watch, entry_closed);
    }
    svc->open_handles = 2;
    uv_close((uv_handle_t *)&svc->kick, svc_closed);
    uv_close((uv_handle_t *)&svc->tick, svc_closed);
}

const cv_service cv_lua_service = {
    .name = "lua",
    .start = lua_start,
    .on_event = lua_on_event,
    .on_store_changed = lua_on_store_changed,
    .stop = lua_stop,
};
