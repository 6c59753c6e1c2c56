/* test_status.c: the progress report counts directly subordinate organisations, tallies each
 * level of the subtree, and lists congresses late against their window, in path order, wherever
 * their organisation moves. */
#include "tree.h"

#include "domain/status.h"

static json_t *report_of(fixture *f, const char *org)
{
    json_t *out = NULL;
    assert_int_equal(cv_status_report(f->s, org, NULL, &out, &f->e), 0);
    json_t *r = json_incref(json_array_get(json_object_get(out, "reports"), 0));
    json_decref(out);
    return r;
}

static json_int_t at(json_t *j, const char *a, const char *b)
{
    return json_integer_value(json_object_get(json_object_get(j, a), b));
}

static void test_counts_held_subordinates_of_the_city(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 0);
    tree_plan(f, "DK", "XII", 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "DK", NULL, "2020-05-02", NULL, NULL, &f->e)),
        0);
    json_t *r = report_of(f, "LS-TP");
    assert_int_equal(at(r, "subordinates", "total"), 2);
    assert_int_equal(at(r, "subordinates", "held"), 1);
    assert_int_equal(at(r, "subordinates", "planned"), 1);
    assert_true(json_real_value(json_object_get(json_object_get(r, "subordinates"), "percent")) ==
                50.0);
    json_decref(r);
}

static void test_cell_past_its_window_is_late(void **state)
{
    fixture *f = *state;
    /* The cell window of 2020-2025 closed on 2020-03-31; today is 2020-05-22. */
    json_t *r = report_of(f, "LS-TP");
    json_t *late = json_object_get(r, "late");
    assert_int_equal(json_array_size(late), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(late, 0), "org")),
                        "VT-C1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(late, 0), "status")),
                        "unplanned");
    json_decref(r);
}

/* The codes of r's late list, in order, joined by spaces. */
static void late_codes(json_t *r, char *out, size_t cap)
{
    size_t i, n = 0;
    json_t *c;
    out[0] = '\0';
    json_array_foreach(json_object_get(r, "late"), i, c)
    {
        n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "",
                              json_string_value(json_object_get(c, "org")));
    }
}

/* With every cell of the subtree planned, the cells come from the congresses' own index
 * (congresses_by_path), in path order, and follow their organisation when it moves. */
static void test_late_congresses_follow_their_organisation(void **state)
{
    fixture *f = *state;
    tree_add(f, "DK-C1", "Chi bộ khối 2", "cell", "DK", 15);
    tree_add(f, "VT-C0", "Chi bộ khối 0", "cell", "VT", 12);
    tree_add(f, "BG", "Tỉnh Bắc Giang", "province", "", 0);
    tree_add(f, "BG-TP", "Thành phố Bắc Giang", "district", "BG", 100);
    tree_plan(f, "VT-C1", "I", 0);
    tree_plan(f, "DK-C1", "I", 0);
    char codes[256];
    json_t *r = report_of(f, "LS");
    late_codes(r, codes, sizeof codes);
    assert_string_equal(codes, "DK-C1 VT-C0 VT-C1"); /* VT-C0 unplanned: by organisation */
    json_decref(r);
    tree_plan(f, "VT-C0", "I", 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_mark_held(f->s, "VT-C1", NULL, "2020-03-30", NULL,
                                                            NULL, &f->e)),
                     0);
    r = report_of(f, "LS");
    late_codes(r, codes, sizeof codes);
    assert_string_equal(codes, "DK-C1 VT-C0"); /* held on time: no longer late */
    json_decref(r);
    assert_int_equal(FIXTURE_TX(f->s, cv_org_move(f->s, "VT", "BG-TP", &f->e)), 0);
    r = report_of(f, "LS");
    late_codes(r, codes, sizeof codes);
    assert_string_equal(codes, "DK-C1");
    json_decref(r);
    r = report_of(f, "BG");
    late_codes(r, codes, sizeof codes);
    assert_string_equal(codes, "VT-C0");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(r, "late"), 0), "status")),
        "planned");
    json_decref(r);
}

static void test_levels_are_tallied_below_the_root(void **state)
{
    fixture *f = *state;
    json_t *r = report_of(f, "LS");
    json_t *levels = json_object_get(r, "levels");
    assert_int_equal(json_array_size(levels), 3); /* district, grassroots, cell */
    assert_string_equal(json_string_value(json_object_get(json_array_get(levels, 1), "level")),
                        "grassroots");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(levels, 1), "total")), 2);
    json_decref(r);
}

static void test_unknown_org_is_an_error(void **state)
{
    fixture *f = *state;
    json_t *out = NULL;
    assert_int_equal(cv_status_report(f->s, "NOPE", NULL, &out, &f->e), CV_ENOTFOUND);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_counts_held_subordinates_of_the_city),
        TREE_TEST(test_cell_past_its_window_is_late),
        TREE_TEST(test_late_congresses_follow_their_organisation),
        TREE_TEST(test_levels_are_tallied_below_the_root),
        TREE_TEST(test_unknown_org_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
