/* fixture.h: what every unit test shares: a fresh store in a temporary file with the default
 * terms, a fixed clock, and checks that the store closed cleanly. Header-only on purpose: each
 * test is one executable. */
#ifndef CV_TEST_FIXTURE_H
#define CV_TEST_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/date.h"
#include "domain/term.h"
#include "store/store.h"

typedef struct fixture {
    char path[64];
    cv_store *s;
    cv_err e;
} fixture;

/* Fixes the clock at a Vietnamese local date-time such as "2020-05-22T09:00". */
static inline void fixture_clock(const char *when)
{
    int64_t ms;
    cv_err e;
    assert_int_equal(cv_date_parse_instant(when, CV_TZ_VIETNAM_MIN, &ms, "when", &e), 0);
    cv_clock_fix(ms);
}

/* Unit tests change the store as the account "unit-test" (every event needs an actor). */
static inline void fixture_act(cv_store *s)
{
    cv_actor a = {.kind = CV_ACTOR_ACCOUNT, .scope_roles = 0x7f};
    snprintf(a.name, sizeof a.name, "unit-test");
    cv_store_set_actor(s, &a);
}

/* A domain function that changes the store runs in its caller's transaction (it neither begins
 * nor commits): a test calling one directly is that caller. FIXTURE_TX(s, call) begins a
 * transaction, runs call, commits when it succeeded (rc >= 0) and rolls back otherwise; its
 * value is call's. */
static inline void fixture_tx_begin(cv_store *s)
{
    cv_err e;
    assert_int_equal(cv_store_begin(s, &e), 0);
}

static inline int fixture_tx_end(cv_store *s, int rc)
{
    cv_err e;
    if (rc >= 0 && cv_store_commit(s, &e) < 0)
        rc = e.code;
    if (rc < 0)
        cv_store_rollback(s);
    return rc;
}

#define FIXTURE_TX(s, call) (fixture_tx_begin(s), fixture_tx_end((s), (call)))

static inline int fixture_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->path, sizeof f->path, "/tmp/cv-unit-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    unlink(f->path);
    fixture_clock("2020-05-22T09:00");
    assert_int_equal(cv_store_open(f->path, CV_STORE_CREATE, &f->s, &f->e), 0);
    fixture_act(f->s);
    assert_int_equal(FIXTURE_TX(f->s, cv_term_seed(f->s, &f->e)), 0);
    *state = f;
    return 0;
}

static inline int fixture_teardown(void **state)
{
    fixture *f = *state;
    /* A test must leave no transaction open: the store is back in autocommit. */
    assert_true(sqlite3_get_autocommit(cv_store_db(f->s)));
    cv_store_close(f->s);
    char side[80];
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
    free(f);
    return 0;
}

/* Counts the rows of a table through a constant query. */
static inline int64_t fixture_count(fixture *f, const char *sql)
{
    sqlite3_stmt *st = cv_store_prepare(f->s, sql, &f->e);
    assert_non_null(st);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

#endif
