/* api_elect.c: convene.elections for packages: open an election in the package's subtree
 * (cv_election_open, contracts.md), read one, and allocate delegates with a named method or
 * the package's own. It never counts, announces or approves: those
 * stay with the vote-counting committee's commands. */
#include <lauxlib.h>

#include "elect/allocate.h"
#include "elect/election.h"
#include "lua/api.h"
#include "lua/package.h"

#define CANDIDATES_MAX 200

/* convene.elections.open{org=, body=, seats=, candidates={PERSON, ...}, term=} -> id */
static int api_election_open(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    cv_election_spec spec = {0};
    spec.org = cv_lua_opt_field(L, 1, "org");
    spec.body = cv_lua_opt_field(L, 1, "body");
    spec.term = cv_lua_opt_field(L, 1, "term");
    spec.seats = cv_lua_int_field(L, 1, "seats", 0);
    if (!spec.org || !spec.body)
        return luaL_error(L, "convene.elections.open needs org and body");
    cv_lua_api_permit_code(L, "election.create", spec.org);
    const char *codes[CANDIDATES_MAX];
    if (lua_getfield(L, 1, "candidates") != LUA_TTABLE)
        return luaL_error(L, "convene.elections.open needs candidates = {PERSON, ...}");
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n < 1 || n > CANDIDATES_MAX)
        return luaL_error(L, "convene.elections.open: 1 to %d candidates", CANDIDATES_MAX);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        codes[i - 1] = lua_tostring(L, -1); /* the candidates table keeps it alive */
        lua_pop(L, 1);
        if (!codes[i - 1])
            return luaL_error(L, "convene.elections.open: candidates are person codes");
    }
    spec.candidates = codes;
    spec.count = (int)n;
    int64_t id;
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_election_open(cv_lua_pkg_store(cv_lua_pkg_of(L)), &spec, &id, &e),
                         &e);
    lua_pushinteger(L, id);
    return 1;
}

/* convene.elections.get(id) -> table (the election with its candidates) */
static int api_election_get(lua_State *L)
{
    int64_t id = luaL_checkinteger(L, 1);
    cv_store *s = cv_lua_pkg_store(cv_lua_pkg_of(L));
    cv_election el;
    cv_err e;
    json_t *j;
    cv_lua_api_check(L, cv_election_get(s, id, &el, &e), &e);
    cv_lua_api_id_in_scope(L, el.org_id);
    cv_lua_api_check(L, cv_election_json(s, id, &j, &e), &e);
    cv_lua_push_json(L, j);
    json_decref(j);
    return 1;
}

/* Pushes t[i + 1], else t[code], raw: no metamethod of the script's runs here. */
static void pick(lua_State *L, int t, int i, const char *code)
{
    if (lua_rawgeti(L, t, i + 1) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushstring(L, code);
        lua_rawget(L, t);
    }
}

/* Reads the method's results (seats at index 1, explanations at 2) into u, raising on a wrong
 * value: called inside the protected call, so an error never jumps over the caller's frees. */
static void read_results(lua_State *L, cv_alloc_unit *u, int n)
{
    if (!lua_istable(L, 1))
        luaL_error(L, "an allocation method returns the seats as a table");
    for (int i = 0; i < n; i++) {
        int ok;
        pick(L, 1, i, u[i].code);
        u[i].seats = lua_tointegerx(L, -1, &ok);
        lua_pop(L, 1);
        if (!ok)
            luaL_error(L, "the allocation method gave %s no whole number of seats", u[i].code);
        const char *why = NULL;
        if (lua_istable(L, 2)) {
            pick(L, 2, i, u[i].code);
            why = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        }
        snprintf(u[i].why, sizeof u[i].why, "%s", why ? why : "set by the package's method");
        lua_settop(L, 2);
    }
}

/* Inside lua_pcall (fn, units pointer, n, seats): builds the units table, calls fn and reads its
 * results into the units, so a memory error or a raising value is caught like the method's own
 * errors. */
static int call_method(lua_State *L)
{
    cv_alloc_unit *u = lua_touserdata(L, 2);
    int n = (int)lua_tointeger(L, 3);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, u[i].code);
        lua_setfield(L, -2, "org");
        lua_pushstring(L, u[i].name);
        lua_setfield(L, -2, "name");
        lua_pushinteger(L, u[i].members);
        lua_setfield(L, -2, "members");
        lua_rawseti(L, -2, i + 1);
    }
    lua_replace(L, 2);
    lua_remove(L, 3);
    lua_call(L, 2, 2);
    read_results(L, u, n);
    return 0;
}

/* A Lua allocation method: fn(units, seats) returns the seats of each unit (a list in the order
 * of units, or a table keyed by code) and optionally their explanations likewise. ctx is the
 * lua_State with fn on top; nothing here raises, so the C side always frees its units. */
static int lua_method(void *ctx, const cv_alloc_request *r, cv_alloc_unit *u, int n, cv_err *e)
{
    lua_State *L = ctx;
    int fn = lua_gettop(L);
    if (!lua_checkstack(L, 8))
        return cv_err_set(e, CV_ENOMEM, "out of Lua stack");
    lua_pushcfunction(L, call_method);
    lua_pushvalue(L, fn);
    lua_pushlightuserdata(L, u);
    lua_pushinteger(L, n);
    lua_pushinteger(L, r->total - r->ex_officio);
    int rc = 0;
    if (lua_pcall(L, 4, 0, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        rc = cv_err_set(e, CV_ESCRIPT, "allocation method: %s", msg ? msg : "error");
    }
    lua_settop(L, fn);
    return rc;
}

/* convene.elections.allocate{org=, total=, ex_officio=, minimum=, method=NAME|function} -> the
 * allocation as `convene allocate --json` shows it (read-only: nothing is stored). */
static int api_allocate(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *org = cv_lua_opt_field(L, 1, "org");
    if (!org)
        return luaL_error(L, "convene.elections.allocate needs org");
    cv_lua_api_org_in_scope(L, org);
    cv_alloc_request r = {cv_lua_int_field(L, 1, "total", 0),
                          cv_lua_int_field(L, 1, "ex_officio", 0),
                          cv_lua_int_field(L, 1, "minimum", 0)};
    cv_store *s = cv_lua_pkg_store(cv_lua_pkg_of(L));
    json_t *out = NULL;
    cv_err e;
    int rc;
    if (lua_getfield(L, 1, "method") == LUA_TFUNCTION) {
        rc = cv_alloc_run_with(s, org, "lua", lua_method, L, &r, &out, &e);
    } else {
        const char *name = lua_tostring(L, -1);
        rc = cv_alloc_run(s, org, name, &r, &out, &e);
    }
    lua_pop(L, 1);
    cv_lua_api_check(L, rc, &e);
    cv_lua_push_json(L, out);
    json_decref(out);
    return 1;
}

void cv_lua_api_register_elect(lua_State *L, int t)
{
    lua_newtable(L);
    lua_pushcfunction(L, api_election_open);
    lua_setfield(L, -2, "open");
    lua_pushcfunction(L, api_election_get);
    lua_setfield(L, -2, "get");
    lua_pushcfunction(L, api_allocate);
    lua_setfield(L, -2, "allocate");
    lua_setfield(L, t, "elections");
}
