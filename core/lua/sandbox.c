/* sandbox.c: the guest's lua_State. Owns the capped allocator, the instruction budget (a count
 * hook that keeps raising once the budget is spent), the library set and the bounded wrappers of
 * string.rep and the pattern functions. It must never open io, os, debug, package, string.dump
 * or a bytecode loader, and never let a script reach the real string metatable. */
#include "lua/sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOOK_COUNT 1000 /* instructions between two looks at the budget */

struct cv_lua_sandbox {
    lua_State *L;
    size_t used, cap;
    long budget, remaining;
    int spent;      /* the budget of the current callback is gone: raise on every hook */
    int mem_failed; /* an allocation was refused since the callback began */
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

/* Raises the budget error at the script's current line. Once spent, the hook fires on every
 * instruction of every thread, so a pcall that catches the error gets one more instruction at
 * most before the next raise: the callback unwinds to the host. */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    cv_lua_sandbox *sb = cv_lua_sandbox_of(L);
    if (!sb->spent) {
        sb->remaining -= lua_gethookcount(L) > 0 ? lua_gethookcount(L) : 1;
        if (sb->remaining > 0)
            return;
        sb->spent = 1;
    }
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    lua_Debug d;
    if (lua_getstack(L, 0, &d) && lua_getinfo(L, "Sl", &d) && d.currentline > 0)
        luaL_error(L, "%s:%d: instruction budget of %I exhausted", d.short_src, d.currentline,
                   (lua_Integer)sb->budget);
    luaL_error(L, "instruction budget of %I exhausted", (lua_Integer)sb->budget);
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
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* The quantifiers of a pattern (*, +, -, ? outside sets and escapes): each one can multiply the
 * backtracking of Lua's matcher by the subject's length. */
static int pattern_quantifiers(const char *p, size_t len)
{
    int q = 0, in_set = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '%') {
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
    sb->remaining = sb->budget;
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
    sb->remaining = sb->budget;
    sb->spent = sb->mem_failed = 0;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    int rc = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_COUNT);
    if (rc == LUA_OK)
        return 0;
    const char *msg = lua_tostring(L, -1);
    if (sb->spent)
        cv_err_set(e, CV_ELIMIT, "%s", msg ? msg : "instruction budget exhausted");
    else if (rc == LUA_ERRMEM || sb->mem_failed)
        cv_err_set(e, CV_ELIMIT, "memory cap of %zu MB exceeded%s%s", sb->cap >> 20,
                   msg && rc != LUA_ERRMEM ? ": " : "", msg && rc != LUA_ERRMEM ? msg : "");
    else
        cv_err_set(e, CV_ESCRIPT, "%s", msg ? msg : "error without a message");
    lua_pop(L, 1);
    sb->spent = 0;
    return e->code;
}
