/* fuzz_lua_args.c: libFuzzer target for the argument checks of the Lua API (core/lua/api*.c).
 * The input picks a function of the `convene` table (or of one of its sub-tables, such as
 * convene.elections) and builds its arguments: nil, booleans, integers (any 64 bits), floats,
 * strings of any bytes, and tables whose fields carry the names the API reads. The call runs as
 * a hook (writes allowed) inside a transaction rolled back after it, against a store holding one
 * district with a congress. A refusal is a Lua error; a crash, a sanitizer report or a leak is a
 * bug. */
#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/date.h"
#include "domain/congress.h"
#include "domain/org.h"
#include "domain/term.h"
#include "lua/package.h"
#include "store/store.h"

#define FNS_MAX 128

static cv_store *store;
static cv_lua_pkg *pkg;
static char *fns[FNS_MAX][2]; /* table (NULL: convene itself) and function name */
static int nfns;

/* The field names the API reads from its table arguments. */
static const char *const keys[] = {
    "code",
    "name",
    "level",
    "parent",
    "kind",
    "members",
    "org",
    "ordinal",
    "term",
    "start",
    "finish",
    "pilot",
    "direct_secretary",
    "summoned",
    "present",
    "on",
    "to",
    "override",
    "title",
    "group",
    "subcommittee",
    "unit",
    "person",
    "due",
    "budget",
    "depth",
    "under",
    "total",
    "ex_officio",
    "minimum",
    "method",
    "body",
    "seats",
    "id",
    "subject",
    "channel",
    "at",
    "after",
    "every",
    "before",
    "while",
    "data",
    "type",
    "limit",
};

struct input {
    const uint8_t *p;
    size_t n;
};

static unsigned take(struct input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static void push_value(lua_State *L, struct input *in, int depth);

static void push_table(lua_State *L, struct input *in, int depth)
{
    unsigned fields = take(in) % 8;
    lua_createtable(L, 0, (int)fields);
    for (unsigned i = 0; i < fields && in->n > 0; i++) {
        unsigned k = take(in);
        if (k & 0x80) /* an array slot */
            lua_pushinteger(L, (lua_Integer)(k & 0x7f));
        else
            lua_pushstring(L, keys[k % (sizeof keys / sizeof keys[0])]);
        push_value(L, in, depth + 1);
        lua_rawset(L, -3);
    }
}

static void push_value(lua_State *L, struct input *in, int depth)
{
    unsigned tag = take(in) % (depth < 3 ? 7 : 6);
    switch (tag) {
    case 0:
        lua_pushnil(L);
        break;
    case 1:
        lua_pushboolean(L, take(in) & 1);
        break;
    case 2: {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | take(in);
        lua_pushinteger(L, (lua_Integer)v);
        break;
    }
    case 3:
        lua_pushinteger(L, (lua_Integer)take(in) - 8);
        break;
    case 4: {
        size_t len = take(in);
        if (len > in->n)
            len = in->n;
        lua_pushlstring(L, (const char *)in->p, len);
        in->p += len;
        in->n -= len;
        break;
    }
    case 5: {
        double d;
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | take(in);
        memcpy(&d, &v, sizeof d);
        lua_pushnumber(L, d);
        break;
    }
    default:
        push_table(L, in, depth);
    }
}

/* Lists the functions of the table on the top of the stack (prefix: its name in convene). */
static void list_functions(lua_State *L, const char *table)
{
    lua_pushnil(L);
    while (lua_next(L, -2) != 0 && nfns < FNS_MAX) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_isfunction(L, -1)) {
            fns[nfns][0] = table ? strdup(table) : NULL;
            fns[nfns][1] = strdup(lua_tostring(L, -2));
            nfns++;
        } else if (!table && lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
            char *name = strdup(lua_tostring(L, -2));
            list_functions(L, name);
            free(name);
        }
        lua_pop(L, 1);
    }
}

/* Sorts the function list so that a byte of input always picks the same function. */
static int by_name(const void *a, const void *b)
{
    char *const *x = a, *const *y = b;
    int c = strcmp(x[0] ? x[0] : "", y[0] ? y[0] : "");
    return c ? c : strcmp(x[1], y[1]);
}

static void setup(void)
{
    char path[64] = "/tmp/cv-fuzz-lua-XXXXXX", dir[64] = "/tmp/cv-fuzz-pkg-XXXXXX";
    cv_err e;
    int64_t ms;
    int fd = mkstemp(path);
    if (fd < 0 || !mkdtemp(dir))
        abort();
    close(fd);
    unlink(path);
    cv_date_parse_instant("2020-05-22T09:00", CV_TZ_VIETNAM_MIN, &ms, "now", &e);
    cv_clock_fix(ms);
    cv_org r = {.level = "district", .code = "R", .name = "R"};
    cv_congress_spec c = {.org = "R",
                          .ordinal = "XXII",
                          .summoned = -1,
                          .present = -1,
                          .pilot = -1,
                          .direct_secretary = -1};
    char init[96];
    snprintf(init, sizeof init, "%s/init.lua", dir);
    FILE *f = fopen(init, "w");
    cv_actor fuzzer = {.kind = CV_ACTOR_ACCOUNT}; /* every event names its actor (issue 10) */
    snprintf(fuzzer.name, sizeof fuzzer.name, "fuzz");
    if (!f || fclose(f) != 0 || cv_store_open(path, CV_STORE_CREATE, &store, &e) < 0)
        abort();
    cv_store_set_actor(store, &fuzzer);
    if (cv_store_begin(store, &e) < 0 || cv_term_seed(store, &e) < 0 ||
        cv_org_add(store, &r, NULL, &e) < 0 || cv_congress_plan(store, &c, NULL, &e) < 0 ||
        cv_store_commit(store, &e) < 0)
        abort();
    cv_lua_pkg_options opt = {.name = "fuzz", .path = dir, .org = "R"};
    if (cv_lua_pkg_load(store, &opt, &pkg, &e) < 0)
        abort();
    lua_State *L = cv_lua_pkg_state(pkg);
    lua_getglobal(L, "convene");
    list_functions(L, NULL);
    lua_pop(L, 1);
    qsort(fns, (size_t)nfns, sizeof fns[0], by_name);
    unlink(init);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pkg)
        setup();
    struct input in = {data, size};
    lua_State *L = cv_lua_pkg_state(pkg);
    int top = lua_gettop(L);
    unsigned pick = take(&in) % (unsigned)nfns;
    lua_getglobal(L, "convene");
    if (fns[pick][0])
        lua_getfield(L, -1, fns[pick][0]);
    lua_getfield(L, -1, fns[pick][1]);
    int nargs = (int)(take(&in) % 4);
    for (int i = 0; i < nargs; i++)
        push_value(L, &in, 0);
    cv_err e;
    if (cv_store_begin(store, &e) < 0)
        abort();
    (void)cv_lua_pkg_call_hook(pkg, nargs, 1, &e);
    cv_store_rollback(store);
    lua_settop(L, top);
    return 0;
}
