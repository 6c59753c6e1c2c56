/* common.c: helpers shared by the modules of core/docs; it owns no table. */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"

const char *cv_docs_col(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? v : "";
}

int cv_docs_long_text(const char *in, char **out, const char *what, cv_err *e)
{
    *out = malloc(CV_DOCS_TEXT_MAX);
    if (!*out)
        return cv_err_set(e, CV_ENOMEM, "out of memory");
    if (!in || !*in) {
        (*out)[0] = '\0';
        return 0;
    }
    if (strlen(in) >= CV_DOCS_TEXT_MAX) {
        free(*out);
        *out = NULL;
        return cv_err_set(e, CV_ELIMIT, "%s is longer than %d bytes", what, CV_DOCS_TEXT_MAX - 1);
    }
    if (cv_text_nfc(in, *out, CV_DOCS_TEXT_MAX, what, e) < 0) {
        free(*out);
        *out = NULL;
        return e->code;
    }
    return 0;
}

int cv_docs_split(char *list, char sep, cv_docs_item_fn item, void *ctx, const char *what,
                  cv_err *e)
{
    int rc = 0;
    for (char *p = list; rc == 0 && p;) {
        char *next = strchr(p, sep);
        if (next)
            *next++ = '\0';
        while (*p == ' ')
            p++;
        for (char *end = p + strlen(p); end > p && end[-1] == ' ';)
            *--end = '\0';
        rc = *p ? item(p, ctx) : cv_err_set(e, CV_EINVAL, "an empty item in the list of %s", what);
        p = next;
    }
    return rc;
}
