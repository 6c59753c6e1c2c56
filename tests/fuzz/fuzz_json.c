/* fuzz_json.c: libFuzzer target for the JSON the store hands back (journal event data, job
 * arguments, package configuration): the text is decoded as the store decodes it (json_loads,
 * flags 0), turned into the Lua table a hook receives (cv_lua_push_json) and back into JSON
 * (cv_lua_to_json), inside the sandbox's protected call so that depth and memory limits raise
 * Lua errors. A value that comes back once must come back the same a second time. */
#include <jansson.h>
#include <lua.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua/api.h"
#include "lua/sandbox.h"

static cv_lua_sandbox *sb;

/* Inside the protected call: the JSON at upvalue-free light userdata 1, pushed and read back. */
static int round_trip(lua_State *L)
{
    json_t **io = lua_touserdata(L, 1);
    cv_lua_push_json(L, io[0]);
    io[1] = cv_lua_to_json(L, -1);
    return 0;
}

/* The value j becomes after one trip through Lua, or NULL when the trip was refused. */
static json_t *through_lua(json_t *j)
{
    lua_State *L = cv_lua_sandbox_state(sb);
    json_t *io[2] = {j, NULL};
    cv_err e;
    lua_pushcfunction(L, round_trip);
    lua_pushlightuserdata(L, io);
    if (cv_lua_sandbox_call(sb, 1, 0, &e) < 0) {
        json_decref(io[1]);
        return NULL;
    }
    return io[1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cv_err e;
    if (!sb && cv_lua_sandbox_new(0, 0, &sb, &e) < 0)
        abort();
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, size, 0, &jerr);
    if (!j)
        return 0;
    json_t *once = through_lua(j);
    json_t *twice = once ? through_lua(once) : NULL;
    if (once && (!twice || !json_equal(once, twice)))
        abort();
    json_decref(twice);
    json_decref(once);
    json_decref(j);
    return 0;
}
