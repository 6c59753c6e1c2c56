/* sandbox.c: the guest's lua_State. Owns the capped allocator, the instruction budget (a count
 * hook that keeps raising once the budget is spent), the library set and the bounded wrappers of
 * string.rep and the pattern functions. It must never open io, os, debug, package, string.dump
 * or a bytecode loader, and never let a script reach the real string metatable. */
#include "lua/sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOOK_COUNT 1000 /* instructions between two looks at the budget */

struct cv_lua_sandbox {
    lua_State *L;
    size_t used, cap;
    long budget, wall_ms;
    double remaining;    /* instructions and charged C steps left to the callback */
    int64_t deadline_ns; /* the callback's wall-clock end (monotonic) */
    atomic_int interrupted;
    int spent;      /* a budget of the current callback is gone: raise on every hook */
    int mem_failed; /* an allocation was refused since the callback began */
    char reason[300];
    size_t host, host_call; /* of used: bytes the host holds for the script (for the state's
                               life, and until the callback ends) */
    int64_t cpu_left_ns;    /* thread CPU the next callbacks may still spend (INT64_MAX: any) */
    int64_t cpu_end_ns;     /* the running callback's CPU deadline (thread clock) */
    int64_t cpu_used_ns;    /* thread CPU the last callback spent */
    char cpu_reason[200];
};

/* The allocator accounts realloc's old size (osize is meaningful only when ptr is not NULL) and
 * refuses to grow past the cap, which Lua turns into a memory error the script cannot avoid. */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    cv_lua_sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        sb->used -= old;
        return NULL;
    }
    if (nsize > old && sb->used - old + nsize > sb->cap) {
        sb->mem_failed = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    sb->used = sb->used - old + nsize;
    return p;
}

cv_lua_sandbox *cv_lua_sandbox_of(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Why the callback must stop now ("" when it may go on): a budget spent, its deadline passed or
 * an interruption asked. Sets sb->reason and sb->spent the first time. */
static int must_stop(cv_lua_sandbox *sb)
{
    if (sb->spent)
        return 1;
    if (atomic_load(&sb->interrupted))
        snprintf(sb->reason, sizeof sb->reason, "interrupted (the daemon is stopping)");
    else if (sb->remaining <= 0)
        snprintf(sb->reason, sizeof sb->reason, "instruction budget of %ld exhausted", sb->budget);
    else if (monotonic_ns() > sb->deadline_ns)
        snprintf(sb->reason, sizeof sb->reason, "wall-clock budget of %ld ms exhausted",
                 sb->wall_ms);
    else if (sb->cpu_end_ns != INT64_MAX && thread_cpu_ns() > sb->cpu_end_ns)
        snprintf(sb->reason, sizeof sb->reason, "%s", sb->cpu_reason);
    else
        return 0;
    sb->spent = 1;
    return 1;
}

static void budget_hook(lua_State *L, lua_Debug *ar);

/* Raises sb->reason at the script's current line. Once spent, the hook fires on every
 * instruction of every thread, so a pcall that catches the error gets one more instruction at
 * most before the next raise: the callback unwinds to the host. */
static void raise_spent(lua_State *L, cv_lua_sandbox *sb, int level)
{
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    lua_Debug d;
    if (lua_getstack(L, level, &d) && lua_getinfo(L, "Sl", &d) && d.currentline > 0)
        lua_pushfstring(L, "%s:%d: %s", d.short_src, d.currentline, sb->reason);
    else
        lua_pushstring(L, sb->reason);
    lua_error(L);
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    cv_lua_sandbox *sb = cv_lua_sandbox_of(L);
    if (!sb->spent)
        sb->remaining -= lua_gethookcount(L) > 0 ? lua_gethookcount(L) : 1;
    if (must_stop(sb))
        raise_spent(L, sb, 0);
}

void cv_lua_sandbox_charge(lua_State *L, double steps)
{
    cv_lua_sandbox *sb = cv_lua_sandbox_of(L);
    sb->remaining -= steps;
    if (must_stop(sb))
        raise_spent(L, sb, 1);
}

int cv_lua_sandbox_stop(lua_State *L, const char *fmt, ...)
{
    cv_lua_sandbox *sb = cv_lua_sandbox_of(L);
    if (!sb->spent) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(sb->reason, sizeof sb->reason, fmt, ap);
        va_end(ap);
        sb->spent = 1;
    }
    raise_spent(L, sb, 1);
    return 0;
}

void cv_lua_sandbox_hold(lua_State *L, size_t bytes, int for_call)
{
    cv_lua_sandbox *sb = cv_lua_sandbox_of(L);
    if (bytes > sb->cap - sb->used) {
        if (!sb->spent) {
            snprintf(sb->reason, sizeof sb->reason,
                     "memory cap of %zu MB exceeded: the host holds %zu bytes for the package "
                     "(notifications, log lines, jobs) beside %zu bytes of Lua heap, and %zu more "
                     "were asked (limit memory_mb)",
                     sb->cap >> 20, sb->host, sb->used - sb->host, bytes);
            sb->spent = 1;
        }
        raise_spent(L, sb, 1);
    }
    sb->used += bytes;
    sb->host += bytes;
    if (for_call)
        sb->host_call += bytes;
}

size_t cv_lua_sandbox_host(const cv_lua_sandbox *sb)
{
    return sb->host;
}

void cv_lua_sandbox_set_cpu(cv_lua_sandbox *sb, int64_t left_ns, const char *reason)
{
    sb->cpu_left_ns = left_ns;
    snprintf(sb->cpu_reason, sizeof sb->cpu_reason, "%s", reason ? reason : "");
}

int64_t cv_lua_sandbox_cpu_used(const cv_lua_sandbox *sb)
{
    return sb->cpu_used_ns;
}

void cv_lua_sandbox_interrupt(cv_lua_sandbox *sb)
{
    atomic_store(&sb->interrupted, 1);
}

void cv_lua_sandbox_set_wall(cv_lua_sandbox *sb, long wall_ms)
{
    sb->wall_ms = wall_ms > 0 ? wall_ms : CV_LUA_WALL_MS_DEFAULT;
}

int cv_lua_sandbox_blocked(lua_State *L)
{
    return luaL_error(L, "%s is not available in the convene sandbox",
                      lua_tostring(L, lua_upvalueindex(1)));
}

static void set_blocked(lua_State *L, int table, const char *field, const char *shown)
{
    lua_pushstring(L, shown);
    lua_pushcclosure(L, cv_lua_sandbox_blocked, 1);
    lua_setfield(L, table, field);
}

/* A global that names a library the sandbox never opens: any use raises a clear error. */
static int blocked_index(lua_State *L)
{
    return luaL_error(L, "%s.%s is not available in the convene sandbox",
                      lua_tostring(L, lua_upvalueindex(1)), luaL_optstring(L, 2, "?"));
}

/* Writing into a read-only library view. */
static int readonly_newindex(lua_State *L)
{
    return luaL_error(L, "%s.%s cannot be changed in the convene sandbox",
                      lua_tostring(L, lua_upvalueindex(1)), luaL_optstring(L, 2, "?"));
}

static void set_blocked_library(lua_State *L, const char *name)
{
    lua_newtable(L);
    lua_newtable(L);
    lua_pushstring(L, name);
    lua_pushcclosure(L, blocked_index, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__index");
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setglobal(L, name);
}

/* load(chunk [, name [, mode [, env]]]): text only; a function chunk (which could feed bytecode
 * piecewise) is refused; env defaults to the sandbox's globals. */
static int sb_load(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    int env = !lua_isnoneornil(L, 4) ? 4 : 0;
    if (luaL_loadbufferx(L, text, len, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env) {
        lua_pushvalue(L, env);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

/* collectgarbage: only "count", "collect" and "step"; a script may not stop the collector. */
static int sb_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0) {
        lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) +
                              (lua_Number)lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
        return 1;
    }
    if (strcmp(opt, "collect") == 0 || strcmp(opt, "step") == 0) {
        lua_gc(L, strcmp(opt, "collect") == 0 ? LUA_GCCOLLECT : LUA_GCSTEP, 0);
        lua_pushinteger(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage('%s') is not available in the convene sandbox", opt);
}

/* string.rep with its result bounded before any byte is allocated. */
static int sb_rep(lua_State *L)
{
    size_t len, lsep;
    luaL_checklstring(L, 1, &len);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    double total = n > 0 ? (double)n * (double)len + (double)(n - 1) * (double)lsep : 0;
    if (total > CV_LUA_REP_MAX)
        return luaL_error(L, "string.rep would build %I bytes (at most %I)",
                          (lua_Integer)(total < 9e18 ? total : 9e18), (lua_Integer)CV_LUA_REP_MAX);
    if (n > (lua_Integer)CV_LUA_REP_MAX) /* empty pieces cost a step each all the same */
        return luaL_error(L, "string.rep of %I copies (at most %I)", n,
                          (lua_Integer)CV_LUA_REP_MAX);
    cv_lua_sandbox_charge(L, total / 64 + (double)(n > 0 ? n : 0) / 8);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* The quantifiers of a pattern (*, +, -, ? outside sets and escapes, and %b, which scans to its
 * closing delimiter from every start): each one can multiply the backtracking of Lua's matcher
 * by the subject's length. */
static int pattern_quantifiers(const char *p, size_t len)
{
    int q = 0, in_set = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%') {
            q += i + 1 < len && p[i + 1] == 'b';
            i++;
        } else if (in_set) {
            in_set = p[i] != ']';
        } else if (p[i] == '[') {
            in_set = 1;
            if (i + 1 < len && p[i + 1] == '^')
                i++;
            if (i + 1 < len && p[i + 1] == ']')
                i++;
        } else if (strchr("*+-?", p[i])) {
            q++;
        }
    }
    return q;
}

/* find, match, gmatch and gsub refuse a subject and pattern whose worst-case backtracking
 * (subject length to the power of quantifiers + 1, one less when anchored) is past the bound:
 * the count hook cannot interrupt C code, so the cost is bounded before the call. */
static int sb_pattern(lua_State *L)
{
    size_t ls, lp;
    luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int plain = lua_toboolean(L, 4) && lua_tointeger(L, lua_upvalueindex(2)) == 1;
    if (ls > CV_LUA_SUBJECT_MAX)
        return luaL_error(L, "pattern functions take subjects of at most %d bytes, not %I",
                          (int)CV_LUA_SUBJECT_MAX, (lua_Integer)ls);
    cv_lua_sandbox_charge(L, (double)(ls + lp) / 8);
    if (!plain && ls > 1) {
        int quantifiers = pattern_quantifiers(p, lp);
        double cost = pow((double)ls, quantifiers + (lp > 0 && p[0] == '^' ? 0 : 1));
        if (cost > CV_LUA_PATTERN_COST_MAX) {
            char msg[200];
            snprintf(msg, sizeof msg,
                     "pattern '%.40s' on %zu bytes is too costly (%d quantifiers); shorten the "
                     "subject or simplify the pattern",
                     p, ls, quantifiers);
            return luaL_error(L, "%s", msg);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* The string functions whose work grows with their arguments' lengths: charged a step per 16
 * bytes before they run, so a loop over big strings meets its budgets between two hooks. */
static int sb_linear(lua_State *L)
{
    size_t total = 0, len;
    for (int i = 1; i <= lua_gettop(L); i++)
        if (lua_type(L, i) == LUA_TSTRING) {
            lua_tolstring(L, i, &len);
            total += len;
        }
    cv_lua_sandbox_charge(L, (double)total / 16 + lua_gettop(L));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void wrap_string(lua_State *L, int strtab, const char *name, lua_CFunction fn, int kind)
{
    lua_getfield(L, strtab, name);
    lua_pushinteger(L, kind);
    lua_pushcclosure(L, fn, 2);
    lua_setfield(L, strtab, name);
}

/* Bounds the string library, removes string.dump, and protects the strings' metatable so that a
 * script can neither read it nor change string methods for the state. The global `string` a
 * script sees is a read-only view of the library. */
static void harden_string(lua_State *L)
{
    lua_getglobal(L, "string");
    int strtab = lua_gettop(L);
    set_blocked(L, strtab, "dump", "string.dump");
    wrap_string(L, strtab, "rep", sb_rep, 0);
    wrap_string(L, strtab, "find", sb_pattern, 1);
    wrap_string(L, strtab, "match", sb_pattern, 0);
    wrap_string(L, strtab, "gmatch", sb_pattern, 0);
    wrap_string(L, strtab, "gsub", sb_pattern, 0);
    const char *linear[] = {"format", "upper", "lower", "reverse", "byte", "char", "sub", NULL};
    for (const char **l = linear; *l; l++)
        wrap_string(L, strtab, *l, sb_linear, 0);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    lua_newtable(L); /* the read-only view */
    lua_newtable(L);
    lua_pushvalue(L, strtab);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "string");
    lua_pushcclosure(L, readonly_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_setglobal(L, "string");
    lua_pop(L, 1);
}

/* The elements a table function will touch, from its arguments: move(a, f, e) the range f..e;
 * concat(t, sep, i, j) and unpack(t, i, j) the range i..j (j = #t); insert, remove and sort the
 * whole length (through __len, which runs as Lua under the budget). */
static double table_range(lua_State *L, const char *name)
{
    if (strcmp(name, "move") == 0) {
        lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
        return e >= f ? (double)e - (double)f + 1 : 0;
    }
    int concat = strcmp(name, "concat") == 0, unpack = strcmp(name, "unpack") == 0;
    if (!concat && !unpack)
        return (double)luaL_len(L, 1);
    lua_Integer i = luaL_optinteger(L, concat ? 3 : 2, 1);
    lua_Integer j =
        lua_isnoneornil(L, concat ? 4 : 3) ? luaL_len(L, 1) : luaL_checkinteger(L, concat ? 4 : 3);
    return j >= i ? (double)j - (double)i + 1 : 0;
}

/* table.move/insert/remove/concat/unpack/sort with the range they touch bounded and charged to
 * the budget before the C loop runs (the count hook never sees inside it). */
static int sb_table(lua_State *L)
{
    const char *name = lua_tostring(L, lua_upvalueindex(2));
    double n = table_range(L, name);
    if (n > CV_LUA_RANGE_MAX)
        return luaL_error(L, "table.%s over %I elements (at most %d)", name,
                          (lua_Integer)(n < 9e18 ? n : 9e18), (int)CV_LUA_RANGE_MAX);
    cv_lua_sandbox_charge(L, strcmp(name, "sort") == 0 ? n * (log2(n + 1) + 1) : n);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static void harden_table(lua_State *L)
{
    lua_getglobal(L, "table");
    const char *names[] = {"move", "insert", "remove", "concat", "unpack", "sort", NULL};
    for (const char **n = names; *n; n++) {
        lua_getfield(L, -1, *n);
        lua_pushstring(L, *n);
        lua_pushcclosure(L, sb_table, 2);
        lua_setfield(L, -2, *n);
    }
    lua_pop(L, 1);
}

/* coroutine.create and coroutine.wrap install the budget hook in each new thread themselves, so
 * a loop inside a coroutine is counted like any other. */
static int sb_cocreate(lua_State *L)
{
    int wrap = (int)lua_tointeger(L, lua_upvalueindex(2));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    lua_State *co = NULL;
    if (!wrap) {
        co = lua_tothread(L, -1);
    } else if (lua_getupvalue(L, -1, 1)) { /* auxwrap keeps its thread as upvalue 1 */
        co = lua_tothread(L, -1);
        lua_pop(L, 1);
    }
    if (co)
        lua_sethook(co, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    return 1;
}

static void harden_coroutine(lua_State *L)
{
    lua_getglobal(L, "coroutine");
    const char *names[] = {"create", "wrap"};
    for (int i = 0; i < 2; i++) {
        lua_getfield(L, -1, names[i]);
        lua_pushinteger(L, i);
        lua_pushcclosure(L, sb_cocreate, 2);
        lua_setfield(L, -2, names[i]);
    }
    lua_pop(L, 1);
}

/* The message handler xpcall really installs. An error raised by the budget hook runs its
 * handler inside the hook, where Lua disables hooks: a looping handler would never be stopped.
 * Once the budget is spent, the script's handler is skipped and the message passes unchanged. */
static int sb_xpcall_handler(lua_State *L)
{
    if (cv_lua_sandbox_of(L)->spent)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sb_xpcall(lua_State *L)
{
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, sb_xpcall_handler, 1);
    lua_replace(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* setmetatable refuses __gc: finalizers run with hooks off, beyond the budget's reach. */
static int sb_setmetatable(lua_State *L)
{
    if (lua_istable(L, 2) && lua_getfield(L, 2, "__gc") != LUA_TNIL)
        return luaL_error(L, "__gc metamethods are not available in the convene sandbox");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

static void wrap_global(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_getglobal(L, name);
    lua_pushcclosure(L, fn, 1);
    lua_setglobal(L, name);
}

static int open_libraries(lua_State *L)
{
    const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                             {LUA_TABLIBNAME, luaopen_table},
                             {LUA_STRLIBNAME, luaopen_string},
                             {LUA_MATHLIBNAME, luaopen_math},
                             {LUA_UTF8LIBNAME, luaopen_utf8},
                             {LUA_COLIBNAME, luaopen_coroutine},
                             {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    const char *removed[] = {"dofile", "loadfile", "print", NULL};
    for (const char **r = removed; *r; r++) {
        lua_pushstring(L, *r);
        lua_pushcclosure(L, cv_lua_sandbox_blocked, 1);
        lua_setglobal(L, *r);
    }
    lua_register(L, "load", sb_load);
    wrap_global(L, "xpcall", sb_xpcall);
    wrap_global(L, "setmetatable", sb_setmetatable);
    lua_register(L, "collectgarbage", sb_collectgarbage);
    const char *libs_blocked[] = {"io", "os", "debug", "package", "require", NULL};
    for (const char **b = libs_blocked; *b; b++)
        set_blocked_library(L, *b);
    harden_string(L);
    harden_table(L);
    harden_coroutine(L);
    return 0;
}

static int open_protected(lua_State *L)
{
    return open_libraries(L);
}

int cv_lua_sandbox_new(size_t mem_cap, long budget, cv_lua_sandbox **out, cv_err *e)
{
    cv_lua_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb)
        return cv_err_set(e, CV_ENOMEM, "out of memory creating a Lua state");
    sb->cap = mem_cap ? mem_cap : CV_LUA_MEM_DEFAULT;
    sb->budget = budget > 0 ? budget : CV_LUA_BUDGET_DEFAULT;
    sb->wall_ms = CV_LUA_WALL_MS_DEFAULT;
    sb->remaining = (double)sb->budget;
    sb->deadline_ns = sb->cpu_left_ns = sb->cpu_end_ns = INT64_MAX;
    sb->L = lua_newstate(sb_alloc, sb);
    if (!sb->L) {
        free(sb);
        return cv_err_set(e, CV_ENOMEM, "out of memory creating a Lua state");
    }
    /* The hook is set on the main thread before any coroutine can exist. */
    lua_sethook(sb->L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    lua_pushcfunction(sb->L, open_protected);
    if (lua_pcall(sb->L, 0, 0, 0) != LUA_OK) {
        cv_err_set(e, CV_ENOMEM, "cannot open the Lua libraries: %s", lua_tostring(sb->L, -1));
        cv_lua_sandbox_free(sb);
        return e->code;
    }
    *out = sb;
    return 0;
}

void cv_lua_sandbox_free(cv_lua_sandbox *sb)
{
    if (!sb)
        return;
    lua_close(sb->L);
    free(sb);
}

lua_State *cv_lua_sandbox_state(cv_lua_sandbox *sb)
{
    return sb->L;
}

size_t cv_lua_sandbox_memory(const cv_lua_sandbox *sb)
{
    return sb->used;
}

int cv_lua_sandbox_load(cv_lua_sandbox *sb, const char *chunkname, const char *text, size_t len,
                        cv_err *e)
{
    if (luaL_loadbufferx(sb->L, text, len, chunkname, "t") != LUA_OK) {
        cv_err_set(e, CV_ESCRIPT, "%s", lua_tostring(sb->L, -1));
        lua_pop(sb->L, 1);
        return e->code;
    }
    return 0;
}

/* Adds the innermost script position to an error that has none (errors raised by C functions
 * called from Lua with a non-string value, say). */
static int message_handler(lua_State *L)
{
    if (!lua_isstring(L, 1)) {
        const char *tn = luaL_typename(L, 1);
        luaL_where(L, 1);
        lua_pushfstring(L, "error object is a %s value", tn);
        lua_concat(L, 2);
    }
    return 1;
}

int cv_lua_sandbox_call(cv_lua_sandbox *sb, int nargs, int nresults, cv_err *e)
{
    lua_State *L = sb->L;
    sb->remaining = (double)sb->budget;
    sb->deadline_ns = monotonic_ns() + (int64_t)sb->wall_ms * 1000000;
    sb->spent = sb->mem_failed = 0;
    sb->cpu_used_ns = 0;
    int base = lua_gettop(L) - nargs;
    if (sb->cpu_left_ns <= 0) { /* the CPU it may spend is spent before it starts */
        lua_settop(L, base - 1);
        sb->deadline_ns = INT64_MAX;
        return cv_err_set(e, CV_ELIMIT, "%s", sb->cpu_reason);
    }
    int64_t cpu0 = thread_cpu_ns();
    sb->cpu_end_ns = sb->cpu_left_ns == INT64_MAX ? INT64_MAX : cpu0 + sb->cpu_left_ns;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    sb->deadline_ns = sb->cpu_end_ns = INT64_MAX;
    sb->cpu_used_ns = thread_cpu_ns() - cpu0;
    sb->used -= sb->host_call; /* what the host held for this callback only */
    sb->host -= sb->host_call;
    sb->host_call = 0;
    if (rc == LUA_OK)
        return 0;
    const char *msg = lua_tostring(L, -1);
    if (sb->spent && rc == LUA_ERRMEM)
        msg = sb->reason; /* no room was left for the message itself */
    if (sb->spent && atomic_load(&sb->interrupted))
        cv_err_set(e, CV_EBUSY, "%s", msg ? msg : sb->reason);
    else if (sb->spent)
        cv_err_set(e, CV_ELIMIT, "%s", msg ? msg : sb->reason);
    else if (rc == LUA_ERRMEM || sb->mem_failed)
        cv_err_set(e, CV_ELIMIT, "memory cap of %zu MB exceeded%s%s", sb->cap >> 20,
                   msg && rc != LUA_ERRMEM ? ": " : "", msg && rc != LUA_ERRMEM ? msg : "");
    else
        cv_err_set(e, CV_ESCRIPT, "%s", msg ? msg : "error without a message");
    lua_pop(L, 1);
    sb->spent = 0;
    return e->code;
}
