/* html.h: building a page as text, where every value from the store or the request is escaped.
 * Templates are literal HTML with {} holes; each hole takes the next string argument, escaped
 * for text and attribute values alike. Raw HTML enters only through cv_html_raw, which takes
 * literals and fragments this module built. Owns no state beyond the buffer. */
#ifndef CV_HTML_H
#define CV_HTML_H

#include <stddef.h>

typedef struct cv_html {
    char *buf;
    size_t len, cap;
    int oom; /* set once an allocation failed; the text is then incomplete */
} cv_html;

/* Appends trusted markup (a literal, or a fragment built by cv_html). */
void cv_html_raw(cv_html *h, const char *markup);

/* Appends s with & < > " ' escaped (NULL appends nothing). */
void cv_html_text(cv_html *h, const char *s);

/* Appends tmpl with each {} replaced by the next argument (const char *, escaped; NULL is
 * empty). The number of arguments must equal the number of holes. */
void cv_html_put(cv_html *h, const char *tmpl, ...);

/* Appends a translated message: msg is text with %s holes (the catalogue's format, shared with
 * the CLI's printf), every part escaped, each %s replaced by the next string argument (escaped;
 * NULL is empty) and %% by a percent sign. */
void cv_html_say(cv_html *h, const char *msg, ...);

/* Appends a number as an attribute or coordinate (C locale, no grouping). */
void cv_html_int(cv_html *h, long long n);

/* Takes the text (NUL-terminated, owned by the caller) and empties h; NULL when out of memory. */
char *cv_html_take(cv_html *h, size_t *len);

void cv_html_free(cv_html *h);

#endif
