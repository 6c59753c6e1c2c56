/* api.c: the `convene` table and its reading half: organisations, congresses and work items of
 * the package's subtree, hooks (convene.on), notifications (convene.notify, through the outbox),
 * configuration, logging and the clock. It never shows anything outside the package's subtree and
 * never writes outside a hook's transaction. */
#include "lua/api.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/work.h"
#include "lua/package.h"
#include "store/outbox.h"

#define JSON_DEPTH_MAX 32

int cv_lua_api_check(lua_State *L, int rc, const cv_err *e)
{
    if (rc < 0)
        luaL_error(L, "%s", e->msg[0] ? e->msg : cv_strerror(rc));
    return rc;
}

void cv_lua_api_id_in_scope(lua_State *L, int64_t id)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    cv_err e;
    int yes = 0;
    cv_lua_api_check(L, cv_org_in_subtree(cv_lua_pkg_store(p), cv_lua_pkg_root_id(p), id, &yes, &e),
                     &e);
    if (!yes) {
        cv_org o;
        const char *code = cv_org_get_by_id(cv_lua_pkg_store(p), id, &o, &e) == 0 ? o.code : "?";
        luaL_error(L, "organisation %s is outside the subtree of %s that package %s may see", code,
                   cv_lua_pkg_root(p), cv_lua_pkg_name(p));
    }
}

int64_t cv_lua_api_org_in_scope(lua_State *L, const char *code)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    cv_org o;
    cv_err e;
    cv_lua_api_check(L, cv_org_get(cv_lua_pkg_store(p), code, &o, &e), &e);
    cv_lua_api_id_in_scope(L, o.id);
    return o.id;
}

/* The returned string must outlive the pop, so it has to live in the argument table itself: the
 * field is read raw (an __index function could hand back a string nothing else holds), and a
 * number is stored back as the string it became (lua_tostring's string lives only on the stack;
 * found by fuzz_lua_args as a use after free in convene.work_items{org = 1}). */
const char *cv_lua_opt_field(lua_State *L, int t, const char *key)
{
    t = lua_absindex(L, t);
    lua_pushstring(L, key);
    int type = lua_rawget(L, t);
    const char *v = NULL;
    if (type == LUA_TNUMBER) {
        lua_tostring(L, -1);
        lua_pushstring(L, key);
        lua_pushvalue(L, -2);
        lua_rawset(L, t);
    }
    if (type == LUA_TSTRING || type == LUA_TNUMBER)
        v = lua_tostring(L, -1);
    else if (type != LUA_TNIL)
        luaL_error(L, "field '%s' must be a string, not a %s", key, lua_typename(L, type));
    lua_pop(L, 1);
    return v;
}

int64_t cv_lua_int_field(lua_State *L, int t, const char *key, int64_t dflt)
{
    int type = lua_getfield(L, t, key);
    int64_t v = dflt;
    if (type != LUA_TNIL) {
        int ok;
        v = lua_tointegerx(L, -1, &ok);
        if (!ok)
            luaL_error(L, "field '%s' must be an integer", key);
    }
    lua_pop(L, 1);
    return v;
}

int cv_lua_bool_field(lua_State *L, int t, const char *key, int dflt)
{
    int type = lua_getfield(L, t, key);
    int v = type == LUA_TNIL ? dflt : lua_toboolean(L, -1);
    if (type != LUA_TNIL && type != LUA_TBOOLEAN)
        luaL_error(L, "field '%s' must be true or false", key);
    lua_pop(L, 1);
    return v;
}

void cv_lua_push_json(lua_State *L, const json_t *j)
{
    luaL_checkstack(L, 4, "JSON too deep");
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        lua_createtable(L, 0, (int)json_object_size(j));
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            cv_lua_push_json(L, v);
            lua_setfield(L, -2, k);
        }
        break;
    }
    case JSON_ARRAY: {
        lua_createtable(L, (int)json_array_size(j), 0);
        for (size_t i = 0; i < json_array_size(j); i++) {
            cv_lua_push_json(L, json_array_get(j, i));
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(j));
        break;
    case JSON_REAL:
        lua_pushnumber(L, json_real_value(j));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        lua_pushboolean(L, json_is_true(j));
        break;
    default:
        lua_pushnil(L);
    }
}

/* Raises on what cannot become JSON (too deep, a key that is not a string, a function) before
 * anything is allocated, so that no half-built JSON is left behind by the error's longjmp
 * (found by fuzz_json: 40 nested lists leaked every level). */
static void check_json(lua_State *L, int idx, int depth)
{
    if (depth > JSON_DEPTH_MAX)
        luaL_error(L, "a table given to convene is nested more than %d levels", JSON_DEPTH_MAX);
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
    case LUA_TBOOLEAN:
    case LUA_TNUMBER:
    case LUA_TSTRING:
        return;
    case LUA_TTABLE:
        break;
    default:
        luaL_error(L, "a %s cannot be stored or sent", luaL_typename(L, idx));
    }
    luaL_checkstack(L, 4, "table too deep");
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        check_json(L, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
    if (n > 0)
        return;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "a table given to convene must have string keys or be a list");
        check_json(L, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
    }
}

/* Builds the JSON of a value check_json accepted; raises nothing. */
static json_t *to_json(lua_State *L, int idx)
{
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        return lua_isinteger(L, idx) ? json_integer(lua_tointeger(L, idx))
                                     : json_real(lua_tonumber(L, idx));
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        return json_stringn(s, len);
    }
    case LUA_TTABLE:
        break;
    default:
        return json_null();
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > 0) {
        json_t *a = json_array();
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, i);
            json_array_append_new(a, to_json(L, lua_gettop(L)));
            lua_pop(L, 1);
        }
        return a;
    }
    json_t *o = json_object();
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        json_object_set_new(o, lua_tostring(L, -2), to_json(L, lua_gettop(L)));
        lua_pop(L, 1);
    }
    return o;
}

json_t *cv_lua_to_json(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    check_json(L, idx, 0);
    return to_json(L, idx);
}

/* Pushes j (stolen) as a Lua value, or raises on NULL. */
static void push_owned(lua_State *L, json_t *j)
{
    if (!j)
        luaL_error(L, "out of memory");
    cv_lua_push_json(L, j);
    json_decref(j);
}

/* convene.org(code) -> table | nil */
static int api_org(lua_State *L)
{
    const char *code = luaL_checkstring(L, 1);
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    cv_org o;
    cv_err e;
    int rc = cv_org_get(cv_lua_pkg_store(p), code, &o, &e);
    if (rc == CV_ENOTFOUND) {
        lua_pushnil(L);
        return 1;
    }
    cv_lua_api_check(L, rc, &e);
    cv_lua_api_id_in_scope(L, o.id);
    push_owned(L, cv_org_json(&o));
    return 1;
}

struct walk_ctx {
    lua_State *L;
    const char *level;
    int n, congresses;
};

static int walk_push(const cv_org *o, int depth, void *ctx)
{
    (void)depth;
    struct walk_ctx *w = ctx;
    if (w->level && strcmp(w->level, o->level) != 0)
        return 0;
    if (!w->congresses) {
        push_owned(w->L, cv_org_json(o));
    } else {
        cv_congress c;
        cv_err e;
        int rc = cv_congress_get(cv_lua_pkg_store(cv_lua_pkg_of(w->L)), o->code, NULL, &c, &e);
        if (rc == CV_ENOTFOUND)
            return 0;
        cv_lua_api_check(w->L, rc, &e);
        push_owned(w->L, cv_congress_json(&c));
    }
    lua_rawseti(w->L, -2, ++w->n);
    return 0;
}

/* convene.orgs{under=CODE, level=L, depth=N} and convene.congresses{...}: a list, parents first. */
static int walk(lua_State *L, int congresses)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *under = cv_lua_opt_field(L, 1, "under");
    struct walk_ctx w = {L, cv_lua_opt_field(L, 1, "level"), 0, congresses};
    int depth = (int)cv_lua_int_field(L, 1, "depth", -1);
    if (under)
        cv_lua_api_org_in_scope(L, under);
    lua_newtable(L);
    cv_err e;
    cv_lua_api_check(L,
                     cv_org_walk(cv_lua_pkg_store(p), under ? under : cv_lua_pkg_root(p), depth,
                                 walk_push, &w, &e),
                     &e);
    return 1;
}

static int api_orgs(lua_State *L)
{
    return walk(L, 0);
}

static int api_congresses(lua_State *L)
{
    return walk(L, 1);
}

/* convene.congress(org [, term]) -> table | nil */
static int api_congress(lua_State *L)
{
    const char *org = luaL_checkstring(L, 1);
    const char *term = luaL_optstring(L, 2, NULL);
    cv_lua_api_org_in_scope(L, org);
    cv_congress c;
    cv_err e;
    int rc = cv_congress_get(cv_lua_pkg_store(cv_lua_pkg_of(L)), org, term, &c, &e);
    if (rc == CV_ENOTFOUND) {
        lua_pushnil(L);
        return 1;
    }
    cv_lua_api_check(L, rc, &e);
    push_owned(L, cv_congress_json(&c));
    return 1;
}

static int work_push(const cv_work_item *w, void *ctx)
{
    lua_State *L = ctx;
    push_owned(L, cv_work_json(w));
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    return 0;
}

/* convene.work_items{org=CODE, group=G, overdue=true, open=true} -> list */
static int api_work_items(lua_State *L)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_work_filter f = {0};
    f.org = cv_lua_opt_field(L, 1, "org");
    f.group = cv_lua_opt_field(L, 1, "group");
    f.subcommittee = cv_lua_opt_field(L, 1, "subcommittee");
    f.overdue = cv_lua_bool_field(L, 1, "overdue", 0);
    f.open_only = cv_lua_bool_field(L, 1, "open", 0);
    if (f.org)
        cv_lua_api_org_in_scope(L, f.org);
    else
        f.org = cv_lua_pkg_root(p);
    lua_newtable(L);
    cv_err e;
    cv_lua_api_check(L, cv_work_list(cv_lua_pkg_store(p), &f, work_push, L, &e), &e);
    return 1;
}

/* convene.on(event_type, fn): fn(event) runs once per matching journal event; "*" matches all. */
static int api_on(lua_State *L)
{
    const char *type = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (strlen(type) == 0 || strlen(type) >= 64)
        return luaL_error(L, "convene.on: an event type has 1 to 63 characters");
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    if (lua_getfield(L, -1, type) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, type);
    }
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    return 0;
}

/* A default idempotency key: stable for the same cause (the event or day being handled), the
 * same channel, recipient and subject. */
static void default_key(lua_State *L, const char *channel, const char *to, const char *subject,
                        char *buf, size_t cap)
{
    uint64_t h = 1469598103934665603u;
    for (const unsigned char *c = (const unsigned char *)subject; *c; c++)
        h = (h ^ *c) * 1099511628211u;
    const char *cause = cv_lua_pkg_cause(cv_lua_pkg_of(L));
    snprintf(buf, cap, "lua:%s:%s:%s:%s:%016llx", cv_lua_pkg_name(cv_lua_pkg_of(L)), cause, channel,
             to, (unsigned long long)h);
}

/* convene.notify{to=ADDR, subject=S, body=B, channel="log", key=K} -> true if queued, false if
 * the key was already queued. Only inside a hook: the notification commits with its cause. */
static int api_notify(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    cv_notification n = {0};
    n.channel = cv_lua_opt_field(L, 1, "channel");
    n.recipient = cv_lua_opt_field(L, 1, "to");
    n.subject = cv_lua_opt_field(L, 1, "subject");
    n.body = cv_lua_opt_field(L, 1, "body");
    n.key = cv_lua_opt_field(L, 1, "key");
    if (!n.channel)
        n.channel = "log";
    if (!n.recipient || !n.subject)
        return luaL_error(L, "convene.notify needs 'to' and 'subject'");
    if (!n.body)
        n.body = "";
    if (strlen(n.subject) > 1000 || strlen(n.body) > 100000 || strlen(n.recipient) > 500)
        return luaL_error(L, "convene.notify: subject, body or recipient too long");
    char key[512];
    if (!n.key) {
        default_key(L, n.channel, n.recipient, n.subject, key, sizeof key);
        n.key = key;
    }
    cv_err e;
    int rc = cv_outbox_put(cv_lua_pkg_store(cv_lua_pkg_of(L)), &n, &e);
    cv_lua_api_check(L, rc, &e);
    char line[1200];
    snprintf(line, sizeof line, "%s -> %s [%s]: %s", n.channel, n.recipient, rc ? "queued" : "dup",
             n.subject);
    cv_lua_pkg_emit(cv_lua_pkg_of(L), "notify", line);
    lua_pushboolean(L, rc == 1);
    return 1;
}

/* convene.log(msg [, level]) with level "info" (default), "warn" or "error". */
static int api_log(lua_State *L)
{
    const char *msg = luaL_checkstring(L, 1);
    const char *level = luaL_optstring(L, 2, "info");
    if (strcmp(level, "info") && strcmp(level, "warn") && strcmp(level, "error"))
        return luaL_error(L, "convene.log: level must be info, warn or error");
    char kind[16];
    snprintf(kind, sizeof kind, "log.%s", level);
    cv_lua_pkg_emit(cv_lua_pkg_of(L), kind, msg);
    return 0;
}

static int api_today(lua_State *L)
{
    char today[11];
    cv_clock_today(today);
    lua_pushstring(L, today);
    return 1;
}

static int api_now(lua_State *L)
{
    lua_pushinteger(L, cv_clock_now());
    return 1;
}

/* convene.has(name): whether the API offers convene[name] (modules bound later, elections). */
static int api_has(lua_State *L)
{
    luaL_checkstring(L, 1);
    lua_rawget(L, lua_upvalueindex(1));
    lua_pushboolean(L, !lua_isnil(L, -1));
    return 1;
}

void cv_lua_api_register_core(lua_State *L, int t)
{
    const luaL_Reg fns[] = {{"org", api_org},
                            {"orgs", api_orgs},
                            {"congress", api_congress},
                            {"congresses", api_congresses},
                            {"work_items", api_work_items},
                            {"on", api_on},
                            {"notify", api_notify},
                            {"log", api_log},
                            {"today", api_today},
                            {"now", api_now},
                            {NULL, NULL}};
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, t, f->name);
    }
    lua_pushvalue(L, t);
    lua_pushcclosure(L, api_has, 1);
    lua_setfield(L, t, "has");
}

static int api_unknown(lua_State *L)
{
    return luaL_error(L, "convene.%s is not part of the API", luaL_optstring(L, 2, "?"));
}

void cv_lua_api_open(lua_State *L)
{
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "cv.hooks");
    lua_newtable(L);
    int t = lua_gettop(L);
    for (const cv_lua_api_register_fn *m = cv_lua_api_modules; *m; m++)
        (*m)(L, t);
    lua_newtable(L);
    lua_pushcfunction(L, api_unknown);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, t);
    lua_setglobal(L, "convene");
}
