/* test_work.c: work items belong to a congress, cite an existing subcommittee, become overdue after
 * their due date, and are done once. */
#include "tree.h"

#include "domain/work.h"

static int64_t add_item(fixture *f, const char *org, const char *title, const char *due,
                        const char *sub)
{
    cv_work_spec spec = {.org = org,
                         .group = "1. Hậu cần",
                         .title = title,
                         .due = due,
                         .subcommittee = sub,
                         .unit = "Văn phòng",
                         .budget = 1000000};
    int64_t id = 0;
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &spec, &id, &f->e)), 0);
    return id;
}

static int collect(const cv_work_item *w, void *ctx)
{
    json_array_append_new(ctx, json_integer(w->id));
    return 0;
}

static json_t *list(fixture *f, cv_work_filter flt)
{
    json_t *ids = json_array();
    assert_int_equal(cv_work_list(f->s, &flt, collect, ids, &f->e), 0);
    return ids;
}

static void test_item_needs_a_planned_congress(void **state)
{
    fixture *f = *state;
    cv_work_spec spec = {.org = "VT", .group = "g", .title = "t"};
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &spec, NULL, &f->e)), CV_ENOTFOUND);
    assert_non_null(strstr(f->e.msg, "no congress planned"));
}

static void test_unknown_subcommittee_is_refused(void **state)
{
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    cv_work_spec spec = {.org = "LS-TP", .group = "g", .title = "t", .subcommittee = "VK"};
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &spec, NULL, &f->e)), CV_ENOTFOUND);
    assert_int_equal(FIXTURE_TX(f->s, cv_subcommittee_add(f->s, "LS-TP", NULL, "VK",
                                                          "Tiểu ban Văn kiện", &f->e)),
                     0);
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &spec, NULL, &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_subcommittee_add(f->s, "LS-TP", NULL, "VK", "again", &f->e)),
        CV_ECONFLICT);
}

static void test_overdue_means_open_and_due_before_today(void **state)
{
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    int64_t late = add_item(f, "LS-TP", "late", "2020-05-21", NULL);
    add_item(f, "LS-TP", "due today", "2020-05-22", NULL);
    int64_t done = add_item(f, "LS-TP", "late but done", "2020-05-01", NULL);
    assert_int_equal(FIXTURE_TX(f->s, cv_work_done(f->s, done, "2020-05-20", &f->e)), 0);
    json_t *ids = list(f, (cv_work_filter){.overdue = 1});
    assert_int_equal(json_array_size(ids), 1);
    assert_int_equal(json_integer_value(json_array_get(ids, 0)), late);
    json_decref(ids);
}

static void test_filter_by_org_takes_the_subtree(void **state)
{
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    tree_plan(f, "VT", "VIII", 0);
    tree_plan(f, "DK", "XII", 0);
    add_item(f, "LS-TP", "city", "2020-06-01", NULL);
    int64_t ward = add_item(f, "VT", "ward", "2020-06-01", NULL);
    add_item(f, "DK", "other ward", "2020-06-01", NULL);
    json_t *ids = list(f, (cv_work_filter){.org = "LS-TP"});
    assert_int_equal(json_array_size(ids), 3);
    json_decref(ids);
    ids = list(f, (cv_work_filter){.org = "VT"});
    assert_int_equal(json_array_size(ids), 1);
    assert_int_equal(json_integer_value(json_array_get(ids, 0)), ward);
    json_decref(ids);
}

static void test_done_twice_or_in_the_future_is_refused(void **state)
{
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    int64_t id = add_item(f, "LS-TP", "t", "2020-06-01", NULL);
    assert_int_equal(FIXTURE_TX(f->s, cv_work_done(f->s, id, "2020-05-23", &f->e)), CV_EINVAL);
    assert_int_equal(FIXTURE_TX(f->s, cv_work_done(f->s, id, NULL, &f->e)), 0);
    cv_work_item w;
    assert_int_equal(cv_work_get(f->s, id, &w, &f->e), 0);
    assert_string_equal(w.done_on, "2020-05-22");
    assert_int_equal(FIXTURE_TX(f->s, cv_work_done(f->s, id, NULL, &f->e)), CV_ECONFLICT);
}

static void test_assign_changes_owner_in_nfc(void **state)
{
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    int64_t id = add_item(f, "LS-TP", "t", NULL, NULL);
    assert_int_equal(
        FIXTURE_TX(f->s,
                   cv_work_assign(f->s, id, NULL, "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n A", &f->e)),
        0);
    cv_work_item w;
    assert_int_equal(cv_work_get(f->s, id, &w, &f->e), 0);
    assert_string_equal(w.person, "Nguy\xe1\xbb\x85n V\xc4\x83n A");
    assert_string_equal(w.unit, "Văn phòng");
    assert_int_equal(FIXTURE_TX(f->s, cv_work_assign(f->s, 999, "x", NULL, &f->e)), CV_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_item_needs_a_planned_congress),
        TREE_TEST(test_unknown_subcommittee_is_refused),
        TREE_TEST(test_overdue_means_open_and_due_before_today),
        TREE_TEST(test_filter_by_org_takes_the_subtree),
        TREE_TEST(test_done_twice_or_in_the_future_is_refused),
        TREE_TEST(test_assign_changes_owner_in_nfc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
