/* api_write.c: the changing half of the `convene` table: organisations, congresses and work items
 * created or changed through the domain functions (which keep every invariant and emit every
 * event). Each write first passes the permission check of the operation it matches
 * (cv_lua_api_permit: the package as itself, with the office role over its own subtree), so it
 * never changes anything outside that subtree; it writes only inside a hook, where the change
 * commits with the package's cursor. Each call is a savepoint of its own (cv_lua_api_write_begin),
 * so a call that fails changes nothing. */
#include <lauxlib.h>
#include <string.h>

#include "domain/congress.h"
#include "domain/org.h"
#include "domain/work.h"
#include "lua/api.h"
#include "lua/package.h"

static cv_store *store_of(lua_State *L)
{
    return cv_lua_pkg_store(cv_lua_pkg_of(L));
}

/* convene.add_org{code=, name=, level=, parent=, kind=, members=}: parent must be in the subtree.
 */
static int api_add_org(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    const char *code = cv_lua_opt_field(L, 1, "code"), *name = cv_lua_opt_field(L, 1, "name");
    const char *level = cv_lua_opt_field(L, 1, "level"), *parent = cv_lua_opt_field(L, 1, "parent");
    const char *kind = cv_lua_opt_field(L, 1, "kind");
    if (!code || !name || !level || !parent)
        return luaL_error(L, "convene.add_org needs code, name, level and parent");
    cv_lua_api_permit_code(L, "org.add", parent);
    cv_org in = {0};
    snprintf(in.code, sizeof in.code, "%s", code);
    snprintf(in.name, sizeof in.name, "%s", name);
    snprintf(in.level, sizeof in.level, "%s", level);
    snprintf(in.kind, sizeof in.kind, "%s", kind ? kind : "");
    snprintf(in.parent_code, sizeof in.parent_code, "%s", parent);
    in.members = cv_lua_int_field(L, 1, "members", 0);
    cv_err e;
    int64_t id;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_org_add(store_of(L), &in, &id, &e), &e);
    lua_pushinteger(L, id);
    return 1;
}

/* convene.update_org(code, {name=, kind=, members=}) */
static int api_update_org(lua_State *L)
{
    const char *code = cv_lua_text(L, 1, "an organisation code", CV_CODE_MAX);
    luaL_checktype(L, 2, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    cv_lua_api_permit_code(L, "org.set", code);
    const char *name = cv_lua_opt_field(L, 2, "name"), *kind = cv_lua_opt_field(L, 2, "kind");
    int64_t members = cv_lua_int_field(L, 2, "members", -1);
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_org_update(store_of(L), code, name, kind, members, &e), &e);
    return 0;
}

static int tristate(lua_State *L, int t, const char *key)
{
    int type = lua_getfield(L, t, key);
    lua_pop(L, 1);
    return type == LUA_TNIL ? -1 : cv_lua_bool_field(L, t, key, 0);
}

static void congress_spec(lua_State *L, const char *op, cv_congress_spec *spec)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    spec->org = cv_lua_opt_field(L, 1, "org");
    if (!spec->org)
        luaL_error(L, "a congress needs its org");
    cv_lua_api_permit_code(L, op, spec->org);
    spec->term = cv_lua_opt_field(L, 1, "term");
    spec->ordinal = cv_lua_opt_field(L, 1, "ordinal");
    spec->kind = cv_lua_opt_field(L, 1, "kind");
    spec->start = cv_lua_opt_field(L, 1, "start");
    spec->end = cv_lua_opt_field(L, 1, "finish");
    spec->pilot = tristate(L, 1, "pilot");
    spec->direct_secretary = tristate(L, 1, "direct_secretary");
    spec->summoned = cv_lua_int_field(L, 1, "summoned", -1);
    spec->present = cv_lua_int_field(L, 1, "present", -1);
}

/* convene.plan_congress{org=, ordinal=, term=, kind=, start=, finish=, pilot=, direct_secretary=}
 */
static int api_plan_congress(lua_State *L)
{
    cv_congress_spec spec = {0};
    congress_spec(L, "congress.plan", &spec);
    if (!spec.ordinal)
        return luaL_error(L, "convene.plan_congress needs its ordinal");
    cv_err e;
    int64_t id;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_congress_plan(store_of(L), &spec, &id, &e), &e);
    lua_pushinteger(L, id);
    return 1;
}

/* convene.set_congress{org=, ...}: the fields given change, the others stay. */
static int api_set_congress(lua_State *L)
{
    cv_congress_spec spec = {0};
    congress_spec(L, "congress.set", &spec);
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_congress_set(store_of(L), &spec, &e), &e);
    return 0;
}

/* convene.prepare_congress(org [, term]) */
static int api_prepare_congress(lua_State *L)
{
    const char *org = cv_lua_text(L, 1, "an organisation code", CV_CODE_MAX);
    cv_lua_pkg_write_begin(L);
    cv_lua_api_permit_code(L, "congress.prepare", org);
    const char *term = cv_lua_opt_text(L, 2, "a term code", CV_CODE_MAX);
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_congress_prepare(store_of(L), org, term, &e), &e);
    return 0;
}

/* convene.hold_congress{org=, on=DATE, to=DATE, override=REASON, term=} */
static int api_hold_congress(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    const char *org = cv_lua_opt_field(L, 1, "org"), *on = cv_lua_opt_field(L, 1, "on");
    if (!org || !on)
        return luaL_error(L, "convene.hold_congress needs org and on");
    cv_lua_api_permit_code(L, "congress.held", org);
    const char *term = cv_lua_opt_field(L, 1, "term"), *to = cv_lua_opt_field(L, 1, "to");
    const char *override = cv_lua_opt_field(L, 1, "override");
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_congress_mark_held(store_of(L), org, term, on, to, override, &e),
                         &e);
    return 0;
}

/* convene.add_work{org=, title=, group=, subcommittee=, unit=, person=, due=, budget=} -> id */
static int api_add_work(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    cv_work_spec w = {0};
    w.org = cv_lua_opt_field(L, 1, "org");
    w.title = cv_lua_opt_field(L, 1, "title");
    w.group = cv_lua_opt_field(L, 1, "group");
    if (!w.org || !w.title || !w.group)
        return luaL_error(L, "convene.add_work needs org, title and group");
    cv_lua_api_permit_code(L, "work.add", w.org);
    w.term = cv_lua_opt_field(L, 1, "term");
    w.subcommittee = cv_lua_opt_field(L, 1, "subcommittee");
    w.unit = cv_lua_opt_field(L, 1, "unit");
    w.person = cv_lua_opt_field(L, 1, "person");
    w.due = cv_lua_opt_field(L, 1, "due");
    w.budget = cv_lua_int_field(L, 1, "budget", 0);
    cv_err e;
    int64_t id;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_work_add(store_of(L), &w, &id, &e), &e);
    lua_pushinteger(L, id);
    return 1;
}

/* Raises unless the package may run op on work item id. */
static void work_permit(lua_State *L, const char *op, int64_t id)
{
    cv_work_item w;
    cv_err e;
    cv_lua_api_check(L, cv_work_get(store_of(L), id, &w, &e), &e);
    cv_lua_api_permit(L, op, w.org_id);
}

/* convene.done_work(id [, date]) */
static int api_done_work(lua_State *L)
{
    int64_t id = luaL_checkinteger(L, 1);
    cv_lua_pkg_write_begin(L);
    work_permit(L, "work.done", id);
    const char *date = cv_lua_opt_text(L, 2, "a date", 10);
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_work_done(store_of(L), id, date, &e), &e);
    return 0;
}

/* convene.assign_work(id, {unit=, person=}) */
static int api_assign_work(lua_State *L)
{
    int64_t id = luaL_checkinteger(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    cv_lua_pkg_write_begin(L);
    work_permit(L, "work.assign", id);
    const char *unit = cv_lua_opt_field(L, 2, "unit"), *person = cv_lua_opt_field(L, 2, "person");
    cv_err e;
    cv_lua_api_write_begin(L);
    cv_lua_api_write_end(L, cv_work_assign(store_of(L), id, unit, person, &e), &e);
    return 0;
}

void cv_lua_api_register_write(lua_State *L, int t)
{
    const luaL_Reg fns[] = {{"add_org", api_add_org},
                            {"update_org", api_update_org},
                            {"plan_congress", api_plan_congress},
                            {"set_congress", api_set_congress},
                            {"prepare_congress", api_prepare_congress},
                            {"hold_congress", api_hold_congress},
                            {"add_work", api_add_work},
                            {"done_work", api_done_work},
                            {"assign_work", api_assign_work},
                            {NULL, NULL}};
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, t, f->name);
    }
}
