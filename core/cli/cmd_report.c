/* cmd_report.c: `convene report NAME [ORG] [--arg X] --format F [--output FILE]` (the operation
 * report.run, which renders through the enabled reporter plugin of format F) and `convene report
 * list`; cv_cli_render, for the audit. It never formats a report itself. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/json.h"
#include "base/path.h"
#include "cli/cli.h"
#include "report/report.h"

static void print_list(json_t *j, FILE *out)
{
    size_t i;
    json_t *p;
    json_array_foreach(j, i, p)
        fprintf(out, "%-12s %s\n", json_string_value(json_object_get(p, "name")),
                json_string_value(json_object_get(p, "description")));
}

static int report_list(cv_cli *cli)
{
    json_t *list = json_array();
    for (const cv_report_producer *p = cv_report_producers; p->name; p++)
        json_array_append_new(
            list, json_pack("{s:s, s:s}", "name", p->name, "description", p->description));
    return cv_cli_print(cli, list, print_list);
}

/* Copies the rendered file at path to out (stdout, or the --output file). Opening /dev/stdout in
 * the plugin instead would truncate a file stdout was redirected to. */
static int copy_out(cv_cli *cli, const char *path, FILE *out, const char *name)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    int bad = 0;
    if (!f)
        return cv_err_set(&cli->err, CV_EIO, "cannot read the rendered report");
    while (!bad && (n = fread(buf, 1, sizeof buf, f)) > 0)
        bad = fwrite(buf, 1, n, out) != n;
    fclose(f);
    if (bad || fflush(out) != 0)
        return cv_err_set(&cli->err, CV_EIO, "cannot write the report to %s", name);
    return 0;
}

/* Renders doc with the reporter for format into a temporary file of our own, then copies it to
 * output (opened without blocking: a FIFO or a device is refused) or to stdout. */
int cv_cli_render(cv_cli *cli, cv_store *s, json_t *doc, const char *format, const char *output)
{
    FILE *out = NULL;
    char tmp[CV_PATH_TEMP_MAX];
    int fd = cv_path_temp_file(tmp, sizeof tmp, "convene-report");
    if (fd < 0)
        return cv_err_set(&cli->err, CV_EIO, "cannot create a temporary file for the report");
    close(fd);
    int rc = cv_report_render(s, doc, format, tmp, &cli->err);
    if (rc == 0 && output && !(out = cv_path_fopen(output, "wb", NULL, &cli->err)))
        rc = cli->err.code;
    if (rc == 0)
        rc = copy_out(cli, tmp, out ? out : stdout, output ? output : "stdout");
    unlink(tmp);
    if (out && fclose(out) != 0 && rc == 0)
        rc = cv_err_set(&cli->err, CV_EIO, "cannot write %s", output);
    return rc;
}

/* Writes the report.run answer's content (decoded from base64 when it is binary) to output, or
 * to stdout. */
static int write_content(cv_cli *cli, json_t *r, const char *output)
{
    const char *text = json_string_value(json_object_get(r, "content"));
    const char *b64 = json_string_value(json_object_get(r, "content_base64"));
    size_t len = text ? strlen(text) : 0;
    unsigned char *bin = NULL;
    if (b64) {
        size_t cap = strlen(b64) / 4 * 3 + 3;
        if (!(bin = malloc(cap)) || sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL,
                                                      sodium_base64_VARIANT_ORIGINAL) != 0) {
            free(bin);
            return cv_err_set(&cli->err, CV_EIO, "the report's content is not base64");
        }
    }
    FILE *out = output ? cv_path_fopen(output, "wb", NULL, &cli->err) : stdout;
    int rc = out ? 0 : cli->err.code;
    if (rc == 0 && (fwrite(bin ? (const void *)bin : text, 1, len, out) != len || fflush(out)))
        rc = cv_err_set(&cli->err, CV_EIO, "cannot write the report to %s",
                        output ? output : "stdout");
    if (output && out && fclose(out) != 0 && rc == 0)
        rc = cv_err_set(&cli->err, CV_EIO, "cannot write %s", output);
    free(bin);
    return rc;
}

int cv_cmd_report(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "report NAME [ORG] [--arg X] [--format text|csv|json|html|xlsx] "
                        "[--output FILE] | report list";
    const char *arg = NULL, *format = NULL, *output = NULL;
    cv_opt opts[] = {{"arg", &arg, NULL},
                     {"format", &format, NULL},
                     {"output", &output, NULL},
                     {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 2, pos, &npos) < 0)
        return cli->err.code;
    if (strcmp(pos[0], "list") == 0 && npos == 1)
        return report_list(cli);
    if (!cv_report_find(pos[0]))
        return cv_err_set(&cli->err, CV_ENOTFOUND,
                          "no report named '%s' (see 'convene report list')", pos[0]);
    json_t *args = json_pack("{s:s, s:s}", "name", pos[0], "format",
                             format      ? format
                             : cli->json ? "json"
                                         : "text"),
           *result = NULL;
    if (npos > 1)
        json_object_set_new(args, "org", json_string(pos[1]));
    if (arg)
        json_object_set_new(args, "arg", json_string(arg));
    if (cv_cli_op(cli, "report.run", args, &result) < 0)
        return cli->err.code;
    int rc = write_content(cli, result, output);
    if (rc == 0 && output)
        fprintf(stderr, "report %s written to %s (%s)\n", cv_json_text(result, "report"), output,
                cv_json_text(result, "format"));
    json_decref(result);
    return rc;
}
