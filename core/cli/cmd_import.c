/* cmd_import.c: `convene import FILE --as KIND`: hands the file to the enabled importer plugin
 * for its format (import-csv for .csv) and reports what landed. It never reads the file itself
 * and never writes a row: the plugin does, in one transaction. */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/path.h"
#include "base/json.h"
#include "cli/cli.h"
#include "plugin/loader.h"

static long long num(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void print_import(json_t *j, FILE *out)
{
    int dry = json_is_true(json_object_get(j, "dry_run"));
    fprintf(out, "%s%s as %s: %lld rows, %lld %s, %lld %s, %lld unchanged\n",
            dry ? "dry run, nothing written: " : "imported ", cv_json_text(j, "file"),
            cv_json_text(j, "as"), num(j, "rows"), num(j, "inserted"),
            dry ? "to insert" : "inserted", num(j, "updated"), dry ? "to update" : "updated",
            num(j, "unchanged"));
}

/* The format of a file: --format, else its extension ("csv" for x.CSV), else csv. */
static void file_format(const char *path, const char *given, char *out, size_t cap)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    const char *ext = given ? given : dot && (!slash || dot > slash) && dot[1] ? dot + 1 : "csv";
    size_t i = 0;
    for (; ext[i] && i + 1 < cap; i++)
        out[i] = (char)(ext[i] >= 'A' && ext[i] <= 'Z' ? ext[i] + 32 : ext[i]);
    out[i] = '\0';
}

int cv_cmd_import(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "import FILE --as orgs|members|work-items|people [--encoding utf-8|cp1258] "
                        "[--format csv] [--dry-run]";
    cv_plugin_import req = {0};
    const char *format = NULL;
    cv_opt opts[] = {{"as", &req.as, NULL},
                     {"encoding", &req.encoding, NULL},
                     {"format", &format, NULL},
                     {"dry-run", NULL, &req.dry_run},
                     {NULL, NULL, NULL}};
    char *pos[1], fmt[16];
    int npos;
    cv_plugin *p = NULL;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!req.as)
        return cv_err_set(&cli->err, CV_EINVAL, "--as is required; usage: convene %s", usage);
    req.path = pos[0];
    req.progress = isatty(STDERR_FILENO) && !cli->json;
    file_format(req.path, format, fmt, sizeof fmt);
    if (cv_path_check_read(req.path, &cli->err) < 0) /* a FIFO must not hang the plugin */
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plugin_load_for(s, NULL, CV_PLUGIN_KIND_IMPORT, fmt, &p, &cli->err) < 0)
        return cli->err.code;
    /* The importer writes rows with its own SQL and journals them through the host (new rows in
     * batches, import.rows; each changed row alone, org.updated, ...) as the account running the
     * import, via the file. */
    cv_actor importer = *cv_store_actor(s);
    snprintf(importer.via, sizeof importer.via, "import %.100s", req.path);
    cv_store_set_actor(s, &importer);
    int rc = cv_plugin_import_run(p, &req, &cli->err);
    cv_store_set_actor(s, &cli->actor);
    cv_plugin_close(p);
    if (rc < 0)
        return rc;
    return cv_cli_print(cli,
                        json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I}", "file", req.path, "as",
                                  req.as, "dry_run", req.dry_run, "rows", (json_int_t)req.rows,
                                  "inserted", (json_int_t)req.inserted, "updated",
                                  (json_int_t)req.updated, "unchanged", (json_int_t)req.unchanged),
                        print_import);
}
