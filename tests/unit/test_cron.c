/* test_cron.c: the cron parser and next-instant search against a table of Vixie cron cases. */
#include "fixture.h"

#include "sched/cron.h"

static int64_t at(const char *when, int off)
{
    int64_t ms;
    cv_err e;
    assert_int_equal(cv_date_parse_instant(when, off, &ms, "when", &e), 0);
    return ms;
}

static const struct {
    const char *expr, *after, *next;
    int off;
} next_cases[] = {
    {"0 8 * * *", "2020-05-22T09:00", "2020-05-23T08:00", 420},
    {"0 8 * * *", "2020-05-22T07:59:59", "2020-05-22T08:00", 420},
    {"0 8 * * *", "2020-05-22T08:00", "2020-05-23T08:00", 420},
    {"0 8 * * *", "2020-05-22T09:00", "2020-05-22T08:00", 0}, /* 09:00 in Hà Nội is 02:00 UTC */
    {"*/15 * * * *", "2020-05-22T09:07", "2020-05-22T09:15", 420},
    {"0 8 * * mon", "2020-05-22T09:00", "2020-05-25T08:00", 420},
    {"0 8 * * MON-fri", "2020-05-22T09:00", "2020-05-25T08:00", 420},
    {"0 0 * * 7", "2020-05-22T09:00", "2020-05-24T00:00", 420},
    {"@weekly", "2020-05-22T09:00", "2020-05-24T00:00", 420},
    {"@monthly", "2020-05-22T09:00", "2020-06-01T00:00", 420},
    /* both day fields restricted: either matches (Friday 29 May comes before the 1st) */
    {"0 0 1,15 * fri", "2020-05-22T09:00", "2020-05-29T00:00", 420},
    /* day-of-month begins with '*': both must match (the 1st/11th/21st/31st on a Friday) */
    {"0 0 */10 * fri", "2020-05-22T09:00", "2020-07-31T00:00", 420},
    {"30 6 * jan-mar,dec sun", "2020-05-22T09:00", "2020-12-06T06:30", 420},
    {"0 12 29 2 *", "2020-05-22T09:00", "2024-02-29T12:00", 420},
    {"5-10/2 1 * * *", "2020-05-22T09:00", "2020-05-23T01:05", 420},
    {"59 23 31 12 *", "2020-12-31T23:59", "2021-12-31T23:59", 420},
};

static void test_next_follows_vixie_semantics(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof next_cases / sizeof next_cases[0]; i++) {
        cv_cron c;
        cv_err e;
        int64_t next;
        assert_int_equal(cv_cron_parse(next_cases[i].expr, &c, &e), 0);
        assert_int_equal(
            cv_cron_next(&c, at(next_cases[i].after, 420), next_cases[i].off, &next, &e), 0);
        if (next != at(next_cases[i].next, next_cases[i].off))
            fail_msg("%s after %s: got %lld", next_cases[i].expr, next_cases[i].after,
                     (long long)next);
    }
}

static void test_bad_expressions_are_refused_with_the_field_named(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * * 13 *",
        "* * * * 8",
        "5/10 * * * *",
        "*/0 * * * *",
        "10-5 * * * *",
        "a * * * *",
        "1,,2 * * * *",
        "1, * * * *",
        "@reboot",
        "* * * foo *",
        "* * * * sunday",
        "-1 * * * *",
        "*/61 * * * *",
        "99999999999 * * * *",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cv_cron c;
        cv_err e;
        if (cv_cron_parse(bad[i], &c, &e) != CV_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    }
    cv_cron c;
    cv_err e;
    assert_int_equal(cv_cron_parse("* 25 * * *", &c, &e), CV_EINVAL);
    assert_non_null(strstr(e.msg, "hour"));
}

static void test_an_impossible_date_never_falls_due(void **state)
{
    (void)state;
    cv_cron c;
    cv_err e;
    int64_t next;
    assert_int_equal(cv_cron_parse("0 0 30 2 *", &c, &e), 0);
    assert_int_equal(cv_cron_next(&c, at("2020-05-22", 420), 420, &next, &e), CV_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_follows_vixie_semantics),
        cmocka_unit_test(test_bad_expressions_are_refused_with_the_field_named),
        cmocka_unit_test(test_an_impossible_date_never_falls_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
