/* package.c: one Lua package in its sandbox: loading init.lua (and the modules it requires from
 * its folder or the shipped procedures), and handing journal events to its hooks in batches whose
 * writes commit with the package's cursor. It never writes outside a dispatch's transaction and
 * never lets one hook's failure undo another hook's work. */
#include "lua/package.h"

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
#include "base/clock.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "lua/api.h"
#include "lua/campaign.h"
#include "store/journal.h"

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

static int64_t monotonic_ms(void)
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
    int64_t now = monotonic_ms();
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

/* The cascade depth of event id: one more than that of the callback that wrote it, 0 when none
 * of the package's callbacks did. */
static long depth_of(const cv_lua_pkg *p, int64_t id)
{
    for (int i = 0; i < CAUSED_MAX; i++)
        if (p->caused[i].depth && id >= p->caused[i].first && id <= p->caused[i].last)
            return p->caused[i].depth;
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

/* Whether org_id lies in the subtree (and its code), cached for one batch. */
static struct scope_entry *scope_of(cv_lua_pkg *p, int64_t org_id, cv_err *e)
{
    struct scope_entry *slot = &p->scope[(uint64_t)org_id % SCOPE_CACHE];
    if (slot->id == org_id)
        return slot;
    cv_org o;
    int yes;
    if (cv_org_in_subtree(p->store, p->root_id, org_id, &yes, e) < 0 ||
        cv_org_get_by_id(p->store, org_id, &o, e) < 0)
        return NULL;
    slot->id = org_id;
    slot->yes = yes;
    snprintf(slot->code, sizeof slot->code, "%s", o.code);
    return slot;
}

typedef struct batch_event {
    int64_t id, at, org_id;
    char type[64];
    char *data;
    size_t row; /* of an import.rows event, the row's number (from 1); 0 for a whole event */
} batch_event;

static int read_batch(cv_lua_pkg *p, int64_t after, batch_event *evs, int *n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(p->store,
                                        "SELECT id, at, type, coalesce(org_id, 0), data FROM "
                                        "events WHERE id > ?1 ORDER BY id LIMIT ?2",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, CV_LUA_BATCH);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        batch_event *ev = &evs[(*n)++];
        ev->id = sqlite3_column_int64(st, 0);
        ev->at = sqlite3_column_int64(st, 1);
        size_t tlen = (size_t)sqlite3_column_bytes(st, 2);
        tlen = tlen < sizeof ev->type ? tlen : sizeof ev->type - 1;
        memcpy(ev->type, sqlite3_column_text(st, 2), tlen);
        ev->type[tlen] = '\0';
        ev->org_id = sqlite3_column_int64(st, 3);
        ev->data = strdup((const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : cv_store_fail(p->store, "reading the journal", e);
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

/* The package acts as itself while it runs; *saved receives the actor to put back afterwards. */
static void act_as_package(cv_lua_pkg *p, cv_actor *saved)
{
    *saved = *cv_store_actor(p->store);
    cv_lua_pkg_act_as(p->store, p->name, p->root_id, p->cause);
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

/* Runs every hook of ev->type (and "*") with the event; a failure is recorded and skipped. The
 * cause of a row of an import.rows event names the row too, so that each row's notifications have
 * keys of their own, as they would had each row been journaled alone. */
static void run_hooks(cv_lua_pkg *p, const cv_lua_event *ev, size_t row)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    int hooks = lua_gettop(L);
    const char *keys[] = {ev->type, "*"};
    for (int k = 0; k < 2; k++) {
        if (lua_getfield(L, hooks, keys[k]) != LUA_TTABLE) {
            lua_pop(L, 1);
            continue;
        }
        int list = lua_gettop(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, list);
        for (lua_Integer i = 1; i <= n && !p->suspended[0] && !p->store_failed; i++) {
            if (row)
                cv_lua_pkg_set_cause(p, "ev%lld.%zu", (long long)ev->id, row);
            else
                cv_lua_pkg_set_cause(p, "ev%lld", (long long)ev->id);
            lua_rawgeti(L, list, i);
            cv_err he;
            if (cv_lua_pkg_call_with_event(p, ev, 1, &he) < 0 && !p->store_failed) {
                char what[120];
                snprintf(what, sizeof what, "event %lld %s", (long long)ev->id, ev->type);
                cv_lua_pkg_failed(p, what, &he);
            }
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static int has_hooks(cv_lua_pkg *p, const char *type)
{
    lua_State *L = cv_lua_sandbox_state(p->sb);
    int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    int any = lua_getfield(L, top + 1, type) == LUA_TTABLE;
    if (!any)
        any = lua_getfield(L, top + 1, "*") == LUA_TTABLE;
    lua_settop(L, top);
    return any;
}

/* Handles one event inside the batch's transaction. */
static int handle(cv_lua_pkg *p, const batch_event *bev, cv_err *e)
{
    cv_lua_event ev = {bev->id, bev->at, bev->type, "", bev->data};
    int hooked = has_hooks(p, bev->type);
    int campaigns = cv_lua_campaign_count(p) > 0;
    if (!hooked && !campaigns)
        return 0;
    if (bev->org_id > 0) {
        struct scope_entry *se = scope_of(p, bev->org_id, e);
        if (!se)
            return e->code;
        if (!se->yes)
            return 0;
        snprintf(ev.org, sizeof ev.org, "%s", se->code);
    } else if (!cv_lua_pkg_sees_orgless(bev->type)) {
        return 0;
    }
    p->depth = depth_of(p, bev->id);
    if (hooked)
        run_hooks(p, &ev, bev->row);
    if (p->store_failed)
        return cv_err_set(e, CV_ESTORE,
                          N_("event %lld was not finished (the store was busy or the daemon is "
                             "stopping); the batch is retried whole"),
                          (long long)bev->id);
    int rc = campaigns && !p->suspended[0] ? cv_lua_campaign_step(p, &ev, e) : 0;
    p->depth = 0;
    return rc;
}

/* The event a new row of kind is to hooks: the one the command adding such a row alone journals
 * (org add, person add, congress plan); NULL for a kind no command adds. */
static const char *row_type(const char *kind)
{
    static const char *const types[][2] = {
        {"org", "org.added"}, {"person", "person.added"}, {"congress", "congress.planned"}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(kind, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

/* Copies the text of row's key into dst when it is given (a null keeps dst; "" stays ""). */
static void row_text(json_t *row, const char *key, char *dst, size_t cap)
{
    json_t *v = json_object_get(row, key);
    if (json_is_string(v) || json_is_null(v))
        snprintf(dst, cap, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* A new congress's row as `congress plan` journals a congress (cv_congress_json): the stored
 * congress's id and organisation, with the row's values, which are what the import wrote (a new
 * congress of an import is no pilot, elects no secretary directly, has no delegates yet, and its
 * planned end is its planned start). A congress no longer stored keeps the row's values. */
static int congress_row(cv_lua_pkg *p, json_t *row, cv_err *e)
{
    const char *org = json_string_value(json_object_get(row, "org"));
    const char *term = json_string_value(json_object_get(row, "term"));
    cv_congress c;
    cv_err missing;
    if (!org || !term || cv_congress_get(p->store, org, term, &c, &missing) < 0)
        return org && term && cv_store_faulted(missing.code)
                   ? cv_err_set(e, missing.code, "%s", missing.msg)
                   : 0;
    c.ordinal = (int)json_integer_value(json_object_get(row, "ordinal"));
    row_text(row, "kind", c.kind, sizeof c.kind);
    row_text(row, "status", c.status, sizeof c.status);
    row_text(row, "planned", c.planned_start, sizeof c.planned_start);
    row_text(row, "planned", c.planned_end, sizeof c.planned_end);
    row_text(row, "held", c.actual_start, sizeof c.actual_start);
    row_text(row, "held_end", c.actual_end, sizeof c.actual_end);
    c.pilot = c.direct_secretary = 0;
    c.delegates_summoned = c.delegates_present = -1;
    json_t *j = cv_congress_json(&c);
    int rc = j && json_object_clear(row) == 0 && json_object_update(row, j) == 0
                 ? 0
                 : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    json_decref(j);
    return rc;
}

/* One row of an import.rows batch as its own event: its organisation (an org row's own, the
 * org of a person or a congress) and its data, the command's (an organisation's has its id
 * too). Returns the organisation's id, 0 for none, or -1 with e set. */
static int64_t row_event(cv_lua_pkg *p, const char *kind, json_t *row, batch_event *one, cv_err *e)
{
    int is_org = strcmp(kind, "org") == 0;
    const char *code = json_string_value(json_object_get(row, is_org ? "code" : "org"));
    cv_org o;
    cv_err missing;
    int64_t org_id = 0;
    if (code && cv_org_get(p->store, code, &o, &missing) == 0)
        org_id = o.id;
    else if (code && cv_store_faulted(missing.code))
        return cv_err_set(e, missing.code, "%s", missing.msg), -1;
    if (is_org && org_id && json_object_set_new(row, "id", json_integer(org_id)) < 0)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory")), -1;
    if (strcmp(kind, "congress") == 0 && congress_row(p, row, e) < 0)
        return -1;
    if (!(one->data = json_dumps(row, JSON_COMPACT)))
        return cv_err_set(e, CV_ENOMEM, N_("out of memory")), -1;
    return org_id;
}

/* import.rows, a batch of new rows an import wrote ({"kind", "columns", "added": [[values]]}),
 * reaches hooks and campaigns as one event a row, as though each had been journaled alone by
 * the command that adds one (row_type, row_event): the same type and the same data. */
static int handle_rows(cv_lua_pkg *p, const batch_event *bev, cv_err *e)
{
    json_t *d = json_loads(bev->data, 0, NULL);
    const char *kind = json_string_value(json_object_get(d, "kind"));
    const char *type = kind ? row_type(kind) : NULL;
    json_t *columns = json_object_get(d, "columns"), *added = json_object_get(d, "added"), *row;
    batch_event one = {bev->id, bev->at, 0, "", NULL, 0};
    size_t i;
    int rc = 0;
    if (type)
        snprintf(one.type, sizeof one.type, "%s", type);
    if (type && (has_hooks(p, one.type) || cv_lua_campaign_count(p) > 0))
        json_array_foreach(added, i, row)
        {
            json_t *obj = json_object();
            for (size_t c = 0; obj && c < json_array_size(columns) && c < json_array_size(row); c++)
                json_object_set(obj, json_string_value(json_array_get(columns, c)),
                                json_array_get(row, c));
            one.row = i + 1;
            one.data = NULL;
            one.org_id = obj ? row_event(p, kind, obj, &one, e)
                             : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
            json_decref(obj);
            rc = one.org_id < 0 ? e->code : handle(p, &one, e);
            free(one.data);
            if (rc < 0)
                break;
        }
    json_decref(d);
    return rc;
}

static void free_batch(batch_event *evs, int n)
{
    for (int i = 0; i < n; i++)
        free(evs[i].data);
    free(evs);
}

int cv_lua_pkg_dispatch(cv_lua_pkg *p, int *handled, int *hook_errors, cv_err *e)
{
    char consumer[CV_LUA_NAME_MAX + 8];
    snprintf(consumer, sizeof consumer, "lua:%s", p->name);
    int64_t cursor;
    *handled = 0;
    if (hook_errors)
        *hook_errors = 0; /* also when caught up */
    if (p->suspended[0])
        return 0;
    batch_event *evs = calloc(CV_LUA_BATCH, sizeof *evs);
    int n = 0, rc;
    if (!evs)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    if ((rc = cv_journal_cursor_get(p->store, consumer, &cursor, e)) < 0 ||
        (rc = read_batch(p, cursor, evs, &n, e)) < 0 || n == 0) {
        free_batch(evs, n);
        return rc;
    }
    memset(p->scope, 0, sizeof p->scope);
    /* The batch reads without the write lock, which its first change takes: Lua that only reads
     * never holds it. After a failed attempt (the lock was taken between) the retry takes it
     * from the start, so it makes progress. */
    p->store_failed = 0;
    sqlite3 *db = cv_store_db(p->store);
    sqlite3_int64 changes = sqlite3_total_changes64(db);
    rc = p->immediate ? cv_store_begin(p->store, e) : cv_store_begin_deferred(p->store, e);
    if (rc < 0) {
        free_batch(evs, n);
        return rc;
    }
    cv_actor saved;
    act_as_package(p, &saved);
    int i = 0;
    p->failures = 0;
    rc = p->synced ? 0 : cv_lua_campaign_sync(p, e);
    /* The batch commits once its time is up: the write lock is never held across Lua for
     * longer than CV_LUA_BATCH_MS and one callback's wall-clock budget. */
    int64_t until = monotonic_ms() + CV_LUA_BATCH_MS;
    for (; i < n && rc == 0 && !p->suspended[0] && (i == 0 || monotonic_ms() < until); i++)
        rc =
            strcmp(evs[i].type, "import.rows") ? handle(p, &evs[i], e) : handle_rows(p, &evs[i], e);
    int read_only = rc == 0 && sqlite3_total_changes64(db) == changes;
    if (rc == 0 && read_only) /* nothing to commit with: the cursor moves in a short write */
        rc = cv_store_commit(p->store, e) < 0 ? e->code : cv_store_begin(p->store, e);
    if (rc == 0 && i > 0)
        rc = cv_journal_cursor_set(p->store, consumer, evs[i - 1].id, e);
    if (rc == 0)
        rc = cv_store_commit(p->store, e);
    if (rc < 0)
        cv_store_rollback(p->store);
    else
        p->synced = 1, *handled = i;
    p->immediate = rc < 0 && !p->immediate;
    cv_store_set_actor(p->store, &saved);
    if (hook_errors)
        *hook_errors = p->failures;
    free_batch(evs, n);
    return rc;
}

int cv_lua_pkg_tick(cv_lua_pkg *p, cv_err *e)
{
    if (cv_lua_campaign_count(p) == 0 || p->suspended[0])
        return 0;
    char today[11];
    cv_clock_today(today);
    cv_lua_pkg_set_cause(p, "day%s", today);
    if (cv_store_begin(p->store, e) < 0)
        return e->code;
    cv_actor saved;
    act_as_package(p, &saved);
    int rc = p->synced ? 0 : cv_lua_campaign_sync(p, e);
    if (rc == 0)
        rc = cv_lua_campaign_step(p, NULL, e);
    if (rc == 0)
        rc = cv_store_commit(p->store, e);
    if (rc < 0)
        cv_store_rollback(p->store);
    else
        p->synced = 1;
    cv_store_set_actor(p->store, &saved);
    return rc;
}
