/* service.c: the Lua packages in the daemon. Each registered package runs on a worker thread of
 * its own (worker.c): this file, on the loop, only starts and stops the workers, tells them of
 * new events, the minute's tick and reloads (its folder changed, `script reload`, `script
 * resume`, `script limits`), and pokes the journal watch when a worker wrote. The loop never
 * runs Lua, so no package can hold it or the other packages. */
#include "lua/service.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "lua/jobs.h"
#include "lua/registry.h"
#include "lua/worker.h"

#define PKGS_MAX        64
#define TICK_MS         60000
#define RELOAD_DELAY_MS 200

typedef struct lua_service lua_service;

typedef struct entry {
    lua_service *svc;
    char name[CV_LUA_NAME_MAX];
    int64_t generation;
    cv_lua_worker *worker;
    uv_fs_event_t watch;
    uv_timer_t reload;
    int watching, closing, open_handles;
} entry;

struct lua_service {
    cv_daemon *d;
    uv_timer_t tick;
    uv_async_t wrote; /* a worker changed the store */
    entry *pkgs[PKGS_MAX];
    int n, open_handles;
};

static void on_reload_timer(uv_timer_t *t)
{
    entry *en = t->data;
    cv_lua_reg r;
    cv_err e;
    if (cv_lua_reg_get(cv_daemon_store(en->svc->d), en->name, &r, &e) == 0) {
        en->generation = r.generation;
        cv_lua_worker_reload(en->worker, &r);
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
    cv_err e;
    if (svc->n >= PKGS_MAX) {
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", r->name),
               "at most %d packages run in one daemon", PKGS_MAX);
        return NULL;
    }
    entry *en = calloc(1, sizeof *en);
    if (!en)
        return NULL;
    if (cv_lua_worker_start(cv_store_path(cv_daemon_store(svc->d)), r, &svc->wrote, &en->worker,
                            &e) < 0) {
        cv_log(CV_LOG_ERROR, "lua", json_pack("{s:s}", "package", r->name), "%s", e.msg);
        free(en);
        return NULL;
    }
    en->svc = svc;
    en->generation = r->generation;
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
    return en;
}

static int sync_one(const cv_lua_reg *r, void *ctx)
{
    lua_service *svc = ctx;
    for (int i = 0; i < svc->n; i++)
        if (strcmp(svc->pkgs[i]->name, r->name) == 0) {
            if (r->generation != svc->pkgs[i]->generation) {
                svc->pkgs[i]->generation = r->generation;
                cv_lua_worker_reload(svc->pkgs[i]->worker, r);
            }
            return 0;
        }
    if (strcmp(r->state, "disabled") != 0)
        add_entry(svc, r);
    return 0;
}

/* Brings the running packages in line with the registry: new ones start, bumped ones reload. */
static void sync_registry(lua_service *svc)
{
    cv_err e;
    if (cv_lua_reg_list(cv_daemon_store(svc->d), sync_one, svc, &e) < 0)
        cv_log(CV_LOG_ERROR, "lua", NULL, "%s", e.msg);
}

static void kick_all(lua_service *svc)
{
    for (int i = 0; i < svc->n; i++)
        cv_lua_worker_kick(svc->pkgs[i]->worker);
}

static void on_tick(uv_timer_t *t)
{
    lua_service *svc = t->data;
    for (int i = 0; i < svc->n; i++)
        cv_lua_worker_tick(svc->pkgs[i]->worker);
}

static void on_wrote(uv_async_t *a)
{
    lua_service *svc = a->data;
    cv_daemon_poke(svc->d);
}

static int lua_start(cv_daemon *d, void **state, cv_err *e)
{
    if (cv_lua_jobs_register(e) < 0)
        return e->code;
    lua_service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    svc->d = d;
    uv_timer_init(cv_daemon_loop(d), &svc->tick);
    uv_async_init(cv_daemon_loop(d), &svc->wrote, on_wrote);
    svc->tick.data = svc->wrote.data = svc;
    *state = svc;
    sync_registry(svc);
    uv_timer_start(&svc->tick, on_tick, 0, TICK_MS);
    return 0;
}

static void lua_on_event(cv_daemon *d, void *state, const cv_event *ev)
{
    (void)d;
    (void)ev;
    kick_all(state);
}

static void lua_on_store_changed(cv_daemon *d, void *state)
{
    (void)d;
    sync_registry(state);
    kick_all(state);
}

/* Frees an entry once both of its handles are closed. */
static void entry_closed(uv_handle_t *h)
{
    entry *en = h->data;
    if (--en->open_handles == 0)
        free(en);
}

static void svc_closed(uv_handle_t *h)
{
    lua_service *svc = h->data;
    if (--svc->open_handles == 0)
        free(svc);
}

/* Stops every worker (each interrupts its running callback, so this takes milliseconds), then
 * closes the handles. */
static void lua_stop(cv_daemon *d, void *state)
{
    (void)d;
    lua_service *svc = state;
    for (int i = 0; i < svc->n; i++)
        cv_lua_worker_cancel(svc->pkgs[i]->worker); /* all at once, then wait for each */
    for (int i = 0; i < svc->n; i++) {
        entry *en = svc->pkgs[i];
        en->closing = 1;
        cv_lua_worker_stop(en->worker);
        en->worker = NULL;
        en->open_handles = 2;
        uv_close((uv_handle_t *)&en->reload, entry_closed);
        uv_close((uv_handle_t *)&en->watch, entry_closed);
    }
    svc->open_handles = 2;
    uv_close((uv_handle_t *)&svc->tick, svc_closed);
    uv_close((uv_handle_t *)&svc->wrote, svc_closed);
}

const cv_service cv_lua_service = {
    .name = "lua",
    .start = lua_start,
    .on_event = lua_on_event,
    .on_store_changed = lua_on_store_changed,
    .stop = lua_stop,
};
