/* test_lua_hostile.c: every script in tests/lua/hostile/ tries to escape or starve the engine.
 * Each must be stopped with the clear error its first line names ("-- expect: TEXT"), at load
 * ("-- when: load") or in its hook, while a well-behaved package in the same process goes on
 * handling the same events. A script that defines attack() ("-- positions: ...") is run in each
 * position it names: init.lua, a hook, a job, a campaign boundary and an allocation method; the
 * test prints one line per class and position: stopped, the time it took and the reason. */
#include <dirent.h>
#include <time.h>

#include "lua/jobs.h"
#include "sched/run.h"

#include "fixture.h"
#include "lua/package.h"
#include "lua/registry.h"
#include "store/journal.h"
#include "luapkg.h"
#include "tree.h"

#define HOSTILE_DIR CV_SOURCE_DIR "/tests/lua/hostile"
#define MEM_CAP     (8u << 20)
#define BUDGET      2000000

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

/* Whether msg contains one of the '|'-separated alternatives of expect. */
static int matches(const char *msg, const char *expect)
{
    char alt[200];
    for (const char *p = expect; *p;) {
        size_t n = strcspn(p, "|");
        snprintf(alt, sizeof alt, "%.*s", (int)n, p);
        if (strstr(msg, alt))
            return 1;
        p += n + (p[n] == '|');
    }
    return 0;
}

static void emit_held(fixture *f)
{
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    cv_org o;
    assert_int_equal(cv_org_get(f->s, "ROOT-A", &o, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "congress.held", o.id, NULL, NULL, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
}

/* A script's own limits ("-- limits: KEY=N"), after the harness's generous wall clock. */
static void script_limits(const char *text, char out[200])
{
    char key[64];
    long n;
    const char *l = text ? strstr(text, "-- limits: ") : NULL;
    if (l && sscanf(l, "-- limits: %63[a-z_]=%ld", key, &n) == 2)
        snprintf(out, 200, "{\"wall_ms\": 10000, \"%s\": %ld}", key, n);
    else
        snprintf(out, 200, "{\"wall_ms\": 10000}");
}

/* How many callbacks a script's attack needs to spend a per-minute budget ("-- repeat: N"). */
static int script_repeat(const char *text)
{
    int n = 1;
    const char *r = strstr(text, "-- repeat: ");
    if (r && sscanf(r, "-- repeat: %d", &n) != 1)
        n = 1;
    return n;
}

static cv_lua_pkg *load_limited(fixture *f, const char *name, const char *dir, const char *text,
                                int *rc)
{
    /* A generous wall-clock budget: under a sanitizer on a busy machine the limit each script
     * aims at must be the one that stops it. */
    char limits[200];
    script_limits(text, limits);
    cv_lua_pkg_options opt = {.name = name,
                              .path = dir,
                              .org = "ROOT",
                              .mem_cap = MEM_CAP,
                              .budget = BUDGET,
                              .limits = limits};
    cv_lua_pkg *p = NULL;
    *rc = cv_lua_pkg_load(f->s, &opt, &p, &f->e);
    return p;
}

static cv_lua_pkg *load(fixture *f, const char *name, const char *dir, int *rc)
{
    return load_limited(f, name, dir, NULL, rc);
}

static void setup_tree(fixture *f)
{
    tree_add(f, "ROOT", "Thành phố thử", "district", "", 5000);
    tree_add(f, "ROOT-A", "Phường thử", "grassroots", "ROOT", 100);
    tree_add(f, "OTHER", "Huyện khác", "district", "", 3000);
    tree_plan(f, "OTHER", "III", 0);
}

enum position { AT_LOAD, IN_HOOK, IN_JOB, IN_BOUNDARY, IN_ALLOCATE, POSITIONS };
static const char *const position_name[] = {"load", "hook", "job", "boundary", "allocate"};

/* What follows the script's text in init.lua to put attack() in each position. */
static const char *const position_wrap[] = {
    "attack()\n",
    "convene.on('congress.held', function() attack() end)\n",
    "convene.every('0 8 * * *', function() attack() end, 'attack')\n",
    "convene.campaign{name = 'c', phases = {{name = 'p', starts = function(ev)\n"
    "  attack()\n  return false\nend}}}\n",
    "convene.on('congress.held', function()\n"
    "  convene.elections.allocate{org = 'ROOT', total = 10, method = function(units, seats)\n"
    "    attack()\n    return {}\n  end}\nend)\n",
};

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Runs attack() of file in position pos; returns the error that stopped it (in msg). */
static void run_position(fixture *f, const char *file, const char *text, enum position pos,
                         int serial, char msg[700], int *suspended)
{
    char dir[64], name[32], init[70000];
    snprintf(init, sizeof init, "%s\n%s", text, position_wrap[pos]);
    make_package(dir, init);
    snprintf(name, sizeof name, "attack%d", serial);
    assert_int_equal(cv_lua_reg_add(f->s, name, dir, "ROOT", NULL, &f->e), 0);
    int rc, repeat = script_repeat(text);
    cv_lua_pkg *bad = load_limited(f, name, dir, text, &rc);
    *suspended = 0;
    if (pos == AT_LOAD) {
        if (rc == 0)
            fail_msg("%s at load: loaded", file);
        snprintf(msg, 700, "%s", f->e.msg);
        remove_package(dir);
        return;
    }
    if (rc != 0)
        fail_msg("%s in %s does not load: %s", file, position_name[pos], f->e.msg);
    if (pos == IN_JOB) {
        char job[64];
        snprintf(job, sizeof job, "lua:%s:attack", name);
        assert_int_equal(cv_lua_jobs_loaded(bad, &f->e), 0);
        int runs = 0;
        while (cv_sched_run_now(f->s, job, &f->e) == 0)
            if (++runs == repeat)
                fail_msg("%s in a job: %d runs succeeded", file, runs);
        snprintf(msg, 700, "%s", f->e.msg);
        cv_lua_jobs_unloaded(bad);
    } else {
        int handled = 0, failed = 0, total = 0;
        for (int i = 0; i < repeat; i++)
            emit_held(f);
        do { /* many short callbacks: batches until the package stops */
            assert_int_equal(cv_lua_pkg_dispatch(bad, &handled, &failed, &f->e), 0);
            total += handled;
        } while (handled > 0 && failed == 0);
        assert_true(total >= 1); /* the event is consumed: the package moves on */
        if (failed < 1)
            fail_msg("%s in %s: no failure recorded", file, position_name[pos]);
        snprintf(msg, 700, "%s", cv_lua_pkg_last_error(bad));
    }
    *suspended = cv_lua_pkg_suspended(bad) != NULL;
    cv_lua_pkg_free(bad);
    remove_package(dir);
}

/* Runs a positioned script everywhere it names, checking each stop and that the good package
 * keeps being served, and prints the class's line per position. */
static void run_positions(fixture *f, cv_lua_pkg *good, const char *file, const char *text,
                          const char *expect, int *serial)
{
    for (int pos = 0; pos < POSITIONS; pos++) {
        char tag[32];
        snprintf(tag, sizeof tag, " %s", position_name[pos]);
        const char *list = strstr(text, "-- positions:");
        const char *eol = list ? strchr(list, '\n') : NULL;
        const char *hit = list ? strstr(list, tag) : NULL;
        if (!hit || (eol && hit > eol))
            continue;
        char msg[700];
        int suspended;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        run_position(f, file, text, pos, (*serial)++, msg, &suspended);
        double ms = ms_since(&t0);
        if (!matches(msg, expect))
            fail_msg("%s in %s: expected '%s', got '%s'", file, position_name[pos], expect, msg);
        printf("hostile %-26s %-9s stopped in %7.1f ms%s: %.110s\n", file, position_name[pos], ms,
               suspended ? " (suspended)" : "", msg);
        int64_t before = fixture_count(f, "SELECT count(*) FROM outbox");
        int handled = 0, failed = 0;
        emit_held(f);
        do { /* the good package serves every event, those of a repeated attack too */
            assert_int_equal(cv_lua_pkg_dispatch(good, &handled, &failed, &f->e), 0);
            assert_int_equal(failed, 0);
        } while (handled > 0);
        assert_true(fixture_count(f, "SELECT count(*) FROM outbox") >= before + 1);
    }
}

/* Runs one hostile script against the engine and the good package beside it. */
static void run_hostile(fixture *f, cv_lua_pkg *good, const char *file, int serial)
{
    char path[512], dir[64], name[32], expect[200] = "";
    snprintf(path, sizeof path, "%s/%s", HOSTILE_DIR, file);
    char *text = read_all(path);
    assert_int_equal(sscanf(text, "-- expect: %199[^\n]", expect), 1);
    int at_load = strstr(text, "-- when: load") != NULL;
    if (strstr(text, "function attack(")) {
        int sub = serial * 10;
        run_positions(f, good, file, text, expect, &sub);
        free(text);
        return;
    }
    make_package(dir, text);
    free(text);
    snprintf(name, sizeof name, "hostile%d", serial);
    assert_int_equal(cv_lua_reg_add(f->s, name, dir, "ROOT", NULL, &f->e), 0);
    int rc;
    cv_lua_pkg *bad = load(f, name, dir, &rc);
    if (at_load) {
        if (rc == 0 || !matches(f->e.msg, expect))
            fail_msg("%s: loading should fail with '%s', got '%s'", file, expect, f->e.msg);
    } else {
        if (rc != 0)
            fail_msg("%s does not load: %s", file, f->e.msg);
        emit_held(f);
        int handled = 0, failed = 0;
        assert_int_equal(cv_lua_pkg_dispatch(bad, &handled, &failed, &f->e), 0);
        if (failed != 1 || !matches(cv_lua_pkg_last_error(bad), expect))
            fail_msg("%s: expected a hook error with '%s', got '%s'", file, expect,
                     cv_lua_pkg_last_error(bad));
        assert_true(handled >= 1); /* the event is consumed: the engine moves on */
        if (!strstr(cv_lua_pkg_last_error(bad), ".lua:") &&
            !strstr(cv_lua_pkg_last_error(bad), "]:") && !strstr(expect, "memory"))
            fail_msg("%s: the error does not name file and line: %s", file,
                     cv_lua_pkg_last_error(bad));
    }
    int64_t before = fixture_count(f, "SELECT count(*) FROM outbox");
    int handled = 0, failed = 0;
    assert_int_equal(cv_lua_pkg_dispatch(good, &handled, &failed, &f->e), 0);
    assert_int_equal(failed, 0);
    if (!at_load)
        assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), before + 1);
    cv_lua_pkg_free(bad);
    remove_package(dir);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_lua(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && strcmp(d->d_name + n - 4, ".lua") == 0;
}

static void test_every_hostile_script_is_stopped_and_the_engine_keeps_serving(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char gdir[64];
    make_package(gdir, "convene.on('congress.held', function(ev)\n"
                       "  convene.notify{to = 'office@example.vn', subject = 'held ' .. ev.id}\n"
                       "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "good", gdir, "ROOT", NULL, &f->e), 0);
    int rc;
    cv_lua_pkg *good = load(f, "good", gdir, &rc);
    assert_int_equal(rc, 0);
    struct dirent **files;
    int n = scandir(HOSTILE_DIR, &files, is_lua, by_name);
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) {
        run_hostile(f, good, files[i]->d_name, i);
        free(files[i]);
    }
    free(files);
    cv_lua_pkg_free(good);
    remove_package(gdir);
}

/* A callback that spends its budget suspends the package at that event (consumed, its writes
 * rolled back); the package, reloaded as `script resume` does, handles the next event with a
 * whole budget. */
static void test_spent_budget_suspends_and_the_resumed_package_has_a_whole_one(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char dir[64];
    make_package(dir, "convene.on('congress.held', function(ev)\n"
                      "  convene.notify{to = 'x', subject = 'call ' .. ev.id}\n"
                      "  if ev.id == convene.config.first then while true do end end\n"
                      "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "twice", dir, "ROOT", NULL, &f->e), 0);
    emit_held(f);
    emit_held(f);
    int64_t last;
    assert_int_equal(cv_journal_last_id(f->s, &last, &f->e), 0);
    char config[64];
    snprintf(config, sizeof config, "{\"first\": %lld}", (long long)last - 1);
    cv_lua_pkg_options opt = {
        .name = "twice", .path = dir, .org = "ROOT", .config = config, .budget = BUDGET};
    cv_lua_pkg *p;
    int handled, failed;
    assert_int_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 1);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(cv_lua_pkg_suspended(p), "instruction budget"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 0); /* suspended: nothing more runs */
    cv_lua_pkg_free(p);
    assert_int_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 1);
    assert_int_equal(failed, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

/* A campaign boundary that errors once is recorded and counts as not met: the package's cursor
 * moves past the event, and its hooks and the boundary run on the next one. */
static void test_a_failing_boundary_never_wedges_its_package(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char dir[64];
    make_package(dir, "local calls = 0\n"
                      "convene.campaign{name = 'c', phases = {{name = 'p', starts = function(ev)\n"
                      "  calls = calls + 1\n"
                      "  if calls == 1 then error('boundary broke') end\n"
                      "  return true\n"
                      "end}}}\n"
                      "convene.on('congress.held', function(ev)\n"
                      "  convene.notify{to = 'x', subject = 'hook ' .. ev.id}\n"
                      "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "edge", dir, "ROOT", NULL, &f->e), 0);
    int rc, handled, failed;
    cv_lua_pkg *p = load(f, "edge", dir, &rc);
    assert_int_equal(rc, 0);
    emit_held(f);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 1);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(cv_lua_pkg_last_error(p), "boundary broke"));
    assert_non_null(strstr(cv_lua_pkg_last_error(p), "init.lua:4"));
    assert_null(cv_lua_pkg_suspended(p));
    emit_held(f);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 1);
    assert_int_equal(failed, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'phase.started'"),
                     1);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

/* Log lines are counted per callback and per minute: callbacks that each stay under the first
 * limit together pass the second, and the package is suspended naming it. */
static void test_log_lines_per_minute_are_bounded_across_callbacks(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char dir[64];
    make_package(dir, "convene.on('congress.held', function()\n"
                      "  for i = 1, 20 do convene.log('line ' .. i) end\n"
                      "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "chatty", dir, "ROOT", NULL, &f->e), 0);
    cv_lua_pkg_options opt = {.name = "chatty",
                              .path = dir,
                              .org = "ROOT",
                              .limits = "{\"log_per_call\": 20, \"log_per_minute\": 50}"};
    cv_lua_pkg *p;
    int handled, failed;
    assert_int_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    for (int i = 0; i < 3; i++)
        emit_held(f);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 3);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(cv_lua_pkg_suspended(p), "more than 50 log lines in a minute"));
    cv_lua_pkg_free(p);
    opt.limits = "{\"log_per_call\": 0x}";
    assert_int_not_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    opt.limits = "{\"cascade\": 0}";
    assert_int_not_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    assert_non_null(strstr(f->e.msg, "cascade is a whole number from 1 to 100"));
    remove_package(dir);
}

/* Memory the host holds for a package counts against its one cap: what a callback queues is
 * returned when the callback ends (callbacks that each stay under the cap go on for ever), what
 * it declares for its life (jobs) stays counted, so jobs declared in a loop hit the cap. */
static void test_memory_the_host_holds_counts_against_the_package_cap(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char dir[64];
    make_package(dir, "local body = string.rep('x', 100000)\n"
                      "convene.on('congress.held', function(ev)\n"
                      "  for i = 1, 40 do\n"
                      "    convene.notify{to = 'x', subject = ev.id .. ':' .. i, body = body}\n"
                      "  end\n"
                      "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "heavy", dir, "ROOT", NULL, &f->e), 0);
    /* The generous wall clock of the other tests: 4 MB copied per callback under a sanitizer on
     * a busy machine may pass the default 500 ms, which is not what this test is about. */
    cv_lua_pkg_options opt = {.name = "heavy",
                              .path = dir,
                              .org = "ROOT",
                              .mem_cap = MEM_CAP,
                              .budget = BUDGET,
                              .limits = "{\"wall_ms\": 10000}"};
    cv_lua_pkg *p;
    int handled, failed;
    assert_int_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    for (int i = 0; i < 10; i++) /* 40 MB queued in all, 4 MB in each callback */
        emit_held(f);
    int total = 0;
    do { /* a batch commits after 100 ms */
        assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
        assert_int_equal(failed, 0);
        total += handled;
    } while (handled > 0);
    assert_int_equal(total, 10);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 400);
    assert_int_equal(cv_lua_sandbox_host(cv_lua_pkg_sandbox(p)), 0);
    cv_lua_pkg_free(p);
    remove_package(dir);

    make_package(dir, "for i = 1, 10000 do convene.every('0 8 * * *', function() end, 'j' .. i) "
                      "end\n");
    opt.mem_cap = 0;
    opt.limits = "{\"jobs\": 10000, \"memory_mb\": 1}";
    assert_int_not_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    assert_int_equal(f->e.code, CV_ELIMIT);
    if (!strstr(f->e.msg, "memory cap of 1 MB exceeded"))
        fail_msg("jobs in a loop: %s", f->e.msg);
    remove_package(dir);
}

/* CPU per package per minute: short callbacks, each far inside its own budgets, together pass
 * the minute's CPU; the package is suspended naming the limit, having run more than one. */
static void test_cpu_per_minute_is_bounded_across_callbacks(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char dir[64];
    make_package(dir, "local calls = 0\n"
                      "convene.on('congress.held', function(ev)\n"
                      "  calls = calls + 1\n"
                      "  convene.log('call ' .. calls)\n"
                      "  local x = 0\n"
                      "  for i = 1, 300000 do x = x + i % 7 end\n"
                      "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "burner", dir, "ROOT", NULL, &f->e), 0);
    cv_lua_pkg_options opt = {.name = "burner",
                              .path = dir,
                              .org = "ROOT",
                              .limits = "{\"cpu_ms_per_minute\": 100, \"log_per_minute\": "
                                        "1000000}"};
    cv_lua_pkg *p;
    int handled, failed, total = 0;
    assert_int_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    for (int i = 0; i < 2000; i++)
        emit_held(f);
    do {
        assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
        total += handled;
    } while (handled > 0 && failed == 0);
    assert_int_equal(failed, 1);
    assert_true(total > 1 && total < 2000);
    assert_non_null(strstr(cv_lua_pkg_suspended(p), "more than 100 ms of CPU in a minute"));
    printf("cpu_ms_per_minute=100 stopped the package after %d callbacks\n", total);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 0); /* suspended: nothing more runs */
    cv_lua_pkg_free(p);
    opt.limits = "{\"cpu_ms_per_minute\": 99}";
    assert_int_not_equal(cv_lua_pkg_load(f->s, &opt, &p, &f->e), 0);
    assert_non_null(strstr(f->e.msg, "cpu_ms_per_minute is a whole number from 100 to 60000"));
    remove_package(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_every_hostile_script_is_stopped_and_the_engine_keeps_serving),
        FIXTURE_TEST(test_spent_budget_suspends_and_the_resumed_package_has_a_whole_one),
        FIXTURE_TEST(test_a_failing_boundary_never_wedges_its_package),
        FIXTURE_TEST(test_log_lines_per_minute_are_bounded_across_callbacks),
        FIXTURE_TEST(test_memory_the_host_holds_counts_against_the_package_cap),
        FIXTURE_TEST(test_cpu_per_minute_is_bounded_across_callbacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
