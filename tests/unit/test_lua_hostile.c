/* test_lua_hostile.c: every script in tests/lua/hostile/ tries to escape or starve the engine.
 * Each must be stopped with the clear error its first line names ("-- expect: TEXT"), at load
 * ("-- when: load") or in its hook, while a well-behaved package in the same process goes on
 * handling the same events. */
#include <dirent.h>

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

static cv_lua_pkg *load(fixture *f, const char *name, const char *dir, int *rc)
{
    cv_lua_pkg_options opt = {
        .name = name, .path = dir, .org = "ROOT", .mem_cap = MEM_CAP, .budget = BUDGET};
    cv_lua_pkg *p = NULL;
    *rc = cv_lua_pkg_load(f->s, &opt, &p, &f->e);
    return p;
}

static void setup_tree(fixture *f)
{
    tree_add(f, "ROOT", "Thành phố thử", "district", "", 5000);
    tree_add(f, "ROOT-A", "Phường thử", "grassroots", "ROOT", 100);
    tree_add(f, "OTHER", "Huyện khác", "district", "", 3000);
    tree_plan(f, "OTHER", "III", 0);
}

/* Runs one hostile script against the engine and the good package beside it. */
static void run_hostile(fixture *f, cv_lua_pkg *good, const char *file, int serial)
{
    char path[512], dir[64], name[32], expect[200] = "";
    snprintf(path, sizeof path, "%s/%s", HOSTILE_DIR, file);
    char *text = read_all(path);
    assert_int_equal(sscanf(text, "-- expect: %199[^\n]", expect), 1);
    int at_load = strstr(text, "-- when: load") != NULL;
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

/* After a callback spent its budget, the next callback starts with a whole one. */
static void test_budget_is_fresh_for_each_callback(void **state)
{
    fixture *f = *state;
    setup_tree(f);
    char dir[64];
    make_package(dir, "local calls = 0\n"
                      "convene.on('congress.held', function()\n"
                      "  calls = calls + 1\n"
                      "  if calls == 1 then while true do end end\n"
                      "  convene.notify{to = 'x', subject = 'second call ran'}\n"
                      "end)\n");
    assert_int_equal(cv_lua_reg_add(f->s, "twice", dir, "ROOT", NULL, &f->e), 0);
    int rc, handled, failed;
    cv_lua_pkg *p = load(f, "twice", dir, &rc);
    assert_int_equal(rc, 0);
    emit_held(f);
    emit_held(f);
    assert_int_equal(cv_lua_pkg_dispatch(p, &handled, &failed, &f->e), 0);
    assert_int_equal(handled, 2);
    assert_int_equal(failed, 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
    cv_lua_pkg_free(p);
    remove_package(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_every_hostile_script_is_stopped_and_the_engine_keeps_serving),
        FIXTURE_TEST(test_budget_is_fresh_for_each_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
