/* cmd_import.c: `convene import FILE --as KIND`: the operation import.run (core/ops/ops_store.c,
 * which hands the file to the enabled importer plugin of its format) and its printer. */
#include <unistd.h>

#include "base/json.h"
#include "cli/cli.h"

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

int cv_cmd_import(cv_cli *cli, int argc, char **argv)
{
    const char *usage = "import FILE --as orgs|members|work-items|people [--encoding utf-8|cp1258] "
                        "[--format csv] [--dry-run]";
    const char *as = NULL, *encoding = NULL, *format = NULL;
    int dry_run = 0;
    cv_opt opts[] = {{"as", &as, NULL},
                     {"encoding", &encoding, NULL},
                     {"format", &format, NULL},
                     {"dry-run", NULL, &dry_run},
                     {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, opts, usage, 1, 1, pos, &npos) < 0)
        return cli->err.code;
    if (!as)
        return cv_err_set(&cli->err, CV_EINVAL, "--as is required; usage: convene %s", usage);
    static const char *const names[] = {"file", "as", "encoding", "format"};
    const char *values[] = {pos[0], as, encoding, format};
    json_t *args = cv_cli_texts(json_object(), names, values, 4);
    json_object_set_new(args, "dry_run", json_boolean(dry_run));
    json_object_set_new(args, "progress", json_boolean(isatty(STDERR_FILENO) && !cli->json));
    return cv_cli_op_print(cli, "import.run", args, print_import);
}
