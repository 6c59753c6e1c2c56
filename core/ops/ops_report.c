/* ops_report.c: a report as an operation: a producer (core/report) reads the organisation's
 * subtree into a document and the enabled reporter plugin of the format renders it. A read that
 * any role may make over its own subtree (the whole store, with no organisation, is admin's).
 * The rendered report is the answer: as text, or in base64 when it is not UTF-8 (xlsx). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/path.h"
#include "base/text.h"
#include "ops/ops.h"
#include "report/report.h"

#define REPORT_MAX (64L << 20) /* the largest rendered report answered, in bytes */

/* Reads the file at path into a new buffer (*out, free()) of *len bytes. */
static int slurp(const char *path, char **out, long *len, cv_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cv_err_set(e, CV_EIO, N_("cannot read the rendered report"));
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *buf = n >= 0 && n <= REPORT_MAX ? malloc((size_t)n + 1) : NULL;
    int ok = buf && fseek(f, 0, SEEK_SET) == 0 && fread(buf, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (!ok) {
        free(buf);
        return n > REPORT_MAX ? cv_err_set(e, CV_ELIMIT, N_("the report is larger than %ld MiB"),
                                           REPORT_MAX >> 20)
                              : cv_err_set(e, CV_EIO, N_("cannot read the rendered report"));
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* The rendered bytes as the answer's "content" (UTF-8 without NUL) or "content_base64". */
static json_t *content_json(const char *buf, long len)
{
    cv_err not_text;
    if ((long)strlen(buf) == len && cv_text_utf8(buf, "report", &not_text) == 0)
        return json_stringn(buf, (size_t)len);
    size_t cap = sodium_base64_encoded_len((size_t)len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(cap);
    if (!b64)
        return NULL;
    sodium_bin2base64(b64, cap, (const unsigned char *)buf, (size_t)len,
                      sodium_base64_VARIANT_ORIGINAL);
    json_t *j = json_string(b64);
    free(b64);
    return j;
}

static int report_run(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *name = cv_op_text(args, "name"), *format = cv_op_text(args, "format");
    const cv_report_producer *prod = cv_report_find(name);
    if (!prod)
        return cv_err_set(e, CV_ENOTFOUND, N_("no report named '%s' (see 'convene report list')"),
                          name);
    format = format ? format : "json";
    json_t *doc = NULL;
    char tmp[CV_PATH_TEMP_MAX], *buf = NULL;
    long len = 0;
    int fd = cv_path_temp_file(tmp, sizeof tmp, "convene-report");
    if (fd < 0)
        return cv_err_set(e, CV_EIO, N_("cannot create a temporary file for the report"));
    close(fd);
    int rc = prod->build(c->s, cv_op_text(args, "org"), cv_op_text(args, "arg"), &doc, e);
    if (rc == 0)
        rc = cv_report_render(c->s, doc, format, tmp, e);
    if (rc == 0)
        rc = slurp(tmp, &buf, &len, e);
    unlink(tmp);
    json_decref(doc);
    if (rc < 0)
        return rc;
    json_t *content = content_json(buf, len);
    int text = content && (long)strlen(buf) == len && json_string_length(content) == (size_t)len;
    free(buf);
    if (!content)
        return cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    *result = json_pack("{s:s, s:s, s:o}", "report", prod->name, "format", format,
                        text ? "content" : "content_base64", content);
    return 0;
}

static const cv_op_arg report_args[] = {
    {"name", CV_ARG_TEXT, 1, 0, 63, "the report (convene report list)"},
    {"org", CV_ARG_CODE, 0, 0, 0, "the subtree it covers (the whole store: admin)"},
    {"arg", CV_ARG_TEXT, 0, 0, 255, "the report's own argument"},
    {"format", CV_ARG_TEXT, 0, 0, 15, "text, csv, json, html or xlsx (json)"},
    CV_OP_ARGS_END};

const cv_op cv_ops_report[] = {
    {"report.run", "a report of a subtree, rendered by the reporter plugin of its format",
     report_args, CV_ROLES_ALL, CV_AT_ORG, "org", 0, NULL, 0, report_run,
     "{\"name\":\"progress\",\"org\":\"$ORG\",\"format\":\"json\"}"},
    CV_OPS_END,
};
