/* test_limit.c: failed logins close the door per name and per address for growing times; a right
 * password during the wait is still refused; an unknown name is treated like a known one; the
 * table stays bounded under a flood of fresh names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "http/limit.h"

static void test_delays_grow_after_the_free_failures(void **state)
{
    (void)state;
    cv_limit *l = cv_limit_new();
    int64_t now = 1000;
    for (int i = 0; i < CV_LIMIT_FREE_LOGIN; i++) {
        assert_int_equal(cv_limit_wait(l, "10.0.0.1", "thu", now), 0);
        cv_limit_record(l, "10.0.0.1", "thu", 0, now);
    }
    assert_int_equal(cv_limit_wait(l, "10.0.0.1", "thu", now), 0);
    int64_t last = 0;
    for (int i = 0; i < 6; i++) {
        cv_limit_record(l, "10.0.0.1", "thu", 0, now);
        int64_t w = cv_limit_wait(l, "10.0.0.1", "thu", now);
        assert_true(w > last);
        last = w;
        now += w; /* the client waits exactly as long as told, then fails again */
        assert_int_equal(cv_limit_wait(l, "10.0.0.1", "thu", now), 0);
    }
    assert_int_equal(last, 32000); /* ms */
    cv_limit_free(l);
}

static void test_the_name_is_limited_from_every_address(void **state)
{
    (void)state;
    cv_limit *l = cv_limit_new();
    char peer[32];
    for (int i = 0; i <= CV_LIMIT_FREE_LOGIN; i++) {
        snprintf(peer, sizeof peer, "10.0.0.%d", i);
        cv_limit_record(l, peer, "no-such-account", 0, 50);
    }
    assert_int_equal(cv_limit_wait(l, "192.168.1.1", "no-such-account", 50), 1000);
    assert_int_equal(cv_limit_wait(l, "192.168.1.1", "other", 50), 0);
    cv_limit_free(l);
}

static void test_the_address_is_limited_across_names(void **state)
{
    (void)state;
    cv_limit *l = cv_limit_new();
    char name[32];
    for (int i = 0; i <= CV_LIMIT_FREE_PEER; i++) {
        snprintf(name, sizeof name, "user%d", i);
        cv_limit_record(l, "10.9.9.9", name, 0, 7);
    }
    assert_true(cv_limit_wait(l, "10.9.9.9", "fresh-name", 7) > 0);
    assert_int_equal(cv_limit_wait(l, "10.9.9.8", "fresh-name", 7), 0);
    cv_limit_free(l);
}

static void test_success_forgets_the_name_and_delays_are_capped(void **state)
{
    (void)state;
    cv_limit *l = cv_limit_new();
    for (int i = 0; i < 40; i++)
        cv_limit_record(l, "unix", "an", 0, 100);
    assert_int_equal(cv_limit_wait(l, "1.1.1.1", "an", 100), CV_LIMIT_MAX_DELAY * 1000);
    cv_limit_record(l, "unix", "an", 1, 100 + CV_LIMIT_MAX_DELAY * 1000);
    assert_int_equal(cv_limit_wait(l, "1.1.1.1", "an", 100 + CV_LIMIT_MAX_DELAY * 1000), 0);
    /* Failures a day old are forgotten. */
    cv_limit_record(l, "2.2.2.2", "old", 0, 0);
    for (int i = 0; i < 10; i++)
        cv_limit_record(l, "2.2.2.2", "old", 0, 0);
    assert_int_equal(cv_limit_wait(l, "3.3.3.3", "old", CV_LIMIT_FORGET * 1000 + 1), 0);
    cv_limit_free(l);
}

static void test_a_flood_of_names_keeps_the_table_bounded(void **state)
{
    (void)state;
    cv_limit *l = cv_limit_new();
    char name[32];
    for (int i = 0; i < 5; i++)
        cv_limit_record(l, "victim-peer", "victim", 0, 10);
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "flood%d", i);
        cv_limit_record(l, "unix", name, 0, 5);
    }
    /* Memory is the table's; the flood can evict old entries, never grow it. */
    assert_true(cv_limit_wait(l, "unix", "anything", 5) > 0);
    cv_limit_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delays_grow_after_the_free_failures),
        cmocka_unit_test(test_the_name_is_limited_from_every_address),
        cmocka_unit_test(test_the_address_is_limited_across_names),
        cmocka_unit_test(test_success_forgets_the_name_and_delays_are_capped),
        cmocka_unit_test(test_a_flood_of_names_keeps_the_table_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
