/* cmd_store.c: `convene store limit [MB|none]`: the bound on the store file's size (setting
 * store.max_mb), so that a runaway cannot fill the disk the store lives on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void print_limit(json_t *j, FILE *out)
{
    json_t *mb = json_object_get(j, "max_mb");
    if (json_is_integer(mb))
        fprintf(out, "the store may grow to %lld MB\n", (long long)json_integer_value(mb));
    else
        fprintf(out, "the store has no size limit but the disk's\n");
}

static int store_limit(cv_cli *cli, int argc, char **argv)
{
    char *pos[1], buf[32];
    int npos;
    cv_err unset;
    if (cv_cli_parse(cli, argc, argv, NULL, "store limit [MB|none]", 0, 1, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s ||
        (npos && cv_store_limit_set(s, strcmp(pos[0], "none") ? pos[0] : NULL, &cli->err) < 0))
        return cli->err.code;
    json_t *j = json_object();
    if (cv_store_setting_get(s, "store.max_mb", buf, sizeof buf, &unset) == 0)
        json_object_set_new(j, "max_mb", json_integer(strtoll(buf, NULL, 10)));
    return cv_cli_print(cli, j, print_limit);
}

int cv_cmd_store(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {{"limit", store_limit, NULL}, {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "store", argc, argv);
}
