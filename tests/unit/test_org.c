/* test_org.c: the organisation tree keeps levels descending, refuses cycles and duplicates, stores
 * names in NFC, and journals every change with it. */
#include "tree.h"

#include "store/journal.h"

static void test_added_org_comes_back_with_its_parent(void **state)
{
    fixture *f = *state;
    cv_org o;
    assert_int_equal(cv_org_get(f->s, "VT", &o, &f->e), 0);
    assert_string_equal(o.name, "Phường Vĩnh Trại");
    assert_string_equal(o.level, "grassroots");
    assert_string_equal(o.parent_code, "LS-TP");
    assert_int_equal(o.members, 620);
}

static void test_child_level_must_be_below_parent(void **state)
{
    fixture *f = *state;
    cv_org o = {.code = "X", .name = "Tỉnh X", .level = "province", .parent_code = "LS-TP"};
    assert_int_equal(FIXTURE_TX(f->s, cv_org_add(f->s, &o, NULL, &f->e)), CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "below its parent"));
    assert_int_equal(cv_org_get(f->s, "X", &o, &f->e), CV_ENOTFOUND);
}

/* A domain write runs in its caller's transaction; called outside one it is refused with an
 * internal error naming it (status 70, never retried as a fault of the store), and writes
 * nothing (no autocommitted half). */
static void test_a_write_outside_a_transaction_is_refused_and_changes_nothing(void **state)
{
    fixture *f = *state;
    int64_t events = fixture_count(f, "SELECT count(*) FROM events");
    int64_t orgs = fixture_count(f, "SELECT count(*) FROM orgs");
    cv_org o = {.code = "X", .name = "Phường X", .level = "grassroots", .parent_code = "LS-TP"};
    assert_int_equal(cv_org_add(f->s, &o, NULL, &f->e), CV_EINTERNAL);
    assert_false(cv_store_faulted(f->e.code)); /* a bug, not a fault to retry after a while */
    assert_int_equal(cv_err_exit_status(f->e.code), 70);
    assert_string_equal(f->e.msg, "internal error: cv_org_add changes the store outside a "
                                  "transaction (its caller must begin one)");
    assert_int_equal(cv_org_move(f->s, "VT", "LS", &f->e), CV_EINTERNAL);
    assert_non_null(strstr(f->e.msg, "cv_org_move"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM orgs"), orgs);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events"), events);
    assert_true(sqlite3_get_autocommit(cv_store_db(f->s)));
    /* Inside one the same call is allowed. */
    assert_int_equal(FIXTURE_TX(f->s, cv_org_add(f->s, &o, NULL, &f->e)), 0);
}

static void test_duplicate_code_is_refused_and_nothing_journaled(void **state)
{
    fixture *f = *state;
    int64_t events = fixture_count(f, "SELECT count(*) FROM events");
    cv_org o = {.code = "VT", .name = "Khác", .level = "grassroots", .parent_code = "LS-TP"};
    assert_int_equal(FIXTURE_TX(f->s, cv_org_add(f->s, &o, NULL, &f->e)), CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "already used"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events"), events);
}

static void test_move_into_own_subtree_is_a_cycle(void **state)
{
    fixture *f = *state;
    assert_int_equal(FIXTURE_TX(f->s, cv_org_move(f->s, "LS-TP", "VT", &f->e)), CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "subtree"));
    assert_int_equal(FIXTURE_TX(f->s, cv_org_move(f->s, "VT", "VT", &f->e)), CV_ECONFLICT);
}

static void test_move_changes_parent_and_journals_it(void **state)
{
    fixture *f = *state;
    tree_add(f, "DK-C1", "Chi bộ 1", "cell", "DK", 10);
    assert_int_equal(FIXTURE_TX(f->s, cv_org_move(f->s, "DK-C1", "VT", &f->e)), 0);
    cv_org o;
    assert_int_equal(cv_org_get(f->s, "DK-C1", &o, &f->e), 0);
    assert_string_equal(o.parent_code, "VT");
    int64_t last;
    cv_event ev;
    assert_int_equal(cv_journal_last_id(f->s, &last, &f->e), 0);
    assert_int_equal(cv_journal_next(f->s, last - 1, &ev, &f->e), 1);
    assert_string_equal(ev.type, "org.moved");
    assert_string_equal(json_string_value(json_object_get(ev.data, "from")), "DK");
    cv_event_clear(&ev);
}

static void test_decomposed_name_is_stored_composed(void **state)
{
    fixture *f = *state;
    tree_add(f, "TN", "Tha\xcc\x81i Nguye\xcc\x82n", "province", "", 0);
    cv_org o;
    assert_int_equal(cv_org_get(f->s, "TN", &o, &f->e), 0);
    assert_string_equal(o.name, "Th\xc3\xa1i Nguy\xc3\xaan");
}

static int count_visit(const cv_org *o, int depth, void *ctx)
{
    (void)o;
    int *n = ctx;
    n[0]++;
    if (depth > n[1])
        n[1] = depth;
    return 0;
}

static void test_walk_visits_subtree_to_depth(void **state)
{
    fixture *f = *state;
    int n[2] = {0, 0};
    assert_int_equal(cv_org_walk(f->s, "LS-TP", -1, count_visit, n, &f->e), 0);
    assert_int_equal(n[0], 4);
    assert_int_equal(n[1], 2);
    n[0] = n[1] = 0;
    assert_int_equal(cv_org_walk(f->s, "LS-TP", 1, count_visit, n, &f->e), 0);
    assert_int_equal(n[0], 3);
    assert_int_equal(cv_org_walk(f->s, "NOPE", -1, count_visit, n, &f->e), CV_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_added_org_comes_back_with_its_parent),
        TREE_TEST(test_child_level_must_be_below_parent),
        TREE_TEST(test_duplicate_code_is_refused_and_nothing_journaled),
        TREE_TEST(test_a_write_outside_a_transaction_is_refused_and_changes_nothing),
        TREE_TEST(test_move_into_own_subtree_is_a_cycle),
        TREE_TEST(test_move_changes_parent_and_journals_it),
        TREE_TEST(test_decomposed_name_is_stored_composed),
        TREE_TEST(test_walk_visits_subtree_to_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
