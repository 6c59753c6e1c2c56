/* cmd_report.c: `convene report NAME [ORG] [--arg X] --format F [--output FILE]` and `convene
 * report list`: runs a producer (core/report) and renders its document through the enabled
 * reporter plugin of format F. It never formats a report itself. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Copies the file at path to stdout (a report rendered without --output). Opening /dev/stdout
 * in the plugin instead would truncate a file stdout was redirected to. */
static int copy_out(cv_cli *cli, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    if (!f)
        return cv_err_set(&cli->err, CV_EIO, "cannot read the rendered report");
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return fflush(stdout) == 0 ? 0 : cv_err_set(&cli->err, CV_EIO, "cannot write the report");
}

/* Renders doc with the reporter for format into output, or to stdout through a temporary file
 * when output is NULL. */
static int render(cv_cli *cli, cv_store *s, json_t *doc, const char *format, const char *output)
{
    char tmp[] = "/tmp/convene-report-XXXXXX";
    int fd = output ? -1 : mkstemp(tmp);
    if (!output && fd < 0)
        return cv_err_set(&cli->err, CV_EIO, "cannot create a temporary file for the report");
    if (fd >= 0)
        close(fd);
    int rc = cv_report_render(s, doc, format, output ? output : tmp, &cli->err);
    if (rc == 0 && !output)
        rc = copy_out(cli, tmp);
    if (fd >= 0)
        unlink(tmp);
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
    json_t *doc = NULL;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 2, pos, &npos) < 0)
        return cli->err.code;
    if (strcmp(pos[0], "list") == 0 && npos == 1)
        return report_list(cli);
    const cv_report_producer *prod = cv_report_find(pos[0]);
    if (!prod)
        return cv_err_set(&cli->err, CV_ENOTFOUND,
                          "no report named '%s' (see 'convene report list')", pos[0]);
    if (!format)
        format = cli->json ? "json" : "text";
    cv_store *s = cv_cli_store(cli);
    if (!s || prod->build(s, npos > 1 ? pos[1] : NULL, arg, &doc, &cli->err) < 0)
        return cli->err.code;
    int rc = render(cli, s, doc, format, output);
    json_decref(doc);
    if (rc == 0 && output)
        fprintf(stderr, "report %s written to %s (%s)\n", prod->name, output, format);
    return rc;
}
