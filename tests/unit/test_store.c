/* test_store.c: the store migrates forward, refuses a newer schema, keeps the journal
 * append-only, rolls a failed change back whole, and nests transactions as savepoints. */
#include "fixture.h"

#include "store/journal.h"
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
