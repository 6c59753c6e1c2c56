/* test_ops.c: the operations layer (core/ops). The role matrix test walks the whole table: every
 * operation x every role x (the grant's root, inside its subtree, outside it, above it). Each case
 * runs the operation's own example arguments aimed at that place; it must succeed exactly where
 * the table says and be refused with CV_EPERM and one line everywhere else, leaving every row of
 * every table as it was. Each case runs inside a transaction rolled back afterwards, so every case
 * starts from the same world. */
#include "matrix.h"

static int run_case(fixture *f, const cv_op *op, int r, int p, int case_no)
{
    unsigned role = 1u << r;
    cv_actor a = {.kind = CV_ACTOR_ACCOUNT, .account_id = w.account[r]};
    snprintf(a.name, sizeof a.name, "r-%s", cv_role_name(role));
    json_t *args = example_args(op, p, case_no), *result = NULL;
    unsigned char before[32], after[32];
    fixture_clock("2020-05-22T09:00");
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    store_digest(f->s, before);
    int rc = cv_ops_call(f->s, &a, op->name, args, &result, &f->e);
    int want = expected(op, role, p);
    if (want && rc != 0)
        fail_msg("%s as %s at %s should succeed: %s", op->name, cv_role_name(role), place_name[p],
                 f->e.msg);
    if (!want) {
        if (rc != CV_EPERM)
            fail_msg("%s as %s at %s should be refused, got %d %s", op->name, cv_role_name(role),
                     place_name[p], rc, f->e.msg);
        assert_null(strchr(f->e.msg, '\n'));
        assert_non_null(strstr(f->e.msg, "permission denied"));
        store_digest(f->s, after);
        assert_memory_equal(before, after, sizeof before);
    }
    cv_store_rollback(f->s);
    json_decref(result);
    json_decref(args);
    return want;
}

static void test_every_operation_for_every_role_everywhere(void **state)
{
    fixture *f = *state;
    int cases = 0, allowed = 0;
    for (int i = 0; i < cv_ops_count(); i++)
        for (int r = 0; r < CV_ROLE_COUNT; r++)
            for (int p = 0; p < PLACES; p++) {
                allowed += run_case(f, cv_ops_at(i), r, p, cases);
                cases++;
            }
    fixture_act(f->s);
    print_message("role matrix: %d operations x %d roles x %d places = %d cases, %d allowed\n",
                  cv_ops_count(), CV_ROLE_COUNT, PLACES, cases, allowed);
    assert_int_equal(cases, cv_ops_count() * CV_ROLE_COUNT * PLACES);
}

/* An operation that changes several rows commits all or none: here congress.held's own checks
 * run after nothing, and a refused call leaves even the actor of the store as it was. */
static void test_a_failing_operation_changes_nothing(void **state)
{
    fixture *f = *state;
    cv_actor admin = {.kind = CV_ACTOR_ACCOUNT, .account_id = w.account[0]};
    snprintf(admin.name, sizeof admin.name, "r-admin");
    unsigned char before[32], after[32];
    store_digest(f->s, before);
    json_t *args =
        json_pack("{s:s, s:s, s:s}", "login", "mới", "name", "Người mới", "password", "ngắn");
    assert_int_equal(cv_ops_call(f->s, &admin, "account.add", args, NULL, &f->e), CV_EINVAL);
    json_decref(args);
    store_digest(f->s, after);
    assert_memory_equal(before, after, sizeof before);
    args = json_pack("{s:s, s:s, s:s}", "login", "moi", "name", "Người mới", "password", "ngắn");
    assert_int_equal(cv_ops_call(f->s, &admin, "account.add", args, NULL, &f->e), CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "password"));
    json_decref(args);
    store_digest(f->s, after);
    assert_memory_equal(before, after, sizeof before);
    assert_string_equal(cv_store_actor(f->s)->name, "unit-test");
}

/* `election candidates ID --add X --remove NOBODY`: the removal fails, so X is not added either. */
static void test_a_candidate_list_change_is_all_or_nothing(void **state)
{
    fixture *f = *state;
    cv_actor office = {.kind = CV_ACTOR_ACCOUNT, .account_id = w.account[1]};
    snprintf(office.name, sizeof office.name, "r-office");
    unsigned char before[32], after[32];
    store_digest(f->s, before);
    json_t *args = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)w.election[ROOT], "add", "D1-p5",
                             "remove", "NOBODY");
    assert_int_equal(cv_ops_call(f->s, &office, "election.candidates", args, NULL, &f->e),
                     CV_ENOTFOUND);
    json_decref(args);
    store_digest(f->s, after);
    assert_memory_equal(before, after, sizeof before);
    args = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)w.election[ROOT], "add", "D1-p5",
                     "remove", "D1-p1");
    assert_int_equal(cv_ops_call(f->s, &office, "election.candidates", args, NULL, &f->e), 0);
    json_decref(args);
    assert_true(fixture_count(f, "SELECT count(*) FROM events WHERE type LIKE 'election.%' AND "
                                 "actor_name = 'r-office' AND actor_kind = 'account'") >= 1);
}

/* doc.add with a version that is refused (no author) leaves no document behind either. */
static void test_a_document_added_with_a_refused_version_is_not_added(void **state)
{
    fixture *f = *state;
    cv_actor office = {.kind = CV_ACTOR_ACCOUNT, .account_id = w.account[1]};
    snprintf(office.name, sizeof office.name, "r-office");
    unsigned char before[32], after[32];
    store_digest(f->s, before);
    json_t *args = json_pack("{s:s, s:s, s:s}", "org", "D1", "title", "Biên bản", "link",
                             "//may-chu/bien-ban.pdf");
    assert_int_equal(cv_ops_call(f->s, &office, "doc.add", args, NULL, &f->e), CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "by"));
    json_decref(args);
    store_digest(f->s, after);
    assert_memory_equal(before, after, sizeof before);
}

/* The secretary of D1 answers a round of the province's document sent to D1, and may not answer
 * for P itself: the recipient, not the document, is the organisation acted on. */
static void test_a_secretary_answers_the_rounds_sent_to_its_organisation(void **state)
{
    fixture *f = *state;
    cv_actor secretary = {.kind = CV_ACTOR_ACCOUNT, .account_id = w.account[3]};
    snprintf(secretary.name, sizeof secretary.name, "r-secretary");
    fixture_clock("2020-05-22T09:00");
    cv_round_spec spec = {.doc = w.doc[ABOVE], .deadline = "2020-06-30", .orgs = "D1,D2"};
    int64_t round;
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &spec, &round, &f->e)), 0);
    json_t *args = json_pack("{s:I, s:s}", "id", (json_int_t)round, "recipient", "D2");
    assert_int_equal(cv_ops_call(f->s, &secretary, "round.respond", args, NULL, &f->e), CV_EPERM);
    json_decref(args);
    args = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)round, "recipient", "D1", "summary",
                     "Nhất trí");
    assert_int_equal(cv_ops_call(f->s, &secretary, "round.respond", args, NULL, &f->e), 0);
    json_decref(args);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM round_recipients WHERE "
                                      "responded_on IS NOT NULL AND key = 'D1'"),
                     1);
}

static void test_arguments_are_checked_against_the_table(void **state)
{
    fixture *f = *state;
    cv_actor admin = {.kind = CV_ACTOR_ACCOUNT, .account_id = w.account[0]};
    json_t *args = json_pack("{s:s, s:s}", "code", "P", "colour", "đỏ");
    assert_int_equal(cv_ops_call(f->s, &admin, "org.show", args, NULL, &f->e), CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "colour"));
    json_decref(args);
    args = json_pack("{s:s, s:i}", "code", "P", "members", -4);
    assert_int_equal(cv_ops_call(f->s, &admin, "org.set", args, NULL, &f->e), CV_EINVAL);
    json_decref(args);
    assert_int_equal(cv_ops_call(f->s, &admin, "org.fly", NULL, NULL, &f->e), CV_ENOTFOUND);
}

/* The README's role matrix is the table's: regenerate it with `convene ops matrix`. */
static void test_the_readme_matrix_is_the_tables(void **state)
{
    (void)state;
    char *table = cv_ops_matrix_markdown();
    assert_non_null(table);
    FILE *fp = fopen(CV_SOURCE_DIR "/README.md", "r");
    assert_non_null(fp);
    static char readme[1 << 20];
    size_t n = fread(readme, 1, sizeof readme - 1, fp);
    fclose(fp);
    readme[n] = '\0';
    if (!strstr(readme, table))
        fail_msg("README.md's role matrix is stale; paste this table in:\n%s", table);
    free(table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_operation_for_every_role_everywhere, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_operation_changes_nothing, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_a_candidate_list_change_is_all_or_nothing, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_a_document_added_with_a_refused_version_is_not_added,
                                        world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_secretary_answers_the_rounds_sent_to_its_organisation, world_setup,
            world_teardown),
        cmocka_unit_test_setup_teardown(test_arguments_are_checked_against_the_table, world_setup,
                                        world_teardown),
        cmocka_unit_test(test_the_readme_matrix_is_the_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
