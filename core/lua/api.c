/* api.c: the `convene` table and its reading half: organisations, congresses and work items of
 * the package's subtree, hooks (convene.on), notifications (convene.notify, through the outbox),
 * configuration, logging and the clock. It never shows anything outside the package's subtree and
 * never writes outside a hook's transaction. */
#include "lua/api.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "base/clock.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/work.h"
#include "lua/package.h"
#include "ops/ops.h"
#include "store/outbox.h"

#define JSON_DEPTH_MAX 32

int cv_lua_api_check(lua_State *L, int rc, const cv_err *e)
{
    if (cv_store_faulted(rc))
        cv_lua_pkg_store_failed(cv_lua_pkg_of(L));
    if (rc < 0)
        luaL_error(L, "%s", e->msg[0] ? e->msg : cv_strerror(rc));
    return rc;
}

void cv_lua_api_write_begin(lua_State *L)
{
    cv_err e;
    cv_lua_api_check(L, cv_store_begin(cv_lua_pkg_store(cv_lua_pkg_of(L)), &e), &e);
}

int cv_lua_api_write_end(lua_State *L, int rc, cv_err *e)
{
    cv_store *s = cv_lua_pkg_store(cv_lua_pkg_of(L));
    if (rc == 0)
        rc = cv_store_commit(s, e);
    if (rc < 0)
        cv_store_rollback(s);
    return cv_lua_api_check(L, rc, e);
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

void cv_lua_api_permit(lua_State *L, const char *op, int64_t org_id)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    cv_store *s = cv_lua_pkg_store(p);
    const cv_op *o = cv_ops_find(op);
    cv_actor a;
    cv_err e;
    cv_lua_pkg_actor(p, &a);
    int rc = cv_ops_permit(s, &a, o ? o->roles : CV_ROLE_OFFICE, org_id, op, &e);
    if (rc != CV_EPERM)
        return (void)cv_lua_api_check(L, rc, &e);
    int inside = 0;
    cv_err ignored;
    cv_org org;
    cv_org_in_subtree(s, cv_lua_pkg_root_id(p), org_id, &inside, &ignored);
    if (inside)
        luaL_error(L, "%s", e.msg);
    const char *code = cv_org_get_by_id(s, org_id, &org, &ignored) == 0 ? org.code : "?";
    luaL_error(L, "organisation %s is outside the subtree of %s that package %s may change (%s)",
               code, cv_lua_pkg_root(p), cv_lua_pkg_name(p), e.msg);
}

int64_t cv_lua_api_permit_code(lua_State *L, const char *op, const char *code)
{
    cv_org o;
    cv_err e;
    cv_lua_api_check(L, cv_org_get(cv_lua_pkg_store(cv_lua_pkg_of(L)), code, &o, &e), &e);
    cv_lua_api_permit(L, op, o.id);
    return o.id;
}

/* Raises unless s[0..len) is at most max bytes of valid UTF-8 without NUL. */
static void check_text(lua_State *L, const char *s, size_t len, size_t max, const char *what)
{
    if (len > max)
        luaL_error(L, "%s has %I bytes, at most %I", what, (lua_Integer)len, (lua_Integer)max);
    cv_lua_sandbox_charge(L, (double)len / 16);
    utf8proc_int32_t cp;
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || cp == 0)
            luaL_error(L, "%s is not valid UTF-8 text (byte %I)", what, (lua_Integer)i + 1);
        i += (size_t)n;
    }
}

const char *cv_lua_text(lua_State *L, int idx, const char *what, size_t max)
{
    size_t len;
    const char *v = luaL_checklstring(L, idx, &len);
    check_text(L, v, len, max, what);
    return v;
}

const char *cv_lua_opt_text(lua_State *L, int idx, const char *what, size_t max)
{
    return lua_isnoneornil(L, idx) ? NULL : cv_lua_text(L, idx, what, max);
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
    if (type == LUA_TSTRING || type == LUA_TNUMBER) {
        size_t len;
        v = lua_tolstring(L, -1, &len);
        char what[80];
        snprintf(what, sizeof what, "field '%.40s'", key);
        check_text(L, v, len, CV_LUA_FIELD_MAX, what);
    } else if (type != LUA_TNIL) {
        luaL_error(L, "field '%s' must be a string, not a %s", key, lua_typename(L, type));
    }
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

/* Converting a Lua value to JSON never raises while a partial result is held: an error is
 * written to err and NULL returned, every partial value freed on the way up; cv_lua_to_json
 * raises only once nothing is left to free. */
typedef struct json_conv {
    lua_State *L;
    long nodes;
    char err[160];
} json_conv;

static json_t *to_json(json_conv *c, int idx, int depth);

static json_t *conv_fail(json_conv *c, json_t *partial, const char *msg)
{
    json_decref(partial);
    if (!c->err[0])
        snprintf(c->err, sizeof c->err, "%s", msg);
    return NULL;
}

static json_t *table_to_json(json_conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > 0) {
        json_t *a = json_array();
        for (lua_Integer i = 1; a && i <= n; i++) {
            lua_rawgeti(L, idx, i);
            json_t *v = to_json(c, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
            if (!v || json_array_append_new(a, v) < 0)
                return conv_fail(c, a, "out of memory");
        }
        return a ? a : conv_fail(c, NULL, "out of memory");
    }
    json_t *o = json_object();
    if (!o)
        return conv_fail(c, NULL, "out of memory");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            return conv_fail(c, o, "a table given to convene must have string keys or be a list");
        }
        json_t *v = to_json(c, lua_gettop(L), depth + 1);
        if (!v || json_object_set_new(o, lua_tostring(L, -2), v) < 0) {
            lua_pop(L, 2);
            return conv_fail(c, o, "out of memory");
        }
        lua_pop(L, 1);
    }
    return o;
}

static json_t *to_json(json_conv *c, int idx, int depth)
{
    lua_State *L = c->L;
    if (depth > JSON_DEPTH_MAX)
        return conv_fail(c, NULL,
                         "a table given to convene is nested more than 32 levels (or "
                         "holds a cycle)");
    if (++c->nodes > CV_LUA_JSON_NODES_MAX)
        return conv_fail(c, NULL, "a table given to convene holds more than 100000 values");
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        return lua_isinteger(L, idx) ? json_integer(lua_tointeger(L, idx))
                                     : json_real(lua_tonumber(L, idx));
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        json_t *j = json_stringn(s, len);
        return j ? j : conv_fail(c, NULL, "a string given to convene is not valid UTF-8");
    }
    case LUA_TTABLE:
        if (!lua_checkstack(L, 4))
            return conv_fail(c, NULL, "a table given to convene is nested too deep");
        return table_to_json(c, idx, depth);
    default: {
        char msg[80];
        snprintf(msg, sizeof msg, "a %s cannot be stored or sent", luaL_typename(L, idx));
        return conv_fail(c, NULL, msg);
    }
    }
}

json_t *cv_lua_to_json(lua_State *L, int idx)
{
    json_conv c = {L, 0, ""};
    json_t *j = to_json(&c, lua_absindex(L, idx), 0);
    if (!j)
        luaL_error(L, "%s", c.err[0] ? c.err : "out of memory");
    return j;
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
    const char *code = cv_lua_text(L, 1, "an organisation code", CV_CODE_MAX);
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
    const char *org = cv_lua_text(L, 1, "an organisation code", CV_CODE_MAX);
    const char *term = cv_lua_opt_text(L, 2, "a term code", CV_CODE_MAX);
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
    const char *type = cv_lua_text(L, 1, "convene.on's event type", 63);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (strlen(type) == 0)
        return luaL_error(L, "convene.on: an event type has 1 to 63 characters");
    cv_lua_pkg_count(L, CV_LUA_COUNT_HOOK);
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
    cv_lua_pkg_count(L, CV_LUA_COUNT_NOTIFY);
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
    if (strlen(n.subject) > 1000 || strlen(n.body) > 100000 || strlen(n.recipient) > 500 ||
        strlen(n.channel) > 32 || (n.key && strlen(n.key) > 200))
        return luaL_error(L, "convene.notify: at most 32 bytes of channel, 200 of key, 500 of "
                             "'to', 1000 of subject and 100000 of body");
    char key[512];
    if (!n.key) {
        default_key(L, n.channel, n.recipient, n.subject, key, sizeof key);
        n.key = key;
    }
    /* The row stays in the callback's transaction until its batch commits: the package's. */
    cv_lua_sandbox_hold(L,
                        CV_LUA_HELD_ROW + strlen(n.channel) + strlen(n.recipient) +
                            strlen(n.subject) + strlen(n.body) + strlen(n.key),
                        1);
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
    const char *msg = cv_lua_text(L, 1, "convene.log's message", CV_LUA_LOG_MAX);
    const char *level = luaL_optstring(L, 2, "info");
    cv_lua_pkg_count(L, CV_LUA_COUNT_LOG);
    if (strcmp(level, "info") && strcmp(level, "warn") && strcmp(level, "error"))
        return luaL_error(L, "convene.log: level must be info, warn or error");
    cv_lua_sandbox_hold(L, CV_LUA_HELD_ROW + strlen(msg), 1); /* the line being logged */
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
