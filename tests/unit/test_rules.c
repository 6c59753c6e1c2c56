/* test_rules.c: the election rules as a table of cases with their expected outcomes (both
 * congress kinds and their bases, exactly half, ties for the last seat, more passers than
 * seats, too few elected, invalid tallies) and property tests over many random tallies from a
 * seeded PRNG showing the invariants always hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "elect/allocate.h"
#include "elect/rules.h"

typedef struct outcome_case {
    const char *name;
    const char *kind;
    cv_attendance att;
    int64_t seats;
    cv_tie_rule tie;
    int n;
    int64_t votes[8];
    const char *born[8];
    int64_t base;         /* expected */
    const char *outcomes; /* expected, one letter per candidate: E T B O */
    int64_t next_seats;   /* expected */
} outcome_case;

static const outcome_case cases[] = {
    {"members congress: summoned less transferred, exempt absent, suspended, excused absent",
     "members",
     {150, 5, 3, 1, 1, 0, 0, 0, 140},
     3,
     CV_TIE_REVOTE,
     4,
     {100, 71, 70, 90},
     {0},
     140,
     "EEBE",
     0},
    {"delegates congress: summoned less convening absent and absent without an alternate",
     "delegates",
     {200, 0, 0, 0, 0, 2, 4, 3, 197},
     2,
     CV_TIE_REVOTE,
     2,
     {97, 98},
     {0},
     194,
     "BE",
     1},
    {"exactly half of the base is not elected",
     "members",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_REVOTE,
     2,
     {50, 51},
     {0},
     100,
     "BE",
     1},
    {"half of an odd base rounds down: 51 of 101 is elected",
     "members",
     {101, 0, 0, 0, 0, 0, 0, 0, 101},
     2,
     CV_TIE_REVOTE,
     2,
     {51, 50},
     {0},
     101,
     "EB",
     1},
    {"tie for the last seat goes to a new round among the tied",
     "delegates",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_REVOTE,
     3,
     {90, 80, 80},
     {0},
     100,
     "ETT",
     1},
    {"tie for the last seat with the older rule: the older takes it",
     "delegates",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_OLDER,
     3,
     {90, 80, 80},
     {"1960-01-01", "1970-05-05", "1965-02-02"},
     100,
     "EOE",
     0},
    {"older rule with the same birth date still revotes",
     "delegates",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_OLDER,
     3,
     {90, 80, 80},
     {"1960-01-01", "1965-02-02", "1965-02-02"},
     100,
     "ETT",
     1},
    {"older rule with an unknown age revotes",
     "delegates",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_OLDER,
     3,
     {90, 80, 80},
     {"1960-01-01", "", "1965-02-02"},
     100,
     "ETT",
     1},
    {"more passers than seats: most votes win",
     "members",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_REVOTE,
     4,
     {60, 90, 85, 70},
     {0},
     100,
     "OEEO",
     0},
    {"too few pass: seats left for a further round",
     "members",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     3,
     CV_TIE_REVOTE,
     3,
     {60, 40, 30},
     {0},
     100,
     "EBB",
     2},
    {"nobody passes",
     "delegates",
     {300, 0, 0, 0, 0, 0, 0, 0, 300},
     1,
     CV_TIE_REVOTE,
     2,
     {150, 149},
     {0},
     300,
     "BB",
     1},
    {"a tie that fits the seats elects all the tied",
     "members",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     3,
     CV_TIE_REVOTE,
     4,
     {90, 80, 80, 70},
     {0},
     100,
     "EEEO",
     0},
    {"everyone passing and tied for fewer seats all revote",
     "members",
     {100, 0, 0, 0, 0, 0, 0, 0, 100},
     2,
     CV_TIE_REVOTE,
     3,
     {80, 80, 80},
     {0},
     100,
     "TTT",
     2},
};

static char letter(int outcome)
{
    return "?ETBO"[outcome];
}

static void test_election_cases_have_their_expected_outcomes(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const outcome_case *c = &cases[k];
        cv_err e;
        int64_t base;
        assert_int_equal(cv_rules_base(c->kind, &c->att, &base, &e), 0);
        cv_rules_candidate rc[8] = {0};
        for (int i = 0; i < c->n; i++) {
            rc[i].votes = c->votes[i];
            snprintf(rc[i].born, sizeof rc[i].born, "%s", c->born[i] ? c->born[i] : "");
        }
        cv_rules_result r;
        cv_rules_outcome(base, c->seats, c->tie, rc, c->n, &r);
        char got[9] = {0};
        for (int i = 0; i < c->n; i++)
            got[i] = letter(rc[i].outcome);
        if (base != c->base || strcmp(got, c->outcomes) != 0 || r.next_seats != c->next_seats)
            fail_msg("%s: base %lld outcomes %s next %lld; expected %lld %s %lld", c->name,
                     (long long)base, got, (long long)r.next_seats, (long long)c->base, c->outcomes,
                     (long long)c->next_seats);
    }
}

static void test_base_refuses_deductions_of_the_other_kind_or_beyond_the_summoned(void **state)
{
    (void)state;
    cv_err e;
    int64_t base;
    cv_attendance a = {100, 0, 0, 0, 0, 1, 0, 0, -1};
    assert_int_equal(cv_rules_base("members", &a, &base, &e), CV_EINVAL);
    a = (cv_attendance){100, 1, 0, 0, 0, 0, 0, 0, -1};
    assert_int_equal(cv_rules_base("delegates", &a, &base, &e), CV_EINVAL);
    a = (cv_attendance){10, 6, 5, 0, 0, 0, 0, 0, -1};
    assert_int_equal(cv_rules_base("members", &a, &base, &e), CV_EINVAL);
    a = (cv_attendance){10, 0, 0, 0, 0, 0, 0, 0, 11};
    assert_int_equal(cv_rules_base("members", &a, &base, &e), CV_EINVAL);
    a = (cv_attendance){10, 0, 0, 0, 0, 0, 1, 1, 10};
    assert_int_equal(cv_rules_base("delegates", &a, &base, &e), 0);
    assert_int_equal(base, 9);
}

/* Numbers outside the range of people (negative deductions, sums that wrap) never make a base:
 * a negative deduction would raise the base above the summoned, huge ones would wrap. */
static void test_base_refuses_numbers_that_would_overflow_or_raise_it(void **state)
{
    (void)state;
    cv_err e;
    int64_t base = 0;
    cv_attendance a = {10, -5, 0, 0, 0, 0, 0, 0, -1};
    assert_int_equal(cv_rules_base("members", &a, &base, &e), CV_EINVAL);
    assert_int_equal(base, 0);
    a = (cv_attendance){INT64_MAX, INT64_MAX, INT64_MAX, 2, 0, 0, 0, 0, -1};
    assert_int_not_equal(cv_rules_base("members", &a, &base, &e), 0);
    assert_int_equal(base, 0);
    a = (cv_attendance){10, 0, 0, 0, 0, INT64_MAX, INT64_MAX, 0, -1};
    assert_int_not_equal(cv_rules_base("delegates", &a, &base, &e), 0);
    a = (cv_attendance){10, 0, 0, 0, 0, 0, 0, INT64_MAX, 5};
    assert_int_not_equal(cv_rules_base("delegates", &a, &base, &e), 0);
    assert_int_equal(base, 0);
}

/* 5 x V votes for 4 seats is refused however large V is: valid x seats never wraps. */
static void test_a_tally_with_more_votes_than_seats_allow_is_refused_for_large_counts(void **state)
{
    (void)state;
    cv_err e;
    const int64_t big[] = {100, 1000000, INT64_C(1936491313797304342), INT64_MAX / 2, INT64_MAX};
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++) {
        int64_t v = big[k];
        cv_tally t = {v, v, v, 0};
        int64_t votes[5] = {v, v, v, v, v};
        if (cv_rules_reconcile(&t, -1, 4, votes, 5, &e) == 0)
            fail_msg("5 x %lld votes for 4 seats was accepted", (long long)v);
    }
}

typedef struct tally_case {
    const char *name;
    cv_tally t;
    int64_t attending, seats;
    int n;
    int64_t votes[4];
    int ok;
} tally_case;

static const tally_case tallies[] = {
    {"a reconciled tally", {100, 98, 96, 2}, 100, 2, 3, {90, 60, 40}, 1},
    {"returned more than issued", {100, 101, 100, 1}, 200, 2, 1, {50}, 0},
    {"valid and invalid not the returned", {100, 100, 90, 5}, 100, 2, 1, {50}, 0},
    {"votes for one more than the valid ballots", {100, 100, 95, 5}, 100, 2, 2, {96, 10}, 0},
    {"all votes more than valid x seats", {100, 100, 100, 0}, 100, 2, 3, {100, 100, 1}, 0},
    {"all votes exactly valid x seats", {100, 100, 100, 0}, 100, 2, 3, {100, 99, 1}, 1},
    {"more ballots issued than attending", {101, 100, 100, 0}, 100, 1, 1, {60}, 0},
};

static void test_invalid_tallies_are_refused(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof tallies / sizeof tallies[0]; k++) {
        const tally_case *c = &tallies[k];
        cv_err e;
        int rc = cv_rules_reconcile(&c->t, c->attending, c->seats, c->votes, c->n, &e);
        if ((rc == 0) != c->ok)
            fail_msg("%s: reconcile returned %d", c->name, rc);
    }
}

static void test_floor_nominee_needs_more_than_thirty_percent(void **state)
{
    (void)state;
    assert_false(cv_rules_opinion_admits(30, 100));
    assert_true(cv_rules_opinion_admits(31, 100));
    assert_false(cv_rules_opinion_admits(3, 10));
    assert_false(cv_rules_opinion_admits(0, 0));
    assert_int_equal(cv_rules_max_candidates(9), 11);
    assert_int_equal(cv_rules_max_candidates(10), 13);
    assert_int_equal(cv_rules_max_candidates(1), 1);
}

/* xorshift64*: a seeded PRNG so that a failure can be replayed. */
static uint64_t rng_state = 0x2020052220251030ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static int64_t pick(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* For every random round: nobody at or below half the base is elected, never more than the
 * seats, more votes never lose to fewer, the tied share one vote count, and the seats left are
 * the seats less those elected. */
static void test_outcome_invariants_hold_over_random_tallies(void **state)
{
    (void)state;
    for (int round = 0; round < 20000; round++) {
        int64_t base = pick(1, 600), seats = pick(1, 15), valid = pick(0, base);
        int n = (int)pick(1, 24);
        cv_tie_rule tie = rng() & 1 ? CV_TIE_OLDER : CV_TIE_REVOTE;
        cv_rules_candidate c[24] = {0};
        for (int i = 0; i < n; i++) {
            /* Clustered votes make ties common. */
            c[i].votes = rng() & 1 ? pick(0, valid) : valid - pick(0, 3) * (valid / 8 + 1);
            if (c[i].votes < 0)
                c[i].votes = 0;
            if (rng() & 1)
                snprintf(c[i].born, sizeof c[i].born, "19%02d-01-01", (int)pick(50, 55));
        }
        cv_rules_result r;
        cv_rules_outcome(base, seats, tie, c, n, &r);
        int elected = 0;
        int64_t tied_votes = -1;
        for (int i = 0; i < n; i++) {
            assert_true(c[i].outcome >= CV_OUT_ELECTED && c[i].outcome <= CV_OUT_OUTVOTED);
            if (c[i].outcome == CV_OUT_ELECTED) {
                elected++;
                assert_true(c[i].votes > base / 2);
            }
            if (c[i].outcome == CV_OUT_BELOW)
                assert_true(c[i].votes <= base / 2);
            if (c[i].outcome == CV_OUT_TIED) {
                assert_true(tied_votes < 0 || tied_votes == c[i].votes);
                tied_votes = c[i].votes;
            }
            for (int j = 0; j < n; j++)
                if (c[i].outcome == CV_OUT_ELECTED && c[j].votes > c[i].votes)
                    assert_int_equal(c[j].outcome, CV_OUT_ELECTED);
        }
        assert_true(elected <= seats);
        assert_int_equal(elected, r.elected);
        assert_int_equal(r.next_seats, seats - elected);
        assert_true(r.tied == 0 || r.tied > r.next_seats);
    }
}

/* Reconciliation accepts a random tally exactly when every figure is consistent. */
static void test_reconciliation_is_enforced_over_random_tallies(void **state)
{
    (void)state;
    for (int round = 0; round < 20000; round++) {
        cv_tally t;
        t.issued = pick(0, 200);
        t.returned = pick(0, 210);
        t.valid = pick(0, t.returned + 3);
        t.invalid = rng() & 1 ? t.returned - t.valid : pick(0, 5);
        int64_t attending = rng() & 3 ? pick(150, 220) : -1, seats = pick(1, 5);
        int n = (int)pick(1, 8);
        int64_t votes[8], total = 0;
        int over_one = 0;
        for (int i = 0; i < n; i++) {
            votes[i] = pick(0, t.valid + 2);
            total += votes[i];
            over_one |= votes[i] > t.valid;
        }
        int consistent = t.returned <= t.issued && t.valid + t.invalid == t.returned &&
                         t.invalid >= 0 && (attending < 0 || t.issued <= attending) && !over_one &&
                         total <= t.valid * seats;
        cv_err e;
        int rc = cv_rules_reconcile(&t, attending, seats, votes, n, &e);
        assert_int_equal(rc == 0, consistent);
    }
}

/* Allocation: every seat is allocated, nobody gets less than the minimum, and more members
 * never get fewer delegates. */
/* Delegates in all, ex officio and the minimum are counts of people: huge ones are refused
 * instead of wrapping the quotas (minimum x organisations, free seats x members). */
static void test_largest_remainder_refuses_counts_past_their_range(void **state)
{
    (void)state;
    cv_alloc_unit u[2] = {{.members = 10}, {.members = 20}};
    cv_err e;
    cv_alloc_request big[] = {{INT64_MAX, 0, 0}, {100, 0, INT64_MAX / 2 + 1}, {-1, 0, 0}};
    for (size_t k = 0; k < sizeof big / sizeof big[0]; k++)
        assert_int_not_equal(cv_alloc_largest_remainder(&big[k], u, 2, &e), 0);
    u[0].members = INT64_MAX;
    cv_alloc_request r = {100, 0, 0};
    assert_int_not_equal(cv_alloc_largest_remainder(&r, u, 2, &e), 0);
}

static void test_largest_remainder_allocates_every_seat_with_the_minimum(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        int n = (int)pick(1, 40);
        cv_alloc_unit u[40];
        cv_alloc_request r = {pick(n, 400), 0, pick(0, 2)};
        r.ex_officio = pick(0, r.total - r.minimum * n > 0 ? r.total - r.minimum * n : 0);
        for (int i = 0; i < n; i++) {
            memset(&u[i], 0, sizeof u[i]);
            snprintf(u[i].code, sizeof u[i].code, "U%02d", i);
            u[i].members = pick(1, 3000);
        }
        cv_err e;
        if (r.minimum * n > r.total - r.ex_officio) {
            assert_int_equal(cv_alloc_largest_remainder(&r, u, n, &e), CV_EINVAL);
            continue;
        }
        assert_int_equal(cv_alloc_largest_remainder(&r, u, n, &e), 0);
        int64_t sum = 0;
        for (int i = 0; i < n; i++) {
            sum += u[i].seats;
            assert_true(u[i].seats >= r.minimum);
            assert_true(u[i].why[0] != 0);
            for (int j = 0; j < n; j++)
                if (u[j].members > u[i].members)
                    assert_true(u[j].seats >= u[i].seats);
        }
        assert_int_equal(sum, r.total - r.ex_officio);
    }
}

static void test_largest_remainder_explains_a_known_case(void **state)
{
    (void)state;
    /* 10 seats by 500/300/200 members: quotas 5, 3, 2 exactly; 7 seats: 3.5, 2.1, 1.4 ->
     * 3+1, 2, 1 (remainders .5 .1 .4). */
    cv_alloc_unit u[3] = {{"A", "", 500, 0, ""}, {"B", "", 300, 0, ""}, {"C", "", 200, 0, ""}};
    cv_alloc_request r = {9, 2, 1};
    cv_err e;
    assert_int_equal(cv_alloc_largest_remainder(&r, u, 3, &e), 0);
    assert_int_equal(u[0].seats, 4);
    assert_int_equal(u[1].seats, 2);
    assert_int_equal(u[2].seats, 1);
    assert_non_null(strstr(u[0].why, "largest remainder"));
    assert_null(strstr(u[1].why, "largest remainder"));
    /* A minimum of 2 lifts C (quota 1.4) and leaves 5 for A and B: 3.125, 1.875 -> 3, 2. */
    r.minimum = 2;
    assert_int_equal(cv_alloc_largest_remainder(&r, u, 3, &e), 0);
    assert_int_equal(u[2].seats, 2);
    assert_int_equal(u[0].seats, 3);
    assert_int_equal(u[1].seats, 2);
    assert_non_null(strstr(u[2].why, "minimum"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_election_cases_have_their_expected_outcomes),
        cmocka_unit_test(test_base_refuses_deductions_of_the_other_kind_or_beyond_the_summoned),
        cmocka_unit_test(test_invalid_tallies_are_refused),
        cmocka_unit_test(test_base_refuses_numbers_that_would_overflow_or_raise_it),
        cmocka_unit_test(test_a_tally_with_more_votes_than_seats_allow_is_refused_for_large_counts),
        cmocka_unit_test(test_floor_nominee_needs_more_than_thirty_percent),
        cmocka_unit_test(test_outcome_invariants_hold_over_random_tallies),
        cmocka_unit_test(test_reconciliation_is_enforced_over_random_tallies),
        cmocka_unit_test(test_largest_remainder_allocates_every_seat_with_the_minimum),
        cmocka_unit_test(test_largest_remainder_refuses_counts_past_their_range),
        cmocka_unit_test(test_largest_remainder_explains_a_known_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
