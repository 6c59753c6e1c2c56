/* test_ops.c: the operations layer (core/ops). The role matrix test walks the whole table: every
 * operation x every role x (the grant's root, inside its subtree, outside it, above it). Each case
 * runs the operation's own example arguments aimed at that place; it must succeed exactly where
 * the table says and be refused with CV_EPERM and one line everywhere else, leaving every row of
 * every table as it was. Each case runs inside a transaction rolled back afterwards, so every case
 * starts from the same world. */
#include "fixture.h"

#include <sodium.h>

#include "auth/account.h"
#include "auth/grant.h"
#include "auth/token.h"
#include "domain/work.h"
#include "elect/election.h"
#include "elect/person.h"
#include "ops/ops.h"
#include "tree.h"

enum place { ROOT, INSIDE, OUTSIDE, ABOVE, PLACES };
static const char *const place_org[PLACES] = {"D1", "W1", "W2", "P"};
static const char *const place_name[PLACES] = {"root", "inside", "outside", "above"};

typedef struct world {
    int64_t account[CV_ROLE_COUNT]; /* one account per role, granted over D1 (admin: store) */
    int64_t work[PLACES];           /* a work item of each place's congress */
    int64_t election[PLACES];       /* an election of each place's congress */
    int64_t grant;                  /* a grant to end */
} world;

static world w;

static void plan_with_work(fixture *f, int p)
{
    const char *org = place_org[p];
    tree_plan(f, org, "I", 0);
    assert_int_equal(cv_subcommittee_add(f->s, org, NULL, "tc", "Tiểu ban tổ chức", &f->e), 0);
    cv_work_spec spec = {.org = org, .title = "Chuẩn bị hội trường", .group = "Hậu cần"};
    assert_int_equal(cv_work_add(f->s, &spec, &w.work[p], &f->e), 0);
    char cell[CV_CODE_MAX];
    snprintf(cell, sizeof cell, "%s.c", org);
    tree_add(f, cell, "Chi bộ", "cell", org, 10);
    char codes[5][CV_CODE_MAX];
    const char *list[4];
    for (int i = 0; i < 5; i++) {
        snprintf(codes[i], sizeof codes[i], "%s-p%d", org, i + 1);
        cv_person_spec person = {.code = codes[i], .name = "Người ứng cử", .incumbent = -1};
        assert_int_equal(cv_person_add(f->s, &person, NULL, &f->e), 0);
        if (i < 4)
            list[i] = codes[i];
    }
    cv_election_spec vote = {
        .org = org, .body = "committee", .seats = 4, .candidates = list, .count = 4};
    assert_int_equal(cv_election_create(f->s, &vote, &w.election[p], &f->e), 0);
}

static void add_account(fixture *f, const char *login, int64_t *id)
{
    assert_int_equal(cv_account_add(f->s, login, "Người thử", "", id, &f->e), 0);
}

/* P (province) > D1 (district) > W1 (grassroots); P > D2 > W2. Grants are over D1. */
static int world_setup(void **state)
{
    fixture_setup(state);
    fixture *f = *state;
    tree_add(f, "P", "Tỉnh", "province", "", 0);
    tree_add(f, "D1", "Huyện Một", "district", "P", 900);
    tree_add(f, "W1", "Xã Một", "grassroots", "D1", 90);
    tree_add(f, "D2", "Huyện Hai", "district", "P", 800);
    tree_add(f, "W2", "Xã Hai", "grassroots", "D2", 80);
    for (int p = 0; p < PLACES; p++)
        plan_with_work(f, p);
    cv_org d1;
    assert_int_equal(cv_org_get(f->s, "D1", &d1, &f->e), 0);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    for (int r = 0; r < CV_ROLE_COUNT; r++) {
        char login[32];
        snprintf(login, sizeof login, "r-%s", cv_role_name(1u << r));
        add_account(f, login, &w.account[r]);
        assert_int_equal(cv_grant_add(f->s, w.account[r], 1u << r, r == 0 ? 0 : d1.id, NULL, &f->e),
                         0);
    }
    int64_t someone;
    char text[CV_TOKEN_TEXT_MAX];
    add_account(f, "someone", &someone);
    assert_int_equal(cv_grant_add(f->s, someone, CV_ROLE_VIEWER, d1.id, &w.grant, &f->e), 0);
    assert_int_equal(cv_token_add(f->s, someone, "script", 0, text, NULL, &f->e), 0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    return 0;
}

/* Every row of every table, hashed: what "unchanged" means. */
static void store_digest(cv_store *s, unsigned char out[32])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    sqlite3 *db = cv_store_db(s);
    sqlite3_stmt *tables;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1",
                 (const char *)sqlite3_column_text(tables, 0));
        sqlite3_stmt *rows;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL), SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const unsigned char *v = sqlite3_column_text(rows, c);
                int n = sqlite3_column_bytes(rows, c);
                crypto_generichash_update(&h, v ? v : (const unsigned char *)"\1",
                                          v ? (size_t)n : 1);
                crypto_generichash_update(&h, (const unsigned char *)"\0", 1);
            }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    crypto_generichash_final(&h, out, 32);
}

/* The example's placeholders filled in for place p; case_no makes fresh names. */
static json_t *example_args(const cv_op *op, int p, int case_no)
{
    char text[1024], *o = text;
    char cell[CV_CODE_MAX];
    snprintf(cell, sizeof cell, "%s.c", place_org[p]);
    for (const char *s = op->example; *s && o < text + sizeof text - 64; s++) {
        if (*s != '$') {
            *o++ = *s;
            continue;
        }
        const char *names[] = {"CELL", "ORG", "WORK", "GRANT", "N", "ELECTION", "PERSON"};
        int k = 0;
        while (k < 7 && strncmp(s + 1, names[k], strlen(names[k])) != 0)
            k++;
        assert_true(k < 7);
        if (k == 0)
            o += sprintf(o, "%s", cell);
        else if (k == 1)
            o += sprintf(o, "%s", place_org[p]);
        else if (k == 2)
            o += sprintf(o, "%lld", (long long)w.work[p]);
        else if (k == 3)
            o += sprintf(o, "%lld", (long long)w.grant);
        else if (k == 4)
            o += sprintf(o, "%d", case_no);
        else if (k == 5)
            o += sprintf(o, "%lld", (long long)w.election[p]);
        else
            o += sprintf(o, "%s-p5", place_org[p]);
        s += strlen(names[k]);
    }
    *o = '\0';
    json_error_t jerr;
    json_t *args = json_loads(text, 0, &jerr);
    if (!args)
        fail_msg("%s: example %s is not JSON: %s", op->name, text, jerr.text);
    return args;
}

/* What the table says: admin everywhere; a store-wide operation for any of its roles; otherwise
 * one of its roles over the root or inside (the secretary: at its own organisation only). */
static int expected(const cv_op *op, unsigned role, int p)
{
    if (role == CV_ROLE_ADMIN)
        return 1;
    if (!(op->roles & role))
        return 0;
    if (op->at == CV_AT_STORE)
        return 1;
    return p == ROOT || (p == INSIDE && role != CV_ROLE_SECRETARY);
}

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

/* The README's role matrix is the table's: regenerate it with tools/ops-matrix. */
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
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_operation_changes_nothing, world_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_a_candidate_list_change_is_all_or_nothing, world_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_arguments_are_checked_against_the_table, world_setup,
                                        fixture_teardown),
        cmocka_unit_test(test_the_readme_matrix_is_the_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
