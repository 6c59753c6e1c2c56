/* common.c: helpers shared by the modules of core/docs; it owns no table. */
#include "common.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "store/journal.h"

int cv_docs_finish(cv_store *s, const char *type, int64_t org_id, json_t *data, cv_err *e)
{
    if (cv_journal_emit(s, type, org_id, data, NULL, e) < 0 || cv_store_commit(s, e) < 0)
        return cv_docs_fail(s, e);
    return 0;
}

int cv_docs_fail(cv_store *s, cv_err *e)
{
    cv_store_rollback(s);
    return e->code;
}

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
