/* api.h: the `convene` table a package sees. Each module of the API registers its functions with
 * one function of type cv_lua_api_register_fn, listed once in api_modules.c; a subsystem that
 * adds to the API (the scheduler's convene.every, the elections) writes such a function and adds
 * one line there. Every function checks that what it reads or changes lies in the package's
 * subtree (the same rule as the HTTP API's scopes). */
#ifndef CV_LUA_API_H
#define CV_LUA_API_H

#include <jansson.h>
#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Adds functions to the convene table at stack index t (absolute). */
typedef void (*cv_lua_api_register_fn)(lua_State *L, int t);

/* The NULL-terminated list of modules (api_modules.c). */
extern const cv_lua_api_register_fn cv_lua_api_modules[];

/* Builds the convene table with every module and sets it as a global; unknown fields of it raise
 * "convene.X is not part of the API" (what `script check` reports as misuse). */
void cv_lua_api_open(lua_State *L);

/* The modules of core/lua. */
void cv_lua_api_register_core(lua_State *L, int t);
void cv_lua_api_register_write(lua_State *L, int t);
void cv_lua_api_register_campaign(lua_State *L, int t);
void cv_lua_api_register_elect(lua_State *L, int t);

/* Raises a Lua error carrying e's message when rc < 0; returns rc otherwise. */
int cv_lua_api_check(lua_State *L, int rc, const cv_err *e);

/* One write call of a package (convene.add_org, ...) runs in a savepoint of its own inside the
 * hook's transaction: begin opens it just before the domain function, end releases it when rc is
 * 0 and rolls it back otherwise, so a call that fails half-way leaves nothing even when the
 * script pcall()s it, then raises as cv_lua_api_check. Nothing between the two may raise: read
 * the script's arguments before begin. */
void cv_lua_api_write_begin(lua_State *L);
int cv_lua_api_write_end(lua_State *L, int rc, cv_err *e);

/* Raises unless the organisation code lies in the package's subtree; returns its id. */
int64_t cv_lua_api_org_in_scope(lua_State *L, const char *code);

/* Raises unless the organisation id lies in the package's subtree. */
void cv_lua_api_id_in_scope(lua_State *L, int64_t id);

/* A write's permission: raises unless the package, as itself (kind package, the `office` role
 * over its own subtree and nothing outside it), may run operation op (its roles in the
 * operations table) at organisation org_id, checked by cv_ops_permit as for every front end. */
void cv_lua_api_permit(lua_State *L, const char *op, int64_t org_id);

/* The same for an organisation's code; returns its id. */
int64_t cv_lua_api_permit_code(lua_State *L, const char *op, const char *code);

#define CV_LUA_JSON_NODES_MAX 100000 /* values in one table converted to JSON */

/* Converts between JSON and Lua values (objects <-> tables, arrays <-> sequences). to_json
 * raises (having freed what it built) on values JSON cannot hold, on nesting past 32 levels
 * (cycles included) and past CV_LUA_JSON_NODES_MAX values. */
void cv_lua_push_json(lua_State *L, const json_t *j);
json_t *cv_lua_to_json(lua_State *L, int idx);

#define CV_LUA_FIELD_MAX 100000 /* bytes of any text argument */
#define CV_LUA_LOG_MAX   4000   /* bytes of a log line */

/* A text argument at idx: raises unless it is a string (or number) of at most max bytes of valid
 * UTF-8; what names it in the error. _opt returns NULL for none or nil. */
const char *cv_lua_text(lua_State *L, int idx, const char *what, size_t max);
const char *cv_lua_opt_text(lua_State *L, int idx, const char *what, size_t max);

/* Optional fields of an argument table: NULL / dflt when absent; raise on a wrong type (and on
 * text past CV_LUA_FIELD_MAX bytes or not valid UTF-8). */
const char *cv_lua_opt_field(lua_State *L, int t, const char *key);
int64_t cv_lua_int_field(lua_State *L, int t, const char *key, int64_t dflt);
int cv_lua_bool_field(lua_State *L, int t, const char *key, int dflt);

#endif
