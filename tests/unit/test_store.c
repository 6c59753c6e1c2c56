/* test_store.c: the store migrates forward (a table rebuilt under the rows that refer to it),
 * refuses a newer schema and a 0-byte file, keeps the journal append-only, rolls a failed change
 * back whole, nests transactions as savepoints, checks its file and is checkpointed from another
 * connection; named files are opened
 * without blocking (base/path). */
#include "fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "store/check.h"
#include "store/journal.h"
#include "store/migrations.h"
#include "store/outbox.h"

static void test_new_store_is_wal_with_foreign_keys_at_current_schema(void **state)
{
    fixture *f = *state;
    sqlite3_stmt *st = cv_store_prepare(f->s, "PRAGMA journal_mode", &f->e);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_reset(st);
    assert_int_equal(fixture_count(f, "PRAGMA foreign_keys"), 1);
    assert_int_equal(fixture_count(f, "PRAGMA user_version"), cv_store_schema_version());
}

static void test_store_from_a_newer_convene_is_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(sqlite3_exec(cv_store_db(f->s), "PRAGMA user_version = 999", 0, 0, 0), 0);
    cv_store *other = NULL;
    cv_err e;
    assert_int_equal(cv_store_open(f->path, 0, &other, &e), CV_ECONFLICT);
    assert_null(other);
    assert_non_null(strstr(e.msg, "upgrade convene"));
}

static void test_missing_store_says_run_init(void **state)
{
    (void)state;
    cv_store *s = NULL;
    cv_err e;
    assert_int_equal(cv_store_open("/tmp/cv-unit-no-such/x.db", 0, &s, &e), CV_ENOTFOUND);
    assert_non_null(strstr(e.msg, "convene init"));
}

static void test_journal_is_append_only(void **state)
{
    fixture *f = *state;
    int64_t id;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "test.thing", 0, json_pack("{s:i}", "n", 1), &id, &f->e),
                     0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_not_equal(sqlite3_exec(cv_store_db(f->s), "UPDATE events SET type = 'x'", 0, 0, 0),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(cv_store_db(f->s), "DELETE FROM events", 0, 0, 0), SQLITE_OK);
    cv_event ev;
    assert_int_equal(cv_journal_next(f->s, id - 1, &ev, &f->e), 1);
    assert_string_equal(ev.type, "test.thing");
    assert_int_equal(json_integer_value(json_object_get(ev.data, "n")), 1);
    cv_event_clear(&ev);
    assert_int_equal(cv_journal_next(f->s, id, &ev, &f->e), 0);
}

static void test_rollback_undoes_the_change_and_its_event(void **state)
{
    fixture *f = *state;
    int64_t before = fixture_count(f, "SELECT count(*) FROM events");
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "test.lost", 0, NULL, NULL, &f->e), 0);
    assert_int_equal(cv_store_setting_set(f->s, "k", "v", &f->e), 0);
    cv_store_rollback(f->s);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events"), before);
    char v[8];
    assert_int_equal(cv_store_setting_get(f->s, "k", v, sizeof v, &f->e), CV_ENOTFOUND);
}

static void test_nested_rollback_keeps_the_outer_work(void **state)
{
    fixture *f = *state;
    char v[8];
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_store_setting_set(f->s, "outer", "1", &f->e), 0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_store_setting_set(f->s, "inner", "1", &f->e), 0);
    cv_store_rollback(f->s);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_store_setting_get(f->s, "outer", v, sizeof v, &f->e), 0);
    assert_int_equal(cv_store_setting_get(f->s, "inner", v, sizeof v, &f->e), CV_ENOTFOUND);
}

static void test_cursor_advances_with_its_transaction(void **state)
{
    fixture *f = *state;
    int64_t at;
    assert_int_equal(cv_journal_cursor_get(f->s, "lua:test", &at, &f->e), 0);
    assert_int_equal(at, 0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_cursor_set(f->s, "lua:test", 7, &f->e), 0);
    cv_store_rollback(f->s);
    assert_int_equal(cv_journal_cursor_get(f->s, "lua:test", &at, &f->e), 0);
    assert_int_equal(at, 0);
}

static void test_outbox_queues_a_key_once(void **state)
{
    fixture *f = *state;
    cv_notification n = {"k1", "log", "a@b", "subject", "body"};
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_outbox_put(f->s, &n, &f->e), 1);
    assert_int_equal(cv_outbox_put(f->s, &n, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
}

/* Every notification, whoever queues it (CLI, job, Lua, scenario), passes one rule: a known
 * channel, an address without control bytes that the channel understands, a one-line subject. */
static void test_outbox_refuses_what_no_channel_can_deliver(void **state)
{
    fixture *f = *state;
    const cv_notification bad[] = {
        {"k1", "pigeon", "a", "s", "b"},
        {"k2", "log", "a\x01b", "s", "b"},
        {"k3", "smtp", "no-at-sign", "s", "b"},
        {"k4", "webhook", "ftp://x", "s", "b"},
        {"k5", "log", "a", "s\r\nBcc: x", "b"},
        {"k6", "log", "a", "\x1b[2J", "b"},
        {"k7", "log", "", "s", "b"},
        {"k8", "log", "a\xff", "s", "b"},
    };
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cv_outbox_put(f->s, &bad[i], &f->e) != CV_EINVAL)
            fail_msg("notification %s was queued", bad[i].key);
    cv_store_rollback(f->s);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 0);
}

/* A store left at schema 7 by an older convene, with a person a complaint refers to. */
static void make_store_at_7(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int v = 1; v <= 7; v++)
        assert_int_equal(sqlite3_exec(db, cv_migration_sql(v), 0, 0, 0), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "INSERT INTO terms(code, starts, ends) VALUES ('2020-2025', '2020-01-01', "
                     "  '2025-12-31');"
                     "INSERT INTO orgs(id, code, name, level) VALUES (1, 'LS', 'Tỉnh Lạng Sơn', "
                     "  'province');"
                     "INSERT INTO congresses(id, org_id, term_id, ordinal, kind) VALUES (1, 1, 1, "
                     "  17, 'delegates');"
                     "INSERT INTO people(id, code, name, gender, org_id) VALUES (7, 'P7', "
                     "  'Hoàng Văn Thụ', 'male', 1);"
                     "INSERT INTO complaints(congress_id, kind, about_id, received, status) "
                     "  VALUES (1, 'complaint', 7, '2020-05-01', 'open');"
                     "PRAGMA user_version = 7",
                     0, 0, 0),
        SQLITE_OK);
    sqlite3_close(db);
}

/* One integer that sql (on db) answers with. */
static int64_t answer(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_people_rebuilt_under_the_rows_that_refer_to_them(void **state)
{
    fixture *f = *state;
    char path[80], side[96];
    snprintf(path, sizeof path, "%s-v7", f->path);
    make_store_at_7(path);
    cv_store *old = NULL;
    assert_int_equal(cv_store_open(path, 0, &old, &f->e), 0);
    sqlite3 *db = cv_store_db(old);
    assert_int_equal(answer(db, "PRAGMA user_version"), cv_store_schema_version());
    assert_int_equal(answer(db, "SELECT count(*) FROM people p JOIN complaints c ON "
                                "c.about_id = p.id WHERE p.name = 'Hoàng Văn Thụ'"),
                     1);
    /* References are enforced again, and the new gender check is as strict as the old one. */
    assert_int_equal(answer(db, "PRAGMA foreign_keys"), 1);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM people WHERE id = 7", 0, 0, 0), SQLITE_OK);
    assert_int_not_equal(
        sqlite3_exec(db, "INSERT INTO people(code, name, gender) VALUES ('P8', 'X', 'nam')", 0, 0,
                     0),
        SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO people(code, name) VALUES ('P9', 'Y')", 0, 0, 0),
                     SQLITE_OK);
    cv_store_close(old);
    for (const char *const *s = (const char *const[]){"", "-wal", "-shm", NULL}; *s; s++) {
        snprintf(side, sizeof side, "%s%s", path, *s);
        unlink(side);
    }
}

/* The daemon's checkpoint, on a connection of its own while the daemon's keeps its WAL: every
 * page written is copied into the store; a reader on an older snapshot holds back what it may
 * still need, and that is no error. (A fresh connection that read nothing first copied none.) */
static void test_a_checkpoint_from_another_connection_copies_the_wal(void **state)
{
    fixture *f = *state;
    sqlite3 *db = cv_store_db(f->s);
    int pages = -1, copied = -1;
    sqlite3_wal_autocheckpoint(db, 0);
    assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", 0, 0, 0), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE bulk(b BLOB); "
                                  "INSERT INTO bulk SELECT randomblob(3000) FROM "
                                  "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                  "FROM n WHERE i < 200) SELECT i FROM n)",
                                  0, 0, 0),
                     SQLITE_OK);
    assert_int_equal(cv_store_checkpoint(f->path, &pages, &copied, &f->e), 0);
    assert_true(pages >= 200);
    assert_int_equal(copied, pages);

    sqlite3 *reader;
    assert_int_equal(sqlite3_open(f->path, &reader), SQLITE_OK);
    assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM bulk", 0, 0, 0), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO bulk SELECT b FROM bulk", 0, 0, 0), SQLITE_OK);
    assert_int_equal(cv_store_checkpoint(f->path, &pages, &copied, &f->e), 0);
    assert_true(copied < pages);
    sqlite3_close(reader); /* its read transaction ends with it */
    assert_int_equal(cv_store_checkpoint(f->path, &pages, &copied, &f->e), 0);
    assert_int_equal(copied, pages);
}

static void test_an_empty_file_is_a_store_only_for_init(void **state)
{
    fixture *f = *state;
    char path[80];
    snprintf(path, sizeof path, "%s-empty", f->path);
    FILE *empty = fopen(path, "w");
    assert_non_null(empty);
    fclose(empty);
    cv_store *s = NULL;
    cv_err e;
    assert_int_equal(cv_store_open(path, 0, &s, &e), CV_EIO);
    assert_non_null(strstr(e.msg, "is empty (0 bytes)"));
    assert_int_equal(cv_store_open(path, CV_STORE_CREATE, &s, &e), 0);
    cv_store_close(s);
    for (const char *const *x = (const char *const[]){"", "-wal", "-shm", NULL}; *x; x++) {
        char side[96];
        snprintf(side, sizeof side, "%s%s", path, *x);
        unlink(side);
    }
}

static void test_a_sound_store_passes_its_checks(void **state)
{
    fixture *f = *state;
    for (int full = 0; full < 2; full++) {
        json_t *problems = NULL;
        assert_int_equal(cv_store_check(f->s, full, &problems, &f->e), 0);
        assert_int_equal(json_array_size(problems), 0);
        json_decref(problems);
    }
}

static void test_a_dangling_reference_is_a_problem_of_the_full_check(void **state)
{
    fixture *f = *state;
    assert_int_equal(sqlite3_exec(cv_store_db(f->s),
                                  "PRAGMA foreign_keys = OFF; INSERT INTO orgs(code, name, level, "
                                  "parent_id) VALUES ('X', 'X', 'cell', 4242); PRAGMA foreign_keys "
                                  "= ON",
                                  0, 0, 0),
                     0);
    json_t *problems = NULL;
    assert_int_equal(cv_store_check(f->s, 1, &problems, &f->e), 0);
    assert_int_equal(json_array_size(problems), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(problems, 0), "check")),
                        "foreign_key_check");
    json_decref(problems);
}

static void test_fifos_and_directories_are_refused_without_blocking(void **state)
{
    fixture *f = *state;
    char fifo[80];
    snprintf(fifo, sizeof fifo, "%s-fifo", f->path);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    cv_err e;
    for (const char *const *mode = (const char *const[]){"rb", "wb", NULL}; *mode; mode++) {
        assert_null(cv_path_fopen(fifo, *mode, NULL, &e));
        assert_non_null(strstr(e.msg, "is not a regular file"));
        assert_null(cv_path_fopen("/tmp", *mode, NULL, &e));
        assert_non_null(strstr(e.msg, "is not a regular file"));
    }
    assert_int_equal(cv_path_check_read(fifo, &e), CV_EINVAL);
    unlink(fifo);
    struct stat st;
    FILE *out = cv_path_fopen(fifo, "wb", &st, &e); /* now a regular file, created */
    assert_non_null(out);
    assert_true(S_ISREG(st.st_mode));
    fclose(out);
    unlink(fifo);
}

/* The engine's temporary files go where $TMPDIR says, private to their owner, and to /tmp
 * when $TMPDIR is unset or too long for the name. */
static void test_temporary_files_follow_tmpdir_and_are_private(void **state)
{
    (void)state;
    char dir[] = "/tmp/cv-tmpdir-XXXXXX", path[CV_PATH_TEMP_MAX], long_dir[600];
    struct stat st;
    assert_non_null(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
    int fd = cv_path_temp_file(path, sizeof path, "convene-report");
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
    assert_non_null(strstr(path, "/convene-report-"));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    unlink(path);
    assert_int_equal(cv_path_temp_dir(path, sizeof path, "cv-audit"), 0);
    assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    rmdir(path);
    memset(long_dir, 'd', sizeof long_dir - 1);
    long_dir[0] = '/';
    long_dir[sizeof long_dir - 1] = '\0';
    setenv("TMPDIR", long_dir, 1);
    fd = cv_path_temp_file(path, sizeof path, "convene-file");
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(strncmp(path, "/tmp/convene-file-", 18), 0);
    unlink(path);
    unsetenv("TMPDIR");
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_new_store_is_wal_with_foreign_keys_at_current_schema),
        FIXTURE_TEST(test_store_from_a_newer_convene_is_refused),
        FIXTURE_TEST(test_missing_store_says_run_init),
        FIXTURE_TEST(test_journal_is_append_only),
        FIXTURE_TEST(test_rollback_undoes_the_change_and_its_event),
        FIXTURE_TEST(test_nested_rollback_keeps_the_outer_work),
        FIXTURE_TEST(test_cursor_advances_with_its_transaction),
        FIXTURE_TEST(test_outbox_queues_a_key_once),
        FIXTURE_TEST(test_outbox_refuses_what_no_channel_can_deliver),
        FIXTURE_TEST(test_people_rebuilt_under_the_rows_that_refer_to_them),
        FIXTURE_TEST(test_an_empty_file_is_a_store_only_for_init),
        FIXTURE_TEST(test_a_sound_store_passes_its_checks),
        FIXTURE_TEST(test_a_dangling_reference_is_a_problem_of_the_full_check),
        FIXTURE_TEST(test_fifos_and_directories_are_refused_without_blocking),
        cmocka_unit_test(test_temporary_files_follow_tmpdir_and_are_private),
        FIXTURE_TEST(test_a_checkpoint_from_another_connection_copies_the_wal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
