/* html.c: the page buffer and its escaping (see html.h). */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTML_MAX (64u << 20) /* no page grows past 64 MB */

static int grow(cv_html *h, size_t more)
{
    if (h->oom)
        return -1;
    if (h->len + more + 1 <= h->cap)
        return 0;
    size_t cap = h->cap ? h->cap : 4096;
    while (cap < h->len + more + 1)
        cap *= 2;
    char *b = cap <= HTML_MAX ? realloc(h->buf, cap) : NULL;
    if (!b) {
        h->oom = 1;
        return -1;
    }
    h->buf = b;
    h->cap = cap;
    return 0;
}

static void append(cv_html *h, const char *s, size_t n)
{
    if (grow(h, n) < 0)
        return;
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

void cv_html_raw(cv_html *h, const char *markup)
{
    append(h, markup, strlen(markup));
}

/* Appends the n bytes at s, escaped. */
static void escape(cv_html *h, const char *s, size_t n)
{
    const char *run = s, *end = s + n;
    for (; s < end; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        append(h, run, (size_t)(s - run));
        cv_html_raw(h, rep);
        run = s + 1;
    }
    append(h, run, (size_t)(s - run));
}

void cv_html_text(cv_html *h, const char *s)
{
    if (s)
        escape(h, s, strlen(s));
}

void cv_html_put(cv_html *h, const char *tmpl, ...)
{
    va_list ap;
    va_start(ap, tmpl);
    const char *hole;
    while ((hole = strstr(tmpl, "{}")) != NULL) {
        append(h, tmpl, (size_t)(hole - tmpl));
        cv_html_text(h, va_arg(ap, const char *));
        tmpl = hole + 2;
    }
    cv_html_raw(h, tmpl);
    va_end(ap);
}

void cv_html_say(cv_html *h, const char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    const char *p;
    while ((p = strchr(msg, '%')) != NULL) {
        escape(h, msg, (size_t)(p - msg));
        if (p[1] == 's')
            cv_html_text(h, va_arg(ap, const char *));
        else if (p[1] == '%')
            cv_html_raw(h, "%");
        msg = p[1] ? p + 2 : p + 1;
    }
    cv_html_text(h, msg);
    va_end(ap);
}

void cv_html_int(cv_html *h, long long n)
{
    char b[24];
    snprintf(b, sizeof b, "%lld", n);
    cv_html_raw(h, b);
}

char *cv_html_take(cv_html *h, size_t *len)
{
    if (h->oom || grow(h, 0) < 0) {
        cv_html_free(h);
        return NULL;
    }
    char *b = h->buf;
    if (len)
        *len = h->len;
    memset(h, 0, sizeof *h);
    return b;
}

void cv_html_free(cv_html *h)
{
    free(h->buf);
    memset(h, 0, sizeof *h);
}
