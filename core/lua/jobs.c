/* jobs.c: convene.every/at/before/after and the "lua" kind of job, which this file registers with
 * the scheduler (cv_sched_action_register): the scheduler runs jobs of any kind and knows nothing
 * of Lua. Owns the registry table "cv.sched" of each package (job name -> {kind, spec, args, fn})
 * and the list of loaded packages the action runs in. It never writes the store while init.lua
 * runs: declarations become jobs in cv_lua_jobs_loaded, after a clean load. */
#include "lua/jobs.h"

#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/bound.h"
#include "base/date.h"
#include "lua/api.h"
#include "sched/calendar.h"
#include "sched/cron.h"
#include "sched/job.h"
#include "sched/run.h"

#define LOADED_MAX 64

/* The loaded packages by slot; workers load and run theirs on their own threads. */
static cv_lua_pkg *loaded[LOADED_MAX];
static uv_mutex_t loaded_mu;
static uv_once_t loaded_once = UV_ONCE_INIT;

static void loaded_init(void)
{
    if (uv_mutex_init(&loaded_mu) != 0)
        abort();
}

/* The loaded package named name, or NULL. */
static cv_lua_pkg *find_loaded(const char *name)
{
    cv_lua_pkg *p = NULL;
    uv_once(&loaded_once, loaded_init);
    uv_mutex_lock(&loaded_mu);
    for (int i = 0; name && i < LOADED_MAX; i++)
        if (loaded[i] && strcmp(cv_lua_pkg_name(loaded[i]), name) == 0)
            p = loaded[i];
    uv_mutex_unlock(&loaded_mu);
    return p;
}

/* Records one declaration under its stable name (the given name, else one made of its schedule,
 * so an unchanged line keeps its job across reloads). args (stolen) is written out and freed
 * before anything here can raise, so a Lua error never leaks it. */
static void declare(lua_State *L, const char *kind, const char *spec, const char *name,
                    json_t *args, int fn)
{
    char text[1024];
    size_t len = args ? json_dumpb(args, text, sizeof text, JSON_COMPACT | JSON_SORT_KEYS) : 0;
    json_decref(args);
    if (len == 0 || len >= sizeof text)
        luaL_error(L, "convene.%s: the job's arguments are missing or longer than %d bytes", kind,
                   (int)sizeof text - 1);
    text[len] = '\0';
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    if (!cv_lua_pkg_loading(p))
        luaL_error(L, "convene.%s declares jobs in init.lua only", kind);
    char full[CV_NAME_MAX];
    snprintf(full, sizeof full, "lua:%s:%s", cv_lua_pkg_name(p), name ? name : spec);
    if (lua_getfield(L, LUA_REGISTRYINDEX, "cv.sched") != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, "cv.sched");
    }
    if (lua_getfield(L, -1, full) != LUA_TNIL)
        luaL_error(L, "a job named '%s' is already declared; give it another name", full);
    lua_pop(L, 1);
    cv_lua_pkg_count(L, CV_LUA_COUNT_JOB);
    /* The job's row and the scheduler's record of it, for the state's life. */
    cv_lua_sandbox_hold(L, CV_LUA_HELD_ROW + strlen(full) + strlen(spec) + len, 0);
    lua_createtable(L, 0, 4);
    lua_pushstring(L, strcmp(kind, "every") == 0 ? "cron"
                      : strcmp(kind, "at") == 0  ? "at"
                                                 : "anchor");
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, spec);
    lua_setfield(L, -2, "spec");
    lua_pushstring(L, text);
    lua_setfield(L, -2, "args");
    lua_pushvalue(L, fn);
    lua_setfield(L, -2, "fn");
    lua_setfield(L, -2, full);
    lua_pop(L, 1);
}

/* The optional third argument of every/at: a name, or {name=, while=}. */
static const char *options(lua_State *L, int i, const char **phase)
{
    *phase = NULL;
    if (lua_isnoneornil(L, i))
        return NULL;
    if (lua_type(L, i) == LUA_TSTRING)
        return cv_lua_text(L, i, "a job name", 200);
    luaL_checktype(L, i, LUA_TTABLE);
    *phase = cv_lua_opt_field(L, i, "while");
    return cv_lua_opt_field(L, i, "name");
}

/* The arguments of an every/at job (made after every check that may raise). */
static json_t *plain_args(lua_State *L, const char *phase)
{
    json_t *args = json_pack("{s:s}", "package", cv_lua_pkg_name(cv_lua_pkg_of(L)));
    if (args && phase)
        json_object_set_new(args, "while", json_string(phase));
    return args;
}

static int l_every(lua_State *L)
{
    const char *expr = cv_lua_text(L, 1, "a cron expression", 200);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    cv_cron c;
    cv_err e;
    if (cv_cron_parse(expr, &c, &e) < 0)
        return luaL_error(L, "convene.every: %s", e.msg);
    const char *phase, *name = options(L, 3, &phase);
    declare(L, "every", expr, name, plain_args(L, phase), 2);
    return 0;
}

static int l_at(lua_State *L)
{
    const char *when = cv_lua_text(L, 1, "a time", 40);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    int64_t ms;
    int off;
    char zone[CV_ZONE_MAX];
    cv_err e;
    if (cv_calendar_zone(cv_lua_pkg_store(cv_lua_pkg_of(L)), zone, &off, &e) < 0 ||
        cv_date_parse_instant(when, off, &ms, "convene.at time", &e) < 0)
        return luaL_error(L, "%s", e.msg);
    const char *phase, *name = options(L, 3, &phase);
    declare(L, "at", when, name, plain_args(L, phase), 2);
    return 0;
}

/* before{congress=ORG | work=ID, days=N, time="08:00", name=, fn=} (after: days count forward). */
static int relative(lua_State *L, int sign)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *org = cv_lua_opt_field(L, 1, "congress");
    int64_t work = cv_lua_int_field(L, 1, "work", 0);
    int64_t days = cv_lua_int_field(L, 1, "days", 0);
    const char *time = cv_lua_opt_field(L, 1, "time");
    const char *name = cv_lua_opt_field(L, 1, "name");
    if (!org == !work)
        return luaL_error(L, "convene.%s needs congress = ORG or work = ID",
                          sign < 0 ? "before" : "after");
    if (days < 0 || days > CV_DAYS_MAX)
        return luaL_error(L, "days must be between 0 and %d", CV_DAYS_MAX);
    if (time && (strlen(time) != 5 || time[2] != ':'))
        return luaL_error(L, "time is HH:MM, not '%s'", time);
    if (lua_getfield(L, 1, "fn") != LUA_TFUNCTION)
        return luaL_error(L, "convene.%s needs fn = function", sign < 0 ? "before" : "after");
    if (org)
        cv_lua_api_org_in_scope(L, org);
    char spec[CV_CODE_MAX + 16];
    if (org)
        snprintf(spec, sizeof spec, "congress:%s", org);
    else
        snprintf(spec, sizeof spec, "work:%lld", (long long)work);
    json_t *args = json_pack("{s:s, s:I, s:s}", "package", cv_lua_pkg_name(cv_lua_pkg_of(L)),
                             "days", (json_int_t)(sign * days), "time", time ? time : "08:00");
    char derived[CV_NAME_MAX];
    snprintf(derived, sizeof derived, "%s%+lld@%s", spec, (long long)(sign * days),
             time ? time : "08:00");
    declare(L, sign < 0 ? "before" : "after", spec, name ? name : derived, args, lua_gettop(L));
    return 0;
}

static int l_before(lua_State *L)
{
    return relative(L, -1);
}

static int l_after(lua_State *L)
{
    return relative(L, 1);
}

void cv_lua_api_register_jobs(lua_State *L, int t)
{
    static const luaL_Reg fns[] = {
        {"every", l_every}, {"at", l_at}, {"before", l_before}, {"after", l_after}, {NULL, NULL}};
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, t, f->name);
    }
}

/* The "lua" action: calls the job's function in its package, inside the run's transaction. */
static int run_lua(cv_sched_ctx *c, void *data, cv_err *e)
{
    (void)data;
    const char *pkg = json_string_value(json_object_get(c->job->args, "package"));
    cv_lua_pkg *p = find_loaded(pkg);
    if (!p)
        return cv_err_set(e, CV_ESCRIPT, "package '%s' is not loaded in this process",
                          pkg ? pkg : "?");
    if (cv_lua_pkg_suspended(p))
        return cv_err_set(e, CV_ESCRIPT, "package '%s' is suspended: %s", pkg,
                          cv_lua_pkg_suspended(p));
    lua_State *L = cv_lua_pkg_state(p);
    int top = lua_gettop(L);
    if (lua_getfield(L, LUA_REGISTRYINDEX, "cv.sched") != LUA_TTABLE ||
        lua_getfield(L, -1, c->job->name) != LUA_TTABLE ||
        lua_getfield(L, -1, "fn") != LUA_TFUNCTION) {
        lua_settop(L, top);
        return cv_err_set(e, CV_ESCRIPT, "package '%s' no longer declares job '%s'", pkg,
                          c->job->name);
    }
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, c->job->name);
    lua_setfield(L, -2, "name");
    lua_pushinteger(L, c->due_at);
    lua_setfield(L, -2, "due");
    lua_pushinteger(L, c->prev_due_at);
    lua_setfield(L, -2, "previous");
    cv_lua_pkg_set_cause(p, "%s:%lld", c->job->name, (long long)c->due_at);
    int rc = cv_lua_pkg_call_hook(p, 1, 1, e);
    lua_settop(L, top);
    if (rc < 0) { /* recorded in the job too; shown and logged here (unless retried) */
        char what[CV_NAME_MAX + 40];
        snprintf(what, sizeof what, "job %s", c->job->name);
        cv_lua_pkg_failed(p, what, e);
    }
    return rc;
}

/* Makes p's declarations its jobs, in one transaction: each defined (an unchanged one keeps its
 * schedule), and the package's jobs it no longer declares deleted. */
static int sync_jobs(cv_lua_pkg *p, cv_err *e)
{
    cv_store *s = cv_lua_pkg_store(p);
    lua_State *L = cv_lua_pkg_state(p);
    int top = lua_gettop(L), rc = cv_store_begin(s, e), pruned;
    json_t *keep = json_array();
    if (rc == 0 && lua_getfield(L, LUA_REGISTRYINDEX, "cv.sched") == LUA_TTABLE) {
        lua_pushnil(L);
        while (rc == 0 && lua_next(L, -2)) {
            lua_getfield(L, -1, "kind");
            lua_getfield(L, -2, "spec");
            lua_getfield(L, -3, "args");
            /* stack: cv.sched, name, declaration, kind, spec, args */
            json_t *args = json_loads(lua_tostring(L, -1), 0, NULL);
            cv_job_spec spec = {lua_tostring(L, -5), lua_tostring(L, -3), lua_tostring(L, -2),
                                "lua", args};
            if (cv_job_define(s, &spec, e) < 0)
                rc = e->code;
            json_array_append_new(keep, json_string(spec.name));
            json_decref(args);
            lua_pop(L, 4);
        }
    }
    lua_settop(L, top);
    char prefix[CV_LUA_NAME_MAX + 8];
    snprintf(prefix, sizeof prefix, "lua:%s:", cv_lua_pkg_name(p));
    if (rc == 0)
        rc = cv_job_prune(s, prefix, keep, &pruned, e);
    json_decref(keep);
    if (rc == 0)
        rc = cv_store_commit(s, e);
    if (rc < 0)
        cv_store_rollback(s);
    return rc;
}

int cv_lua_jobs_register(cv_err *e)
{
    return cv_sched_action_register("lua", run_lua, NULL, 1, e);
}

int cv_lua_jobs_loaded(cv_lua_pkg *p, cv_err *e)
{
    uv_once(&loaded_once, loaded_init);
    if (!cv_sched_action_known("lua") && cv_lua_jobs_register(e) < 0)
        return e->code;
    uv_mutex_lock(&loaded_mu);
    int slot = -1;
    for (int i = 0; i < LOADED_MAX; i++)
        if (loaded[i] == p || (slot < 0 && !loaded[i]))
            slot = i;
    if (slot >= 0) {
        for (int i = 0; i < LOADED_MAX; i++)
            if (loaded[i] && loaded[i] != p &&
                strcmp(cv_lua_pkg_name(loaded[i]), cv_lua_pkg_name(p)) == 0)
                loaded[i] = NULL; /* the previous state of a reloaded package */
        loaded[slot] = p;
    }
    uv_mutex_unlock(&loaded_mu);
    if (slot < 0)
        return cv_err_set(e, CV_ELIMIT, "at most %d packages schedule jobs", LOADED_MAX);
    return sync_jobs(p, e);
}

void cv_lua_jobs_unloaded(cv_lua_pkg *p)
{
    uv_once(&loaded_once, loaded_init);
    uv_mutex_lock(&loaded_mu);
    for (int i = 0; i < LOADED_MAX; i++)
        if (loaded[i] == p)
            loaded[i] = NULL;
    uv_mutex_unlock(&loaded_mu);
}
