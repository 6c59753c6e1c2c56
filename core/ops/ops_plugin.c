/* ops_plugin.c: what is on the plugin path and what admins chose for it (list, enable, disable,
 * config, info), as admin's operations. The state goes to the store, where a running daemon picks
 * it up; nothing here starts a plugin. A secret setting is write-only: it is stored sealed under
 * the key beside the store and no answer ever carries it, to anyone. */
#include <stdlib.h>
#include <string.h>

#include "auth/seal.h"
#include "ops/ops.h"
#include "plugin/loader.h"
#include "plugin/registry.h"

static const char *const type_names[] = {"", "text", "int", "bool", "secret"};

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

static int plugin_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    (void)args;
    cv_plugin_found *all;
    size_t n;
    if (cv_plugin_scan(&all, &n, e) < 0)
        return e->code;
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *row = found_json(c->s, &all[i], e);
        if (!row) {
            free(all);
            json_decref(rows);
            return e->code ? e->code : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
        }
        json_array_append_new(rows, row);
    }
    free(all);
    *result = rows;
    return 0;
}

/* Finds the plugin called name; refuses a refused file. */
static int named(json_t *args, cv_plugin_found *f, cv_err *e)
{
    if (cv_plugin_find(cv_op_text(args, "name"), f, e) < 0)
        return e->code;
    return *f->refused ? cv_err_set(e, CV_EPLUGIN, "%s", f->refused) : 0;
}

static int set_enabled(const cv_op_ctx *c, json_t *args, json_t **result, int enabled, cv_err *e)
{
    cv_plugin_found f;
    if (named(args, &f, e) < 0 || cv_plugin_reg_enable(c->s, f.name, enabled, e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:b}", "name", f.name, "enabled", enabled);
    return 0;
}

static int plugin_enable(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return set_enabled(c, args, result, 1, e);
}

static int plugin_disable(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    return set_enabled(c, args, result, 0, e);
}

/* Checks the value with the plugin itself, seals a secret, stores it; the answer shows a secret
 * as "(secret)". */
static int plugin_config(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *key = cv_op_text(args, "key");
    cv_plugin_found f;
    cv_plugin *p = NULL;
    char value[4096];
    if (named(args, &f, e) < 0 || cv_plugin_open(f.path, c->s, NULL, &p, e) < 0)
        return e->code;
    const cv_plugin_descriptor *d = cv_plugin_descriptor_of(p);
    int rc = cv_plugin_config_check(p, key, cv_op_text(args, "value"), value, sizeof value, e);
    int secret = 0;
    for (const cv_plugin_config_entry *ce = d->config; rc == 0 && ce && ce->name; ce++)
        if (strcmp(ce->name, key) == 0)
            secret = ce->type == CV_PLUGIN_CONFIG_SECRET;
    cv_plugin_close(p);
    char sealed[sizeof value * 2];
    /* A secret is stored sealed, so that a copy of the store alone does not reveal it. */
    if (rc == 0 && secret)
        rc = cv_seal(cv_store_path(c->s), value, sealed, sizeof sealed, e);
    if (rc < 0 || cv_plugin_reg_config_set(c->s, f.name, key, secret ? sealed : value, e) < 0)
        return e->code;
    *result = json_pack("{s:s, s:s, s:s, s:b}", "name", f.name, "key", key, "value",
                        secret ? "(secret)" : value, "secret", secret);
    return 0;
}

static json_t *config_json(cv_store *s, const char *name, const cv_plugin_config_entry *ce,
                           cv_err *e)
{
    char value[4096];
    int rc = cv_plugin_reg_config_get(s, name, ce->name, value, sizeof value, e);
    if (rc < 0 && rc != CV_ENOTFOUND)
        return NULL;
    cv_err_clear(e);
    int secret = ce->type == CV_PLUGIN_CONFIG_SECRET;
    const char *shown = rc == 0 ? value : ce->default_value;
    if (secret && shown)
        shown = "(secret)";
    return json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:s}", "key", ce->name, "type",
                     type_names[ce->type], "default", secret ? NULL : ce->default_value, "value",
                     shown, "set", rc == 0, "help", ce->help ? ce->help : "");
}

static int plugin_info(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_plugin_found f;
    cv_plugin *p = NULL;
    if (cv_plugin_find(cv_op_text(args, "name"), &f, e) < 0)
        return e->code;
    json_t *j = found_json(c->s, &f, e);
    if (!j)
        return e->code ? e->code : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    json_t *config = json_array();
    json_object_set_new(j, "config", config);
    int failed = 0;
    if (!*f.refused && cv_plugin_open(f.path, c->s, NULL, &p, e) == 0) {
        for (const cv_plugin_config_entry *ce = cv_plugin_descriptor_of(p)->config;
             !failed && ce && ce->name; ce++) {
            json_t *one = config_json(c->s, f.name, ce, e);
            failed = !one;
            json_array_append_new(config, one);
        }
        cv_plugin_close(p);
    } else if (!*f.refused) {
        failed = 1;
    }
    if (failed) {
        json_decref(j);
        return e->code ? e->code : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    }
    *result = j;
    return 0;
}

static const cv_op_arg name_args[] = {{"name", CV_ARG_TEXT, 1, 0, 63, "the plugin"},
                                      CV_OP_ARGS_END};
static const cv_op_arg config_args[] = {{"name", CV_ARG_TEXT, 1, 0, 63, "the plugin"},
                                        {"key", CV_ARG_TEXT, 1, 0, 63, "one of its settings"},
                                        {"value", CV_ARG_TEXT, 1, 0, 4095, "its new value"},
                                        CV_OP_ARGS_END};

#define A CV_ROLE_ADMIN
#define S CV_AT_STORE
const cv_op cv_ops_plugin[] = {
    {"plugin.list", "the plugins on the plugin path", NULL, A, S, NULL, 0, NULL, 0, plugin_list,
     "{}"},
    {"plugin.enable", "enable a plugin", name_args, A, S, NULL, 0, NULL, 1, plugin_enable,
     "{\"name\":\"notify-log\"}"},
    {"plugin.disable", "disable a plugin", name_args, A, S, NULL, 0, NULL, 1, plugin_disable,
     "{\"name\":\"notify-log\"}"},
    {"plugin.config", "set one of a plugin's settings (a secret is sealed, never shown)",
     config_args, A, S, NULL, 0, NULL, 1, plugin_config,
     "{\"name\":\"notify-smtp\",\"key\":\"password\",\"value\":\"mật-khẩu-$N\"}"},
    {"plugin.info", "one plugin: its file, state and settings (secrets never shown)", name_args, A,
     S, NULL, 0, NULL, 0, plugin_info, "{\"name\":\"notify-smtp\"}"},
    CV_OPS_END,
};
