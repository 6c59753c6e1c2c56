/* cmd_check.c: `convene check rollups [ORG]`: recomputes the roll-ups from scratch
 * (core/domain/rollup.h) and prints every difference; exits non-zero when there is one. It
 * never repairs. */
#include "base/json.h"
#include "cli/cli.h"
#include "domain/rollup.h"

static void print_rollups(json_t *j, FILE *out)
{
    json_int_t n = json_integer_value(json_object_get(j, "differences"));
    const char *org = json_string_value(json_object_get(j, "org"));
    fprintf(out, "roll-ups of %s: %lld difference(s) from a recomputation\n",
            org ? org : "every organisation", (long long)n);
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(j, "first"), i, d)
    {
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(d, "counts"), key, v) fprintf(
            out, "  %s term %lld %s: %s stored %lld, recomputed %lld\n", cv_json_text(d, "org"),
            (long long)json_integer_value(json_object_get(d, "term_id")), cv_json_text(d, "at"),
            key, (long long)json_integer_value(json_object_get(v, "stored")),
            (long long)json_integer_value(json_object_get(v, "recomputed")));
    }
}

static int check_rollups(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    json_t *report;
    cv_opt opts[] = {{NULL, NULL, NULL}};
    if (cv_cli_parse(cli, argc, argv, opts, "check rollups [ORG]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_rollup_check(s, npos ? pos[0] : NULL, &report, &cli->err) < 0)
        return cli->err.code;
    json_int_t n = json_integer_value(json_object_get(report, "differences"));
    if (cv_cli_print(cli, report, print_rollups) < 0)
        return cli->err.code;
    return n ? cv_err_set(&cli->err, CV_ECONFLICT, "%lld roll-up(s) differ from a recomputation",
                          (long long)n)
             : 0;
}

int cv_cmd_check(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"rollups", check_rollups, NULL}, {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "check", argc, argv);
}
