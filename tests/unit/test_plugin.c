/* test_plugin.c: the host side of plugins without a plugin process: plugin state in the store
 * (revisions, events without secrets, a failure disabling), the loader's refusals naming the
 * file, the config map's type checks, and an in-tree plugin loading, starting and closing. */
#include "fixture.h"

#include "plugin/loader.h"
#include "plugin/registry.h"
#include "store/journal.h"

static void test_enable_and_config_bump_the_revision_and_emit_events_without_values(void **state)
{
    fixture *f = *state;
    cv_plugin_reg reg;
    assert_int_equal(cv_plugin_reg_get(f->s, "notify-smtp", &reg, &f->e), 0);
    assert_int_equal(reg.enabled, 0);
    assert_int_equal(reg.revision, 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_plugin_reg_enable(f->s, "notify-smtp", 1, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_plugin_reg_config_set(f->s, "notify-smtp", "password",
                                                               "bí-mật", &f->e)),
                     0);
    assert_int_equal(cv_plugin_reg_get(f->s, "notify-smtp", &reg, &f->e), 0);
    assert_int_equal(reg.enabled, 1);
    assert_int_equal(reg.revision, 2);
    char value[64];
    assert_int_equal(
        cv_plugin_reg_config_get(f->s, "notify-smtp", "password", value, sizeof value, &f->e), 0);
    assert_string_equal(value, "bí-mật");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'plugin.enabled'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE data LIKE '%bí-mật%'"), 0);
}

static void test_a_recorded_failure_disables_without_a_new_revision(void **state)
{
    fixture *f = *state;
    cv_plugin_reg reg;
    assert_int_equal(FIXTURE_TX(f->s, cv_plugin_reg_enable(f->s, "report-xlsx", 1, &f->e)), 0);
    assert_int_equal(cv_plugin_reg_error(f->s, "report-xlsx", "init failed: no disk", &f->e), 0);
    assert_int_equal(cv_plugin_reg_get(f->s, "report-xlsx", &reg, &f->e), 0);
    assert_int_equal(reg.enabled, 0);
    assert_int_equal(reg.revision, 1);
    assert_string_equal(reg.last_error, "init failed: no disk");
    assert_int_equal(FIXTURE_TX(f->s, cv_plugin_reg_enable(f->s, "report-xlsx", 1, &f->e)), 0);
    assert_int_equal(cv_plugin_reg_get(f->s, "report-xlsx", &reg, &f->e), 0);
    assert_string_equal(reg.last_error, "");
}

static void test_a_file_that_is_not_a_plugin_is_refused_naming_it(void **state)
{
    fixture *f = *state;
    cv_plugin *p = NULL;
    assert_int_equal(cv_plugin_open("/nonexistent/x.so", f->s, NULL, &p, &f->e), CV_EPLUGIN);
    assert_non_null(strstr(f->e.msg, "plugin /nonexistent/x.so refused"));
    assert_null(p);
}

static void test_in_tree_importer_loads_starts_and_checks_its_config(void **state)
{
    fixture *f = *state;
    cv_plugin *p = NULL;
    char out[32];
    assert_int_equal(
        cv_plugin_open(CONVENE_TEST_PLUGIN_DIR "/import-csv.so", f->s, NULL, &p, &f->e), 0);
    const cv_plugin_descriptor *d = cv_plugin_descriptor_of(p);
    assert_string_equal(d->name, "import-csv");
    assert_int_equal(d->kinds, CV_PLUGIN_KIND_IMPORT);
    assert_int_equal(cv_plugin_config_check(p, "max_mb", "12", out, sizeof out, &f->e), 0);
    assert_int_equal(cv_plugin_config_check(p, "max_mb", "lots", out, sizeof out, &f->e),
                     CV_EINVAL);
    assert_int_equal(cv_plugin_config_check(p, "colour", "red", out, sizeof out, &f->e), CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "no setting 'colour'"));
    /* The plugin's own check (ABI 1.2): values init would refuse are refused when set, and an
     * INT beyond 64 bits is not an integer. */
    assert_int_equal(cv_plugin_config_check(p, "max_mb", "0", out, sizeof out, &f->e), CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "max_mb must be 1 to 1048576"));
    assert_int_equal(cv_plugin_config_check(p, "max_mb", "17592186044416", out, sizeof out, &f->e),
                     CV_EINVAL);
    assert_int_equal(
        cv_plugin_config_check(p, "max_mb", "99999999999999999999", out, sizeof out, &f->e),
        CV_EINVAL);
    assert_int_equal(cv_plugin_start(p, &f->e), 0);
    cv_plugin_import req = {.path = "/nonexistent.csv", .as = "orgs"};
    assert_int_equal(cv_plugin_import_run(p, &req, &f->e), CV_ENOTFOUND);
    assert_non_null(strstr(f->e.msg, "cannot read /nonexistent.csv"));
    cv_plugin_close(p);
}

/* An importer sets the store's CHECK constraints aside while it writes rows it checked itself
 * (ABI 1.4); when its call returns, even after a refused row, the store checks again. */
static void test_the_store_checks_again_once_an_import_returns_refused(void **state)
{
    fixture *f = *state;
    cv_plugin *p = NULL;
    char path[] = "/tmp/convene-test-orgs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *csv = fdopen(fd, "w");
    fputs("code,name,level,parent\nTP1,Tỉnh Thử,province,\n", csv);
    for (int i = 0; i < 200; i++)
        fprintf(csv, "TD%03d,Huyện %d,district,TP1\n", i, i);
    fputs("TD999,Huyện Sai,town,TP1\n", csv);
    fclose(csv);
    assert_int_equal(
        cv_plugin_open(CONVENE_TEST_PLUGIN_DIR "/import-csv.so", f->s, NULL, &p, &f->e), 0);
    assert_int_equal(cv_plugin_start(p, &f->e), 0);
    int64_t orgs = fixture_count(f, "SELECT count(*) FROM orgs");
    cv_plugin_import req = {.path = path, .as = "orgs"};
    assert_int_equal(cv_plugin_import_run(p, &req, &f->e), CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "row 203, column 3 (level)"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM orgs"), orgs);
    assert_int_equal(fixture_count(f, "PRAGMA ignore_check_constraints"), 0);
    assert_int_not_equal(
        sqlite3_exec(cv_store_db(f->s),
                     "INSERT INTO orgs(code, name, level) VALUES ('X', 'X', 'town')", NULL, NULL,
                     NULL),
        SQLITE_OK);
    cv_plugin_close(p);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_enable_and_config_bump_the_revision_and_emit_events_without_values),
        FIXTURE_TEST(test_a_recorded_failure_disables_without_a_new_revision),
        FIXTURE_TEST(test_a_file_that_is_not_a_plugin_is_refused_naming_it),
        FIXTURE_TEST(test_in_tree_importer_loads_starts_and_checks_its_config),
        FIXTURE_TEST(test_the_store_checks_again_once_an_import_returns_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
