/* test_backup.c: core/backup without the CLI: retention keeps the newest backup of each of the
 * last N days and M weeks and nothing else of its own, never a foreign file; a stopped backup
 * leaves neither its file nor its temporary; a copy whose journal ends elsewhere fails its
 * check; a backup of a real store verifies. */
#include <dirent.h>
#include <sys/stat.h>

#include "backup/nightly.h"
#include "fixture.h"

typedef struct dir_fixture {
    fixture *f;
    char dir[64];
} dir_fixture;

static int setup(void **state)
{
    dir_fixture *d = calloc(1, sizeof *d);
    assert_non_null(d);
    fixture_setup((void **)&d->f);
    snprintf(d->dir, sizeof d->dir, "/tmp/cv-backup-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    dir_fixture *d = *state;
    DIR *dir = opendir(d->dir);
    struct dirent *de;
    char path[400];
    while ((de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", d->dir, de->d_name);
        unlink(path);
    }
    closedir(dir);
    rmdir(d->dir);
    fixture_teardown((void **)&d->f);
    free(d);
    return 0;
}

static void touch(const char *dir, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static int exists(const char *dir, const char *name)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static int64_t at(const char *when)
{
    int64_t ms;
    cv_err e;
    assert_int_equal(cv_date_parse_instant(when, CV_TZ_VIETNAM_MIN, &ms, "when", &e), 0);
    return ms;
}

static void plan_at(dir_fixture *d, const char *when, int daily, int weekly, cv_backup_plan *p)
{
    cv_err e;
    assert_int_equal(cv_store_setting_set(d->f->s, "backup.dir", d->dir, &e), 0);
    assert_int_equal(cv_backup_plan_read(d->f->s, at(when), CV_TZ_VIETNAM_MIN, p, &e), 0);
    p->daily = daily;
    p->weekly = weekly;
}

static void test_retention_keeps_newest_of_each_day_and_week(void **state)
{
    dir_fixture *d = *state;
    /* Tue 2 June 2020 to Sun 14 June, one a night, two on Saturday 13 June. */
    for (int day = 2; day <= 14; day++) {
        char name[40];
        snprintf(name, sizeof name, "convene-202006%02d-023000.db", day);
        touch(d->dir, name);
    }
    touch(d->dir, "convene-20200613-120000.db");
    touch(d->dir, "notes.txt");
    touch(d->dir, "convene-20200230-023000.db");          /* not a real date: not ours */
    touch(d->dir, ".convene-20200601-023000.db.partial"); /* a killed backup's leftover */
    cv_backup_plan p;
    cv_backup_outcome o;
    plan_at(d, "2020-06-15T02:30", 2, 3, &p); /* Monday */
    cv_backup_nightly(&p, NULL, &o);
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.prune_error, "");
    /* Days: 15 June (the new one) and 14; weeks: 15-21 (new), 8-14 (the 14th), 1-7 (the 7th). */
    const char *kept[] = {"convene-20200615-023000.db", "convene-20200614-023000.db",
                          "convene-20200607-023000.db", "notes.txt", "convene-20200230-023000.db"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        assert_true(exists(d->dir, kept[i]));
    assert_false(exists(d->dir, "convene-20200613-120000.db"));
    assert_false(exists(d->dir, "convene-20200606-023000.db"));
    assert_false(exists(d->dir, ".convene-20200601-023000.db.partial"));
    assert_int_equal(o.deleted, 12);
}

static void test_stopped_backup_leaves_nothing(void **state)
{
    dir_fixture *d = *state;
    cv_backup_plan p;
    cv_backup_outcome o;
    volatile int stop = 1;
    touch(d->dir, "convene-20200101-023000.db");
    plan_at(d, "2020-06-15T02:30", 1, 0, &p);
    cv_backup_nightly(&p, &stop, &o);
    assert_int_equal(o.rc, CV_EBUSY);
    assert_false(exists(d->dir, "convene-20200615-023000.db"));
    assert_false(exists(d->dir, ".convene-20200615-023000.db.partial"));
    assert_true(exists(d->dir, "convene-20200101-023000.db")); /* nothing pruned */
}

static void test_backup_verifies_and_a_wrong_journal_end_fails(void **state)
{
    dir_fixture *d = *state;
    char dest[128];
    cv_backup_result r;
    cv_err e;
    snprintf(dest, sizeof dest, "%s/b.db", d->dir);
    assert_int_equal(cv_backup_make(cv_store_path(d->f->s), dest, NULL, &r, &e), 0);
    assert_int_equal(r.schema, cv_store_schema_version());
    assert_true(r.size > 0);
    assert_int_equal(cv_backup_verify(dest, r.last_event_id, &r, &e), 0);
    assert_int_equal(cv_backup_verify(dest, r.last_event_id + 1, &r, &e), CV_ECONFLICT);
    assert_non_null(strstr(e.msg, "ends at event"));
    assert_false(exists(d->dir, "b.db-wal")); /* a backup is one self-contained file */
}

/* A copy with a row that refers to nothing fails its foreign key check, naming the table. */
static void test_a_dangling_reference_fails_the_check_naming_its_table(void **state)
{
    dir_fixture *d = *state;
    char dest[128], want[256];
    cv_backup_result r;
    cv_err e;
    sqlite3 *db;
    snprintf(dest, sizeof dest, "%s/b.db", d->dir);
    assert_int_equal(cv_backup_make(cv_store_path(d->f->s), dest, NULL, &r, &e), 0);
    assert_int_equal(sqlite3_open(dest, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO orgs(code, name, level, parent_id, path) "
                                  "VALUES ('X', 'Chi bộ X', 'cell', 999999, '/X/')",
                                  0, 0, 0),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cv_backup_verify(dest, r.last_event_id, &r, &e), CV_ECONFLICT);
    snprintf(want, sizeof want, "%s fails foreign_key_check: orgs has rows referring to nothing",
             dest);
    assert_string_equal(e.msg, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retention_keeps_newest_of_each_day_and_week, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stopped_backup_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_verifies_and_a_wrong_journal_end_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_dangling_reference_fails_the_check_naming_its_table,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
