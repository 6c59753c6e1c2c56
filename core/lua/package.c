/* package.c: one Lua package in its sandbox: loading init.lua (and the modules it requires from
 * its folder or the shipped procedures), its budgets, and calling its callbacks (a hook's writes
 * in a savepoint of their own, the cascade they cause counted). Handing it journal events is
 * dispatch.c's. It never lets one callback's failure undo another callback's work. */
#include "lua/package_int.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "auth/grant.h"
#include "base/path.h"
#include "domain/org.h"
#include "lua/api.h"
#include "store/journal.h"

/* The limits, their ranges and defaults (README "Lua budgets"). */
static const struct limit_def {
    const char *key;
    size_t off;
    long min, max, dflt;
} LIMITS[] = {
    {"instructions", offsetof(cv_lua_limits, instructions), 1000, 1000000000,
     CV_LUA_BUDGET_DEFAULT},
    {"wall_ms", offsetof(cv_lua_limits, wall_ms), 10, 60000, CV_LUA_WALL_MS_DEFAULT},
    {"memory_mb", offsetof(cv_lua_limits, memory_mb), 1, 1024, CV_LUA_MEM_DEFAULT >> 20},
    {"hooks", offsetof(cv_lua_limits, hooks), 1, 100000, 256},
    {"jobs", offsetof(cv_lua_limits, jobs), 0, 10000, 64},
    {"notify_per_call", offsetof(cv_lua_limits, notify_per_call), 0, 1000000, 5000},
    {"notify_per_minute", offsetof(cv_lua_limits, notify_per_minute), 0, 10000000, 20000},
    {"log_per_call", offsetof(cv_lua_limits, log_per_call), 0, 1000000, 1000},
    {"log_per_minute", offsetof(cv_lua_limits, log_per_minute), 0, 10000000, 10000},
    {"cascade", offsetof(cv_lua_limits, cascade), 1, 100, 8},
    {"cpu_ms_per_minute", offsetof(cv_lua_limits, cpu_ms_per_minute), 100, 60000, 20000},
};
#define NLIMITS (sizeof LIMITS / sizeof LIMITS[0])

int cv_lua_limits_parse(const char *text, cv_lua_limits *l, cv_err *e)
{
    for (size_t i = 0; i < NLIMITS; i++)
        *(long *)((char *)l + LIMITS[i].off) = LIMITS[i].dflt;
    if (!text || !*text)
        return 0;
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        return cv_err_set(e, CV_EINVAL, N_("package limits are not a JSON object"));
    }
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(j, k, v)
    {
        size_t i = 0;
        while (i < NLIMITS && strcmp(LIMITS[i].key, k) != 0)
            i++;
        if (i == NLIMITS) {
            rc = cv_err_set(e, CV_EINVAL, N_("no package limit named '%s'"), k);
            break;
        }
        if (!json_is_integer(v) || json_integer_value(v) < LIMITS[i].min ||
            json_integer_value(v) > LIMITS[i].max) {
            rc = cv_err_set(e, CV_EINVAL, N_("package limit %s is a whole number from %ld to %ld"),
                            k, LIMITS[i].min, LIMITS[i].max);
            break;
        }
        *(long *)((char *)l + LIMITS[i].off) = (long)json_integer_value(v);
    }
    json_decref(j);
    return rc;
}

const cv_lua_limits *cv_lua_pkg_limits(const cv_lua_pkg *p)
{
    return &p->limits;
}

int64_t cv_lua_pkg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Adds one to *count and stops the callback when it passes limit. */
static void spend(lua_State *L, long *count, long limit, const char *what, const char *key)
{
    if (++*count > limit)
        cv_lua_sandbox_stop(L,
                            "more than %ld %s (limit %s; an admin may raise it with convene "
                            "script limits)",
                            limit, what, key);
}

/* Starts a new minute of the per-minute budgets 60 s after the current one's first use. */
static void minute_roll(struct spending *sp)
{
    int64_t now = cv_lua_pkg_now_ms();
    if (sp->minute == 0 || now - sp->minute >= 60000) {
        sp->minute = now;
        sp->minute_notify = sp->minute_log = 0;
        sp->minute_cpu_ns = 0;
    }
}

/* Runs the function below nargs arguments in the sandbox with what is left of the minute's CPU
 * budget, and charges the CPU it spent to the minute. */
static int pkg_call(cv_lua_pkg *p, int nargs, int nresults, cv_err *e)
{
    minute_roll(&p->spent);
    char reason[200];
    snprintf(reason, sizeof reason,
             "more than %ld ms of CPU in a minute (limit cpu_ms_per_minute; an admin may raise "
             "it with convene script limits)",
             p->limits.cpu_ms_per_minute);
    cv_lua_sandbox_set_cpu(p->sb, p->limits.cpu_ms_per_minute * 1000000 - p->spent.minute_cpu_ns,
                           reason);
    int rc = cv_lua_sandbox_call(p->sb, nargs, nresults, e);
    p->spent.minute_cpu_ns += cv_lua_sandbox_cpu_used(p->sb);
    return rc;
}

void cv_lua_pkg_count(lua_State *L, enum cv_lua_count what)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    struct spending *sp = &p->spent;
    const cv_lua_limits *l = &p->limits;
    minute_roll(sp);
    switch (what) {
    case CV_LUA_COUNT_HOOK:
        spend(L, &sp->hooks, l->hooks, "hooks", "hooks");
        break;
    case CV_LUA_COUNT_JOB:
        spend(L, &sp->jobs, l->jobs, "jobs", "jobs");
        break;
    case CV_LUA_COUNT_NOTIFY:
        spend(L, &sp->call_notify, l->notify_per_call, "notifications in one callback",
              "notify_per_call");
        spend(L, &sp->minute_notify, l->notify_per_minute, "notifications in a minute",
              "notify_per_minute");
        break;
    case CV_LUA_COUNT_LOG:
        spend(L, &sp->call_log, l->log_per_call, "log lines in one callback", "log_per_call");
        spend(L, &sp->minute_log, l->log_per_minute, "log lines in a minute", "log_per_minute");
        break;
    }
}

void cv_lua_pkg_suspend(cv_lua_pkg *p, const char *fmt, ...)
{
    if (p->suspended[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->suspended, sizeof p->suspended, fmt, ap);
    va_end(ap);
    cv_lua_pkg_emit(p, "log.error", p->suspended);
}

void cv_lua_pkg_store_failed(cv_lua_pkg *p)
{
    p->store_failed = 1;
}

const char *cv_lua_pkg_suspended(const cv_lua_pkg *p)
{
    return p->suspended[0] ? p->suspended : NULL;
}

int cv_lua_pkg_sees_orgless(const char *type)
{
    static const char *const safe[] = {"term.current",  "term.window_set", "sched.zone",
                                       "holiday.added", "holiday.removed", NULL};
    for (const char *const *t = safe; *t; t++)
        if (strcmp(*t, type) == 0)
            return 1;
    return 0;
}

/* After a callback's writes: the events it journaled are one level deeper than its cause; past
 * the package's cascade limit the callback fails with CV_ELIMIT (and its writes roll back). */
static int note_caused(cv_lua_pkg *p, cv_err *e)
{
    int64_t last;
    if (cv_journal_last_id(p->store, &last, e) < 0)
        return e->code;
    if (last <= p->write_from)
        return 0;
    long depth = p->depth + 1;
    if (depth > p->limits.cascade)
        return cv_err_set(
            e, CV_ELIMIT,
            N_("cascade of events %ld deep: the package's hooks keep answering events "
               "their own writes caused (limit cascade %ld)"),
            depth, p->limits.cascade);
    p->caused[p->caused_next] = (struct caused){p->write_from + 1, last, depth};
    p->caused_next = (p->caused_next + 1) % CAUSED_MAX;
    return 0;
}

cv_lua_pkg *cv_lua_pkg_of(lua_State *L)
{
    return *(cv_lua_pkg **)lua_getextraspace(L);
}

const char *cv_lua_pkg_name(const cv_lua_pkg *p)
{
    return p->name;
}
const char *cv_lua_pkg_root(const cv_lua_pkg *p)
{
    return p->root;
}
int64_t cv_lua_pkg_root_id(const cv_lua_pkg *p)
{
    return p->root_id;
}
cv_store *cv_lua_pkg_store(const cv_lua_pkg *p)
{
    return p->store;
}
lua_State *cv_lua_pkg_state(const cv_lua_pkg *p)
{
    return cv_lua_sandbox_state(p->sb);
}
cv_lua_sandbox *cv_lua_pkg_sandbox(const cv_lua_pkg *p)
{
    return p->sb;
}
const char *cv_lua_pkg_last_error(const cv_lua_pkg *p)
{
    return p->last_error;
}
int cv_lua_pkg_loading(const cv_lua_pkg *p)
{
    return p->loading;
}

void cv_lua_pkg_emit(const cv_lua_pkg *p, const char *kind, const char *msg)
{
    if (p->sink)
        p->sink(p->sink_ctx, p, kind, msg);
}

void cv_lua_pkg_write_begin(lua_State *L)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    if (!p->in_hook)
        luaL_error(L, "package %s may change the store only inside a hook (convene.on), not %s",
                   p->name, p->loading ? "while loading" : "here");
    if (!p->sp_open) {
        cv_err e;
        cv_lua_api_check(L, cv_store_begin(p->store, &e), &e);
        p->sp_open = 1;
        if (cv_journal_last_id(p->store, &p->write_from, &e) < 0)
            p->write_from = INT64_MAX; /* raised by the commit's own look */
    }
}

/* Reads a whole source file of at most CV_LUA_FILE_MAX bytes; the caller frees *text. */
static int read_file(const char *path, char **text, size_t *len, cv_err *e)
{
    FILE *f = cv_path_fopen(path, "rb", NULL, e);
    if (!f) /* a missing module is looked for elsewhere (require) */
        return e->code = access(path, F_OK) < 0 && errno == ENOENT ? CV_ENOTFOUND : e->code;
    char *buf = malloc(CV_LUA_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, CV_LUA_FILE_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory reading %s"), path);
    if (bad || n > CV_LUA_FILE_MAX) {
        free(buf);
        return cv_err_set(e, bad ? CV_EIO : CV_ELIMIT, "%s: %s", path,
                          bad ? "read error" : "larger than 1 MB");
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* Compiles the file at path (text only) and pushes its function. */
static int load_file(cv_lua_pkg *p, const char *path, cv_err *e)
{
    char *text = NULL;
    size_t len = 0;
    if (read_file(path, &text, &len, e) < 0)
        return e->code;
    char chunk[CV_LUA_PATH_MAX + 1];
    snprintf(chunk, sizeof chunk, "@%s", path);
    int rc = cv_lua_sandbox_load(p->sb, chunk, text, len, e);
    free(text);
    return rc;
}

/* require(name): a module from the package's folder, else from the scripts folder two levels up
 * (scripts/ for scripts/provinces/<code>/), loaded once per state. Names are dotted words. */
static int pkg_require(lua_State *L)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    const char *name = luaL_checkstring(L, 1);
    if (strlen(name) > 100 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.") != strlen(name) || name[0] == '.' ||
        strstr(name, ".."))
        return luaL_error(L, "require: '%s' is not a module name (lower-case dotted words)", name);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.loaded");
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    char rel[128], path[CV_LUA_PATH_MAX + 200];
    snprintf(rel, sizeof rel, "%s", name);
    for (char *c = rel; *c; c++)
        if (*c == '.')
            *c = '/';
    cv_err e;
    int rc = CV_ENOTFOUND;
    for (int i = 0; i < 2 && rc == CV_ENOTFOUND; i++) {
        snprintf(path, sizeof path, "%s%s/%s.lua", p->path, i ? "/../.." : "", rel);
        rc = load_file(p, path, &e);
    }
    if (rc < 0)
        return luaL_error(L, "require '%s': %s", name, e.msg);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.files");
    lua_pushstring(L, path);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name);
    return 1;
}

/* Sets convene.config, convene.package and convene.root. */
static int bind_package(cv_lua_pkg *p, const char *config, cv_err *e)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    json_error_t jerr;
    json_t *j = json_loads(config && *config ? config : "{}", 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        return cv_err_set(e, CV_EINVAL, N_("package %s: configuration is not a JSON object"),
                          p->name);
    }
    lua_getglobal(L, "convene");
    cv_lua_push_json(L, j);
    json_decref(j);
    lua_setfield(L, -2, "config");
    lua_pushstring(L, p->name);
    lua_setfield(L, -2, "package");
    lua_pushstring(L, p->root);
    lua_setfield(L, -2, "root");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "cv.loaded");
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "cv.files");
    lua_register(L, "require", pkg_require);
    return 0;
}

static int prepare(cv_store *s, const cv_lua_pkg_options *opt, cv_lua_pkg *p, cv_err *e)
{
    const char *base = strrchr(opt->path, '/');
    base = base && base[1] ? base + 1 : opt->path;
    snprintf(p->name, sizeof p->name, "%s", opt->name ? opt->name : base);
    if (cv_text_code(p->name, "package name", e) < 0)
        return e->code;
    if (strlen(opt->path) >= sizeof p->path)
        return cv_err_set(e, CV_ELIMIT, N_("package path too long"));
    snprintf(p->path, sizeof p->path, "%s", opt->path);
    size_t n = strlen(p->path);
    while (n > 1 && p->path[n - 1] == '/')
        p->path[--n] = '\0';
    cv_org root;
    if (cv_org_get(s, opt->org, &root, e) < 0)
        return e->code;
    snprintf(p->root, sizeof p->root, "%s", root.code);
    p->root_id = root.id;
    p->store = s;
    p->sink = opt->sink;
    p->sink_ctx = opt->sink_ctx;
    if (cv_lua_limits_parse(opt->limits, &p->limits, e) < 0)
        return e->code;
    if (opt->mem_cap)
        p->limits.memory_mb = (long)(opt->mem_cap >> 20);
    if (opt->budget)
        p->limits.instructions = opt->budget;
    if (cv_lua_sandbox_new(opt->mem_cap ? opt->mem_cap : (size_t)p->limits.memory_mb << 20,
                           p->limits.instructions, &p->sb, e) < 0)
        return e->code;
    cv_lua_sandbox_set_wall(p->sb, p->limits.wall_ms);
    lua_State *L = cv_lua_sandbox_state(p->sb);
    *(cv_lua_pkg **)lua_getextraspace(L) = p;
    cv_lua_api_open(L);
    return bind_package(p, opt->config, e);
}

int cv_lua_pkg_load(cv_store *s, const cv_lua_pkg_options *opt, cv_lua_pkg **out, cv_err *e)
{
    cv_lua_pkg *p = calloc(1, sizeof *p);
    if (!p)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory loading a package"));
    char init[CV_LUA_PATH_MAX + 16];
    int rc = prepare(s, opt, p, e);
    if (rc == 0) {
        snprintf(init, sizeof init, "%s/init.lua", p->path);
        rc = load_file(p, init, e);
    }
    if (rc == 0) {
        p->loading = 1;
        rc = pkg_call(p, 0, 0, e);
        p->loading = 0;
    }
    if (rc < 0) {
        cv_lua_pkg_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void cv_lua_pkg_free(cv_lua_pkg *p)
{
    if (!p)
        return;
    cv_lua_sandbox_free(p->sb);
    free(p);
}

void cv_lua_pkg_failed(cv_lua_pkg *p, const char *what, const cv_err *he)
{
    if (cv_store_faulted(he->code))
        return; /* not the script's failure: the caller undoes and retries */
    snprintf(p->last_error, sizeof p->last_error, "%s (%s)", he->msg, what);
    cv_lua_pkg_emit(p, "log.error", p->last_error);
    p->failures++;
    if (he->code == CV_ELIMIT)
        cv_lua_pkg_suspend(p, "suspended: %s", p->last_error);
}

int cv_lua_pkg_call_hook(cv_lua_pkg *p, int nargs, int writes, cv_err *e)
{
    p->in_hook = writes;
    p->sp_open = 0;
    p->spent.call_notify = p->spent.call_log = 0;
    int rc = pkg_call(p, nargs, writes ? 0 : 1, e);
    p->in_hook = 0;
    if (rc == CV_EBUSY)
        p->store_failed = 1; /* interrupted: not the script's failure, the batch is undone */
    if (p->sp_open) {
        if (rc == 0)
            rc = note_caused(p, e);
        if (rc == 0 && cv_store_commit(p->store, e) < 0)
            rc = e->code;
        if (rc < 0)
            cv_store_rollback(p->store);
    }
    p->sp_open = 0;
    return rc;
}

void cv_lua_pkg_set_cause(cv_lua_pkg *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->cause, sizeof p->cause, fmt, ap);
    va_end(ap);
    const cv_actor *now = cv_store_actor(p->store);
    if (now->kind == CV_ACTOR_PACKAGE && strcmp(now->name, p->name) == 0) {
        cv_actor a = *now;
        snprintf(a.via, sizeof a.via, "%s", p->cause);
        cv_store_set_actor(p->store, &a);
    }
}

/* A package acts with the office role over its subtree (none when it is bound to nothing). */
static void package_actor(const char *name, int64_t org_id, const char *via, cv_actor *a)
{
    *a = (cv_actor){.kind = CV_ACTOR_PACKAGE,
                    .scope_org = org_id,
                    .scope_roles = org_id > 0 ? CV_ROLE_OFFICE : 0};
    snprintf(a->name, sizeof a->name, "%s", name);
    snprintf(a->via, sizeof a->via, "%s", via);
}

void cv_lua_pkg_act_as(cv_store *s, const char *name, int64_t org_id, const char *via)
{
    cv_actor a;
    package_actor(name, org_id, via, &a);
    cv_store_set_actor(s, &a);
}

void cv_lua_pkg_actor(const cv_lua_pkg *p, cv_actor *a)
{
    package_actor(p->name, p->root_id, p->cause, a);
}

const char *cv_lua_pkg_cause(const cv_lua_pkg *p)
{
    return p->cause[0] ? p->cause : "load";
}

/* Pushes the event as the table hooks receive: {id, type, at, org, data}. */
void cv_lua_pkg_push_event(cv_lua_pkg *p, const cv_lua_event *ev)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, ev->id);
    lua_setfield(L, -2, "id");
    lua_pushstring(L, ev->type);
    lua_setfield(L, -2, "type");
    lua_pushinteger(L, ev->at);
    lua_setfield(L, -2, "at");
    if (ev->org[0]) {
        lua_pushstring(L, ev->org);
        lua_setfield(L, -2, "org");
    }
    json_t *data = ev->data ? json_loads(ev->data, 0, NULL) : NULL;
    if (data)
        cv_lua_push_json(L, data);
    else
        lua_newtable(L);
    json_decref(data);
    lua_setfield(L, -2, "data");
}

/* Inside the sandbox's pcall: builds the event table and calls the hook below it, so that a
 * memory error while building the table is caught like any other. */
static int call_with_event(lua_State *L)
{
    const cv_lua_event *ev = lua_touserdata(L, 2);
    lua_settop(L, 1);
    cv_lua_pkg_push_event(cv_lua_pkg_of(L), ev);
    lua_call(L, 1, 1);
    return 1;
}

int cv_lua_pkg_call_with_event(cv_lua_pkg *p, const cv_lua_event *ev, int writes, cv_err *e)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    lua_pushcfunction(L, call_with_event);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, (void *)ev);
    return cv_lua_pkg_call_hook(p, 2, writes, e);
}
