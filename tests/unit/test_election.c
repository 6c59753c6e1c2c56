/* test_election.c: elections in the store: both congress kinds, rounds that leave out those
 * already elected, the states and their immutability, corrections, congress contents, the
 * attendance a Lua procedure's election inherits, and complaints about candidates. */
#include "fixture.h"

#include "domain/congress.h"
#include "domain/org.h"
#include "elect/complaint.h"
#include "elect/election.h"
#include "elect/person.h"
#include "elect/scheme.h"
#include "store/journal.h"

/* A ward with a congress of kind in term, and people P1..Pn of it. */
static void ward(fixture *f, const char *kind, const char *term, int people)
{
    cv_org o = {.code = "W", .name = "Phường Thử", .level = "grassroots", .members = 300};
    assert_int_equal(FIXTURE_TX(f->s, cv_org_add(f->s, &o, NULL, &f->e)), 0);
    cv_congress_spec c = {.org = "W",
                          .term = term,
                          .ordinal = "VIII",
                          .kind = kind,
                          .start = "2020-06-12",
                          .pilot = -1,
                          .direct_secretary = -1,
                          .summoned = -1,
                          .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_plan(f->s, &c, NULL, &f->e)), 0);
    for (int i = 1; i <= people; i++) {
        char code[16], name[32], born[24];
        snprintf(code, sizeof code, "P%d", i);
        snprintf(name, sizeof name, "Người %d", i);
        snprintf(born, sizeof born, "19%02d-01-01", 60 + i);
        cv_person_spec p = {.code = code, .name = name, .born = born, .incumbent = -1};
        assert_int_equal(FIXTURE_TX(f->s, cv_person_add(f->s, &p, NULL, &f->e)), 0);
    }
}

static int64_t create(fixture *f, const char *body, int64_t seats, const char *const *cands, int n)
{
    cv_election_spec spec = {
        .org = "W", .body = body, .seats = seats, .candidates = cands, .count = n};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), 0);
    return id;
}

static void attend(fixture *f, int64_t id, cv_attendance a)
{
    assert_int_equal(FIXTURE_TX(f->s, cv_election_set_attendance(f->s, id, &a, &f->e)), 0);
}

static int tally(fixture *f, int64_t id, cv_tally t, const char *const *codes, const int64_t *votes,
                 int n)
{
    return FIXTURE_TX(f->s, cv_election_tally(f->s, id, &t, codes, votes, n, &f->e));
}

static const char *outcome_of(fixture *f, int64_t id, const char *code)
{
    static char out[12];
    cv_candidate *c;
    int n;
    out[0] = 0;
    assert_int_equal(cv_election_candidates(f->s, id, &c, &n, &f->e), 0);
    for (int i = 0; i < n; i++)
        if (!strcmp(c[i].code, code))
            snprintf(out, sizeof out, "%s", c[i].outcome);
    free(c);
    return out;
}

static void test_members_congress_counts_on_the_adjusted_summoned_base(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 3);
    const char *cands[] = {"P1", "P2", "P3"};
    int64_t id = create(f, "committee", 3, cands, 3);
    /* 120 summoned less 4 transferred, 2 exempt and absent, 1 suspended, 3 excused: base 110,
     * elected with 56. */
    attend(f, id, (cv_attendance){120, 4, 2, 1, 3, 0, 0, 0, 108});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, id, &f->e)), 0);
    const int64_t votes[] = {100, 56, 55};
    assert_int_equal(tally(f, id, (cv_tally){108, 108, 105, 3}, cands, votes, 3), 0);
    cv_election x;
    assert_int_equal(cv_election_get(f->s, id, &x, &f->e), 0);
    assert_int_equal(x.base, 110);
    assert_string_equal(x.status, "counted");
    assert_string_equal(outcome_of(f, id, "P2"), "elected");
    assert_string_equal(outcome_of(f, id, "P3"), "below");
}

static void test_delegates_congress_base_and_the_counted_event_carry_the_elected(void **state)
{
    fixture *f = *state;
    ward(f, "delegates", NULL, 3);
    const char *cands[] = {"P1", "P2", "P3"};
    int64_t id = create(f, "committee", 3, cands, 3);
    attend(f, id, (cv_attendance){150, 0, 0, 0, 0, 1, 4, 2, 147});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, id, &f->e)), 0);
    const int64_t votes[] = {72, 73, 140};
    assert_int_equal(tally(f, id, (cv_tally){147, 147, 147, 0}, cands, votes, 3), 0);
    /* base 150 - 1 - 4 = 145: elected with 73, not with 72 */
    assert_string_equal(outcome_of(f, id, "P1"), "below");
    assert_string_equal(outcome_of(f, id, "P2"), "elected");
    int64_t last;
    cv_event ev;
    assert_int_equal(cv_journal_last_id(f->s, &last, &f->e), 0);
    assert_int_equal(cv_journal_next(f->s, last - 1, &ev, &f->e), 1);
    assert_string_equal(ev.type, "election.counted");
    json_t *el = json_object_get(ev.data, "elected");
    assert_int_equal(json_array_size(el), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(el, 0), "person")), "P3");
    assert_int_equal(json_integer_value(json_object_get(ev.data, "seats")), 3);
    assert_string_equal(json_string_value(json_object_get(ev.data, "body")), "committee");
    cv_event_clear(&ev);
}

static void test_too_few_elected_goes_on_over_rounds_without_those_elected(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 5);
    const char *cands[] = {"P1", "P2", "P3", "P4"};
    int64_t r1 = create(f, "committee", 4, cands, 4);
    attend(f, r1, (cv_attendance){100, 0, 0, 0, 0, 0, 0, 0, 100});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, r1, &f->e)), 0);
    const int64_t v1[] = {80, 40, 40, 30};
    assert_int_equal(tally(f, r1, (cv_tally){100, 100, 100, 0}, cands, v1, 4), 0);
    int64_t r2, r3;
    assert_int_equal(FIXTURE_TX(f->s, cv_election_next_round(f->s, r1, NULL, 0, &r2, &f->e)), 0);
    assert_int_equal(tally(f, r1, (cv_tally){100, 100, 100, 0}, cands, v1, 4), CV_ECONFLICT);
    cv_election x;
    assert_int_equal(cv_election_get(f->s, r2, &x, &f->e), 0);
    assert_int_equal(x.round, 2);
    assert_int_equal(x.seats, 3);
    assert_string_equal(x.status, "open");
    assert_int_equal(x.base, 100);
    cv_candidate *c;
    int n;
    assert_int_equal(cv_election_candidates(f->s, r2, &c, &n, &f->e), 0);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++)
        assert_string_not_equal(c[i].code, "P1");
    free(c);
    const char *c2[] = {"P2", "P3", "P4"};
    const int64_t v2[] = {60, 45, 30};
    assert_int_equal(tally(f, r2, (cv_tally){100, 100, 100, 0}, c2, v2, 3), 0);
    /* The congress adds a name for round 3; naming someone already elected is refused. */
    const char *bad[] = {"P3", "P2", "P5"};
    assert_int_equal(FIXTURE_TX(f->s, cv_election_next_round(f->s, r2, bad, 3, &r3, &f->e)),
                     CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "already elected"));
    const char *c3[] = {"P3", "P5"};
    assert_int_equal(FIXTURE_TX(f->s, cv_election_next_round(f->s, r2, c3, 2, &r3, &f->e)), 0);
    assert_int_equal(cv_election_get(f->s, r3, &x, &f->e), 0);
    assert_int_equal(x.round, 3);
    assert_int_equal(x.seats, 2);
    const int64_t v3[] = {51, 49};
    assert_int_equal(tally(f, r3, (cv_tally){100, 100, 100, 0}, c3, v3, 2), 0);
    assert_string_equal(outcome_of(f, r3, "P3"), "elected");
    /* Round 4 for the last seat: by default only P5, who was not elected. */
    int64_t r4;
    assert_int_equal(FIXTURE_TX(f->s, cv_election_next_round(f->s, r3, NULL, 0, &r4, &f->e)), 0);
    assert_int_equal(cv_election_candidates(f->s, r4, &c, &n, &f->e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].code, "P5");
    free(c);
    const char *c4[] = {"P5"};
    const int64_t v4[] = {70};
    assert_int_equal(tally(f, r4, (cv_tally){100, 100, 100, 0}, c4, v4, 1), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_next_round(f->s, r4, NULL, 0, &r4, &f->e)),
                     CV_ECONFLICT);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM candidates WHERE outcome = 'elected'"),
                     4);
}

static void test_tie_for_the_last_seat_revotes_among_the_tied(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 5);
    const char *cands[] = {"P1", "P2", "P3", "P4", "P5"};
    int64_t r1 = create(f, "committee", 4, cands, 5), r2;
    attend(f, r1, (cv_attendance){100, 0, 0, 0, 0, 0, 0, 0, 100});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, r1, &f->e)), 0);
    const int64_t v[] = {90, 85, 80, 70, 70};
    assert_int_equal(tally(f, r1, (cv_tally){100, 100, 100, 0}, cands, v, 5), 0);
    assert_string_equal(outcome_of(f, r1, "P3"), "elected");
    assert_string_equal(outcome_of(f, r1, "P4"), "tied");
    assert_int_equal(FIXTURE_TX(f->s, cv_election_next_round(f->s, r1, NULL, 0, &r2, &f->e)), 0);
    cv_candidate *c;
    int n;
    assert_int_equal(cv_election_candidates(f->s, r2, &c, &n, &f->e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].code, "P4");
    assert_string_equal(c[1].code, "P5");
    free(c);
}

static void test_invalid_tally_is_refused_and_changes_nothing(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 2);
    const char *cands[] = {"P1", "P2"};
    int64_t id = create(f, "committee", 2, cands, 2);
    attend(f, id, (cv_attendance){100, 0, 0, 0, 0, 0, 0, 0, 90});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, id, &f->e)), 0);
    int64_t before, after;
    assert_int_equal(cv_journal_last_id(f->s, &before, &f->e), 0);
    const int64_t v[] = {60, 31}, over[] = {60, 91};
    assert_int_equal(tally(f, id, (cv_tally){90, 91, 90, 1}, cands, v, 2), CV_EINVAL);
    assert_int_equal(tally(f, id, (cv_tally){95, 90, 90, 0}, cands, v, 2), CV_EINVAL);
    assert_int_equal(tally(f, id, (cv_tally){90, 90, 90, 0}, cands, over, 2), CV_EINVAL);
    assert_int_equal(tally(f, id, (cv_tally){90, 90, 90, 0}, cands, v, 1), CV_EINVAL);
    assert_int_equal(cv_journal_last_id(f->s, &after, &f->e), 0);
    assert_int_equal(before, after);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM candidates WHERE votes IS NOT NULL"),
                     0);
    cv_election x;
    assert_int_equal(cv_election_get(f->s, id, &x, &f->e), 0);
    assert_string_equal(x.status, "open");
}

static void test_announced_result_changes_only_by_a_recorded_correction(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 2);
    const char *cands[] = {"P1", "P2"};
    int64_t id = create(f, "committee", 2, cands, 2);
    attend(f, id, (cv_attendance){100, 0, 0, 0, 0, 0, 0, 0, 100});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_announce(f->s, id, &f->e)), CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, id, &f->e)), 0);
    const int64_t v[] = {60, 40}, fixed[] = {40, 60};
    assert_int_equal(tally(f, id, (cv_tally){100, 100, 100, 0}, cands, v, 2), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_approve(f->s, id, &f->e)), CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_announce(f->s, id, &f->e)), 0);
    assert_int_equal(tally(f, id, (cv_tally){100, 100, 100, 0}, cands, fixed, 2), CV_ECONFLICT);
    cv_tally t = {100, 100, 100, 0};
    assert_int_equal(
        FIXTURE_TX(f->s, cv_election_correct(f->s, id, "", "x", &t, cands, fixed, 2, &f->e)),
        CV_EINVAL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_election_correct(f->s, id, "Ban kiểm phiếu", "đọc nhầm hai tên", &t,
                                             cands, fixed, 2, &f->e)),
        0);
    assert_string_equal(outcome_of(f, id, "P2"), "elected");
    assert_string_equal(outcome_of(f, id, "P1"), "below");
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM election_corrections"), 1);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_approve(f->s, id, &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_election_correct(f->s, id, "A", "B", &t, cands, v, 2, &f->e)),
        CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "final"));
}

static void test_contents_switch_which_elections_exist(void **state)
{
    fixture *f = *state;
    ward(f, "members", "2025-2030", 2);
    const char *cands[] = {"P1"};
    cv_election_spec spec = {.org = "W",
                             .term = "2025-2030",
                             .body = "committee",
                             .seats = 1,
                             .candidates = cands,
                             .count = 1};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_scheme_set_contents(f->s, "W", "2025-2030", 3, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), CV_ECONFLICT);
    spec.body = "delegates";
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_scheme_set_contents(f->s, "W", "2025-2030", 2, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), CV_ECONFLICT);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scheme_appoint(f->s, "W", "2025-2030", "committee", "P1", &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scheme_appoint(f->s, "W", "2025-2030", "delegates", "P2", &f->e)), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM appointments"), 2);
}

static void test_contents_other_than_four_are_refused_before_2025(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_scheme_set_contents(f->s, "W", NULL, 3, &f->e)),
                     CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_scheme_set_contents(f->s, "W", NULL, 4, &f->e)), 0);
}

static void test_open_inherits_the_attendance_of_the_session(void **state)
{
    fixture *f = *state;
    ward(f, "delegates", NULL, 3);
    const char *cands[] = {"P1", "P2", "P3"};
    int64_t c = create(f, "committee", 3, cands, 3), s;
    attend(f, c, (cv_attendance){150, 0, 0, 0, 0, 0, 2, 0, 148});
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, c, &f->e)), 0);
    const char *one[] = {"P2"};
    cv_election_spec spec = {
        .org = "W", .body = "secretary", .seats = 1, .candidates = one, .count = 1};
    assert_int_equal(FIXTURE_TX(f->s, cv_election_open(f->s, &spec, &s, &f->e)), 0);
    cv_election x;
    assert_int_equal(cv_election_get(f->s, s, &x, &f->e), 0);
    assert_string_equal(x.status, "open");
    assert_int_equal(x.base, 148);
}

static void test_surplus_over_thirty_percent_and_weak_floor_nominees_are_refused(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 5);
    const char *cands[] = {"P1", "P2", "P3"};
    cv_election_spec spec = {
        .org = "W", .body = "committee", .seats = 2, .candidates = cands, .count = 3};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), CV_ECONFLICT);
    spec.count = 2;
    assert_int_equal(FIXTURE_TX(f->s, cv_election_create(f->s, &spec, &id, &f->e)), 0);
    attend(f, id, (cv_attendance){100, 0, 0, 0, 0, 0, 0, 0, 90});
    assert_int_equal(
        FIXTURE_TX(f->s, cv_election_add_candidate(f->s, id, "P4", "floor", 27, &f->e)),
        CV_ECONFLICT);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_election_add_candidate(f->s, id, "P4", "floor", 28, &f->e)), 0);
    /* 3 names for 2 seats is 50% over: the list does not open. */
    assert_int_equal(FIXTURE_TX(f->s, cv_election_start(f->s, id, &f->e)), CV_ECONFLICT);
}

static void test_unsettled_complaints_about_candidates_are_listed(void **state)
{
    fixture *f = *state;
    ward(f, "members", NULL, 3);
    const char *cands[] = {"P1", "P2"};
    create(f, "committee", 2, cands, 2);
    cv_complaint_spec anon = {
        .org = "W", .kind = "denunciation", .about = "P1", .received = "2020-05-01"};
    cv_complaint_spec named = {.org = "W",
                               .kind = "complaint",
                               .sender = "Nguyễn Văn A",
                               .address = "Số 1, phường Đông Kinh",
                               .about = "P1",
                               .received = "2020-05-02"};
    cv_complaint_spec other = named;
    other.about = "P3";
    cv_complaint_spec refiled = named;
    refiled.refiled = 1;
    int64_t a, b, c, d;
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_add(f->s, &anon, &a, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_add(f->s, &named, &b, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_add(f->s, &other, &c, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_add(f->s, &refiled, &d, &f->e)), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM complaints WHERE status = "
                                      "'not_handled'"),
                     2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM complaints WHERE deadline = "
                                      "'2020-06-11'"),
                     2);
    json_t *list;
    assert_int_equal(cv_complaint_list(f->s, "W", NULL, CV_COMPLAINTS_CANDIDATES, &list, &f->e), 0);
    assert_int_equal(json_array_size(list), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), b);
    json_decref(list);
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_settle(f->s, a, NULL, "x", &f->e)),
                     CV_ECONFLICT);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_complaint_settle(f->s, b, "2020-05-20", "không có cơ sở", &f->e)), 0);
    assert_int_equal(cv_complaint_list(f->s, "W", NULL, CV_COMPLAINTS_CANDIDATES, &list, &f->e), 0);
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
}

/* A person added or changed is journaled under their organisation, so that a package over its
 * subtree sees them as it sees an imported person; one of no organisation under none. */
static void test_a_person_is_journaled_under_their_organisation(void **state)
{
    fixture *f = *state;
    ward(f, "members", "2020-2025", 0);
    cv_person_spec p = {.code = "NVA", .name = "Nguyễn Văn An", .org = "W", .incumbent = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_person_add(f->s, &p, NULL, &f->e)), 0);
    cv_person_spec q = {.code = "TTB", .name = "Trần Thị Bình", .incumbent = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_person_add(f->s, &q, NULL, &f->e)), 0);
    cv_person_spec moved = {.code = "TTB", .org = "W", .incumbent = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_person_set(f->s, &moved, &f->e)), 0);
    /* In order: NVA added under W, TTB added under none, TTB moved to W. */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events e JOIN orgs o ON o.id = "
                                      "e.org_id WHERE e.type = 'person.added' AND o.code = 'W' "
                                      "AND e.data ->> 'code' = 'NVA'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'person.added' "
                                      "AND org_id IS NULL AND data ->> 'code' = 'TTB'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events e JOIN orgs o ON o.id = "
                                      "e.org_id WHERE e.type = 'person.updated' AND o.code = 'W' "
                                      "AND e.data ->> 'code' = 'TTB'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_members_congress_counts_on_the_adjusted_summoned_base),
        FIXTURE_TEST(test_delegates_congress_base_and_the_counted_event_carry_the_elected),
        FIXTURE_TEST(test_too_few_elected_goes_on_over_rounds_without_those_elected),
        FIXTURE_TEST(test_tie_for_the_last_seat_revotes_among_the_tied),
        FIXTURE_TEST(test_invalid_tally_is_refused_and_changes_nothing),
        FIXTURE_TEST(test_announced_result_changes_only_by_a_recorded_correction),
        FIXTURE_TEST(test_contents_switch_which_elections_exist),
        FIXTURE_TEST(test_contents_other_than_four_are_refused_before_2025),
        FIXTURE_TEST(test_open_inherits_the_attendance_of_the_session),
        FIXTURE_TEST(test_surplus_over_thirty_percent_and_weak_floor_nominees_are_refused),
        FIXTURE_TEST(test_unsettled_complaints_about_candidates_are_listed),
        FIXTURE_TEST(test_a_person_is_journaled_under_their_organisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
