/* test_nfc.c: import-csv's NFC (plugins/import-csv/nfc.c) gives exactly utf8proc's NFC. Its quick
 * rule (text made only of characters NFC never changes is kept as it is) is proved here over every
 * pair of those characters, and the slow path on text typed with combining marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "nfc.h"

/* utf8proc_map's NFC of s, the reference. */
static void assert_nfc_like_utf8proc(const char *s)
{
    utf8proc_uint8_t *want = NULL;
    assert_true(utf8proc_map((const utf8proc_uint8_t *)s, 0, &want,
                             UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE) >= 0);
    char out[NFC_MAX];
    const char *got = NULL;
    assert_int_equal(nfc_text(s, out, &got), 0);
    assert_string_equal(got, (const char *)want);
    free(want);
}

static int quick_range(utf8proc_int32_t c)
{
    return (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c <= 0x24f) || (c >= 0x1e00 && c <= 0x1eff);
}

static void test_every_pair_of_quick_characters_is_already_nfc(void **state)
{
    (void)state;
    size_t pairs = 0;
    for (utf8proc_int32_t a = 0x20; a <= 0x1eff; a++) {
        if (!quick_range(a))
            continue;
        for (utf8proc_int32_t b = 0x20; b <= 0x1eff; b++) {
            if (!quick_range(b))
                continue;
            char s[16];
            utf8proc_ssize_t n = utf8proc_encode_char(a, (utf8proc_uint8_t *)s);
            n += utf8proc_encode_char(b, (utf8proc_uint8_t *)s + n);
            s[n] = '\0';
            char out[NFC_MAX];
            const char *got = NULL;
            assert_int_equal(nfc_text(s, out, &got), 0);
            assert_ptr_equal(got, s); /* the quick rule kept it */
            pairs++;
        }
    }
    for (utf8proc_int32_t a = 0x20; a <= 0x1eff; a++)
        if (quick_range(a)) {
            char s[8];
            s[utf8proc_encode_char(a, (utf8proc_uint8_t *)s)] = '\0';
            assert_nfc_like_utf8proc(s); /* and utf8proc agrees it is NFC */
        }
    assert_int_equal(pairs, 783u * 783u);
}

static void test_combining_marks_compose_like_utf8proc(void **state)
{
    (void)state;
    const char *typed[] = {
        "Tha\xcc\x81i Nguye\xcc\x82\xcc\x83n",   /* Thái Nguyễn, tones combining */
        "Ba\xcc\x86\xcc\x81\x63 Ka\xcc\xa3n",    /* Bắc Kạn */
        "\xc3\x82\xcc\x80m",                     /* Â + grave */
        "\xe1\xbb\x85\xcc\x81",                  /* ễ + acute: stays two */
        "\xea\xb0\x80 \xe1\x84\x80\xe1\x85\xa1", /* Hangul, precomposed and jamo */
        "\xe2\x84\xab ohm \xe2\x84\xa6",         /* Angstrom and Ohm signs: singletons */
    };
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++)
        assert_nfc_like_utf8proc(typed[i]);
    char out[NFC_MAX];
    const char *got;
    assert_int_equal(nfc_text("Tha\xcc\x81i", out, &got), 0);
    assert_string_equal(got, "Th\xc3\xa1i");
}

static void test_bad_and_overlong_text_is_refused(void **state)
{
    (void)state;
    char out[NFC_MAX], big[NFC_MAX + 1];
    const char *got;
    assert_int_equal(nfc_text("Th\xc3", out, &got), NFC_INVALID);
    assert_int_equal(nfc_text("\xed\xa0\x80", out, &got), NFC_INVALID); /* a surrogate */
    memset(big, 'a', NFC_MAX);
    big[NFC_MAX] = '\0';
    assert_int_equal(nfc_text(big, out, &got), NFC_TOO_LONG);
    big[NFC_MAX - 1] = '\0';
    assert_int_equal(nfc_text(big, out, &got), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair_of_quick_characters_is_already_nfc),
        cmocka_unit_test(test_combining_marks_compose_like_utf8proc),
        cmocka_unit_test(test_bad_and_overlong_text_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
