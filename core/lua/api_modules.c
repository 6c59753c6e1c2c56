/* api_modules.c: the modules that fill the `convene` table, in order. A subsystem that adds to the
 * Lua API adds one line here; nothing else in core/lua knows it. */
#include <stddef.h>

#include "lua/api.h"
#include "lua/jobs.h"

const cv_lua_api_register_fn cv_lua_api_modules[] = {
    cv_lua_api_register_core,  cv_lua_api_register_write, cv_lua_api_register_campaign,
    cv_lua_api_register_elect, cv_lua_api_register_jobs,  NULL,
};
