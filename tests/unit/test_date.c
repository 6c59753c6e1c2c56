/* test_date.c: dates are real calendar dates, instants read in Vietnam's zone, the injected clock
 * says what it was told. */
#include "fixture.h"

static void test_impossible_dates_are_refused(void **state)
{
    (void)state;
    cv_err e;
    assert_int_equal(cv_date_check("2020-02-29", "d", &e), 0);
    assert_int_equal(cv_date_check("2019-02-29", "d", &e), CV_EINVAL);
    assert_int_equal(cv_date_check("2020-13-01", "d", &e), CV_EINVAL);
    assert_int_equal(cv_date_check("2020-04-31", "d", &e), CV_EINVAL);
    assert_int_equal(cv_date_check("2020-4-1", "d", &e), CV_EINVAL);
    assert_int_equal(cv_date_check("22/05/2020", "d", &e), CV_EINVAL);
    assert_non_null(strstr(e.msg, "22/05/2020"));
}

static void test_days_round_trip(void **state)
{
    (void)state;
    char buf[11];
    for (int64_t d = -1000; d < 40000; d += 37) {
        cv_date_from_days(d, buf);
        assert_int_equal(cv_date_days(buf), d);
    }
    assert_int_equal(cv_date_days("1970-01-01"), 0);
    assert_int_equal(cv_date_days("2020-10-13") - cv_date_days("2020-10-11"), 2);
}

static void test_instants_are_read_in_vietnam_unless_zoned(void **state)
{
    (void)state;
    int64_t a, b;
    cv_err e;
    assert_int_equal(cv_date_parse_instant("2020-05-22T07:00", CV_TZ_VIETNAM_MIN, &a, "t", &e), 0);
    assert_int_equal(cv_date_parse_instant("2020-05-22T00:00Z", CV_TZ_VIETNAM_MIN, &b, "t", &e), 0);
    assert_int_equal(a, b);
    assert_int_equal(cv_date_parse_instant("2020-05-22T07:00+07:00", 0, &b, "t", &e), 0);
    assert_int_equal(a, b);
    assert_int_equal(cv_date_parse_instant("2020-05-22T24:00", 0, &b, "t", &e), CV_EINVAL);
    assert_int_equal(cv_date_parse_instant("2020-05-22T07:00+7", 0, &b, "t", &e), CV_EINVAL);
}

static void test_fixed_clock_gives_vietnamese_today(void **state)
{
    (void)state;
    char today[11];
    fixture_clock("2020-05-22T23:30"); /* 16:30 UTC: still the 22nd in Vietnam */
    cv_clock_today(today);
    assert_string_equal(today, "2020-05-22");
    cv_clock_advance(60 * 60 * 1000);
    cv_clock_today(today);
    assert_string_equal(today, "2020-05-23");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impossible_dates_are_refused),
        cmocka_unit_test(test_days_round_trip),
        cmocka_unit_test(test_instants_are_read_in_vietnam_unless_zoned),
        cmocka_unit_test(test_fixed_clock_gives_vietnamese_today),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
