/* api_elect.c: convene.elections for packages: open an election in the package's subtree
 * (cv_election_open, contracts.md) and read one. It never counts, announces or approves: those
 * stay with the vote-counting committee's commands. */
#include <lauxlib.h>

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
    cv_lua_api_org_in_scope(L, spec.org);
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
    cv_lua_api_check(L, cv_election_open(cv_lua_pkg_store(cv_lua_pkg_of(L)), &spec, &id, &e), &e);
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

void cv_lua_api_register_elect(lua_State *L, int t)
{
    lua_newtable(L);
    lua_pushcfunction(L, api_election_open);
    lua_setfield(L, -2, "open");
    lua_pushcfunction(L, api_election_get);
    lua_setfield(L, -2, "get");
    lua_setfield(L, t, "elections");
}
