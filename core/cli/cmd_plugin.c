/* cmd_plugin.c: `convene plugin list|enable|disable|config|info`: what is on the plugin path and
 * what admins chose for it, mapped onto the operations of core/ops/ops_plugin.c, and their
 * printers. No answer carries a secret. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static void print_list(json_t *j, FILE *out)
{
    size_t i;
    json_t *p;
    fprintf(out, "%-18s %-8s %-8s %-8s %-8s %s\n", "NAME", "KIND", "FOR", "VERSION", "ENABLED",
            "LAST ERROR");
    json_array_foreach(j, i, p)
    {
        fprintf(out, "%-18s %-8s %-8s %-8s %-8s %s\n", text(p, "name"),
                *text(p, "kind") ? text(p, "kind") : "-", *text(p, "for") ? text(p, "for") : "-",
                *text(p, "version") ? text(p, "version") : "-",
                json_is_true(json_object_get(p, "enabled")) ? "yes" : "no", text(p, "last_error"));
    }
    if (json_array_size(j) == 0)
        fprintf(out, "no plugins on the plugin path\n");
}

static int plugin_list(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "plugin list", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "plugin.list", json_object(), print_list);
}

static void print_enabled(json_t *j, FILE *out)
{
    fprintf(out, "plugin %s %s\n", text(j, "name"),
            json_is_true(json_object_get(j, "enabled")) ? "enabled" : "disabled");
}

static int set_enabled(cv_cli *cli, int argc, char **argv, int enabled)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, enabled ? "plugin enable NAME" : "plugin disable NAME",
                     1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, enabled ? "plugin.enable" : "plugin.disable",
                           json_pack("{s:s}", "name", pos[0]), print_enabled);
}

static int plugin_enable(cv_cli *cli, int argc, char **argv)
{
    return set_enabled(cli, argc, argv, 1);
}

static int plugin_disable(cv_cli *cli, int argc, char **argv)
{
    return set_enabled(cli, argc, argv, 0);
}

static void print_configured(json_t *j, FILE *out)
{
    fprintf(out, "%s: %s = %s\n", text(j, "name"), text(j, "key"), text(j, "value"));
}

static int plugin_config(cv_cli *cli, int argc, char **argv)
{
    char *pos[3];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "plugin config NAME KEY VALUE", 3, 3, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(
        cli, "plugin.config",
        json_pack("{s:s, s:s, s:s}", "name", pos[0], "key", pos[1], "value", pos[2]),
        print_configured);
}

static void print_info(json_t *j, FILE *out)
{
    fprintf(out, "%s %s (%s for %s): %s\n", text(j, "name"), text(j, "version"), text(j, "kind"),
            text(j, "for"), text(j, "description"));
    fprintf(out, "  file     %s\n  enabled  %s\n", text(j, "path"),
            json_is_true(json_object_get(j, "enabled")) ? "yes" : "no");
    if (*text(j, "last_error"))
        fprintf(out, "  error    %s\n", text(j, "last_error"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "config"), i, c)
    {
        fprintf(out, "  %-16s %-6s = %-24s %s%s\n", text(c, "key"), text(c, "type"),
                *text(c, "value") ? text(c, "value") : "(none)", text(c, "help"),
                json_is_true(json_object_get(c, "set")) ? "" : " [default]");
    }
}

static int plugin_info(cv_cli *cli, int argc, char **argv)
{
    char *pos[1];
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, "plugin info NAME", 1, 1, pos, &npos) < 0)
        return cli->err.code;
    return cv_cli_op_print(cli, "plugin.info", json_pack("{s:s}", "name", pos[0]), print_info);
}

int cv_cmd_plugin(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"list", plugin_list, NULL},       {"enable", plugin_enable, NULL},
        {"disable", plugin_disable, NULL}, {"config", plugin_config, NULL},
        {"info", plugin_info, NULL},       {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "plugin", argc, argv);
}
