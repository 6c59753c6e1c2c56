/* cmd_plugin.c: `convene plugin list|enable|disable|config|info`: what is on the plugin path and
 * what admins chose for it. The state goes to the store (plugin/registry.h), where a running
 * daemon picks it up; this file never starts a plugin and never prints a secret. */
#include <stdlib.h>
#include <string.h>

#include "auth/seal.h"
#include "cli/cli.h"
#include "plugin/loader.h"
#include "plugin/registry.h"

static const char *const type_names[] = {"", "text", "int", "bool", "secret"};

static const char *text(json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    return v ? v : "";
}

static json_t *found_json(cv_store *s, const cv_plugin_found *f, cv_err *e)
{
    cv_plugin_reg reg;
    char kinds[32];
    if (cv_plugin_reg_get(s, f->name, &reg, e) < 0)
        return NULL;
    const char *err = *f->refused ? f->refused : reg.last_error;
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "name", f->name, "kind",
                     cv_plugin_kinds_text(f->kinds, kinds, sizeof kinds), "for", f->key, "version",
                     f->version, "enabled", reg.enabled, "last_error", err, "path", f->path,
                     "description", f->description);
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
    cv_plugin_found *all;
    size_t n;
    if (cv_cli_parse(cli, argc, argv, NULL, "plugin list", 0, 0, pos, &npos) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plugin_scan(&all, &n, &cli->err) < 0)
        return cli->err.code;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *row = found_json(s, &all[i], &cli->err);
        if (!row) {
            free(all);
            json_decref(rows);
            return cli->err.code ? cli->err.code : CV_ENOMEM;
        }
        json_array_append_new(rows, row);
    }
    free(all);
    return cv_cli_print(cli, rows, print_list);
}

/* Parses NAME plus extra positionals and finds the plugin; refuses a refused file. */
static int named(cv_cli *cli, int argc, char **argv, const char *usage, int npos_want, char **pos,
                 cv_plugin_found *f)
{
    int npos;
    if (cv_cli_parse(cli, argc, argv, NULL, usage, npos_want, npos_want, pos, &npos) < 0 ||
        cv_plugin_find(pos[0], f, &cli->err) < 0)
        return cli->err.code;
    if (*f->refused)
        return cv_err_set(&cli->err, CV_EPLUGIN, "%s", f->refused);
    return 0;
}

static int set_enabled(cv_cli *cli, int argc, char **argv, int enabled)
{
    char *pos[1];
    cv_plugin_found f;
    if (named(cli, argc, argv, enabled ? "plugin enable NAME" : "plugin disable NAME", 1, pos, &f) <
        0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plugin_reg_enable(s, f.name, enabled, &cli->err) < 0)
        return cli->err.code;
    printf("plugin %s %s\n", f.name, enabled ? "enabled" : "disabled");
    return 0;
}

static int plugin_enable(cv_cli *cli, int argc, char **argv)
{
    return set_enabled(cli, argc, argv, 1);
}

static int plugin_disable(cv_cli *cli, int argc, char **argv)
{
    return set_enabled(cli, argc, argv, 0);
}

static int plugin_config(cv_cli *cli, int argc, char **argv)
{
    char *pos[3];
    cv_plugin_found f;
    cv_plugin *p = NULL;
    char value[4096];
    if (named(cli, argc, argv, "plugin config NAME KEY VALUE", 3, pos, &f) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    if (!s || cv_plugin_open(f.path, s, NULL, &p, &cli->err) < 0)
        return cli->err.code;
    const cv_plugin_descriptor *d = cv_plugin_descriptor_of(p);
    int rc = cv_plugin_config_check(p, pos[1], pos[2], value, sizeof value, &cli->err);
    int secret = 0;
    for (const cv_plugin_config_entry *c = d->config; rc == 0 && c && c->name; c++)
        if (strcmp(c->name, pos[1]) == 0)
            secret = c->type == CV_PLUGIN_CONFIG_SECRET;
    cv_plugin_close(p);
    char sealed[sizeof value * 2];
    /* A secret is stored sealed, so that a copy of the store alone does not reveal it. */
    if (rc == 0 && secret)
        rc = cv_seal(cv_store_path(s), value, sealed, sizeof sealed, &cli->err);
    if (rc < 0 ||
        cv_plugin_reg_config_set(s, f.name, pos[1], secret ? sealed : value, &cli->err) < 0)
        return cli->err.code;
    printf("%s: %s = %s\n", f.name, pos[1], secret ? "(secret)" : value);
    return 0;
}

static json_t *config_json(cv_store *s, const char *name, const cv_plugin_config_entry *c,
                           cv_err *e)
{
    char value[4096];
    int rc = cv_plugin_reg_config_get(s, name, c->name, value, sizeof value, e);
    if (rc < 0 && rc != CV_ENOTFOUND)
        return NULL;
    cv_err_clear(e);
    const char *shown = rc == 0 ? value : c->default_value;
    if (c->type == CV_PLUGIN_CONFIG_SECRET && shown)
        shown = "(secret)";
    return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:s}", "key", c->name, "type",
                     type_names[c->type], "default",
                     c->type == CV_PLUGIN_CONFIG_SECRET ? NULL : c->default_value, "value", shown,
                     "set", rc == 0, "help", c->help ? c->help : "");
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
    cv_plugin_found f;
    cv_plugin *p = NULL;
    if (cv_cli_parse(cli, argc, argv, NULL, "plugin info NAME", 1, 1, pos, &npos) < 0 ||
        cv_plugin_find(pos[0], &f, &cli->err) < 0)
        return cli->err.code;
    cv_store *s = cv_cli_store(cli);
    json_t *j = s ? found_json(s, &f, &cli->err) : NULL;
    if (!j)
        return cli->err.code ? cli->err.code : CV_ENOMEM;
    json_t *config = json_array();
    json_object_set_new(j, "config", config);
    if (!*f.refused && cv_plugin_open(f.path, s, NULL, &p, &cli->err) == 0) {
        const cv_plugin_config_entry *c = cv_plugin_descriptor_of(p)->config;
        for (; c && c->name; c++) {
            json_t *one = config_json(s, f.name, c, &cli->err);
            if (!one)
                break;
            json_array_append_new(config, one);
        }
        cv_plugin_close(p);
    }
    if (cli->err.code) {
        json_decref(j);
        return cli->err.code;
    }
    return cv_cli_print(cli, j, print_info);
}

int cv_cmd_plugin(cv_cli *cli, int argc, char **argv)
{
    static const cv_cli_command sub[] = {
        {"list", plugin_list, NULL},       {"enable", plugin_enable, NULL},
        {"disable", plugin_disable, NULL}, {"config", plugin_config, NULL},
        {"info", plugin_info, NULL},       {NULL, NULL, NULL}};
    return cv_cli_dispatch(cli, sub, "plugin", argc, argv);
}
