/* test_auth.c: accounts, passwords, tokens, grants and the actor on every event (core/auth). */
#include "fixture.h"

#include <sodium.h>
#include <time.h>
#include <uv.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "auth/token.h"
#include "domain/org.h"
#include "store/journal.h"
#include "tree.h"

static int64_t add_account(fixture *f, const char *login, const char *password)
{
    int64_t id;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_account_add(f->s, login, "Nguyễn Thị Minh", "", &id, &f->e), 0);
    if (password) {
        char hash[128];
        assert_int_equal(cv_password_hash(password, hash, &f->e), 0);
        assert_int_equal(cv_account_set_password(f->s, login, hash, &f->e), 0);
    }
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    return id;
}

/* This thread's CPU seconds: the hashing's work, which time the machine's load takes away from
 * the thread does not inflate. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_password_checks_the_right_one_and_never_says_which_part_was_wrong(void **state)
{
    fixture *f = *state;
    int64_t id = add_account(f, "minh", "mật khẩu đúng"), got = 0;
    assert_int_equal(cv_password_check(f->s, "minh", "mật khẩu đúng", &got, &f->e), 0);
    assert_int_equal(got, id);
    cv_actor a;
    assert_int_equal(cv_account_actor(f->s, got, "http session", &a, &f->e), 0);
    assert_string_equal(a.name, "minh");
    assert_int_equal(a.kind, CV_ACTOR_ACCOUNT);
    assert_int_equal(cv_password_check(f->s, "minh", "sai rồi nhé", &got, &f->e), CV_EPERM);
    assert_string_equal(f->e.msg, "wrong login or password");
    assert_int_equal(cv_password_check(f->s, "nobody", "sai rồi nhé", &got, &f->e), CV_EPERM);
    assert_string_equal(f->e.msg, "wrong login or password");
    /* The hash is argon2id and the clear text is nowhere in the store. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM accounts WHERE password_hash LIKE "
                                      "'$argon2id$%' AND instr(password_hash, 'đúng') = 0"),
                     1);
}

static void test_a_disabled_account_cannot_sign_in(void **state)
{
    fixture *f = *state;
    int64_t got, id = add_account(f, "minh", "mật khẩu đúng");
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_account_update(f->s, "minh", NULL, NULL, NULL, "disabled", &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_password_check(f->s, "minh", "mật khẩu đúng", &got, &f->e), CV_EPERM);
    cv_actor a;
    assert_int_equal(cv_account_actor(f->s, id, "http session", &a, &f->e), CV_EPERM);
    /* The update names the state before and after. */
    cv_event ev;
    int64_t last;
    assert_int_equal(cv_journal_last_id(f->s, &last, &f->e), 0);
    assert_int_equal(cv_journal_next(f->s, last - 1, &ev, &f->e), 1);
    assert_string_equal(ev.type, "account.updated");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ev.data, "before"), "state")), "active");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ev.data, "after"), "state")), "disabled");
    cv_event_clear(&ev);
}

static void test_a_weak_hash_is_replaced_at_login(void **state)
{
    fixture *f = *state;
    add_account(f, "minh", NULL);
    char weak[crypto_pwhash_STRBYTES];
    assert_int_equal(crypto_pwhash_str_alg(weak, "cũ mà vẫn đúng", strlen("cũ mà vẫn đúng"),
                                           crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_account_set_password(f->s, "minh", weak, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    int64_t got;
    assert_int_equal(cv_password_check(f->s, "minh", "cũ mà vẫn đúng", &got, &f->e), 0);
    sqlite3_stmt *st = cv_store_prepare(f->s, "SELECT password_hash FROM accounts", &f->e);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *now = (const char *)sqlite3_column_text(st, 0);
    assert_string_not_equal(now, weak);
    assert_int_equal(crypto_pwhash_str_needs_rehash(now, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    sqlite3_reset(st);
    assert_int_equal(cv_password_check(f->s, "minh", "cũ mà vẫn đúng", &got, &f->e), 0);
}

/* An unknown login is checked against a dummy hash: it costs what a known login costs, in CPU. */
static void test_an_unknown_login_takes_as_long_as_a_known_one(void **state)
{
    fixture *f = *state;
    int64_t got;
    add_account(f, "minh", "mật khẩu đúng");
    cv_password_check(f->s, "nobody", "warm up the dummy", &got, &f->e);
    double known = 0, unknown = 0;
    for (int i = 0; i < 3; i++) {
        double t0 = cpu_seconds();
        cv_password_check(f->s, "minh", "sai rồi nhé", &got, &f->e);
        double t1 = cpu_seconds();
        cv_password_check(f->s, "nobody", "sai rồi nhé", &got, &f->e);
        known += t1 - t0;
        unknown += cpu_seconds() - t1;
    }
    assert_true(unknown > known / 2 && unknown < known * 2);
}

typedef struct async_state {
    uv_timer_t tick;
    int ticks, ticks_at_done, done, rc;
    int64_t id;
} async_state;

static void on_tick(uv_timer_t *t)
{
    ((async_state *)t->data)->ticks++;
}

static void on_checked(void *ctx, int rc, int64_t id, const cv_err *e)
{
    (void)e;
    async_state *a = ctx;
    a->done = 1;
    a->rc = rc;
    a->id = id;
    a->ticks_at_done = a->ticks;
    uv_close((uv_handle_t *)&a->tick, NULL);
}

/* The hash runs on the thread pool: the loop's timer keeps firing while it runs. */
static void test_the_loop_keeps_turning_while_a_password_is_hashed(void **state)
{
    fixture *f = *state;
    int64_t id = add_account(f, "minh", "mật khẩu đúng");
    uv_loop_t loop;
    uv_loop_init(&loop);
    async_state a = {0};
    uv_timer_init(&loop, &a.tick);
    a.tick.data = &a;
    uv_timer_start(&a.tick, on_tick, 1, 1);
    assert_int_equal(
        cv_password_check_async(&loop, f->s, "minh", "mật khẩu đúng", on_checked, &a, &f->e), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(a.done);
    assert_int_equal(a.rc, 0);
    assert_int_equal(a.id, id);
    assert_true(a.ticks_at_done >= 3);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_a_token_works_until_revoked_and_only_its_hash_is_kept(void **state)
{
    fixture *f = *state;
    int64_t id = add_account(f, "he-thong", NULL), token;
    char text[CV_TOKEN_TEXT_MAX];
    cv_actor a;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_token_add(f->s, id, "báo cáo", 0, text, &token, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(strncmp(text, "cvt_", 4), 0);
    assert_int_equal(cv_token_check(f->s, text, &a, &f->e), 0);
    assert_int_equal(a.kind, CV_ACTOR_TOKEN);
    assert_int_equal(a.account_id, id);
    assert_string_equal(a.name, "he-thong");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE instr(data, 'cvt_')"), 0);
    text[10] ^= 1;
    assert_int_equal(cv_token_check(f->s, text, &a, &f->e), CV_EPERM);
    text[10] ^= 1;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_token_revoke(f->s, id, "báo cáo", &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_token_check(f->s, text, &a, &f->e), CV_EPERM);
}

static void test_an_expired_token_is_refused(void **state)
{
    fixture *f = *state;
    int64_t id = add_account(f, "he-thong", NULL);
    char text[CV_TOKEN_TEXT_MAX];
    cv_actor a;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_token_add(f->s, id, "cũ", cv_clock_real() - 1, text, NULL, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_token_check(f->s, text, &a, &f->e), CV_EPERM);
}

/* A grant covers the subtree (the secretary only its own organisation), ends without being
 * deleted, and an ended grant no longer counts. */
static void test_roles_cover_the_subtree_and_end_without_being_deleted(void **state)
{
    fixture *f = *state;
    tree_add(f, "BK", "Tỉnh Bắc Kạn", "province", "", 0);
    cv_org province, district, ward, other;
    assert_int_equal(cv_org_get(f->s, "LS", &province, &f->e), 0);
    assert_int_equal(cv_org_get(f->s, "LS-TP", &district, &f->e), 0);
    assert_int_equal(cv_org_get(f->s, "VT", &ward, &f->e), 0);
    assert_int_equal(cv_org_get(f->s, "BK", &other, &f->e), 0);
    int64_t id = add_account(f, "minh", NULL), office, secretary;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_grant_add(f->s, id, CV_ROLE_OFFICE, district.id, &office, &f->e), 0);
    assert_int_equal(cv_grant_add(f->s, id, CV_ROLE_SECRETARY, district.id, &secretary, &f->e), 0);
    assert_int_equal(cv_grant_add(f->s, id, CV_ROLE_ADMIN, district.id, NULL, &f->e), CV_EINVAL);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    unsigned r;
    assert_int_equal(cv_grant_roles(f->s, id, district.id, &r, &f->e), 0);
    assert_int_equal(r, CV_ROLE_OFFICE | CV_ROLE_SECRETARY);
    assert_int_equal(cv_grant_roles(f->s, id, ward.id, &r, &f->e), 0);
    assert_int_equal(r, CV_ROLE_OFFICE);
    assert_int_equal(cv_grant_roles(f->s, id, province.id, &r, &f->e), 0);
    assert_int_equal(r, 0);
    assert_int_equal(cv_grant_roles(f->s, id, other.id, &r, &f->e), 0);
    assert_int_equal(r, 0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_grant_end(f->s, office, &f->e), 0);
    assert_int_equal(cv_grant_end(f->s, office, &f->e), CV_ECONFLICT);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_grant_roles(f->s, id, ward.id, &r, &f->e), 0);
    assert_int_equal(r, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM grants WHERE ends IS NOT NULL"), 1);
    assert_int_not_equal(sqlite3_exec(cv_store_db(f->s), "DELETE FROM grants", NULL, NULL, NULL),
                         SQLITE_OK);
}

/* Every event names its actor; a store with none refuses to change. */
static void test_no_event_without_an_actor(void **state)
{
    fixture *f = *state;
    cv_store_set_actor(f->s, NULL);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "test.anonymous", 0, NULL, NULL, &f->e), CV_EPERM);
    cv_store_rollback(f->s);
    fixture_act(f->s);
    fixture_clock("2019-01-01T00:00");
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "test.signed", 0, NULL, NULL, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'test.signed' AND "
                                      "actor_kind = 'account' AND actor_name = 'unit-test'"),
                     1);
    /* Recorded in real time, in order, though the domain clock was moved back. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events a JOIN events b ON b.id > a.id "
                                      "WHERE b.recorded_at < a.recorded_at"),
                     0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'test.signed' AND "
                                      "recorded_at > at"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_password_checks_the_right_one_and_never_says_which_part_was_wrong),
        FIXTURE_TEST(test_a_disabled_account_cannot_sign_in),
        FIXTURE_TEST(test_a_weak_hash_is_replaced_at_login),
        FIXTURE_TEST(test_an_unknown_login_takes_as_long_as_a_known_one),
        FIXTURE_TEST(test_the_loop_keeps_turning_while_a_password_is_hashed),
        FIXTURE_TEST(test_a_token_works_until_revoked_and_only_its_hash_is_kept),
        FIXTURE_TEST(test_an_expired_token_is_refused),
        TREE_TEST(test_roles_cover_the_subtree_and_end_without_being_deleted),
        FIXTURE_TEST(test_no_event_without_an_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
