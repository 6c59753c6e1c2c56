/* test_plans.c: plans are identified by number, date and issuer together (numbers repeat across
 * years); switching a congress's scenario changes which work items are in force, journaled and
 * announced; meetings are numbered per body and term; an inspection's requests become work
 * items. */
#include "tree.h"

#include "docs/inspection.h"
#include "docs/meeting.h"
#include "docs/plan.h"
#include "docs/scenario.h"
#include "domain/status.h"
#include "domain/work.h"
#include "store/journal.h"

static int plans_setup(void **state)
{
    tree_setup(state);
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    tree_plan(f, "VT", "V", 0);
    return 0;
}

#define PLANS_TEST(fn) cmocka_unit_test_setup_teardown(fn, plans_setup, fixture_teardown)

static int64_t add_plan(fixture *f, const char *number, const char *issued, const char *org,
                        const char *scenario)
{
    cv_plan_spec p = {.number = number,
                      .issued = issued,
                      .issuer = "Bộ Chính trị",
                      .kind = "directive",
                      .org = org,
                      .scenario = scenario};
    int64_t id = 0;
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &p, &id, &f->e)), 0);
    return id;
}

static int64_t add_item(fixture *f, const char *org, const char *title)
{
    cv_work_spec w = {.org = org, .group = "Hậu cần", .title = title, .due = "2020-07-01"};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &w, &id, &f->e)), 0);
    return id;
}

static int count_item(const cv_work_item *w, void *ctx)
{
    (void)w;
    (*(int *)ctx)++;
    return 0;
}

static int in_force(fixture *f, const char *org)
{
    cv_work_filter flt = {.org = org};
    int n = 0;
    assert_int_equal(cv_work_list(f->s, &flt, count_item, &n, &f->e), 0);
    return n;
}

static void test_numbers_repeat_across_years(void **state)
{
    fixture *f = *state;
    int64_t a = add_plan(f, "35-CT/TW", "2019-05-30", NULL, NULL);
    int64_t b = add_plan(f, "35-CT/TW", "2024-06-14", NULL, NULL);
    assert_int_not_equal(a, b);
    int64_t id;
    assert_int_equal(cv_plan_find(f->s, "35-CT/TW", &id, &f->e), CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "2019-05-30"));
    assert_non_null(strstr(f->e.msg, "2024-06-14"));
    assert_int_equal(cv_plan_find(f->s, "35-CT/TW@2019-05-30", &id, &f->e), 0);
    assert_int_equal(id, a);
    assert_int_equal(cv_plan_find(f->s, "35-CT/TW@2024-06-14", &id, &f->e), 0);
    assert_int_equal(id, b);
    assert_int_equal(cv_plan_find(f->s, "35-CT/TW@2020-01-01", &id, &f->e), CV_ENOTFOUND);
    assert_string_equal(f->e.msg, "no plan 35-CT/TW of 2020-01-01");
    assert_int_equal(cv_plan_find(f->s, "36-CT/TW", &id, &f->e), CV_ENOTFOUND);
    assert_string_equal(f->e.msg, "no plan 36-CT/TW");
    cv_plan_spec dup = {.number = "35-CT/TW",
                        .issued = "2019-05-30",
                        .issuer = "Bộ Chính trị",
                        .kind = "directive"};
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &dup, NULL, &f->e)), CV_ECONFLICT);
    dup.issuer = "Ban Bí thư";
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &dup, NULL, &f->e)), 0);
}

static void test_bad_plans_are_refused(void **state)
{
    fixture *f = *state;
    cv_plan_spec p = {.number = "76", .issued = "2020-03-12", .issuer = "Tỉnh ủy", .kind = "plan"};
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &p, NULL, &f->e)), CV_EINVAL);
    p.number = "76-KH/TU";
    p.issued = "2020-02-30";
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &p, NULL, &f->e)), CV_EINVAL);
    p.issued = "2020-03-12";
    p.kind = "memo";
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &p, NULL, &f->e)), CV_EINVAL);
    p.kind = "plan";
    p.subcommittee = "PV";
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &p, NULL, &f->e)), CV_EINVAL);
    p.org = "LS-TP";
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_add(f->s, &p, NULL, &f->e)), CV_ENOTFOUND);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM plans"), 0);
}

static void test_work_item_cites_its_plan(void **state)
{
    fixture *f = *state;
    int64_t plan = add_plan(f, "76-KH/TU", "2020-03-12", "LS-TP", NULL);
    int64_t w = add_item(f, "LS-TP", "Trang trí hội trường");
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_cite(f->s, "76-KH/TU", w, &f->e)), 0);
    assert_int_equal(fixture_count(f, "SELECT plan_id FROM work_items WHERE plan_id IS NOT NULL"),
                     plan);
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_cite(f->s, "76-KH/TU", 999, &f->e)), CV_ENOTFOUND);
    json_t *j;
    assert_int_equal(cv_plan_show(f->s, "76-KH/TU", &j, &f->e), 0);
    assert_int_equal(json_array_size(json_object_get(j, "work_items")), 1);
    json_decref(j);
}

static json_int_t status_open_items(fixture *f)
{
    json_t *r;
    assert_int_equal(cv_status_report(f->s, "LS-TP", NULL, &r, &f->e), 0);
    json_t *w = json_object_get(json_array_get(json_object_get(r, "reports"), 0), "work_items");
    json_int_t n = json_integer_value(json_object_get(w, "total"));
    json_decref(r);
    return n;
}

static void test_switching_scenario_changes_the_items_in_force(void **state)
{
    fixture *f = *state;
    assert_int_equal(FIXTURE_TX(f->s, cv_scenario_add(f->s, "LS-TP", NULL, "covid",
                                                      "COVID-19 lây lan rộng", &f->e)),
                     0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_add(f->s, "LS-TP", NULL, "normal", "Không có dịch", &f->e)),
        0);
    int64_t online = add_item(f, "LS-TP", "Đại hội trực tuyến");
    add_item(f, "LS-TP", "Chuẩn bị nhân sự");
    int64_t hall = add_item(f, "LS-TP", "Trang trí hội trường");
    add_plan(f, "76-KH/TU", "2020-03-12", "LS-TP", "normal");
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_assign(f->s, "LS-TP", NULL, "covid", online, NULL, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_plan_cite(f->s, "76-KH/TU", hall, &f->e)), 0);
    /* No scenario active yet: items of either scenario are out of force. */
    assert_int_equal(in_force(f, "LS-TP"), 1);
    assert_int_equal(FIXTURE_TX(f->s, cv_scenario_use(f->s, "LS-TP", NULL, "covid", NULL, &f->e)),
                     0);
    assert_int_equal(in_force(f, "LS-TP"), 2);
    assert_int_equal(status_open_items(f), 2);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_use(f->s, "LS-TP", NULL, "normal", "vp@thanhuy.vn", &f->e)),
        0);
    assert_int_equal(in_force(f, "LS-TP"), 2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM work_items_out_of_force WHERE id = 1"),
                     1);
    assert_int_equal(FIXTURE_TX(f->s, cv_scenario_use(f->s, "LS-TP", NULL, "normal", NULL, &f->e)),
                     CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_scenario_use(f->s, "LS-TP", NULL, "war", NULL, &f->e)),
                     CV_ENOTFOUND);
}

static void test_switch_is_journaled_and_announced(void **state)
{
    fixture *f = *state;
    assert_int_equal(FIXTURE_TX(f->s, cv_scenario_add(f->s, "LS-TP", NULL, "covid",
                                                      "COVID-19 lây lan rộng", &f->e)),
                     0);
    int64_t before;
    assert_int_equal(cv_journal_last_id(f->s, &before, &f->e), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_use(f->s, "LS-TP", NULL, "covid", "vp@thanhuy.vn", &f->e)), 0);
    cv_event ev;
    assert_int_equal(cv_journal_next(f->s, before, &ev, &f->e), 1);
    assert_string_equal(ev.type, "scenario.switched");
    assert_string_equal(json_string_value(json_object_get(ev.data, "to")), "covid");
    cv_event_clear(&ev);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE channel = 'log'"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE channel = 'smtp' AND "
                                      "recipient = 'vp@thanhuy.vn' AND subject LIKE '%COVID-19%'"),
                     1);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_add(f->s, "LS-TP", NULL, "calm", "Không có dịch", &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_use(f->s, "LS-TP", NULL, "calm", "not-an-address", &f->e)),
        CV_EINVAL);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM scenarios WHERE active AND "
                                      "code = 'covid'"),
                     1);
}

static void test_scenario_holds_only_its_congress_items(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_add(f->s, "LS-TP", NULL, "covid", "COVID", &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_add(f->s, "LS-TP", NULL, "covid", "again", &f->e)),
        CV_ECONFLICT);
    int64_t ward_item = add_item(f, "VT", "Việc của phường");
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_assign(f->s, "LS-TP", NULL, "covid", ward_item, NULL, &f->e)),
        CV_EINVAL);
    add_plan(f, "35-CT/TW", "2019-05-30", NULL, NULL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_assign(f->s, "LS-TP", NULL, "covid", 0, "35-CT/TW", &f->e)),
        CV_EINVAL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_scenario_assign(f->s, "LS-TP", NULL, "covid", 0, NULL, &f->e)),
        CV_EINVAL);
}

static void test_meetings_are_numbered_per_body_and_term(void **state)
{
    fixture *f = *state;
    cv_meeting_key k = {.org = "LS-TP", .body = "standing", .number = 66};
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &k, "2020-05-20", "Hội nghị", &f->e)),
                     0);
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &k, "2020-05-21", NULL, &f->e)),
                     CV_ECONFLICT);
    cv_meeting_key ex = {.org = "LS-TP", .body = "executive", .number = 66};
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &ex, "2020-05-21", NULL, &f->e)), 0);
    cv_meeting_key bad = {.org = "LS-TP", .body = "subcommittee", .number = 1};
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &bad, "2020-05-21", NULL, &f->e)),
                     CV_EINVAL);
    bad.body = "party";
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &bad, "2020-05-21", NULL, &f->e)),
                     CV_EINVAL);
    bad.body = "standing";
    bad.number = 0;
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &bad, "2020-05-21", NULL, &f->e)),
                     CV_EINVAL);
    int n = 0;
    for (int i = 1; i <= 7; i++)
        assert_int_equal(FIXTURE_TX(f->s, cv_meeting_agenda(f->s, &k, "Nội dung", 0, &n, &f->e)),
                         0);
    assert_int_equal(n, 7);
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_agenda(f->s, &k, "Văn kiện", 42, NULL, &f->e)),
                     CV_ENOTFOUND);
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_conclude(f->s, &k, 8, "x", &f->e)), CV_ENOTFOUND);
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_conclude(f->s, &k, 1, "Thống nhất", &f->e)), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'meeting.held'"),
                     1);
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_conclude(f->s, &k, 0, "Kết luận chung", &f->e)),
                     0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = 'meeting.held'"),
                     1);
}

static void test_meeting_does_not_conclude_before_its_date(void **state)
{
    fixture *f = *state;
    cv_meeting_key k = {.org = "LS-TP", .body = "executive", .number = 25};
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_add(f->s, &k, "2020-09-30", "Tổng duyệt", &f->e)),
                     0);
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_conclude(f->s, &k, 0, "Thông qua", &f->e)),
                     CV_EINVAL);
    fixture_clock("2020-09-30T16:00");
    assert_int_equal(FIXTURE_TX(f->s, cv_meeting_conclude(f->s, &k, 0, "Thông qua", &f->e)), 0);
}

static void test_inspection_requests_become_work_items(void **state)
{
    fixture *f = *state;
    cv_inspection_spec v = {.org = "LS-TP",
                            .by = "LS",
                            .led_by = "Bí thư Tỉnh ủy",
                            .on = "2020-05-22",
                            .findings = "Tư tưởng ổn định"};
    int64_t id, work;
    assert_int_equal(FIXTURE_TX(f->s, cv_inspection_add(f->s, &v, &id, &f->e)), 0);
    int before = in_force(f, "LS-TP");
    assert_int_equal(FIXTURE_TX(f->s, cv_inspection_request(f->s, id, "Giải quyết dứt điểm đơn thư",
                                                            "2020-06-30", NULL, &work, &f->e)),
                     0);
    assert_int_equal(in_force(f, "LS-TP"), before + 1);
    cv_work_item w;
    assert_int_equal(cv_work_get(f->s, work, &w, &f->e), 0);
    assert_string_equal(w.due, "2020-06-30");
    assert_string_equal(w.group, CV_INSPECTION_GROUP);
    assert_int_equal(FIXTURE_TX(f->s, cv_inspection_request(f->s, id, "Quá khứ", "2020-05-01", NULL,
                                                            NULL, &f->e)),
                     CV_EINVAL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_inspection_request(f->s, 77, "x", "2020-06-01", NULL, NULL, &f->e)),
        CV_ENOTFOUND);
    v.on = "2020-06-01";
    assert_int_equal(FIXTURE_TX(f->s, cv_inspection_add(f->s, &v, NULL, &f->e)), CV_EINVAL);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM inspection_requests"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PLANS_TEST(test_numbers_repeat_across_years),
        PLANS_TEST(test_bad_plans_are_refused),
        PLANS_TEST(test_work_item_cites_its_plan),
        PLANS_TEST(test_switching_scenario_changes_the_items_in_force),
        PLANS_TEST(test_switch_is_journaled_and_announced),
        PLANS_TEST(test_scenario_holds_only_its_congress_items),
        PLANS_TEST(test_meetings_are_numbered_per_body_and_term),
        PLANS_TEST(test_meeting_does_not_conclude_before_its_date),
        PLANS_TEST(test_inspection_requests_become_work_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
