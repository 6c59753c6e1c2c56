/* test_congress.c: one congress per organisation per term; lower levels hold theirs first unless
 * an override is recorded; pilots may be early; dates are real and not in the future. */
#include "tree.h"

#include "store/journal.h"

static void test_second_congress_in_a_term_is_refused(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 0);
    cv_congress_spec spec = {.org = "VT",
                             .ordinal = "IX",
                             .pilot = -1,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_plan(f->s, &spec, NULL, &f->e)), CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "one congress per organisation per term"));
}

static void test_kind_follows_member_count(void **state)
{
    fixture *f = *state;
    cv_congress c;
    tree_plan(f, "VT", "VIII", 0); /* 620 members */
    tree_plan(f, "DK", "XII", 0);  /* 150 members */
    assert_int_equal(cv_congress_get(f->s, "VT", NULL, &c, &f->e), 0);
    assert_string_equal(c.kind, "delegates");
    assert_int_equal(cv_congress_get(f->s, "DK", NULL, &c, &f->e), 0);
    assert_string_equal(c.kind, "members");
}

static void test_held_before_subordinates_needs_an_override_which_is_journaled(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 0);
    tree_plan(f, "VT-C1", "I", 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "VT", NULL, "2020-04-10", NULL, NULL, &f->e)),
        CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "VT-C1"));
    cv_congress c;
    assert_int_equal(cv_congress_get(f->s, "VT", NULL, &c, &f->e), 0);
    assert_string_equal(c.status, "planned");
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "VT", NULL, "2020-04-10", NULL,
                                                            "chi bộ khối 1 sáp nhập", &f->e)),
                     0);
    int64_t last;
    cv_event ev;
    assert_int_equal(cv_journal_last_id(f->s, &last, &f->e), 0);
    assert_int_equal(cv_journal_next(f->s, last - 1, &ev, &f->e), 1);
    assert_string_equal(ev.type, "congress.held");
    json_t *ov = json_object_get(ev.data, "override");
    assert_string_equal(json_string_value(json_object_get(ov, "reason")), "chi bộ khối 1 sáp nhập");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ov, "pending"), 0)),
                        "VT-C1");
    cv_event_clear(&ev);
}

static void test_subordinates_held_first_needs_no_override(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 0);
    tree_plan(f, "VT-C1", "I", 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "VT-C1", NULL, "2020-03-02", NULL,
                                                            NULL, &f->e)),
                     0);
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "VT", NULL, "2020-04-10",
                                                            "2020-04-11", NULL, &f->e)),
                     0);
}

static void test_pilot_may_be_held_before_the_window_others_may_not(void **state)
{
    fixture *f = *state;
    tree_plan(f, "DK", "XII", 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-03-10", NULL, NULL, &f->e)),
        CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "not a pilot"));
    cv_congress_spec spec = {
        .org = "DK", .pilot = 1, .direct_secretary = -1, .summoned = -1, .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_set(f->s, &spec, &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-03-10", NULL, NULL, &f->e)),
        0);
}

static void test_longer_than_the_level_allows_needs_an_override(void **state)
{
    fixture *f = *state;
    tree_plan(f, "DK", "XII", 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-05-01",
                                                            "2020-05-03", NULL, &f->e)),
                     CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "3 days"));
}

static void test_future_and_impossible_dates_are_refused(void **state)
{
    fixture *f = *state;
    tree_plan(f, "DK", "XII", 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-06-01", NULL, NULL, &f->e)),
        CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "today is 2020-05-22"));
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-02-30", NULL, NULL, &f->e)),
        CV_EINVAL);
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-05-02",
                                                            "2020-05-01", NULL, &f->e)),
                     CV_EINVAL);
}

static void test_held_twice_is_refused(void **state)
{
    fixture *f = *state;
    tree_plan(f, "DK", "XII", 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-05-02", NULL, NULL, &f->e)),
        0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-05-03", NULL, NULL, &f->e)),
        CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_prepare(f->s, "DK", NULL, &f->e)), CV_ECONFLICT);
}

static void test_present_cannot_exceed_summoned(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 0);
    cv_congress_spec spec = {
        .org = "VT", .pilot = -1, .direct_secretary = -1, .summoned = 120, .present = 121};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_set(f->s, &spec, &f->e)), CV_EINVAL);
    spec.present = 118;
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_set(f->s, &spec, &f->e)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_second_congress_in_a_term_is_refused),
        TREE_TEST(test_kind_follows_member_count),
        TREE_TEST(test_held_before_subordinates_needs_an_override_which_is_journaled),
        TREE_TEST(test_subordinates_held_first_needs_no_override),
        TREE_TEST(test_pilot_may_be_held_before_the_window_others_may_not),
        TREE_TEST(test_longer_than_the_level_allows_needs_an_override),
        TREE_TEST(test_future_and_impossible_dates_are_refused),
        TREE_TEST(test_held_twice_is_refused),
        TREE_TEST(test_present_cannot_exceed_summoned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
