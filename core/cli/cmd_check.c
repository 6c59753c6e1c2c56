/* cmd_check.c: `convene check [WHAT]`, an admin's checks of a store. Each check is one entry of
 * the table below (`store`, the default: the file's integrity, its references and the tree;
 * `rollups [ORG]`: the roll-ups against a recomputation, core/domain/rollup.h); a check prints
 * what it finds and fails with the status of the worst finding. It never repairs. */
#include <string.h>

#include "base/json.h"
#include "cli/cli.h"
#include "domain/org.h"
#include "domain/rollup.h"
#include "store/check.h"

static void print_store(json_t *j, FILE *out)
{
    size_t i;
    json_t *p;
    json_t *problems = json_object_get(j, "problems");
    for (const char *const *c =
             (const char *const[]){"integrity_check", "foreign_key_check", "tree", NULL};
         *c; c++) {
        int found = 0;
        json_array_foreach(problems, i,
                           p) if (strcmp(json_string_value(json_object_get(p, "check")), *c) == 0)
        {
            fprintf(out, "%s: %s\n", *c, json_string_value(json_object_get(p, "problem")));
            found = 1;
        }
        if (!found)
            fprintf(out, "%s: ok\n", *c);
    }
}

/* One line per edge of the tree that does not go down a level. */
static void add_tree_problems(json_t *problems, json_t *edges)
{
    size_t i;
    json_t *p;
    json_array_foreach(edges, i, p)
    {
        char line[512];
        snprintf(line, sizeof line, "%s (%s) is under %s (%s), not below its level%s",
                 json_string_value(json_object_get(p, "org")),
                 json_string_value(json_object_get(p, "level")),
                 json_string_value(json_object_get(p, "parent")),
                 json_string_value(json_object_get(p, "parent_level")),
                 json_is_true(json_object_get(p, "cycle")) ? "; a parent cycle runs through it"
                                                           : "");
        json_array_append_new(problems, json_pack("{s:s, s:s}", "check", "tree", "problem", line));
    }
}

/* The worst finding decides the status: a damaged file is an I/O failure (74), a broken
 * reference or tree a data error (65). */
static int verdict(cv_cli *cli, json_t *problems)
{
    size_t i, n = json_array_size(problems);
    json_t *p;
    int damaged = 0;
    json_array_foreach(problems, i, p) damaged |=
        strcmp(json_string_value(json_object_get(p, "check")), "integrity_check") == 0;
    if (!n)
        return 0;
    return cv_err_set(&cli->err, damaged ? CV_EIO : CV_ECONFLICT,
                      "the store has %zu problem%s (listed above)%s", n, n == 1 ? "" : "s",
                      damaged ? "; restore it from a backup" : "");
}

static int check_store(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    json_t *problems = NULL, *edges = NULL;
    if (cv_cli_parse(cli, argc, argv, NULL, "check [store]", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_store_check(s, 1, &problems, &cli->err) < 0)
        return cli->err.code;
    if (cv_org_check_tree(s, &edges, &cli->err) < 0) {
        json_decref(problems);
        return cli->err.code;
    }
    add_tree_problems(problems, edges);
    json_decref(edges);
    int rc = verdict(cli, problems);
    cv_cli_print(cli, json_pack("{s:b, s:o}", "ok", rc == 0, "problems", problems), print_store);
    return rc;
}

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

static const cv_cli_command checks[] = {
    {"store", check_store, "check [store]"},
    {"rollups", check_rollups, "check rollups [ORG]"},
    {NULL, NULL, NULL},
};

int cv_cmd_check(cv_cli *cli, int argc, char **argv)
{
    if (argc < 2 || argv[1][0] == '-') /* `convene check` alone checks the store */
        return check_store(cli, argc, argv);
    return cv_cli_dispatch(cli, checks, "check", argc, argv);
}
