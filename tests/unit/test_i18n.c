/* test_i18n.c: the catalogue compiled from web/po/vi.po, Vietnamese dates and numbers, and
 * names in Vietnamese alphabetical order. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elect/allocate.h"
#include "i18n/collate.h"
#include "i18n/i18n.h"
#include "notify/template.h"
#include "sched/calendar.h"

static void test_catalogue_translates_into_vietnamese_and_english_is_the_message_id(void **st)
{
    (void)st;
    cv_err e;
    assert_int_equal(cv_i18n_load(NULL, &e), 0);
    assert_string_equal(cv_tr(CV_LANG_VI, "Log in"), "Đăng nhập");
    assert_string_equal(cv_tr(CV_LANG_EN, "Log in"), "Log in");
    assert_string_equal(cv_tr(CV_LANG_VI, "no such message"), "no such message");
    char out[128];
    cv_i18n_fmt(
        out, sizeof out,
        cv_tr(CV_LANG_VI, "%s of %s directly subordinate organisations have held their congress"),
        "42", "72");
    assert_string_equal(out, "42 trên 72 tổ chức trực thuộc đã tổ chức đại hội");
    cv_i18n_unload();
}

static void test_a_broken_catalogue_is_refused_with_its_path(void **st)
{
    (void)st;
    char dir[] = "/tmp/cv-i18n-XXXXXX", path[64];
    cv_err e;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/vi.mo", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    /* A header that claims one entry at an offset beyond the file. */
    unsigned char bad[28] = {0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 1, 0, 0, 0, 200};
    fwrite(bad, 1, sizeof bad, f);
    fclose(f);
    assert_int_equal(cv_i18n_load(dir, &e), CV_EINVAL);
    assert_non_null(strstr(e.msg, path));
    assert_string_equal(cv_tr(CV_LANG_VI, "Log in"), "Log in");
    unlink(path);
    rmdir(dir);
    assert_int_equal(cv_i18n_load(dir, &e), CV_EIO);
}

/* A refusal of the domain as another thread, speaking English, writes it. */
static void *refuse_in_english(void *arg)
{
    cv_err_set(arg, CV_EINVAL, N_("an end date needs a start date"));
    return NULL;
}

static void test_a_refusal_is_given_in_the_language_of_its_thread(void **st)
{
    (void)st;
    cv_err e, other;
    assert_int_equal(cv_i18n_load(NULL, &e), 0);
    assert_int_equal(cv_i18n_use(CV_LANG_VI), CV_LANG_EN); /* English until a thread chooses */
    cv_err_set(&e, CV_EINVAL, N_("cannot mark a congress held on %s: today is %s"), "2020-06-01",
               "2020-05-22");
    assert_string_equal(e.msg, "không thể ghi đại hội đã tổ chức ngày 2020-06-01: hôm nay là "
                               "2020-05-22");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, refuse_in_english, &other), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_string_equal(other.msg, "an end date needs a start date");
    assert_int_equal(cv_i18n_use(CV_LANG_EN), CV_LANG_VI);
    cv_err_set(&e, CV_EINVAL, N_("an end date needs a start date"));
    assert_string_equal(e.msg, "an end date needs a start date");
    cv_i18n_use(CV_LANG_VI);
    cv_i18n_unload(); /* no catalogue: the message id, in any thread */
    cv_err_set(&e, CV_EINVAL, N_("an end date needs a start date"));
    assert_string_equal(e.msg, "an end date needs a start date");
    cv_i18n_use(CV_LANG_EN);
}

/* Refusals of the scheduler, the notifier and the delegate allocation, in English by default and
 * in Vietnamese once the thread chooses it. */
static void refuse_in_both_languages(const char *en_zone, const char *en_template,
                                     const char *en_alloc)
{
    cv_err e;
    int offset;
    char *out = NULL;
    const char *vars[] = {"org", "Lạng Sơn", NULL};
    cv_alloc_request r = {.total = 3, .ex_officio = 5};
    cv_alloc_unit u[1] = {{.members = 10}};
    assert_int_equal(cv_calendar_zone_offset("Mars/Olympus", &offset, &e), CV_EINVAL);
    assert_non_null(strstr(e.msg, en_zone));
    assert_int_equal(cv_template_expand("{{org}}: {{due}}", vars, &out, &e), CV_EINVAL);
    assert_null(out);
    assert_string_equal(e.msg, en_template);
    assert_int_equal(cv_alloc_largest_remainder(&r, u, 1, &e), CV_EINVAL);
    assert_string_equal(e.msg, en_alloc);
}

static void test_refusals_of_jobs_notices_and_allocation_are_translated(void **st)
{
    (void)st;
    cv_err e;
    assert_int_equal(cv_i18n_load(NULL, &e), 0);
    refuse_in_both_languages(
        "unknown time zone 'Mars/Olympus'; known zones: ", "the template needs a value for {{due}}",
        "5 ex officio is more than the 3 delegates");
    cv_i18n_use(CV_LANG_VI);
    refuse_in_both_languages("không rõ múi giờ 'Mars/Olympus'; các múi giờ đã biết: ",
                             "mẫu thông báo cần giá trị cho {{due}}",
                             "5 đại biểu đương nhiên vượt quá tổng số 3 đại biểu");
    cv_err_set(&e, CV_ENOTFOUND, N_("no job named '%.200s'; see convene jobs list"), "nhac-viec");
    assert_string_equal(e.msg, "không có tác vụ nào tên 'nhac-viec'; xem convene jobs list");
    cv_err_set(&e, CV_ECONFLICT, N_("document %lld cannot go from %s to %s"), 5LL,
               cv_err_term("consultation"), cv_err_term("adopted"));
    assert_string_equal(e.msg, "văn kiện 5 không thể chuyển từ đang lấy ý kiến sang đã thông qua");
    cv_err_set(&e, CV_ENOTFOUND, N_("no plan %s of %s"), "35-CT/TW", "2020-01-01");
    assert_string_equal(e.msg, "không có văn bản 35-CT/TW ngày 2020-01-01");
    cv_err_set(&e, CV_ECONFLICT, N_("%s fails %s: %s has rows referring to nothing"), "b.db",
               "foreign_key_check", "orgs");
    assert_string_equal(e.msg, "b.db không qua được foreign_key_check: bảng orgs có dòng trỏ tới "
                               "dòng không tồn tại");
    cv_i18n_use(CV_LANG_EN);
    cv_i18n_unload();
}

static void test_dates_and_numbers_are_written_the_vietnamese_way(void **st)
{
    (void)st;
    char b[32];
    cv_i18n_date(CV_LANG_VI, "2020-05-22", b, sizeof b);
    assert_string_equal(b, "22/05/2020");
    cv_i18n_date(CV_LANG_EN, "2020-05-22", b, sizeof b);
    assert_string_equal(b, "2020-05-22");
    cv_i18n_number(CV_LANG_VI, 1234.5, 1, b, sizeof b);
    assert_string_equal(b, "1.234,5");
    cv_i18n_number(CV_LANG_VI, 4200, 0, b, sizeof b);
    assert_string_equal(b, "4.200");
    cv_i18n_number(CV_LANG_EN, 1234567.25, 1, b, sizeof b);
    assert_string_equal(b, "1,234,567.3");
    cv_i18n_number(CV_LANG_VI, 58.33, 1, b, sizeof b);
    assert_string_equal(b, "58,3");
    cv_i18n_number(CV_LANG_VI, -0.04, 1, b, sizeof b);
    assert_string_equal(b, "0,0");
    cv_i18n_number(CV_LANG_VI, 1e300, 0, b, sizeof b);
    assert_string_equal(b, "?");
    assert_int_equal(cv_i18n_lang("en_GB.UTF-8"), CV_LANG_EN);
    assert_int_equal(cv_i18n_lang(NULL), CV_LANG_VI);
}

static void test_names_sort_in_vietnamese_alphabetical_order(void **st)
{
    (void)st;
    /* a ă â b c d đ e ê; tones after the bare letter (ngang, huyền, hỏi, ngã, sắc, nặng). */
    const char *names[] = {"Đông Kinh", "Ăn", "Ân", "Dương", "An", "Ba", "Bá", "Bà", "Bạ",
                           "Bả",        "Bã", "Ê",  "Em",    "Ơn", "Ôn", "On", "Ưu", "Uy"};
    const char *want[] = {"An",    "Ăn",        "Ân", "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ",
                          "Dương", "Đông Kinh", "Em", "Ê",  "On", "Ôn", "Ơn", "Uy", "Ưu"};
    size_t n = sizeof names / sizeof *names;
    cv_collate_sort(names, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(names[i], want[i]);
    /* Keys compare like the names, and a name typed with combining marks is the same name. */
    unsigned char k1[256], k2[256], k3[256];
    assert_true(cv_collate_key("Đông", k1, sizeof k1) > 0);
    assert_true(cv_collate_key("Dung", k2, sizeof k2) > 0);
    assert_true(strcmp((char *)k2, (char *)k1) < 0);
    size_t n3 = cv_collate_key("Do\xcc\x82ng", k3, sizeof k3);
    assert_int_equal(n3, cv_collate_key("D\xc3\xb4ng", k1, sizeof k1));
    assert_memory_equal(k1, k3, n3);
    assert_int_equal(cv_collate_cmp("Đông", "Đ\xc3\xb4ng"), 0);
    assert_int_equal(cv_collate_cmp("Bà", "Ba"), 1);
    assert_int_equal(cv_collate_cmp("Chi bộ 2", "Chi bộ 10"), -1);
    assert_int_equal(cv_collate_key("Đông", k1, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_translates_into_vietnamese_and_english_is_the_message_id),
        cmocka_unit_test(test_a_broken_catalogue_is_refused_with_its_path),
        cmocka_unit_test(test_a_refusal_is_given_in_the_language_of_its_thread),
        cmocka_unit_test(test_refusals_of_jobs_notices_and_allocation_are_translated),
        cmocka_unit_test(test_dates_and_numbers_are_written_the_vietnamese_way),
        cmocka_unit_test(test_names_sort_in_vietnamese_alphabetical_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
