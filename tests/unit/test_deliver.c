/* test_deliver.c: the outbox's delivery rules on the fixed clock: which rows are due, the
 * exponential backoff and its cap, giving up after the last try with the reason, and the
 * Vietnamese templates. */
#include "fixture.h"

#include "notify/deliver.h"
#include "notify/notify.h"
#include "notify/template.h"
#include "store/outbox.h"

static void queue(fixture *f, const char *key)
{
    cv_notification n = {key, "webhook", "http://127.0.0.1:9/", "Tiêu đề", "Nội dung"};
    assert_int_equal(cv_store_begin(f->s, &f->e), 0);
    assert_int_equal(cv_outbox_put(f->s, &n, &f->e), 1);
    assert_int_equal(cv_store_commit(f->s, &f->e), 0);
}

/* Takes every due row and returns how many there were (the id of the first in *id). */
static int take_due(fixture *f, int64_t *id)
{
    cv_deliver_item *items;
    int n;
    assert_int_equal(cv_deliver_due(f->s, cv_clock_now(), NULL, NULL, 0, 10, &items, &n, &f->e), 0);
    if (n > 0 && id)
        *id = items[0].id;
    for (int i = 0; i < n; i++)
        cv_deliver_item_free(&items[i]);
    free(items);
    return n;
}

static void test_backoff_doubles_from_base_up_to_cap(void **state)
{
    (void)state;
    cv_deliver_policy p = {.max_tries = 10, .base_ms = 1000, .cap_ms = 5000};
    assert_int_equal(cv_deliver_backoff(&p, 1), 1000);
    assert_int_equal(cv_deliver_backoff(&p, 2), 2000);
    assert_int_equal(cv_deliver_backoff(&p, 3), 4000);
    assert_int_equal(cv_deliver_backoff(&p, 4), 5000);
    assert_int_equal(cv_deliver_backoff(&p, 60), 5000);
}

static void test_failed_try_waits_its_backoff_before_it_is_due_again(void **state)
{
    fixture *f = *state;
    cv_deliver_policy p = {.max_tries = 5, .base_ms = 1000, .cap_ms = 3000};
    int64_t id = 0;
    queue(f, "k1");
    int64_t waits[] = {1000, 2000, 3000, 3000};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(take_due(f, &id), 1);
        int gave_up = -1;
        assert_int_equal(cv_deliver_failed(f->s, &p, id, "connection refused", 0, &gave_up, &f->e),
                         0);
        assert_int_equal(gave_up, 0);
        cv_clock_advance(waits[i] - 1);
        assert_int_equal(take_due(f, NULL), 0);
        cv_clock_advance(1);
    }
    assert_int_equal(fixture_count(f, "SELECT tries FROM outbox"), 4);
}

static void test_last_try_fails_the_row_with_its_reason_and_a_journal_event(void **state)
{
    fixture *f = *state;
    cv_deliver_policy p = {.max_tries = 2, .base_ms = 10, .cap_ms = 10};
    int64_t id = 0;
    int gave_up = -1;
    queue(f, "k1");
    assert_int_equal(take_due(f, &id), 1);
    assert_int_equal(cv_deliver_failed(f->s, &p, id, "HTTP 500", 0, &gave_up, &f->e), 0);
    assert_int_equal(gave_up, 0);
    cv_clock_advance(10);
    assert_int_equal(take_due(f, &id), 1);
    assert_int_equal(cv_deliver_failed(f->s, &p, id, "HTTP 503: down", 0, &gave_up, &f->e), 0);
    assert_int_equal(gave_up, 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE state = 'failed' AND "
                                      "tries = 2 AND last_error = 'HTTP 503: down'"),
                     1);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM events WHERE type = 'notification.failed'"), 1);
    cv_clock_advance(1000000);
    assert_int_equal(take_due(f, NULL), 0);
}

static void test_permanent_refusal_fails_the_row_at_once(void **state)
{
    fixture *f = *state;
    cv_deliver_policy p = {.max_tries = 8, .base_ms = 10, .cap_ms = 10};
    int64_t id = 0;
    int gave_up = -1;
    queue(f, "k1");
    assert_int_equal(take_due(f, &id), 1);
    assert_int_equal(cv_deliver_failed(f->s, &p, id, "webhook: HTTP 404", 1, &gave_up, &f->e), 0);
    assert_int_equal(gave_up, 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE state = 'failed' AND "
                                      "tries = 1 AND last_error = 'webhook: HTTP 404'"),
                     1);
}

static void test_sent_row_is_never_due_again(void **state)
{
    fixture *f = *state;
    int64_t id = 0;
    queue(f, "k1");
    queue(f, "k2");
    assert_int_equal(take_due(f, &id), 2);
    assert_int_equal(cv_deliver_sent(f->s, id, &f->e), 0);
    assert_int_equal(take_due(f, NULL), 1);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM outbox WHERE state = 'sent' AND "
                                      "sent_at IS NOT NULL AND tries = 1"),
                     1);
}

static void test_rows_in_flight_are_skipped(void **state)
{
    fixture *f = *state;
    queue(f, "k1");
    queue(f, "k2");
    int64_t first = 0;
    assert_int_equal(take_due(f, &first), 2);
    cv_deliver_item *items;
    int n;
    assert_int_equal(cv_deliver_due(f->s, cv_clock_now(), NULL, &first, 1, 10, &items, &n, &f->e),
                     0);
    assert_int_equal(n, 1);
    assert_true(items[0].id != first);
    assert_string_equal(items[0].subject, "Tiêu đề");
    cv_deliver_item_free(&items[0]);
    free(items);
}

static void test_policy_comes_from_settings_and_refuses_nonsense(void **state)
{
    fixture *f = *state;
    cv_deliver_policy p;
    assert_int_equal(cv_deliver_policy_load(f->s, &p, &f->e), 0);
    assert_int_equal(p.max_tries, 8);
    assert_int_equal(cv_notify_config_set(f->s, "notify.max_tries", "3", &f->e), 0);
    assert_int_equal(cv_notify_config_set(f->s, "notify.max_tries", "0", &f->e), CV_EINVAL);
    assert_int_equal(cv_notify_config_set(f->s, "notify.backoff_base_ms", "1e3", &f->e), CV_EINVAL);
    assert_int_equal(cv_notify_config_set(f->s, "notify.smtp.url", "smtp://h", &f->e), CV_EINVAL);
    assert_int_equal(cv_deliver_policy_load(f->s, &p, &f->e), 0);
    assert_int_equal(p.max_tries, 3);
}

static void test_reminder_template_speaks_vietnamese_and_needs_its_values(void **state)
{
    fixture *f = *state;
    char *subject, *body;
    const char *vars[] = {"title",     "Dự thảo báo cáo chính trị",
                          "org",       "Tỉnh Thái Nguyên",
                          "due",       "2020-06-01",
                          "recipient", "Nguyễn Văn A",
                          NULL};
    assert_int_equal(cv_template_render(f->s, "reminder", vars, &subject, &body, &f->e), 0);
    assert_string_equal(subject, "[convene] Nhắc việc: Dự thảo báo cáo chính trị");
    assert_non_null(strstr(body, "đến hạn ngày 2020-06-01"));
    free(subject);
    free(body);
    const char *missing[] = {"title", "x", "recipient", "y", "due", "2020-06-01", NULL};
    assert_int_equal(cv_template_render(f->s, "reminder", missing, &subject, &body, &f->e),
                     CV_EINVAL);
    assert_non_null(strstr(f->e.msg, "{{org}}"));
    assert_int_equal(cv_notify_config_set(f->s, "notify.template.reminder.subject",
                                          "Việc sắp đến hạn: {{title}}", &f->e),
                     0);
    assert_int_equal(cv_template_render(f->s, "reminder", vars, &subject, &body, &f->e), 0);
    assert_string_equal(subject, "Việc sắp đến hạn: Dự thảo báo cáo chính trị");
    free(subject);
    free(body);
}

static void test_idempotency_id_is_stable_per_key(void **state)
{
    (void)state;
    char a[33], b[33], c[33];
    cv_notify_idem("work_item.due:42:2020-09-27", a);
    cv_notify_idem("work_item.due:42:2020-09-27", b);
    cv_notify_idem("work_item.due:43:2020-09-27", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_doubles_from_base_up_to_cap),
        FIXTURE_TEST(test_failed_try_waits_its_backoff_before_it_is_due_again),
        FIXTURE_TEST(test_last_try_fails_the_row_with_its_reason_and_a_journal_event),
        FIXTURE_TEST(test_permanent_refusal_fails_the_row_at_once),
        FIXTURE_TEST(test_sent_row_is_never_due_again),
        FIXTURE_TEST(test_rows_in_flight_are_skipped),
        FIXTURE_TEST(test_policy_comes_from_settings_and_refuses_nonsense),
        FIXTURE_TEST(test_reminder_template_speaks_vietnamese_and_needs_its_values),
        cmocka_unit_test(test_idempotency_id_is_stable_per_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
