/* collate.h: names in Vietnamese alphabetical order (a ă â b c d đ e ê ... o ô ơ u ư y, tones after
 * the bare letter: a à ả ã á ạ), not by bytes; numbers in names by value (Chi bộ 2 before
 * Chi bộ 10). The rules are CLDR's Vietnamese tailoring as ICU
 * implements it (locale "vi"); this module only wraps one collator for the process. */
#ifndef CV_COLLATE_H
#define CV_COLLATE_H

#include <stddef.h>

/* Writes the sort key of the UTF-8 text s into key[cap] and returns its length (with its NUL),
 * or 0 when it does not fit or the collator could not open. Keys compare with strcmp/memcmp in
 * Vietnamese order. Thread-safe. */
size_t cv_collate_key(const char *s, unsigned char *key, size_t cap);

/* Compares two UTF-8 names in Vietnamese order (<0, 0, >0). Thread-safe. */
int cv_collate_cmp(const char *a, const char *b);

/* qsort over an array of n const char * in Vietnamese order. */
void cv_collate_sort(const char **names, size_t n);

#endif
