/* test_web.c: the dashboard's pages rendered from a real store: the home page's figures in
 * Vietnamese, drill-down links in Vietnamese order, every value escaped, and the secretary's
 * "congress held" form, whose refusals name the field, keep what was typed and change nothing. */
#include "tree.h"

#include "i18n/i18n.h"
#include "web/web.h"

static char *render_home(fixture *f, cv_lang lang, const char *org)
{
    cv_web_req r = {.store = f->s, .lang = lang, .user = "Nguyễn Văn A", .csrf = "tok"};
    cv_html h = {0};
    assert_int_equal(cv_web_home(&r, org, &h, &f->e), 0);
    char *page = cv_html_take(&h, NULL);
    assert_non_null(page);
    return page;
}

static void hold(fixture *f, const char *org, const char *on)
{
    assert_int_equal(
        FIXTURE_TX(f->s, cv_congress_mark_held(f->s, org, NULL, on, NULL, NULL, &f->e)), 0);
}

static void test_home_says_how_many_children_held_in_vietnamese_and_in_english(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT-C1", "3", 0);
    tree_plan(f, "VT", "8", 1);
    tree_plan(f, "DK", "5", 0);
    hold(f, "VT-C1", "2020-03-01");
    hold(f, "VT", "2020-05-10");
    char *vi = render_home(f, CV_LANG_VI, "LS-TP");
    assert_non_null(strstr(vi, "<html lang=\"vi\">"));
    assert_non_null(strstr(vi, "1 trên 2 tổ chức trực thuộc đã tổ chức đại hội (50,0%)"));
    assert_non_null(strstr(vi, "Nhiệm kỳ 2020-2025, tính đến 22/05/2020"));
    /* Drill-down to each child, Đông Kinh before Vĩnh Trại (Vietnamese order, not bytes). */
    char *dk = strstr(vi, "<a href=\"/org/DK\">Phường Đông Kinh</a>");
    char *vt = strstr(vi, "<a href=\"/org/VT\">Phường Vĩnh Trại</a>");
    assert_non_null(dk);
    assert_non_null(vt);
    assert_true(dk < vt);
    /* Vĩnh Trại's subtree: itself and its cell, both held. */
    assert_non_null(strstr(vi, "aria-label=\"2 trên 2 (100,0%)\""));
    assert_non_null(strstr(vi, "<figure class=\"burnup\">"));
    free(vi);
    char *en = render_home(f, CV_LANG_EN, "LS-TP");
    assert_non_null(strstr(en, "1 of 2 directly subordinate organisations have held their"));
    free(en);
}

static void test_every_value_on_a_page_is_escaped(void **state)
{
    fixture *f = *state;
    tree_add(f, "X1", "<script>alert(1)</script> & \"co\"", "grassroots", "LS-TP", 10);
    char *page = render_home(f, CV_LANG_VI, "LS-TP");
    assert_null(strstr(page, "<script>alert"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"));
    free(page);
}

/* An organisation with no congress in the term has no congress page: its home page links to the
 * plan form for a reader who may plan it, and for no one else. */
static void test_home_links_the_plan_form_where_the_reader_may_plan(void **state)
{
    fixture *f = *state;
    cv_actor office = {.kind = CV_ACTOR_ACCOUNT, .scope_roles = 0x7f};
    snprintf(office.name, sizeof office.name, "unit-test");
    cv_web_req r = {
        .store = f->s, .lang = CV_LANG_VI, .user = "A", .csrf = "tok", .actor = &office};
    cv_html h = {0};
    assert_int_equal(cv_web_home(&r, "VT", &h, &f->e), 0);
    char *page = cv_html_take(&h, NULL);
    assert_non_null(strstr(page, "href=\"/congress/VT/plan\""));
    free(page);
    cv_actor nobody = {.kind = CV_ACTOR_ACCOUNT};
    snprintf(nobody.name, sizeof nobody.name, "nobody");
    r.actor = &nobody;
    h = (cv_html){0};
    assert_int_equal(cv_web_home(&r, "VT", &h, &f->e), 0);
    page = cv_html_take(&h, NULL);
    assert_null(strstr(page, "/plan\""));
    free(page);
}

static void test_drill_down_to_an_unknown_organisation_is_refused(void **state)
{
    fixture *f = *state;
    cv_web_req r = {.store = f->s, .lang = CV_LANG_VI};
    cv_html h = {0};
    assert_int_equal(cv_web_home(&r, "NOPE", &h, &f->e), CV_ENOTFOUND);
    cv_html_free(&h);
}

static const char *congress_status(fixture *f, const char *org)
{
    static cv_congress c;
    assert_int_equal(cv_congress_get(f->s, org, NULL, &c, &f->e), 0);
    return c.status;
}

/* Submits the held form for org and renders it again as the server would after a refusal. */
static int submit(fixture *f, const char *org, cv_web_form *form, char **page)
{
    char msg[512];
    cv_actor a = {.kind = CV_ACTOR_ACCOUNT, .scope_roles = 0x7f};
    snprintf(a.name, sizeof a.name, "unit-test");
    int rc = cv_web_held_submit(f->s, &a, CV_LANG_VI, org, form, msg, sizeof msg);
    cv_web_req r = {.store = f->s, .lang = CV_LANG_VI, .user = "Bí thư", .csrf = "tok"};
    cv_html h = {0};
    assert_int_equal(cv_web_held_form(&r, org, rc ? form : NULL, &h, &f->e), 0);
    *page = cv_html_take(&h, NULL);
    return rc;
}

static void test_held_form_refusals_name_the_field_and_keep_the_input(void **state)
{
    fixture *f = *state;
    tree_plan(f, "DK", "5", 0);
    char *page;
    cv_web_form bad_date = {.names = {"start", "end", "summoned", "present"},
                            .values = {"32/13/2020", "", "150", "140"}};
    assert_int_equal(submit(f, "DK", &bad_date, &page), CV_EINVAL);
    assert_string_equal(bad_date.error_field, "start");
    assert_non_null(strstr(page, "value=\"32/13/2020\" aria-invalid=\"true\" "
                                 "aria-describedby=\"start-error\""));
    assert_non_null(strstr(page, "id=\"start-error\" role=\"alert\">Nhập ngày khai mạc"));
    assert_non_null(strstr(page, "value=\"150\""));
    free(page);
    /* The domain's own rule (no congress is held in the future), with the CLI's message. */
    cv_web_form future = {.names = {"start", "summoned", "present"},
                          .values = {"01/06/2020", "150", "140"}};
    assert_int_equal(submit(f, "DK", &future, &page), CV_EINVAL);
    assert_string_equal(future.error_field, "start");
    assert_non_null(strstr(page, "value=\"01/06/2020\""));
    assert_non_null(strstr(page, "cannot mark a congress held on 2020-06-01: today is 2020-05-22"));
    assert_string_equal(congress_status(f, "DK"), "planned");
    free(page);
    cv_web_form too_many = {.names = {"start", "summoned", "present"},
                            .values = {"20/05/2020", "150", "151"}};
    assert_int_equal(submit(f, "DK", &too_many, &page), CV_EINVAL);
    assert_string_equal(too_many.error_field, "present");
    assert_string_equal(congress_status(f, "DK"), "planned");
    free(page);
    cv_web_form good = {.names = {"start", "summoned", "present"},
                        .values = {"20/05/2020", "150", "140"}};
    assert_int_equal(submit(f, "DK", &good, &page), 0);
    free(page);
    cv_congress c;
    assert_int_equal(cv_congress_get(f->s, "DK", NULL, &c, &f->e), 0);
    assert_string_equal(c.status, "held");
    assert_string_equal(c.actual_start, "2020-05-20");
    assert_int_equal(c.delegates_summoned, 150);
    assert_int_equal(c.delegates_present, 140);
}

static void test_congress_page_shows_status_dates_and_flags(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 1);
    cv_actor a = {.kind = CV_ACTOR_ACCOUNT, .scope_roles = 0x7f};
    snprintf(a.name, sizeof a.name, "unit-test");
    cv_web_req r = {.store = f->s, .lang = CV_LANG_VI, .user = "A", .csrf = "tok", .actor = &a};
    cv_html h = {0};
    assert_int_equal(cv_web_congress(&r, "VT", &h, &f->e), 0);
    char *page = cv_html_take(&h, NULL);
    assert_non_null(strstr(page, "<h1>Đại hội VIII – Phường Vĩnh Trại</h1>"));
    assert_non_null(strstr(page, "<dt>Đại hội điểm</dt><dd>Có</dd>"));
    assert_non_null(strstr(page, "Đại hội đại biểu"));
    /* The later sections, read through the operations layer as the reader. */
    assert_non_null(strstr(page, "<h2 id=\"meetings\">Hội nghị, cuộc họp</h2>"));
    assert_non_null(strstr(page, "<h2 id=\"elections\">Bầu cử</h2>"));
    assert_non_null(strstr(page, "<h2 id=\"scheme\">Đối chiếu phương án nhân sự</h2>"));
    assert_non_null(strstr(page, "<h2 id=\"phases\">Các đợt tuyên truyền</h2>"));
    /* This reader holds every role: the forms' links are there. */
    assert_non_null(strstr(page, "href=\"/congress/VT/work-add\""));
    free(page);
}

static void test_a_form_over_an_operation_refuses_beside_the_field_and_changes_nothing(void **state)
{
    fixture *f = *state;
    tree_plan(f, "VT", "VIII", 0);
    cv_actor a = {.kind = CV_ACTOR_ACCOUNT, .scope_roles = 0x7f};
    snprintf(a.name, sizeof a.name, "unit-test");
    const cv_web_opform *add = cv_web_opform_find("work-add");
    assert_non_null(add);
    char msg[512];
    cv_web_form bad = {.names = {"title", "group", "due", "budget"},
                       .values = {"In tài liệu", "Hậu cần", "31/02/2020", "1500000"}};
    assert_int_equal(cv_web_opform_submit(f->s, &a, add, "VT", &bad, msg, sizeof msg), CV_EINVAL);
    assert_string_equal(bad.error_field, "due");
    assert_non_null(strstr(bad.error, "is not a date"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM work_items"), 0);
    cv_web_req r = {.store = f->s, .lang = CV_LANG_VI, .user = "A", .csrf = "tok", .actor = &a};
    cv_html h = {0};
    assert_int_equal(cv_web_opform_page(&r, add, "VT", &bad, &h, &f->e), 0);
    char *page = cv_html_take(&h, NULL);
    assert_non_null(strstr(page, "value=\"31/02/2020\" placeholder=\"dd/mm/yyyy\" "
                                 "aria-invalid=\"true\" aria-describedby=\"due-error\""));
    assert_non_null(strstr(page, "value=\"In tài liệu\""));
    free(page);
    cv_web_form good = {.names = {"title", "group", "due", "budget"},
                        .values = {"In tài liệu", "Hậu cần", "30/05/2020", "1500000"}};
    assert_int_equal(cv_web_opform_submit(f->s, &a, add, "VT", &good, msg, sizeof msg), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM work_items"), 1);
}

static int setup(void **state)
{
    cv_err e;
    assert_int_equal(cv_i18n_load(NULL, &e), 0);
    return tree_setup(state);
}

static int teardown(void **state)
{
    cv_i18n_unload();
    return fixture_teardown(state);
}

#define WEB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WEB_TEST(test_home_says_how_many_children_held_in_vietnamese_and_in_english),
        WEB_TEST(test_every_value_on_a_page_is_escaped),
        WEB_TEST(test_home_links_the_plan_form_where_the_reader_may_plan),
        WEB_TEST(test_drill_down_to_an_unknown_organisation_is_refused),
        WEB_TEST(test_held_form_refusals_name_the_field_and_keep_the_input),
        WEB_TEST(test_congress_page_shows_status_dates_and_flags),
        WEB_TEST(test_a_form_over_an_operation_refuses_beside_the_field_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
