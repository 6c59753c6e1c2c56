/* bench_lua.c: events per second through a trivial Lua hook in a convene package, each batch's
 * hook calls committed with the package's cursor (exactly once), on a real SQLite file; and, with
 * "peer" as its first argument, the same handler run by stock Lua (a plain lua_State) over the
 * same event tables. Both sides are timed by the same clock (CLOCK_MONOTONIC, wall time). Built
 * and run by run.sh; prints "convene_events_per_s N" or "lua_events_per_s N". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "base/clock.h"
#include "domain/org.h"
#include "domain/term.h"
#include "lua/package.h"
#include "lua/registry.h"
#include "store/journal.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const cv_err *e)
{
    fprintf(stderr, "bench_lua: %s\n", e->msg);
    return 1;
}

/* bench_lua peer N PEER.LUA HANDLER.LUA: stock Lua runs peer.lua, which calls the handler N times. */
static int peer(int n, const char *script, const char *handler)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_createtable(L, 2, 0);
    lua_pushstring(L, handler);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, n);
    lua_rawseti(L, -2, 2);
    lua_setglobal(L, "arg");
    if (luaL_loadfile(L, script) != LUA_OK) {
        fprintf(stderr, "bench_lua: %s\n", lua_tostring(L, -1));
        return 1;
    }
    double t0 = seconds();
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        fprintf(stderr, "bench_lua: %s\n", lua_tostring(L, -1));
        return 1;
    }
    printf("lua_events_per_s %.0f\n", n / (seconds() - t0));
    lua_close(L);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "peer") == 0)
        return peer(atoi(argv[2]), argv[3], argv[4]);
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char db[512], pkg[512], init[600];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    snprintf(pkg, sizeof pkg, "%s/pkg", dir);
    snprintf(init, sizeof init, "%s/init.lua", pkg);
    cv_clock_fix(1590112800000); /* 2020-05-22 09:00 in Vietnam */
    cv_store *s;
    cv_err e;
    cv_org root = {.members = 1};
    snprintf(root.code, sizeof root.code, "R");
    snprintf(root.name, sizeof root.name, "Root");
    snprintf(root.level, sizeof root.level, "district");
    if (cv_store_open(db, CV_STORE_CREATE, &s, &e) < 0 || cv_term_seed(s, &e) < 0 ||
        cv_org_add(s, &root, NULL, &e) < 0 || cv_lua_reg_add(s, "bench", pkg, "R", NULL, &e) < 0)
        return die(&e);
    cv_store_begin(s, &e);
    for (int i = 0; i < n; i++)
        if (cv_journal_emit(s, "bench.tick", root.id, json_pack("{s:i}", "i", i), NULL, &e) < 0)
            return die(&e);
    if (cv_store_commit(s, &e) < 0)
        return die(&e);
    cv_lua_pkg_options opt = {.name = "bench", .path = pkg, .org = "R"};
    cv_lua_pkg *p;
    if (cv_lua_pkg_load(s, &opt, &p, &e) < 0)
        return die(&e);
    double t0 = seconds();
    int handled, total = 0, failed = 0;
    do {
        int f = 0;
        if (cv_lua_pkg_dispatch(p, &handled, &f, &e) < 0)
            return die(&e);
        total += handled;
        failed += f;
    } while (handled > 0);
    double t = seconds() - t0;
    int64_t cursor, last;
    cv_journal_cursor_get(s, "lua:bench", &cursor, &e);
    cv_journal_last_id(s, &last, &e);
    if (total != n || failed || cursor != last) {
        fprintf(stderr, "bench_lua: handled %d of %d (%d failed), cursor %lld of %lld\n", total, n,
                failed, (long long)cursor, (long long)last);
        return 1;
    }
    printf("convene_events_per_s %.0f\n", n / t);
    cv_lua_pkg_free(p);
    cv_store_close(s);
    return 0;
}
