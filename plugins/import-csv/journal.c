/* journal.c: import-csv's journal of the rows it writes (see journal.h). It builds the JSON text
 * itself, in one growing buffer, because a batch holds a thousand rows and a parse or a tree of
 * objects per row would cost more than writing them. */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(journal *j, size_t more)
{
    if (j->len + more + 1 <= j->cap)
        return 0;
    size_t cap = j->cap ? j->cap : 4096;
    while (cap < j->len + more + 1)
        cap *= 2;
    char *t = realloc(j->text, cap);
    if (!t)
        return j->host->error(j->ctx, CV_PLUGIN_ENOMEM, "out of memory journaling rows");
    j->text = t;
    j->cap = cap;
    return 0;
}

static int put(journal *j, const char *s, size_t n)
{
    if (grow(j, n) < 0)
        return CV_PLUGIN_ENOMEM;
    memcpy(j->text + j->len, s, n);
    j->len += n;
    j->text[j->len] = '\0';
    return 0;
}

/* s as a JSON string: quotes, backslashes and control characters escaped (text cells hold
 * none but a title's line breaks; UTF-8 passes as it is). */
static int put_string(journal *j, const char *s)
{
    size_t n = strlen(s);
    if (grow(j, n * 6 + 2) < 0)
        return CV_PLUGIN_ENOMEM;
    char *o = j->text + j->len;
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            o += snprintf(o, 7, "\\u%04x", *p);
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '"';
    j->len = (size_t)(o - j->text);
    j->text[j->len] = '\0';
    return 0;
}

static int put_value(journal *j, const cv_plugin_value *v)
{
    char num[24];
    if (v->type == CV_PLUGIN_TEXT && v->s)
        return put_string(j, v->s);
    if (v->type == CV_PLUGIN_INT)
        return put(j, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->i));
    return put(j, "null", 4);
}

/* Cuts common to the longest start it shares with path, after a '/': their common ancestor's. */
static void common_path(char *common, const char *path)
{
    size_t i = 0, cut = 0;
    for (; common[i] && common[i] == path[i]; i++)
        if (common[i] == '/')
            cut = i + 1;
    common[cut] = '\0';
}

/* The id of the organisation whose path is common ("/A/B/" names B), 0 for none. */
static int64_t common_org(journal *j)
{
    size_t n = strlen(j->common);
    if (n < 2)
        return 0;
    j->common[n - 1] = '\0';
    const char *code = strrchr(j->common, '/') + 1;
    return j->org_of(j->arg, code);
}

int journal_flush(journal *j)
{
    if (!j->kind)
        return 0;
    int rc = put(j, "]}", 2);
    if (rc == 0)
        rc = j->host->journal(j->ctx, "import.rows", common_org(j), j->text);
    j->kind = NULL;
    j->len = 0;
    j->rows = 0;
    return rc;
}

static int start(journal *j, const journal_kind *kind, const char *path)
{
    int rc = put(j, "{\"kind\":", 8);
    if (rc == 0)
        rc = put_string(j, kind->name);
    if (rc == 0)
        rc = put(j, ",\"columns\":[", 12);
    for (int i = 0; rc == 0 && kind->columns[i]; i++)
        if ((i && (rc = put(j, ",", 1)) < 0) || (rc = put_string(j, kind->columns[i])) < 0)
            break;
    if (rc == 0)
        rc = put(j, "],\"added\":[", 11);
    j->kind = kind;
    snprintf(j->common, sizeof j->common, "%s", path);
    return rc;
}

int journal_added(journal *j, const journal_kind *kind, const cv_plugin_value *v, const char *path)
{
    int rc = 0;
    if (j->kind && j->kind != kind && (rc = journal_flush(j)) < 0)
        return rc;
    if (!j->kind)
        rc = start(j, kind, path);
    else
        common_path(j->common, path);
    if (rc == 0)
        rc = put(j, j->rows ? ",[" : "[", j->rows ? 2 : 1);
    for (int i = 0; rc == 0 && kind->columns[i]; i++)
        if ((i && (rc = put(j, ",", 1)) < 0) || (rc = put_value(j, &v[i])) < 0)
            break;
    if (rc == 0)
        rc = put(j, "]", 1);
    if (rc < 0)
        return rc;
    j->rows++;
    return j->rows >= JOURNAL_BATCH_ROWS || j->len >= JOURNAL_BATCH_BYTES ? journal_flush(j) : 0;
}

int journal_updated(journal *j, const char *type, int64_t org_id, const char *code,
                    const char *before, const char *after)
{
    int rc = journal_flush(j);
    if (rc < 0)
        return rc;
    if ((rc = put(j, "{\"code\":", 8)) < 0 || (rc = put_string(j, code)) < 0 ||
        (rc = put(j, ",\"before\":", 10)) < 0 || (rc = put(j, before, strlen(before))) < 0 ||
        (rc = put(j, ",\"after\":", 9)) < 0 || (rc = put(j, after, strlen(after))) < 0 ||
        (rc = put(j, "}", 1)) < 0)
        return rc;
    rc = j->host->journal(j->ctx, type, org_id, j->text);
    j->len = 0;
    return rc;
}

void journal_free(journal *j)
{
    free(j->text);
    j->text = NULL;
}
