/* collate.c: Vietnamese order through ICU's collator for locale "vi" (CLDR's tailoring: ă after a,
 * â after ă, đ after d, ê, ô, ơ, ư as letters of their own; the five tones as secondary
 * differences in the dictionary order huyền, hỏi, ngã, sắc, nặng; digits by their value). One
 * collator per thread,
 * cloned from a process-wide one, because ICU documents a collator as not shareable. */
#include "collate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#define NAME_UCHARS 1024 /* a name is at most CV_NAME_MAX (512) bytes of UTF-8 */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static UCollator *base;

static void close_clone(void *c)
{
    ucol_close(c);
}

static void open_base(void)
{
    UErrorCode st = U_ZERO_ERROR;
    base = ucol_open("vi", &st);
    if (U_FAILURE(st)) {
        base = NULL;
        return;
    }
    ucol_setAttribute(base, UCOL_NORMALIZATION_MODE, UCOL_ON, &st);
    /* Numbers in names by value: "Chi bộ 2" before "Chi bộ 10". */
    ucol_setAttribute(base, UCOL_NUMERIC_COLLATION, UCOL_ON, &st);
    pthread_key_create(&key, close_clone);
}

/* This thread's collator, or NULL when ICU could not open one. */
static UCollator *collator(void)
{
    pthread_once(&once, open_base);
    if (!base)
        return NULL;
    UCollator *c = pthread_getspecific(key);
    if (!c) {
        UErrorCode st = U_ZERO_ERROR;
        c = ucol_clone(base, &st);
        if (U_FAILURE(st))
            return NULL;
        pthread_setspecific(key, c);
    }
    return c;
}

size_t cv_collate_key(const char *s, unsigned char *out, size_t cap)
{
    UChar buf[NAME_UCHARS];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    UCollator *c = collator();
    if (!c || cap > INT32_MAX)
        return 0;
    u_strFromUTF8Lenient(buf, NAME_UCHARS, &len, s, -1, &st);
    if (U_FAILURE(st) || len > NAME_UCHARS)
        return 0;
    int32_t n = ucol_getSortKey(c, buf, len, out, (int32_t)cap);
    return n > 0 && (size_t)n <= cap ? (size_t)n : 0;
}

int cv_collate_cmp(const char *a, const char *b)
{
    UErrorCode st = U_ZERO_ERROR;
    UCollator *c = collator();
    if (!c)
        return strcmp(a, b);
    UCollationResult r = ucol_strcollUTF8(c, a, -1, b, -1, &st);
    if (U_FAILURE(st))
        return strcmp(a, b);
    return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

static int cmp_names(const void *a, const void *b)
{
    return cv_collate_cmp(*(const char *const *)a, *(const char *const *)b);
}

void cv_collate_sort(const char **names, size_t n)
{
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
}
