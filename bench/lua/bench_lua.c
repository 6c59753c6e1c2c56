/* bench_lua.c: events per second through a trivial Lua hook in a convene package, each batch's
 * hook calls committed with the package's cursor (exactly once), on a real SQLite file: called
 * directly ("convene_events_per_s") and through the package's worker thread as the daemon runs it
 * ("worker_events_per_s"); with "peer" as its first argument, the same handler run by stock Lua (a
 * plain lua_State) over the same event tables, timed by the same clock (CLOCK_MONOTONIC). Then an
 * honest package's events per second and p99 latency (commit of an event to its hook's commit)
 * while a hostile package on the same store is busy (every hook spends most of its budget) or
 * suspended. Built and run by run.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include <lauxlib.h>
#include <lualib.h>

#include "auth/grant.h"
#include "base/clock.h"
#include "domain/org.h"
#include "domain/term.h"
#include "lua/package.h"
#include "lua/registry.h"
#include "lua/worker.h"
#include "store/journal.h"

#define PRODUCER_BATCH  100 /* events per commit of the producer in the latency run */
#define PRODUCER_GAP    5   /* milliseconds between its commits */
#define PRODUCER_ROUNDS 400

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

static int emit(cv_store *s, int64_t org, int n, cv_err *e)
{
    if (cv_store_begin(s, e) < 0)
        return e->code;
    for (int i = 0; i < n; i++)
        if (cv_journal_emit(s, "bench.tick", org, json_pack("{s:i}", "i", i), NULL, e) < 0) {
            cv_store_rollback(s);
            return e->code;
        }
    return cv_store_commit(s, e);
}

static int64_t cursor_of(cv_store *s, const char *pkg)
{
    char consumer[80];
    int64_t c = 0;
    cv_err e;
    snprintf(consumer, sizeof consumer, "lua:%s", pkg);
    cv_journal_cursor_get(s, consumer, &c, &e);
    return c;
}

/* Writes dir/NAME/init.lua with text and registers the package. */
static int add_pkg(cv_store *s, const char *dir, const char *name, const char *text, cv_err *e)
{
    char path[600], init[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(init, sizeof init, "%s/init.lua", path);
    mkdir(path, 0755);
    FILE *f = fopen(init, "w");
    if (!f)
        return cv_err_set(e, CV_EIO, "cannot write %s", init);
    fputs(text, f);
    fclose(f);
    return cv_lua_reg_add(s, name, path, "R", NULL, e);
}

static cv_lua_worker *start_worker(cv_store *s, const char *name, uv_async_t *a, cv_err *e)
{
    cv_lua_reg r;
    cv_lua_worker *w;
    if (cv_lua_reg_get(s, name, &r, e) < 0 ||
        cv_lua_worker_start(cv_store_path(s), &r, a, &w, e) < 0)
        return NULL;
    return w;
}

/* Waits until the package's cursor reaches last; returns the seconds it took from t0. */
static double wait_cursor(cv_store *s, const char *pkg, int64_t last, double t0)
{
    while (cursor_of(s, pkg) < last)
        nanosleep(&(struct timespec){0, 200000}, NULL);
    return seconds() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The honest package under load beside a hostile one (hostile_text), through workers: the
 * producer commits PRODUCER_BATCH events every PRODUCER_GAP ms; each batch's latency is from its
 * commit to the honest cursor passing it. */
static int contended(cv_store *s, const char *dir, const char *label, const char *hostile,
                     const char *hostile_text, uv_async_t *a)
{
    cv_err e;
    if (add_pkg(s, dir, hostile, hostile_text, &e) < 0)
        return die(&e);
    cv_lua_worker *wh = start_worker(s, "honest", a, &e);
    cv_lua_worker *wb = wh ? start_worker(s, hostile, a, &e) : NULL;
    if (!wb)
        return die(&e);
    int64_t last;
    double lat[PRODUCER_ROUNDS], t0 = seconds();
    cv_journal_last_id(s, &last, &e);
    int64_t base = last;
    for (int r = 0; r < PRODUCER_ROUNDS; r++) {
        if (emit(s, 1, PRODUCER_BATCH, &e) < 0)
            return die(&e);
        double committed = seconds();
        cv_journal_last_id(s, &last, &e);
        cv_lua_worker_kick(wh);
        cv_lua_worker_kick(wb);
        lat[r] = wait_cursor(s, "honest", last, committed);
        double gap = PRODUCER_GAP / 1e3 - (seconds() - committed);
        if (gap > 0)
            nanosleep(&(struct timespec){0, (long)(gap * 1e9)}, NULL);
    }
    double took = seconds() - t0;
    qsort(lat, PRODUCER_ROUNDS, sizeof lat[0], cmp_double);
    cv_lua_reg r;
    cv_lua_reg_get(s, hostile, &r, &e);
    printf("honest_beside_%s_events_per_s %.0f\n", label, (double)(last - base) / took);
    printf("honest_beside_%s_p99_ms %.1f\n", label, lat[PRODUCER_ROUNDS * 99 / 100] * 1e3);
    printf("hostile_%s_state %s\n", label, r.suspended[0] ? "suspended" : "running");
    cv_lua_worker_stop(wb);
    cv_lua_worker_stop(wh);
    return 0;
}

/* bench_lua peer N PEER.LUA HANDLER.LUA: stock Lua runs peer.lua, which calls the handler N times.
 */
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
    char db[512], pkg[512];
    snprintf(db, sizeof db, "%s/bench.db", dir);
    snprintf(pkg, sizeof pkg, "%s/pkg", dir);
    cv_store *s;
    cv_err e;
    cv_org root = {.members = 1};
    snprintf(root.code, sizeof root.code, "R");
    snprintf(root.name, sizeof root.name, "Root");
    snprintf(root.level, sizeof root.level, "district");
    cv_actor bench = {.kind = CV_ACTOR_SCHEDULER, .scope_roles = CV_ROLES_ALL};
    snprintf(bench.name, sizeof bench.name, "bench");
    if (cv_store_open(db, CV_STORE_CREATE, &s, &e) < 0)
        return die(&e);
    cv_store_set_actor(s, &bench); /* every event has an actor: the bench's own, as a job's */
    if (cv_store_begin(s, &e) < 0 || cv_term_seed(s, &e) < 0 ||
        cv_org_add(s, &root, NULL, &e) < 0 || cv_store_commit(s, &e) < 0 ||
        cv_lua_reg_add(s, "bench", pkg, "R", NULL, &e) < 0 ||
        cv_lua_reg_add(s, "viaworker", pkg, "R", NULL, &e) < 0 || emit(s, root.id, n, &e) < 0)
        return die(&e);
    int64_t first = cursor_of(s, "bench"), last;
    cv_journal_last_id(s, &last, &e);
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
    if (total != last - first || failed || cursor_of(s, "bench") != last) {
        fprintf(stderr, "bench_lua: handled %d of %lld (%d failed)\n", total,
                (long long)(last - first), failed);
        return 1;
    }
    printf("convene_events_per_s %.0f\n", total / t);
    cv_lua_pkg_free(p);

    uv_loop_t loop;
    uv_async_t wrote;
    uv_loop_init(&loop);
    uv_async_init(&loop, &wrote, NULL);
    t0 = seconds();
    cv_lua_worker *w = start_worker(s, "viaworker", &wrote, &e);
    if (!w)
        return die(&e);
    printf("worker_events_per_s %.0f\n", n / wait_cursor(s, "viaworker", last, t0));
    cv_lua_worker_stop(w);

    /* The honest package starts at the journal's end: it serves only the producer's events. */
    if (add_pkg(s, dir, "honest",
                "local sum = 0\nconvene.on('bench.tick', function(ev)\n"
                "  sum = sum + ev.data.i\nend)\n",
                &e) < 0)
        return die(&e);
    int rc = contended(s, dir, "busy", "busy",
                       "convene.on('bench.tick', function()\n"
                       "  for i = 1, 3000000 do end\nend)\n",
                       &wrote);
    if (rc == 0)
        rc = contended(s, dir, "suspended", "stuck",
                       "convene.on('bench.tick', function()\n  while true do end\nend)\n", &wrote);
    uv_close((uv_handle_t *)&wrote, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    cv_store_close(s);
    return rc;
}
