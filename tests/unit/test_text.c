/* test_text.c: names come back in NFC byte for byte, bad text and codes are refused, ordinals
 * read and write as Roman numerals. */
#include "fixture.h"

#include "base/text.h"

static void test_nfc_makes_decomposed_vietnamese_one_name(void **state)
{
    (void)state;
    /* "Thái Nguyên" typed with combining marks (a + U+0301, e + U+0302 ... ) */
    const char *decomposed = "Tha\xcc\x81i Nguye\xcc\x82n";
    const char *composed = "Th\xc3\xa1i Nguy\xc3\xaan";
    char out[CV_NAME_MAX];
    cv_err e;
    assert_int_equal(cv_text_nfc(decomposed, out, sizeof out, "name", &e), 0);
    assert_string_equal(out, composed);
    assert_int_equal(cv_text_nfc(composed, out, sizeof out, "name", &e), 0);
    assert_string_equal(out, composed);
}

static void test_nfc_refuses_invalid_utf8_control_and_empty(void **state)
{
    (void)state;
    char out[16];
    cv_err e;
    assert_int_equal(cv_text_nfc("bad \xff byte", out, sizeof out, "name", &e), CV_EINVAL);
    assert_non_null(strstr(e.msg, "not valid UTF-8"));
    assert_int_equal(cv_text_nfc("tab\there", out, sizeof out, "name", &e), CV_EINVAL);
    assert_int_equal(cv_text_nfc("", out, sizeof out, "name", &e), CV_EINVAL);
    assert_int_equal(cv_text_nfc("a name longer than sixteen bytes", out, sizeof out, "name", &e),
                     CV_ELIMIT);
}

static void test_codes_are_short_ascii_identifiers(void **state)
{
    (void)state;
    cv_err e;
    assert_int_equal(cv_text_code("LS-TP.01_a", "code", &e), 0);
    assert_int_equal(cv_text_code("-LS", "code", &e), CV_EINVAL);
    assert_int_equal(cv_text_code("LS TP", "code", &e), CV_EINVAL);
    assert_int_equal(cv_text_code("", "code", &e), CV_EINVAL);
    assert_int_equal(cv_text_code("Lạng", "code", &e), CV_EINVAL);
}

static void test_counts_refuse_separators_and_signs(void **state)
{
    (void)state;
    int64_t n;
    cv_err e;
    assert_int_equal(cv_text_count("4200", &n, "members", &e), 0);
    assert_int_equal(n, 4200);
    assert_int_equal(cv_text_count("4,200", &n, "members", &e), CV_EINVAL);
    assert_int_equal(cv_text_count("-1", &n, "members", &e), CV_EINVAL);
    assert_int_equal(cv_text_count("99999999999999999999", &n, "members", &e), CV_ELIMIT);
}

static void test_ordinals_read_roman_and_arabic(void **state)
{
    (void)state;
    int n;
    char buf[16];
    cv_err e;
    assert_int_equal(cv_text_parse_ordinal("XX", &n, &e), 0);
    assert_int_equal(n, 20);
    assert_int_equal(cv_text_parse_ordinal("vii", &n, &e), 0);
    assert_int_equal(n, 7);
    assert_int_equal(cv_text_parse_ordinal("13", &n, &e), 0);
    assert_int_equal(n, 13);
    assert_int_equal(cv_text_parse_ordinal("IIII", &n, &e), CV_EINVAL);
    assert_int_equal(cv_text_parse_ordinal("VX", &n, &e), CV_EINVAL);
    assert_int_equal(cv_text_parse_ordinal("0", &n, &e), CV_EINVAL);
    assert_int_equal(cv_text_parse_ordinal("XIIIA", &n, &e), CV_EINVAL);
    cv_text_roman(2020, buf);
    assert_string_equal(buf, "MMXX");
    cv_text_roman(14, buf);
    assert_string_equal(buf, "XIV");
}

/* Every ordinal writes a numeral that reads back to itself; 3888 (MMMDCCCLXXXVIII, 15 letters)
 * is the longest, and was once cut to 14 (found by fuzz_text). */
static void test_every_ordinal_round_trips_through_its_roman_numeral(void **state)
{
    (void)state;
    cv_err e;
    char buf[16];
    for (int n = 1; n <= 3999; n++) {
        int back = 0;
        cv_text_roman(n, buf);
        if (cv_text_parse_ordinal(buf, &back, &e) != 0 || back != n)
            fail_msg("%d wrote %s, which reads back as %d", n, buf, back);
    }
    cv_text_roman(3888, buf);
    assert_string_equal(buf, "MMMDCCCLXXXVIII");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc_makes_decomposed_vietnamese_one_name),
        cmocka_unit_test(test_nfc_refuses_invalid_utf8_control_and_empty),
        cmocka_unit_test(test_codes_are_short_ascii_identifiers),
        cmocka_unit_test(test_counts_refuse_separators_and_signs),
        cmocka_unit_test(test_ordinals_read_roman_and_arabic),
        cmocka_unit_test(test_every_ordinal_round_trips_through_its_roman_numeral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
