/* campaign.c: convene.campaign and convene.phase, and the stepping of phases. Owns the
 * lua_campaigns and lua_phases rows; a phase only ever moves pending -> active -> done, one after
 * another. Definitions are copied out of the script's tables at load, so a script cannot change a
 * boundary behind the engine's back later. */
#include "lua/campaign.h"

#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/date.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "lua/api.h"
#include "store/journal.h"

#define PHASES_MAX 32

/* A {held=ORG} boundary may name the package's subtree or an organisation above it (Bắc Kạn
 * city's third phase ends with the province's congress); nothing else. */
static void visible_above_or_below(lua_State *L, const char *code)
{
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    cv_org o;
    cv_err e;
    int below = 0, above = 0;
    cv_lua_api_check(L, cv_org_get(cv_lua_pkg_store(p), code, &o, &e), &e);
    cv_lua_api_check(
        L, cv_org_in_subtree(cv_lua_pkg_store(p), cv_lua_pkg_root_id(p), o.id, &below, &e), &e);
    cv_lua_api_check(
        L, cv_org_in_subtree(cv_lua_pkg_store(p), o.id, cv_lua_pkg_root_id(p), &above, &e), &e);
    if (!below && !above)
        luaL_error(L, "convene.campaign: %s is neither in the subtree of %s nor above it", code,
                   cv_lua_pkg_root(p));
}

/* Copies a boundary (date string, {event=, org=} / {held=} / {all_held=, under=}, or function)
 * from the argument at idx into a fresh value on the stack, raising on anything else. */
static void copy_boundary(lua_State *L, int idx, const char *what)
{
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TSTRING) {
        cv_err e;
        if (cv_date_check(lua_tostring(L, idx), what, &e) < 0)
            luaL_error(L, "convene.campaign: %s", e.msg);
        lua_pushvalue(L, idx);
        return;
    }
    if (lua_type(L, idx) == LUA_TFUNCTION) {
        lua_pushvalue(L, idx);
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "convene.campaign: %s must be a date, a table or a function", what);
    const char *held = cv_lua_opt_field(L, idx, "held"), *under = cv_lua_opt_field(L, idx, "under");
    if (held)
        visible_above_or_below(L, held);
    if (under)
        cv_lua_api_org_in_scope(L, under);
    lua_newtable(L);
    const char *keys[] = {"event", "org", "held", "all_held", "under"};
    int kinds = 0;
    for (int i = 0; i < 5; i++) {
        const char *v = cv_lua_opt_field(L, idx, keys[i]);
        if (!v)
            continue;
        kinds += i == 0 || i == 2 || i == 3;
        lua_pushstring(L, v);
        lua_setfield(L, -2, keys[i]);
    }
    if (kinds != 1)
        luaL_error(L, "convene.campaign: %s needs exactly one of event, held, all_held", what);
}

/* convene.campaign{name=, title=, org=, phases={{name=, title=, starts=, ends=}, ...}} */
static int api_campaign(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!cv_lua_pkg_loading(cv_lua_pkg_of(L)))
        return luaL_error(L, "convene.campaign is declared while the package loads");
    const char *name = cv_lua_opt_field(L, 1, "name");
    const char *org = cv_lua_opt_field(L, 1, "org");
    if (!name || cv_text_code(name, "campaign name", &(cv_err){0}) < 0)
        return luaL_error(L, "convene.campaign needs a name (a code such as 'propaganda')");
    lua_createtable(L, 0, 5); /* the engine's copy */
    int c = lua_gettop(L);
    lua_pushstring(L, name);
    lua_setfield(L, c, "name");
    const char *title = cv_lua_opt_field(L, 1, "title");
    lua_pushstring(L, title ? title : name);
    lua_setfield(L, c, "title");
    org = org ? org : cv_lua_pkg_root(cv_lua_pkg_of(L));
    lua_pushinteger(L, cv_lua_api_org_in_scope(L, org));
    lua_setfield(L, c, "org_id");
    if (lua_getfield(L, 1, "phases") != LUA_TTABLE || lua_rawlen(L, -1) == 0 ||
        lua_rawlen(L, -1) > PHASES_MAX)
        return luaL_error(L, "convene.campaign: phases must be a list of 1 to %d phases",
                          PHASES_MAX);
    int src = lua_gettop(L);
    lua_Integer n = (lua_Integer)lua_rawlen(L, src);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, src, i) != LUA_TTABLE)
            return luaL_error(L, "convene.campaign: phase %d must be a table", (int)i);
        int ph = lua_gettop(L);
        lua_newtable(L);
        const char *pname = cv_lua_opt_field(L, ph, "name");
        const char *ptitle = cv_lua_opt_field(L, ph, "title");
        char number[24];
        snprintf(number, sizeof number, "%d", (int)i);
        lua_pushstring(L, pname ? pname : number);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, ptitle ? ptitle : (pname ? pname : number));
        lua_setfield(L, -2, "title");
        const char *keys[] = {"starts", "ends"};
        for (int k = 0; k < 2; k++)
            if (lua_getfield(L, ph, keys[k]) != LUA_TNIL) {
                copy_boundary(L, -1, keys[k]);
                lua_setfield(L, -3, keys[k]);
                lua_pop(L, 1);
            } else {
                lua_pop(L, 1);
            }
        lua_rawseti(L, -3, i);
        lua_pop(L, 1);
    }
    lua_setfield(L, c, "phases");
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.campaigns");
    lua_pushvalue(L, c);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    return 0;
}

/* convene.phase(campaign) -> name, ordinal of the active phase, or nil. */
static int api_phase(lua_State *L)
{
    const char *name = cv_lua_text(L, 1, "a campaign name", CV_CODE_MAX);
    cv_lua_pkg *p = cv_lua_pkg_of(L);
    cv_err e;
    sqlite3_stmt *st = cv_store_prepare(
        cv_lua_pkg_store(p),
        "SELECT ph.name, ph.ordinal FROM lua_phases ph JOIN lua_campaigns c ON c.id = "
        "ph.campaign_id WHERE c.package = ?1 AND c.name = ?2 AND ph.state = 'active'",
        &e);
    if (!st)
        return cv_lua_api_check(L, e.code, &e);
    sqlite3_bind_text(st, 1, cv_lua_pkg_name(p), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        lua_pushnil(L);
        return 1;
    }
    lua_pushstring(L, (const char *)sqlite3_column_text(st, 0));
    lua_pushinteger(L, sqlite3_column_int(st, 1));
    sqlite3_reset(st);
    return 2;
}

void cv_lua_api_register_campaign(lua_State *L, int t)
{
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "cv.campaigns");
    lua_pushcfunction(L, api_campaign);
    lua_setfield(L, t, "campaign");
    lua_pushcfunction(L, api_phase);
    lua_setfield(L, t, "phase");
}

static int push_campaigns(cv_lua_pkg *p)
{
    lua_State *L = cv_lua_pkg_state(p);
    lua_getfield(L, LUA_REGISTRYINDEX, "cv.campaigns");
    return (int)lua_rawlen(L, -1);
}

int cv_lua_campaign_count(cv_lua_pkg *p)
{
    int n = push_campaigns(p);
    lua_pop(cv_lua_pkg_state(p), 1);
    return n;
}

static int field_int(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    int v = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

static const char *field_str(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    const char *v = lua_tostring(L, -1);
    lua_pop(L, 1);
    return v;
}

static int sync_phases(cv_lua_pkg *p, int c, int64_t id, cv_err *e)
{
    lua_State *L = cv_lua_pkg_state(p);
    lua_getfield(L, c, "phases");
    int n = (int)lua_rawlen(L, -1), rc = 0;
    for (int i = 1; i <= n && rc == 0; i++) {
        lua_rawgeti(L, -1, i);
        sqlite3_stmt *st = cv_store_prepare(
            cv_lua_pkg_store(p),
            "INSERT INTO lua_phases(campaign_id, ordinal, name, title) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT(campaign_id, ordinal) DO UPDATE SET name = excluded.name, "
            "title = excluded.title",
            e);
        if (!st) {
            rc = e->code;
        } else {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int(st, 2, i);
            sqlite3_bind_text(st, 3, field_str(L, -1, "name"), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 4, field_str(L, -1, "title"), -1, SQLITE_TRANSIENT);
            rc = cv_store_exec(cv_lua_pkg_store(p), st, e);
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return rc;
}

int cv_lua_campaign_sync(cv_lua_pkg *p, cv_err *e)
{
    lua_State *L = cv_lua_pkg_state(p);
    int n = push_campaigns(p), list = lua_gettop(L), rc = 0;
    for (int i = 1; i <= n && rc == 0; i++) {
        lua_rawgeti(L, list, i);
        int c = lua_gettop(L);
        sqlite3_stmt *st = cv_store_prepare(
            cv_lua_pkg_store(p),
            "INSERT INTO lua_campaigns(package, name, org_id, title) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT(package, name) DO UPDATE SET org_id = excluded.org_id, "
            "title = excluded.title RETURNING id",
            e);
        if (!st) {
            rc = e->code;
        } else {
            sqlite3_bind_text(st, 1, cv_lua_pkg_name(p), -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, field_str(L, c, "name"), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 3, field_int(L, c, "org_id"));
            sqlite3_bind_text(st, 4, field_str(L, c, "title"), -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_ROW) {
                rc = cv_store_fail(cv_lua_pkg_store(p), "saving a campaign", e);
            } else {
                lua_pushinteger(L, sqlite3_column_int64(st, 0));
                lua_setfield(L, c, "id");
            }
            sqlite3_reset(st);
            if (rc == 0)
                rc = sync_phases(p, c, field_int(L, c, "id"), e);
        }
        lua_settop(L, list);
    }
    lua_pop(L, 1);
    return rc;
}

struct held_count {
    cv_store *s;
    const char *level; /* NULL: direct children */
    int total, held;
};

static int count_held(const cv_org *o, int depth, void *ctx)
{
    struct held_count *h = ctx;
    if (depth == 0 || (h->level ? strcmp(o->level, h->level) != 0 : depth != 1))
        return 0;
    cv_congress c;
    cv_err e;
    if (cv_congress_get(h->s, o->code, NULL, &c, &e) < 0)
        return 0;
    h->total++;
    h->held += strcmp(c.status, "held") == 0;
    return 0;
}

/* Whether a state-of-the-tree boundary holds now: {held=ORG} or {all_held=LEVEL|"children"}. */
static int tree_boundary(cv_lua_pkg *p, lua_State *L, int b, int64_t org_id, int *met, cv_err *e)
{
    const char *held = field_str(L, b, "held");
    cv_store *s = cv_lua_pkg_store(p);
    if (held) {
        cv_congress c;
        int rc = cv_congress_get(s, held, NULL, &c, e);
        *met = rc == 0 && strcmp(c.status, "held") == 0;
        return rc == CV_ENOTFOUND ? 0 : rc;
    }
    const char *all = field_str(L, b, "all_held"), *under = field_str(L, b, "under");
    cv_org root;
    if (!under) {
        if (cv_org_get_by_id(s, org_id, &root, e) < 0)
            return e->code;
        under = root.code;
    }
    struct held_count h = {s, strcmp(all, "children") == 0 ? NULL : all, 0, 0};
    if (cv_org_walk(s, under, h.level ? -1 : 1, count_held, &h, e) < 0)
        return e->code;
    *met = h.total > 0 && h.held == h.total;
    return 0;
}

/* Evaluates the boundary at stack index b: starting (a date is reached on its day) or ending (a
 * date is passed the day after). Event boundaries need ev; tree boundaries are looked at only on
 * a congress event or a tick. */
static int boundary_met(cv_lua_pkg *p, int b, int ending, int64_t org_id, const cv_lua_event *ev,
                        int *met, cv_err *e)
{
    lua_State *L = cv_lua_pkg_state(p);
    char today[11];
    cv_clock_today(today);
    *met = 0;
    switch (lua_type(L, b)) {
    case LUA_TNIL:
        *met = !ending;
        return 0;
    case LUA_TSTRING:
        *met =
            ending ? strcmp(today, lua_tostring(L, b)) > 0 : strcmp(today, lua_tostring(L, b)) >= 0;
        return 0;
    case LUA_TFUNCTION: {
        /* A failing boundary is recorded and counts as not met: the event is consumed and the
         * campaign waits for the next one (it never wedges the package's cursor). */
        cv_err be;
        lua_pushvalue(L, b);
        int rc = ev ? cv_lua_pkg_call_with_event(p, ev, 0, &be) : 0;
        if (!ev) {
            lua_pushnil(L);
            rc = cv_lua_pkg_call_hook(p, 1, 0, &be);
        }
        if (rc < 0 && cv_store_faulted(be.code))
            return cv_err_set(e, be.code, "%s", be.msg); /* undone and retried, not skipped */
        if (rc < 0) {
            char what[200], cause[120] = "the day's tick";
            if (ev)
                snprintf(cause, sizeof cause, "event %lld %s", (long long)ev->id, ev->type);
            snprintf(what, sizeof what, "%s boundary of a campaign phase, %s",
                     ending ? "ending" : "starting", cause);
            cv_lua_pkg_failed(p, what, &be);
            return 0;
        }
        *met = lua_toboolean(L, -1);
        lua_pop(L, 1);
        return 0;
    }
    default:
        break;
    }
    const char *event = field_str(L, b, "event");
    if (event) {
        const char *org = field_str(L, b, "org");
        *met = ev && strcmp(ev->type, event) == 0 && (!org || strcmp(org, ev->org) == 0);
        return 0;
    }
    if (ev && strncmp(ev->type, "congress.", 9) != 0)
        return 0;
    return tree_boundary(p, L, b, org_id, met, e);
}

static int phase_row(cv_lua_pkg *p, int64_t campaign, int *ordinal, int *active, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(cv_lua_pkg_store(p),
                                        "SELECT ordinal, state = 'active' FROM lua_phases WHERE "
                                        "campaign_id = ?1 AND state <> 'done' ORDER BY ordinal "
                                        "LIMIT 1",
                                        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, campaign);
    int rc = sqlite3_step(st);
    *ordinal = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    *active = rc == SQLITE_ROW && sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? 0
               : cv_store_fail(cv_lua_pkg_store(p), "reading phases", e);
}

/* Moves phase ordinal of the campaign at stack index c to active or done, with its event. */
static int transition(cv_lua_pkg *p, int c, int ph, int ordinal, int start, cv_err *e)
{
    lua_State *L = cv_lua_pkg_state(p);
    char today[11];
    cv_clock_today(today);
    sqlite3_stmt *st = cv_store_prepare(
        cv_lua_pkg_store(p),
        start ? "UPDATE lua_phases SET state = 'active', started_on = ?3 WHERE campaign_id = ?1 "
                "AND ordinal = ?2"
              : "UPDATE lua_phases SET state = 'done', ended_on = ?3 WHERE campaign_id = ?1 AND "
                "ordinal = ?2",
        e);
    if (!st)
        return e->code;
    sqlite3_bind_int64(st, 1, field_int(L, c, "id"));
    sqlite3_bind_int(st, 2, ordinal);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_TRANSIENT);
    if (cv_store_exec(cv_lua_pkg_store(p), st, e) < 0)
        return e->code;
    json_t *data = json_pack("{s:s, s:s, s:s, s:i, s:s}", "package", cv_lua_pkg_name(p), "campaign",
                             field_str(L, c, "name"), "phase", field_str(L, ph, "name"), "ordinal",
                             ordinal, "title", field_str(L, ph, "title"));
    char line[256];
    snprintf(line, sizeof line, "%s %s/%s", start ? "phase.started" : "phase.ended",
             field_str(L, c, "name"), field_str(L, ph, "name"));
    cv_lua_pkg_emit(p, "phase", line);
    return cv_journal_emit(cv_lua_pkg_store(p), start ? "phase.started" : "phase.ended",
                           field_int(L, c, "org_id"), data, NULL, e);
}

/* Steps one campaign (at stack index c) as far as its boundaries allow. */
static int step_one(cv_lua_pkg *p, int c, const cv_lua_event *ev, cv_err *e)
{
    lua_State *L = cv_lua_pkg_state(p);
    int64_t id = field_int(L, c, "id");
    for (int guard = 0; guard <= 2 * PHASES_MAX; guard++) {
        int ordinal, active, met, rc;
        if ((rc = phase_row(p, id, &ordinal, &active, e)) < 0 || ordinal == 0)
            return rc;
        int top = lua_gettop(L);
        lua_getfield(L, c, "phases");
        lua_rawgeti(L, -1, ordinal);
        int ph = lua_gettop(L);
        lua_getfield(L, ph, active ? "ends" : "starts");
        if (!active && ordinal > 1) { /* a later phase starts when the one before ends */
            lua_pop(L, 1);
            lua_pushnil(L);
        }
        rc = boundary_met(p, lua_gettop(L), active, field_int(L, c, "org_id"), ev, &met, e);
        if (rc == 0 && met)
            rc = transition(p, c, ph, ordinal, !active, e);
        lua_settop(L, top);
        if (rc < 0 || !met || cv_lua_pkg_suspended(p))
            return rc;
        ev = NULL; /* one event moves across one boundary */
    }
    return 0;
}

int cv_lua_campaign_step(cv_lua_pkg *p, const cv_lua_event *ev, cv_err *e)
{
    lua_State *L = cv_lua_pkg_state(p);
    int top = lua_gettop(L), n = push_campaigns(p), rc = 0;
    for (int i = 1; i <= n && rc == 0; i++) {
        lua_rawgeti(L, top + 1, i);
        rc = step_one(p, lua_gettop(L), ev, e);
        lua_settop(L, top + 1);
    }
    lua_settop(L, top);
    return rc;
}
