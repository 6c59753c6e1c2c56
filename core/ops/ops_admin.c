/* ops_admin.c: admin's store-wide operations mapped so far: registering and reloading Lua
 * packages. The rule that a package which does not load is refused lives here, for every front
 * end, not in the CLI. */
#include <string.h>

#include "lua/package.h"
#include "lua/registry.h"
#include "ops/ops.h"

/* Loads the package against the store to prove it loads; the state is freed at once. */
static int try_load(cv_store *s, const char *name, const char *path, const char *org,
                    const char *config, const char *limits, cv_err *e)
{
    cv_lua_pkg_options opt = {
        .name = name, .path = path, .org = org, .config = config, .limits = limits};
    cv_lua_pkg *p;
    if (cv_lua_pkg_load(s, &opt, &p, e) < 0)
        return e->code;
    cv_lua_pkg_free(p);
    return 0;
}

static int reg_result(cv_store *s, const char *name, json_t **result, cv_err *e)
{
    cv_lua_reg r;
    if (cv_lua_reg_get(s, name, &r, e) < 0)
        return e->code;
    *result = cv_lua_reg_json(&r);
    return 0;
}

static int script_add(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *path = cv_op_text(args, "path"), *org = cv_op_text(args, "org");
    const char *name = cv_op_text(args, "name"), *config = cv_op_text(args, "config");
    if (try_load(c->s, name, path, org, config, NULL, e) < 0)
        return e->code;
    const char *base = strrchr(path, '/');
    name = name ? name : (base ? base + 1 : path);
    if (cv_lua_reg_add(c->s, name, path, org, config, e) < 0)
        return e->code;
    return reg_result(c->s, name, result, e);
}

static int script_reload(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_lua_reg r;
    if (cv_lua_reg_get(c->s, cv_op_text(args, "name"), &r, e) < 0 ||
        try_load(c->s, r.name, r.path, r.org, r.config, r.limits, e) < 0 ||
        cv_lua_reg_bump(c->s, r.name, e) < 0)
        return e->code;
    return reg_result(c->s, r.name, result, e);
}

static const cv_op_arg add_args[] = {
    {"path", CV_ARG_TEXT, 1, 0, CV_LUA_PATH_MAX - 1, "the package's folder (absolute)"},
    {"org", CV_ARG_CODE, 1, 0, 0, "the subtree it acts on"},
    {"name", CV_ARG_TEXT, 0, 0, CV_LUA_NAME_MAX - 1, "its name (the folder's)"},
    {"config", CV_ARG_TEXT, 0, 0, 4095, "its configuration, a JSON object"},
    CV_OP_ARGS_END};
static const cv_op_arg reload_args[] = {
    {"name", CV_ARG_TEXT, 1, 0, CV_LUA_NAME_MAX - 1, "the package"}, CV_OP_ARGS_END};

const cv_op cv_ops_admin[] = {
    {"script.add", "bind a Lua package to a subtree (refused unless it loads)", add_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, script_add,
     "{\"path\":\"$SCRIPT\",\"org\":\"$ORG\",\"name\":\"p$N\"}"},
    {"script.reload", "reload a package (refused unless it loads)", reload_args, CV_ROLE_ADMIN,
     CV_AT_STORE, NULL, 0, NULL, 1, script_reload, "{\"name\":\"$PACKAGE\"}"},
    CV_OPS_END,
};
