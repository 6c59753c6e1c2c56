/* test_docs.c: documents keep their files byte-identical with a SHA-256, move through their
 * statuses in order, cannot be adopted while a comment round is open; a response after the
 * deadline is recorded as late, not refused; bad input changes nothing. */
#include "tree.h"

#include <sys/stat.h>

#include "docs/document.h"
#include "docs/file.h"
#include "docs/round.h"

/* Writes len bytes of every value 0..255 in turn to a temporary file at path[64]. */
static void write_file(char path[64], size_t len)
{
    snprintf(path, 64, "/tmp/cv-doc-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "wb");
    for (size_t i = 0; i < len; i++)
        fputc((int)(i * 7 % 256), out);
    fclose(out);
}

static char draft[64]; /* a small draft every test may version */

static int docs_setup(void **state)
{
    tree_setup(state);
    fixture *f = *state;
    tree_plan(f, "LS-TP", "XVI", 0);
    write_file(draft, 100);
    return 0;
}

static int docs_teardown(void **state)
{
    unlink(draft);
    return fixture_teardown(state);
}

#define DOCS_TEST(fn) cmocka_unit_test_setup_teardown(fn, docs_setup, docs_teardown)

static int64_t add_doc(fixture *f, const char *path)
{
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add(f->s, "LS-TP", NULL, "political_report",
                                                 "Báo cáo chính trị", &id, &f->e)),
                     0);
    cv_doc_version_spec v = {.doc = id, .file = path, .author = "Tiểu ban Văn kiện"};
    if (path)
        assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), 0);
    return id;
}

static int64_t open_round(fixture *f, int64_t doc, const char *deadline)
{
    cv_round_spec r = {.doc = doc, .deadline = deadline, .children = "LS-TP", .above = "Tỉnh ủy"};
    int64_t id;
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, &id, &f->e)), 0);
    return id;
}

static void test_sha256_is_the_standard_digest(void **state)
{
    (void)state;
    char hex[65];
    cv_file_sha256("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_stored_file_comes_back_byte_identical(void **state)
{
    fixture *f = *state;
    char in[64], out[80];
    write_file(in, 300000);
    int64_t doc = add_doc(f, in);
    snprintf(out, sizeof out, "%s.out", in);
    assert_int_equal(cv_doc_get_file(f->s, doc, 1, out, &f->e), 0);
    FILE *a = fopen(in, "rb"), *b = fopen(out, "rb");
    int ca, cb;
    size_t n = 0;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        assert_int_equal(ca, cb);
        n++;
    } while (ca != EOF);
    assert_int_equal(n, 300001);
    fclose(a);
    fclose(b);
    unlink(in);
    unlink(out);
}

static void test_identical_files_are_kept_once(void **state)
{
    fixture *f = *state;
    char in[64];
    write_file(in, 1000);
    int64_t doc = add_doc(f, in);
    cv_doc_version_spec v = {.doc = doc, .file = in, .author = "A", .note = "lần 2"};
    int n = 0;
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, &n, &f->e)), 0);
    assert_int_equal(n, 2);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM files"), 1);
    unlink(in);
}

static void test_file_over_the_bound_is_refused_and_nothing_changes(void **state)
{
    fixture *f = *state;
    char big[64];
    write_file(big, 1);
    assert_int_equal(truncate(big, CV_FILE_MAX + 1), 0);
    int64_t doc = add_doc(f, NULL);
    int64_t events = fixture_count(f, "SELECT count(*) FROM events");
    cv_doc_version_spec v = {.doc = doc, .file = big, .author = "A"};
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), CV_ELIMIT);
    assert_non_null(strstr(f->e.msg, "50 MB"));
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM document_versions"), 0);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events"), events);
    unlink(big);
}

static void test_version_is_a_file_or_a_link_not_both(void **state)
{
    fixture *f = *state;
    int64_t doc = add_doc(f, NULL);
    cv_doc_version_spec v = {.doc = doc, .file = draft, .link = "/x", .author = "A"};
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), CV_EINVAL);
    v.file = NULL;
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), 0);
    assert_int_equal(cv_doc_get_file(f->s, doc, 0, "/tmp/cv-never", &f->e), CV_ENOTFOUND);
    assert_non_null(strstr(f->e.msg, "lies at /x"));
    v.author = NULL;
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), CV_EINVAL);
}

static void test_unknown_kind_is_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add(f->s, "LS-TP", NULL, "poem", "x", NULL, &f->e)),
                     CV_EINVAL);
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add(f->s, "VT", NULL, "other", "x", NULL, &f->e)),
                     CV_ENOTFOUND);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM documents"), 0);
}

static void test_status_moves_in_order(void **state)
{
    fixture *f = *state;
    int64_t empty = add_doc(f, NULL);
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, empty, "consultation", &f->e)),
                     CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "no version"));
    int64_t doc = add_doc(f, draft);
    char want[96];
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, "submitted", &f->e)),
                     CV_ECONFLICT);
    snprintf(want, sizeof want, "document %lld cannot go from drafting to submitted",
             (long long)doc);
    assert_string_equal(f->e.msg, want); /* the statuses as the CLI takes them */
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, "finished", &f->e)), CV_EINVAL);
    const char *path[] = {"consultation", "revising", "submitted", "adopted"};
    for (int i = 0; i < 4; i++)
        assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, path[i], &f->e)), 0);
    cv_doc d;
    assert_int_equal(cv_doc_get(f->s, doc, &d, &f->e), 0);
    assert_string_equal(d.status, "adopted");
    cv_doc_version_spec v = {.doc = doc, .link = "/y", .author = "A"};
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_add_version(f->s, &v, NULL, &f->e)), CV_ECONFLICT);
}

static void test_adoption_is_refused_while_a_round_is_open(void **state)
{
    fixture *f = *state;
    int64_t doc = add_doc(f, draft);
    int64_t round = open_round(f, doc, "2020-06-14");
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, "revising", &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, "submitted", &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, "adopted", &f->e)),
                     CV_ECONFLICT);
    assert_non_null(strstr(f->e.msg, "while comment round"));
    assert_int_equal(FIXTURE_TX(f->s, cv_round_close(f->s, round, "Tiếp thu 3 ý kiến", &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_doc_set_status(f->s, doc, "adopted", &f->e)), 0);
}

static void test_round_moves_a_draft_to_consultation_and_counts_organisations(void **state)
{
    fixture *f = *state;
    int64_t doc = add_doc(f, draft);
    int64_t round = open_round(f, doc, "2020-06-14");
    cv_doc d;
    assert_int_equal(cv_doc_get(f->s, doc, &d, &f->e), 0);
    assert_string_equal(d.status, "consultation");
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", NULL, "Đồng ý", NULL, &f->e)), 0);
    cv_round_progress p;
    assert_int_equal(cv_round_progress_of(f->s, round, &p, &f->e), 0);
    assert_int_equal(p.orgs, 2);
    assert_int_equal(p.orgs_answered, 1);
    assert_int_equal(p.others, 1);
    json_t *j = cv_round_progress_json(&p);
    assert_string_equal(json_string_value(json_object_get(j, "summary")),
                        "1 of 2 organisations have sent comments; 0 of 1 others");
    json_decref(j);
}

static void test_response_after_the_deadline_is_recorded_as_late(void **state)
{
    fixture *f = *state;
    int64_t round = open_round(f, add_doc(f, draft), "2020-06-14");
    fixture_clock("2020-06-20T10:00");
    assert_int_equal(FIXTURE_TX(f->s, cv_round_respond(f->s, round, "DK", "2020-06-14", "Đúng hạn",
                                                       NULL, &f->e)),
                     0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", NULL, "Muộn", NULL, &f->e)), 0);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM round_recipients WHERE late AND key = 'VT'"), 1);
    assert_int_equal(
        fixture_count(f, "SELECT count(*) FROM round_recipients WHERE late AND key = 'DK'"), 0);
    cv_round_progress p;
    assert_int_equal(cv_round_progress_of(f->s, round, &p, &f->e), 0);
    assert_int_equal(p.late, 1);
    assert_int_equal(p.orgs_answered, 2);
}

static void test_bad_responses_are_refused_and_change_nothing(void **state)
{
    fixture *f = *state;
    int64_t round = open_round(f, add_doc(f, draft), "2020-06-14");
    int64_t events = fixture_count(f, "SELECT count(*) FROM events");
    assert_int_equal(FIXTURE_TX(f->s, cv_round_respond(f->s, round, "LS", NULL, "x", NULL, &f->e)),
                     CV_ENOTFOUND);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", "2020-06-01", "x", NULL, &f->e)),
        CV_EINVAL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", "2020-05-01", "x", NULL, &f->e)),
        CV_EINVAL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", "2020-02-30", "x", NULL, &f->e)),
        CV_EINVAL);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", NULL, "x", "/no/such", &f->e)),
        CV_EIO);
    assert_int_equal(FIXTURE_TX(f->s, cv_round_respond(f->s, 99, "VT", NULL, "x", NULL, &f->e)),
                     CV_ENOTFOUND);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM events"), events);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "Tỉnh ủy", NULL, "Góp ý", NULL, &f->e)), 0);
    assert_int_equal(
        FIXTURE_TX(f->s, cv_round_respond(f->s, round, "Tỉnh ủy", NULL, "again", NULL, &f->e)),
        CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_round_close(f->s, round, NULL, &f->e)), 0);
    assert_int_equal(FIXTURE_TX(f->s, cv_round_close(f->s, round, NULL, &f->e)), CV_ECONFLICT);
    assert_int_equal(FIXTURE_TX(f->s, cv_round_respond(f->s, round, "VT", NULL, "x", NULL, &f->e)),
                     CV_ECONFLICT);
}

static void test_bad_rounds_are_refused(void **state)
{
    fixture *f = *state;
    int64_t empty = add_doc(f, NULL), doc = add_doc(f, draft);
    cv_round_spec r = {.doc = empty, .deadline = "2020-06-14", .orgs = "VT"};
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, NULL, &f->e)), CV_ENOTFOUND);
    r.doc = doc;
    r.deadline = "2020-05-01";
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, NULL, &f->e)), CV_EINVAL);
    r.deadline = "2020-06-14";
    r.orgs = "VT,VT";
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, NULL, &f->e)), CV_EINVAL);
    r.orgs = "VT,NOPE";
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, NULL, &f->e)), CV_ENOTFOUND);
    r.orgs = NULL;
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, NULL, &f->e)), CV_EINVAL);
    r.children = "DK";
    assert_int_equal(FIXTURE_TX(f->s, cv_round_open(f->s, &r, NULL, &f->e)), CV_EINVAL);
    assert_int_equal(fixture_count(f, "SELECT count(*) FROM comment_rounds"), 0);
    cv_doc d;
    assert_int_equal(cv_doc_get(f->s, doc, &d, &f->e), 0);
    assert_string_equal(d.status, "drafting");
}

static int count_open(const cv_round_progress *p, void *ctx)
{
    (void)p;
    (*(int *)ctx)++;
    return 0;
}

static void test_open_rounds_are_listed_for_reminders(void **state)
{
    fixture *f = *state;
    int64_t r1 = open_round(f, add_doc(f, draft), "2020-06-14");
    open_round(f, add_doc(f, draft), "2020-06-30");
    int n = 0;
    assert_int_equal(cv_round_each(f->s, 0, 1, count_open, &n, &f->e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(FIXTURE_TX(f->s, cv_round_close(f->s, r1, "x", &f->e)), 0);
    n = 0;
    assert_int_equal(cv_round_each(f->s, 0, 1, count_open, &n, &f->e), 0);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DOCS_TEST(test_sha256_is_the_standard_digest),
        DOCS_TEST(test_stored_file_comes_back_byte_identical),
        DOCS_TEST(test_identical_files_are_kept_once),
        DOCS_TEST(test_file_over_the_bound_is_refused_and_nothing_changes),
        DOCS_TEST(test_version_is_a_file_or_a_link_not_both),
        DOCS_TEST(test_unknown_kind_is_refused),
        DOCS_TEST(test_status_moves_in_order),
        DOCS_TEST(test_adoption_is_refused_while_a_round_is_open),
        DOCS_TEST(test_round_moves_a_draft_to_consultation_and_counts_organisations),
        DOCS_TEST(test_response_after_the_deadline_is_recorded_as_late),
        DOCS_TEST(test_bad_responses_are_refused_and_change_nothing),
        DOCS_TEST(test_bad_rounds_are_refused),
        DOCS_TEST(test_open_rounds_are_listed_for_reminders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
