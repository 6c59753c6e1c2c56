/* test_sched.c: durable jobs, catch-up, the built-in reminders, contacts and the holiday
 * calendar, on a fresh store with the clock driven by hand. */
#include "tree.h"

#include "docs/document.h"
#include "docs/round.h"
#include "domain/work.h"
#include "elect/complaint.h"
#include "sched/calendar.h"
#include "sched/contact.h"
#include "sched/job.h"
#include "sched/run.h"

static int64_t at(const char *when)
{
    int64_t ms;
    cv_err e;
    assert_int_equal(cv_date_parse_instant(when, CV_TZ_VIETNAM_MIN, &ms, "when", &e), 0);
    return ms;
}

static void define(fixture *f, const char *name, const char *kind, const char *spec,
                   const char *action, json_t *args)
{
    cv_job_spec js = {name, kind, spec, action, args};
    assert_true(FIXTURE_TX(f->s, cv_job_define(f->s, &js, &f->e)) >= 0);
    json_decref(args);
}

static int run_due(fixture *f, int64_t started_at)
{
    int ran;
    assert_int_equal(cv_sched_run_due(f->s, NULL, cv_clock_now(), started_at, 1000, &ran, &f->e),
                     0);
    return ran;
}

static void test_defining_a_job_again_keeps_its_identity_and_schedule(void **state)
{
    fixture *f = *state;
    cv_job_spec js = {"weekly", "cron", "0 8 * * mon", "notify",
                      json_pack("{s:s, s:s}", "to", "VP", "subject", "Giao ban")};
    assert_int_equal(FIXTURE_TX(f->s, cv_job_define(f->s, &js, &f->e)), 1);
    fixture_clock("2020-05-23T09:00");
    assert_int_equal(FIXTURE_TX(f->s, cv_job_define(f->s, &js, &f->e)), 0);
    json_decref(js.args);
    cv_job j;
    assert_int_equal(cv_job_get(f->s, "weekly", &j, &f->e), 0);
    assert_int_equal(j.next_at, at("2020-05-25T08:00"));
    cv_job_clear(&j);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM jobs WHERE name = 'weekly'"), 1);
}

static void test_a_missed_cron_job_runs_once_on_start_and_records_lateness(void **state)
{
    fixture *f = *state;
    define(f, "daily", "cron", "0 8 * * *", "notify",
           json_pack("{s:s, s:s}", "to", "VP", "subject", "Nhắc"));
    fixture_clock("2020-05-27T10:00"); /* four mornings missed */
    assert_int_equal(run_due(f, cv_clock_now()), 1);
    assert_int_equal(run_due(f, cv_clock_now()), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal(fixture_count(f, "SELECT lateness_ms FROM job_runs"),
                     at("2020-05-27T10:00") - at("2020-05-23T08:00"));
    assert_int_equal(fixture_count(f, "SELECT caught_up FROM job_runs"), 1);
    cv_job j;
    assert_int_equal(cv_job_get(f->s, "daily", &j, &f->e), 0);
    assert_int_equal(j.next_at, at("2020-05-28T08:00"));
    cv_job_clear(&j);
}

static void test_a_one_shot_job_runs_once_then_is_done(void **state)
{
    fixture *f = *state;
    define(f, "once", "at", "2020-05-22T10:30", "notify",
           json_pack("{s:s, s:s}", "to", "VP", "subject", "Một lần"));
    assert_int_equal(run_due(f, 0), 0);
    fixture_clock("2020-05-22T10:30");
    assert_int_equal(run_due(f, 0), 1);
    fixture_clock("2020-06-22T10:30");
    assert_int_equal(run_due(f, 0), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM jobs WHERE name = 'once' AND "
                                      "state = 'done' AND next_at IS NULL"),
                     1);
}

static void add_item(fixture *f, const char *title, const char *unit, const char *due)
{
    cv_work_spec w = {
        .org = "LS-TP", .group = "Văn kiện", .title = title, .unit = unit, .due = due};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_work_add(f->s, &w, &id, &f->e)), 0);
}

static void plan_ls_tp(fixture *f, const char *start)
{
    cv_congress_spec spec = {.org = "LS-TP",
                             .ordinal = "XVI",
                             .start = start,
                             .end = start,
                             .pilot = -1,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_plan(f->s, &spec, NULL, &f->e)), 0);
}

static void test_work_due_in_three_days_reminds_the_unit_through_its_contacts(void **state)
{
    fixture *f = *state;
    plan_ls_tp(f, "2020-07-20");
    add_item(f, "Dự thảo báo cáo chính trị", "Ban Tuyên giáo", "2020-05-26");
    add_item(f, "Chuẩn bị hội trường", "Văn phòng", "2020-06-30");
    assert_int_equal(
        FIXTURE_TX(f->s, cv_contact_add(f->s, "Ban Tuyên giáo", "smtp", "btg@ls.vn", &f->e)), 0);
    assert_int_equal(cv_job_plan(f->s, &f->e), 0);
    fixture_clock("2020-05-23T08:00");
    assert_int_equal(run_due(f, 0), 6); /* the six daily built-ins share the hour */
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE channel = 'smtp' AND "
                                      "recipient = 'btg@ls.vn' AND subject LIKE '%còn 3 ngày%'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
    /* Run again the same day: the same key, nothing new. */
    assert_int_equal(cv_sched_run_now(f->s, "builtin.work.due_soon", &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
    /* The day after it was due, the overdue reminder goes out (to the log: no contact). */
    fixture_clock("2020-05-27T08:00");
    run_due(f, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE subject LIKE 'Quá hạn%'"),
                     1);
    /* ... and the journal says work_item.overdue once, for Lua hooks, even when run again. */
    assert_int_equal(cv_sched_run_now(f->s, "builtin.work.overdue", &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events WHERE type = "
                                      "'work_item.overdue' AND json_extract(data, '$.title') = "
                                      "'Dự thảo báo cáo chính trị'"),
                     1);
}

static void test_congress_in_seven_days_with_open_work_notifies_the_org(void **state)
{
    fixture *f = *state;
    plan_ls_tp(f, "2020-05-29");
    add_item(f, "Chuẩn bị hội trường", "Văn phòng", "2020-05-28");
    assert_int_equal(
        FIXTURE_TX(f->s, cv_contact_add(f->s, "LS-TP", "webhook", "http://127.0.0.1:9/h", &f->e)),
        0);
    assert_int_equal(cv_sched_run_now(f->s, "builtin.congress.soon", &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE channel = 'webhook' AND "
                                      "subject LIKE 'Còn 7 ngày đến Đại hội%'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE recipient = 'Văn phòng'"),
                     1);
}

static void test_working_days_skip_weekends_and_holidays(void **state)
{
    fixture *f = *state;
    char day[11];
    assert_int_equal(cv_calendar_working_days_before(f->s, "2020-10-11", 30, day, &f->e), 0);
    assert_string_equal(day, "2020-08-31");
    assert_int_equal(
        FIXTURE_TX(f->s, cv_calendar_holiday_add(f->s, "2020-09-02", "Quốc khánh", &f->e)), 0);
    assert_int_equal(cv_calendar_working_days_before(f->s, "2020-10-11", 30, day, &f->e), 0);
    assert_string_equal(day, "2020-08-28");
}

static void test_the_opening_date_is_announced_thirty_working_days_ahead(void **state)
{
    fixture *f = *state;
    plan_ls_tp(f, "2020-07-06"); /* 30 working days before: 2020-05-25 */
    assert_int_equal(cv_job_plan(f->s, &f->e), 0);
    fixture_clock("2020-05-24T08:00");
    run_due(f, 0);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM outbox WHERE subject LIKE 'Thông báo%'"), 0);
    fixture_clock("2020-05-25T08:00");
    run_due(f, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE recipient = 'LS-TP' AND "
                                      "subject LIKE 'Thông báo: Đại hội%06/07/2020'"),
                     1);
}

static void test_a_failing_action_is_recorded_and_moves_on(void **state)
{
    fixture *f = *state;
    define(f, "broken", "at", "2020-05-22T09:00", "notify", json_pack("{s:s}", "to", "VP"));
    assert_int_equal(run_due(f, 0), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM jobs WHERE name = 'broken' AND "
                                      "last_error LIKE '%args.subject%' AND state = 'done'"),
                     1);
}

static void test_a_phase_event_is_announced_once(void **state)
{
    fixture *f = *state;
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "phase.started", 0,
                                     json_pack("{s:s, s:s}", "phase", "Tuyên truyền đợt 1",
                                               "notify", "Ban Tuyên giáo"),
                                     NULL, &f->e),
                     0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_sched_catch_up_events(f->s, &f->e), 0);
    assert_int_equal(cv_sched_catch_up_events(f->s, &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE "
                                      "subject = 'Bắt đầu giai đoạn: Tuyên truyền đợt 1'"),
                     1);
}

/* The start-up catch-up reads an event's data only when a job listens for its type: a batch no
 * job wants (here one whose data could not even be parsed) is passed by its type alone, and the
 * cursor moves past every event, so that the next start reads none of them again. */
static void test_the_catch_up_parses_only_what_a_job_wants_and_passes_the_rest(void **state)
{
    fixture *f = *state;
    sqlite3 *db = cv_store_db(f->s);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA ignore_check_constraints = 1; "
                                  "INSERT INTO events(at, type, data) VALUES (0, 'import.rows', "
                                  "'{not json'); PRAGMA ignore_check_constraints = 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_journal_emit(f->s, "phase.started", 0,
                                     json_pack("{s:s, s:s}", "phase", "Đợt 2", "notify", "VP"),
                                     NULL, &f->e),
                     0);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
    assert_int_equal(cv_sched_catch_up_events(f->s, &f->e), 0);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM outbox WHERE subject = 'Bắt đầu giai đoạn: Đợt 2'"),
        1);
    assert_int_equal(fixture_count(f, "SELECT event_id FROM cursors WHERE consumer = 'sched'"),
                     fixture_count(f, "SELECT max(id) FROM events"));
}

static void test_a_paused_job_does_not_run_and_resumes_from_now(void **state)
{
    fixture *f = *state;
    define(f, "daily", "cron", "0 8 * * *", "notify",
           json_pack("{s:s, s:s}", "to", "VP", "subject", "Nhắc"));
    assert_int_equal(FIXTURE_TX(f->s, cv_job_pause(f->s, "daily", &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_job_pause(f->s, "daily", &f->e)), CV_ECONFLICT);
    fixture_clock("2020-05-30T09:00");
    assert_int_equal(run_due(f, 0), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_job_resume(f->s, "daily", &f->e)), 0);
    assert_int_equal(run_due(f, 0), 0);
    cv_job j;
    assert_int_equal(cv_job_get(f->s, "daily", &j, &f->e), 0);
    assert_int_equal(j.next_at, at("2020-05-31T08:00"));
    cv_job_clear(&j);
}

static void test_an_anchor_job_follows_its_congress_date(void **state)
{
    fixture *f = *state;
    plan_ls_tp(f, "2020-07-20");
    define(f, "tuan-truoc", "anchor", "congress:LS-TP", "notify",
           json_pack("{s:i, s:s, s:s, s:s}", "days", -7, "time", "07:30", "to", "LS-TP", "subject",
                     "Còn một tuần"));
    cv_job j;
    assert_int_equal(cv_job_get(f->s, "tuan-truoc", &j, &f->e), 0);
    assert_int_equal(j.next_at, at("2020-07-13T07:30"));
    cv_job_clear(&j);
    cv_congress_spec spec = {.org = "LS-TP",
                             .start = "2020-07-27",
                             .end = "2020-07-27",
                             .pilot = -1,
                             .direct_secretary = -1,
                             .summoned = -1,
                             .present = -1};
    assert_int_equal(FIXTURE_TX(f->s, cv_congress_set(f->s, &spec, &f->e)), 0);
    assert_int_equal(cv_job_plan(f->s, &f->e), 0);
    assert_int_equal(cv_job_get(f->s, "tuan-truoc", &j, &f->e), 0);
    assert_int_equal(j.next_at, at("2020-07-20T07:30"));
    cv_job_clear(&j);
    fixture_clock("2020-07-20T07:30");
    run_due(f, 0);
    assert_int_equal(cv_job_plan(f->s, &f->e), 0);
    run_due(f, 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM job_runs r JOIN jobs j ON "
                                      "j.id = r.job_id WHERE j.name = 'tuan-truoc'"),
                     1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE subject = 'Còn một tuần'"),
                     1);
}

static void test_a_comment_deadline_reminds_who_has_not_answered(void **state)
{
    fixture *f = *state;
    plan_ls_tp(f, "2020-07-20");
    int64_t doc, round;
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add(f->s, "LS-TP", NULL, "political_report",
                                                 "Dự thảo Báo cáo chính trị", &doc, &f->e)),
                     0);
    cv_doc_version_spec v = {.doc = doc, .link = "https://example.vn/bctc-v1", .author = "BTG"};
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), 0);
    cv_round_spec r = {.doc = doc, .deadline = "2020-05-25", .orgs = "VT,DK"};
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, &round, &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", NULL, "Nhất trí", NULL, &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_contact_add(f->s, "DK", "smtp", "dangbo@dongkinh.vn", &f->e)), 0);
    fixture_clock("2020-05-23T08:00");
    assert_int_equal(cv_sched_run_now(f->s, "builtin.document.deadline", &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox"), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE recipient = "
                                      "'dangbo@dongkinh.vn' AND subject LIKE 'Sắp hết hạn góp ý%'"),
                     1);
}

static void test_open_complaints_ten_days_before_the_congress_are_reported(void **state)
{
    fixture *f = *state;
    plan_ls_tp(f, "2020-06-01");
    cv_complaint_spec c = {.org = "LS-TP",
                           .kind = "complaint",
                           .sender = "Nguyễn Văn A",
                           .address = "Phường Vĩnh Trại",
                           .summary = "Về nhân sự"};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_complaint_add(f->s, &c, &id, &f->e)), 0);
    assert_int_equal(cv_sched_run_now(f->s, "builtin.complaints.unsettled", &f->e), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE recipient = 'LS-TP' AND "
                                      "subject LIKE 'Còn 1 đơn thư chưa giải quyết%'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TREE_TEST(test_defining_a_job_again_keeps_its_identity_and_schedule),
        TREE_TEST(test_a_missed_cron_job_runs_once_on_start_and_records_lateness),
        TREE_TEST(test_a_one_shot_job_runs_once_then_is_done),
        TREE_TEST(test_work_due_in_three_days_reminds_the_unit_through_its_contacts),
        TREE_TEST(test_congress_in_seven_days_with_open_work_notifies_the_org),
        TREE_TEST(test_working_days_skip_weekends_and_holidays),
        TREE_TEST(test_the_opening_date_is_announced_thirty_working_days_ahead),
        TREE_TEST(test_a_failing_action_is_recorded_and_moves_on),
        TREE_TEST(test_a_phase_event_is_announced_once),
        TREE_TEST(test_the_catch_up_parses_only_what_a_job_wants_and_passes_the_rest),
        TREE_TEST(test_a_paused_job_does_not_run_and_resumes_from_now),
        TREE_TEST(test_an_anchor_job_follows_its_congress_date),
        TREE_TEST(test_a_comment_deadline_reminds_who_has_not_answered),
        TREE_TEST(test_open_complaints_ten_days_before_the_congress_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
