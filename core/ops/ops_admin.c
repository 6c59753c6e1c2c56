/* ops_admin.c: admin's operations on Lua packages: registering, reloading, listing, their state
 * and last errors, resuming a suspended one, its limits, checking one. The rule that a package
 * which does not load is refused lives here, for every front end, not in the CLI. */
#include <stdlib.h>
#include <string.h>

#include "lua/check.h"
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

static int append_reg(const cv_lua_reg *r, void *ctx)
{
    json_array_append_new(ctx, cv_lua_reg_json(r));
    return 0;
}

static int script_list(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    (void)args;
    json_t *list = json_array();
    if (cv_lua_reg_list(c->s, append_reg, list, e) < 0) {
        json_decref(list);
        return e->code;
    }
    *result = list;
    return 0;
}

/* The rows of sql (bound to the package's name) as objects with keys[0..n). */
static json_t *rows_json(cv_store *s, const char *sql, const char *package, const char *const *keys,
                         int n, cv_err *e)
{
    sqlite3_stmt *st = cv_store_prepare(s, sql, e);
    if (!st)
        return NULL;
    json_t *list = json_array();
    sqlite3_bind_text(st, 1, package, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int i = 0; i < n; i++)
            json_object_set_new(row, keys[i],
                                sqlite3_column_type(st, i) == SQLITE_INTEGER
                                    ? json_integer(sqlite3_column_int64(st, i))
                                    : json_string((const char *)sqlite3_column_text(st, i)));
        json_array_append_new(list, row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        cv_store_fail(s, "reading a package's state", e);
        return NULL;
    }
    return list;
}

/* The campaigns of one package with each phase's state and days. */
static json_t *campaigns_json(cv_store *s, const char *package, cv_err *e)
{
    static const char *const keys[] = {"campaign", "ordinal",    "phase",
                                       "state",    "started_on", "ended_on"};
    return rows_json(s,
                     "SELECT c.name, ph.ordinal, ph.name, ph.state, coalesce(ph.started_on, ''), "
                     "coalesce(ph.ended_on, '') FROM lua_campaigns c JOIN lua_phases ph ON "
                     "ph.campaign_id = c.id WHERE c.package = ?1 ORDER BY c.name, ph.ordinal",
                     package, keys, 6, e);
}

/* The package's jobs that failed on their last run, with the error. */
static json_t *failed_jobs_json(cv_store *s, const char *package, cv_err *e)
{
    static const char *const keys[] = {"job", "error", "due"};
    return rows_json(s,
                     "SELECT name, last_error, coalesce(last_due_at, 0) FROM jobs WHERE "
                     "last_error IS NOT NULL AND substr(name, 1, length(?1) + 5) = 'lua:' || ?1 "
                     "|| ':' ORDER BY name",
                     package, keys, 3, e);
}

typedef struct status_ctx {
    cv_store *s;
    json_t *list;
    cv_err *e;
} status_ctx;

static int status_one(const cv_lua_reg *r, void *arg)
{
    status_ctx *c = arg;
    json_t *j = cv_lua_reg_json(r), *phases = campaigns_json(c->s, r->name, c->e);
    json_t *jobs = phases ? failed_jobs_json(c->s, r->name, c->e) : NULL;
    if (!phases || !jobs) {
        json_decref(j);
        json_decref(phases);
        return c->e->code;
    }
    json_object_set_new(j, "phases", phases);
    json_object_set_new(j, "failed_jobs", jobs);
    json_array_append_new(c->list, j);
    return 0;
}

static int script_status(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *name = cv_op_text(args, "name");
    status_ctx sc = {c->s, json_array(), e};
    cv_lua_reg r;
    int rc = name ? cv_lua_reg_get(c->s, name, &r, e) : 0;
    if (rc == 0)
        rc = name ? status_one(&r, &sc) : cv_lua_reg_list(c->s, status_one, &sc, e);
    if (rc < 0) {
        json_decref(sc.list);
        return rc;
    }
    *result = sc.list;
    return 0;
}

static int script_resume(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_lua_reg r;
    if (cv_lua_reg_get(c->s, cv_op_text(args, "name"), &r, e) < 0)
        return e->code;
    if (!r.suspended[0])
        return cv_err_set(e, CV_EINVAL, N_("package %s is not suspended"), r.name);
    if (cv_lua_reg_resume(c->s, r.name, e) < 0)
        return e->code;
    return reg_result(c->s, r.name, result, e);
}

/* Merges the KEY=N texts of set into the package's limits; the answer is the package. */
static int script_limits(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    cv_lua_reg r;
    json_t *set = json_object_get(args, "set");
    if (cv_lua_reg_get(c->s, cv_op_text(args, "name"), &r, e) < 0)
        return e->code;
    if (json_array_size(set) == 0)
        return reg_result(c->s, r.name, result, e);
    json_t *l = json_loads(r.limits, 0, NULL);
    size_t i;
    json_t *item;
    json_array_foreach(set, i, item)
    {
        const char *kv = json_string_value(item);
        char key[64];
        long long v;
        int used = 0;
        if (sscanf(kv, "%63[a-z_]=%lld%n", key, &v, &used) != 2 || kv[used] != '\0') {
            json_decref(l);
            return cv_err_set(e, CV_EINVAL,
                              N_("'%.64s' is not KEY=N; usage: convene script limits "
                                 "NAME [KEY=N ...]"),
                              kv);
        }
        json_object_set_new(l, key, json_integer(v));
    }
    char *text = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(l);
    int rc = text ? cv_lua_reg_set_limits(c->s, r.name, text, e)
                  : cv_err_set(e, CV_ENOMEM, N_("out of memory"));
    free(text);
    return rc < 0 ? rc : reg_result(c->s, r.name, result, e);
}

/* The package checked against the store: the organisation is org, else the registered
 * package's of the folder's name. */
static int script_check(const cv_op_ctx *c, json_t *args, json_t **result, cv_err *e)
{
    const char *path = cv_op_text(args, "path"), *org = cv_op_text(args, "org");
    cv_lua_reg r;
    if (!org) {
        const char *base = strrchr(path, '/');
        if (cv_lua_reg_get(c->s, base ? base + 1 : path, &r, e) < 0)
            return cv_err_set(e, CV_EINVAL,
                              N_("%s is not registered; give the subtree with --org CODE"), path);
        org = r.org;
    }
    return cv_lua_check(c->s, path, org, cv_op_text(args, "config"), result, e);
}

static const cv_op_arg add_args[] = {
    {"path", CV_ARG_TEXT, 1, 0, CV_LUA_PATH_MAX - 1, "the package's folder (absolute)"},
    {"org", CV_ARG_CODE, 1, 0, 0, "the subtree it acts on"},
    {"name", CV_ARG_TEXT, 0, 0, CV_LUA_NAME_MAX - 1, "its name (the folder's)"},
    {"config", CV_ARG_TEXT, 0, 0, 4095, "its configuration, a JSON object"},
    CV_OP_ARGS_END};
static const cv_op_arg reload_args[] = {
    {"name", CV_ARG_TEXT, 1, 0, CV_LUA_NAME_MAX - 1, "the package"}, CV_OP_ARGS_END};
static const cv_op_arg status_args[] = {
    {"name", CV_ARG_TEXT, 0, 0, CV_LUA_NAME_MAX - 1, "one package"}, CV_OP_ARGS_END};
static const cv_op_arg limits_args[] = {
    {"name", CV_ARG_TEXT, 1, 0, CV_LUA_NAME_MAX - 1, "the package"},
    {"set", CV_ARG_LIST, 0, 0, 11, "KEY=N texts to raise or lower"},
    CV_OP_ARGS_END};
static const cv_op_arg check_args[] = {
    {"path", CV_ARG_TEXT, 1, 0, CV_LUA_PATH_MAX - 1, "the package's folder (absolute)"},
    {"org", CV_ARG_CODE, 0, 0, 0, "the subtree (the registered package's)"},
    {"config", CV_ARG_TEXT, 0, 0, 4095, "its configuration, a JSON object"},
    CV_OP_ARGS_END};
const cv_op cv_ops_admin[] = {
    {"script.add", "bind a Lua package to a subtree (refused unless it loads)", add_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 1, script_add,
     "{\"path\":\"$SCRIPT\",\"org\":\"$ORG\",\"name\":\"p$N\"}"},
    {"script.reload", "reload a package (refused unless it loads)", reload_args, CV_ROLE_ADMIN,
     CV_AT_STORE, NULL, 0, NULL, 1, script_reload, "{\"name\":\"$PACKAGE\"}"},
    {"script.list", "the registered packages", NULL, CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 0,
     script_list, "{}"},
    {"script.status", "packages' state, last errors, failed jobs and campaign phases", status_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 0, script_status, "{\"name\":\"$PACKAGE\"}"},
    {"script.resume", "resume a suspended package", reload_args, CV_ROLE_ADMIN, CV_AT_STORE, NULL,
     0, NULL, 1, script_resume, "{\"name\":\"$PACKAGE\"}"},
    {"script.limits", "a package's limits (with set: change some)", limits_args, CV_ROLE_ADMIN,
     CV_AT_STORE, NULL, 0, NULL, 1, script_limits,
     "{\"name\":\"$PACKAGE\",\"set\":[\"hooks=40\"]}"},
    {"script.check", "load a package against the store and report misuses of the API", check_args,
     CV_ROLE_ADMIN, CV_AT_STORE, NULL, 0, NULL, 0, script_check,
     "{\"path\":\"$SCRIPT\",\"org\":\"$ORG\"}"},
    CV_OPS_END,
};
